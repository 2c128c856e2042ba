package dev.meshwork.placement.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.placement.eviction.EvictionCandidate;
import dev.meshwork.placement.eviction.LruEvictionPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FairShareEvictionTest {
    static final long MESH = 1000;
    /** b is the victim-to-be with a 40% guarantee; a has none; c is guaranteed 30% and capped at 50%. */
    static final TenantPolicies POLICIES = new TenantPolicies(List.of(
            policy("b", new MemoryAmount(0.4, 0), MemoryAmount.NONE),
            policy("c", new MemoryAmount(0.3, 0), new MemoryAmount(0.5, 0))));

    static TenantPolicy policy(String ns, MemoryAmount share, MemoryAmount max) {
        return new TenantPolicy(ns, 0, share, max, 0, 0, 0, 0, 0, "");
    }

    /** Copies: b's two (old), a's two (newer), c's one (newest); lastUsed orders them for LRU. */
    static final List<EvictionCandidate> COPIES = List.of(
            new EvictionCandidate("b/hot1", 100, 1, 10), new EvictionCandidate("b/hot2", 100, 2, 10),
            new EvictionCandidate("a/cold1", 100, 3, 10), new EvictionCandidate("a/cold2", 100, 4, 10),
            new EvictionCandidate("c/m", 100, 5, 10));

    static Optional<String> victim(String requester, long bytes, Map<String, Long> usage) {
        return FairShareEviction.victim(requester, bytes, COPIES, TenantShares.of(POLICIES, MESH, usage), new LruEvictionPolicy())
                .victim().map(EvictionCandidate::modelId);
    }

    @ParameterizedTest(name = "{0} loads with b={1} a={2} c={3}: evicts {4}")
    @CsvSource({
            // a borrows (no share): its own load churns its own copies, never b's, although b's are older
            "a, 200, 500, 100, a/cold1",
            // b under its share reclaims from the borrower a first
            "b, 200, 500, 100, a/cold1",
            // b over its share (lent memory) is a borrower too: LRU among the borrowers takes b's oldest
            "a, 500, 300, 100, b/hot1",
            // c under its share, a borrows: c takes a's
            "c, 200, 500, 100, a/cold1",
            // nobody borrows (a holds nothing) and c is under share: c may evict only its own
            "c, 400, 0, 300, c/m",
            // b exactly at its share, c under: nobody borrows, so b's load takes b's own oldest, never c's
            "b, 400, 0, 300, b/hot1",
    })
    void loadsTakeFromBorrowersFirstThenFromThemselves(String requester, long b, long a, long c, String expected) {
        Optional<String> v = victim(requester, 100, Map.of("a", a, "b", b, "c", c));
        assertThat(v.orElse("")).isEqualTo(expected);
    }

    @Test
    void withoutSharesEveryoneBorrowsAndThePlainPolicyDecides() {
        Optional<EvictionCandidate> v = FairShareEviction.victim("a", 100, COPIES,
                TenantShares.of(TenantPolicies.NONE, MESH, Map.of("a", 200L, "b", 200L, "c", 100L)), new LruEvictionPolicy()).victim();
        assertThat(v.orElseThrow().modelId()).isEqualTo("b/hot1");
    }

    @Test
    void aLoadPastTheCeilingEvictsOnlyItsOwnCopiesAndSaysSo() {
        // c holds 450 of its 500 ceiling: another 100 must come from c itself, although a borrows
        FairShareEviction.Decision d = FairShareEviction.victim("c", 100, COPIES,
                TenantShares.of(POLICIES, MESH, Map.of("a", 300L, "b", 200L, "c", 450L)), new LruEvictionPolicy());
        assertThat(d.ceilingBound()).isTrue();
        assertThat(d.victim().orElseThrow().modelId()).isEqualTo("c/m");
        // with none of its own to give, nothing may go
        FairShareEviction.Decision none = FairShareEviction.victim("c", 100, COPIES.subList(0, 4),
                TenantShares.of(POLICIES, MESH, Map.of("a", 300L, "b", 200L, "c", 450L)), new LruEvictionPolicy());
        assertThat(none.ceilingBound()).isTrue();
        assertThat(none.victim()).isEmpty();
    }

    @Test
    void aShareExactlyMetIsNotBorrowingAndTiesGoToThePolicysOrder() {
        // b holds exactly its 400: not a borrower; a's two copies tie on lastUsed and size -> the policy's stable order (id)
        List<EvictionCandidate> tied = List.of(new EvictionCandidate("b/x", 100, 1, 10),
                new EvictionCandidate("a/y", 100, 7, 10), new EvictionCandidate("a/x", 100, 7, 10));
        Optional<EvictionCandidate> v = FairShareEviction.victim("b", 100, tied,
                TenantShares.of(POLICIES, MESH, Map.of("a", 200L, "b", 400L)), new LruEvictionPolicy()).victim();
        assertThat(v.orElseThrow().modelId()).isEqualTo("a/x");
    }

    @Test
    void sharesInBytesAndDefaultsApplyToNamespacesWithoutADocument() {
        TenantPolicies p = new TenantPolicies(List.of(policy("*", new MemoryAmount(0, 150), MemoryAmount.NONE)));
        TenantShares s = TenantShares.of(p, MESH, Map.of("x", 150L, "y", 151L));
        assertThat(s.guaranteed("x")).isEqualTo(150);
        assertThat(s.overShare("x")).isFalse();
        assertThat(s.overShare("y")).isTrue();
        assertThat(s.ceiling("x")).isEqualTo(Long.MAX_VALUE);
        assertThat(s.passesCeiling("x", 1 << 30)).isFalse();
    }
}
