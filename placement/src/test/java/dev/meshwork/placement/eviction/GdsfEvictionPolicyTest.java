package dev.meshwork.placement.eviction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GdsfEvictionPolicyTest {
    static final long MIB = 1 << 20;

    static String victim(EvictionPolicy policy, EvictionCandidate... candidates) {
        return policy.victim(List.of(candidates)).orElseThrow().modelId();
    }

    @Test
    void withEqualSizesLoadTimesAndUsesItIsLru() {
        GdsfEvictionPolicy gdsf = new GdsfEvictionPolicy();
        assertThat(gdsf.victim(List.of())).isEmpty();
        assertThat(victim(gdsf, new EvictionCandidate("a", MIB, 300, 100), new EvictionCandidate("b", MIB, 100, 100),
                new EvictionCandidate("c", MIB, 200, 100))).isEqualTo("b");
    }

    @Test
    void aLargeQuickLoadGoesBeforeASmallSlowOne() {
        assertThat(victim(new GdsfEvictionPolicy(), new EvictionCandidate("big-quick", 500 * MIB, 100, 200),
                new EvictionCandidate("small-slow", 5 * MIB, 50, 2000))).isEqualTo("big-quick");
    }

    @Test
    void aFrequentlyUsedModelOutlivesOnesUsedOnce() {
        assertThat(victim(new GdsfEvictionPolicy(), new EvictionCandidate("hot", MIB, 100, 100, 50),
                new EvictionCandidate("cold", MIB, 200, 100, 1))).isEqualTo("cold");
    }

    /**
     * Rounds until a copy used 1,000 times goes while new models, each used twice, keep coming and
     * each evicts one of ten residents; -1 if it stays 10,000 rounds.
     */
    static int roundsUntilYesterdaysFavouriteGoes(EvictionPolicy policy) {
        List<EvictionCandidate> resident = new ArrayList<>();
        resident.add(new EvictionCandidate("yesterday", MIB, 0, 100, 1000));
        for (int i = 0; i < 9; i++) {
            resident.add(new EvictionCandidate("m" + i, MIB, i + 1, 100, 1));
        }
        for (int round = 0; round < 10_000; round++) {
            String v = policy.victim(resident).orElseThrow().modelId();
            if (v.equals("yesterday")) {
                return round;
            }
            resident.removeIf(c -> c.modelId().equals(v));
            resident.add(new EvictionCandidate("new" + round, MIB, 100 + round, 100, 2));
        }
        return -1;
    }

    @Test
    void yesterdaysHotModelAgesOutOncePopularityMovesOn() {
        assertThat(roundsUntilYesterdaysFavouriteGoes(new GdsfEvictionPolicy())).isBetween(0, 999);
    }

    @Test
    void namesChooseThePolicy() {
        assertThat(EvictionPolicies.create("lru")).isInstanceOf(LruEvictionPolicy.class);
        assertThat(EvictionPolicies.create("")).as("the default").isInstanceOf(FrequencyEvictionPolicy.class);
        assertThat(EvictionPolicies.create("gdsf")).isInstanceOf(GdsfEvictionPolicy.class).isNotSameAs(EvictionPolicies.create("gdsf"));
        assertThat(EvictionPolicies.create("none").victim(List.of(new EvictionCandidate("m", 1, 1, 1, 1)))).as("the caller evicts").isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvictionPolicies.create("fifo"))
                .hasMessageContaining("node.evictionPolicy 'fifo' is not one of [lfu, lru, gdsf, none]");
    }

    /** The round at which a copy used 50 times is evicted while fresh copies used twice keep coming; -1 if it stays 10 rounds. */
    private static int roundOldFavouriteGoes(EvictionPolicy policy) {
        for (int round = 0; round < 10; round++) {
            List<EvictionCandidate> candidates = List.of(new EvictionCandidate("favourite", 1 << 20, 0, 10, 50),
                    new EvictionCandidate("fresh-" + round, 1 << 20, round + 1, 10, 2));
            if (policy.victim(candidates).orElseThrow().modelId().equals("favourite")) {
                return round;
            }
        }
        return -1;
    }

    @Test
    void theHalfLifeAfterTheNameSetsHowFastFrequencyDecays() {
        assertThat(roundOldFavouriteGoes(EvictionPolicies.create("gdsf:1"))).as("a short half-life forgets the old uses").isBetween(0, 9);
        assertThat(roundOldFavouriteGoes(EvictionPolicies.create("gdsf:Infinity"))).as("no decay: the uses keep it").isEqualTo(-1);
        assertThat(EvictionPolicies.create("gdsf:16")).isInstanceOf(GdsfEvictionPolicy.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvictionPolicies.create("gdsf:0.5"))
                .hasMessageContaining("node.evictionPolicy 'gdsf:0.5': the half-life after the colon must be a number of slot turnovers, at least 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvictionPolicies.create("gdsf:fast")).hasMessageContaining("'gdsf:fast'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvictionPolicies.create("lru:2"))
                .hasMessageContaining("node.evictionPolicy 'lru:2': lru takes no parameter");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvictionPolicies.create("fifo:2")).hasMessageContaining("is not one of");
    }
}
