package dev.meshwork.placement.eviction;

import static dev.meshwork.placement.eviction.GdsfEvictionPolicyTest.MIB;
import static dev.meshwork.placement.eviction.GdsfEvictionPolicyTest.victim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrequencyEvictionPolicyTest {
    @Test
    void withEqualSizesLoadTimesAndUsesTheLeastRecentGoes() {
        FrequencyEvictionPolicy lfu = new FrequencyEvictionPolicy();
        assertThat(lfu.victim(List.of())).isEmpty();
        assertThat(victim(lfu, new EvictionCandidate("a", MIB, 300, 100), new EvictionCandidate("b", MIB, 100, 100),
                new EvictionCandidate("c", MIB, 200, 100))).isEqualTo("b");
    }

    @Test
    void usesPerMibAndLoadTimeDecide() {
        assertThat(victim(new FrequencyEvictionPolicy(), new EvictionCandidate("hot", MIB, 100, 100, 50),
                new EvictionCandidate("cold", MIB, 200, 100, 1))).isEqualTo("cold");
        assertThat(victim(new FrequencyEvictionPolicy(), new EvictionCandidate("big-quick", 500 * MIB, 300, 200, 10),
                new EvictionCandidate("small-slow", 5 * MIB, 50, 2000, 1))).isEqualTo("big-quick");
    }

    @Test
    void aPopularModelIdleForAWhileOutranksARareOneJustUsed() {
        FrequencyEvictionPolicy lfu = new FrequencyEvictionPolicy();
        GdsfEvictionPolicy gdsf = new GdsfEvictionPolicy();
        for (EvictionPolicy policy : new EvictionPolicy[]{lfu, gdsf}) {
            assertThat(victim(policy, new EvictionCandidate("favourite", MIB, 10, 100, 5), new EvictionCandidate("once", MIB, 0, 100, 1)))
                    .isEqualTo("once");
            // then it sits out (busy, so not a candidate) while other copies come and go
            for (int i = 0; i < 8; i++) {
                victim(policy, new EvictionCandidate("filler-" + i, MIB, 20 + i, 100, 6), new EvictionCandidate("other-" + i, MIB, 20 + i, 100, 6));
            }
        }
        EvictionCandidate favourite = new EvictionCandidate("favourite", MIB, 10, 100, 5);
        EvictionCandidate rare = new EvictionCandidate("rare", MIB, 1_000, 100, 1);
        assertThat(victim(lfu, favourite, rare)).isEqualTo("rare");
        // GDSF's inflation makes it partly LRU: the rare copy just used starts above the idle favourite
        assertThat(victim(gdsf, favourite, rare)).as("the contrast this policy exists for").isEqualTo("favourite");
    }

    @Test
    void aModelLoadedAgainResumesItsCountInsteadOfStartingAtOne() {
        FrequencyEvictionPolicy lfu = new FrequencyEvictionPolicy(Double.POSITIVE_INFINITY);
        // "popular" served 40 requests, then a burst of bigger favourites pushed it out
        assertThat(victim(lfu, new EvictionCandidate("popular", MIB, 1, 100, 40), new EvictionCandidate("burst", MIB, 2, 100, 100)))
                .isEqualTo("popular");
        // back with a fresh copy (one use since its load) beside a newcomer used twice: its history keeps it
        assertThat(victim(lfu, new EvictionCandidate("popular", MIB, 5, 100, 1), new EvictionCandidate("newcomer", MIB, 6, 100, 2)))
                .isEqualTo("newcomer");
        assertThat(victim(new GdsfEvictionPolicy(Double.POSITIVE_INFINITY), new EvictionCandidate("popular", MIB, 5, 100, 1),
                new EvictionCandidate("newcomer", MIB, 6, 100, 2))).as("without history the fresh copy goes").isEqualTo("popular");
    }

    @Test
    void yesterdaysFavouriteFadesOncePopularityMovesOn() {
        // 1000 uses against 2 need log2(500) = 9 half-lives of 4 turnovers of 10 copies: about 360 evictions
        assertThat(GdsfEvictionPolicyTest.roundsUntilYesterdaysFavouriteGoes(new FrequencyEvictionPolicy())).isBetween(200, 1000);
    }

    @Test
    void itsMemoryOfModelsNotResidentIsBounded() {
        FrequencyEvictionPolicy forever = new FrequencyEvictionPolicy(Double.POSITIVE_INFINITY);
        FrequencyEvictionPolicy decaying = new FrequencyEvictionPolicy(1);
        for (int round = 0; round < 20_000; round++) {
            // every round a model never seen before comes and goes: history that would grow without a bound
            List<EvictionCandidate> two = List.of(new EvictionCandidate("steady", MIB, round, 100, 2 + round),
                    new EvictionCandidate("passing-" + round, MIB, round, 100, 1));
            assertThat(forever.victim(two).orElseThrow().modelId()).isEqualTo("passing-" + round);
            decaying.victim(two);
        }
        assertThat(forever.remembered()).as("the cap, 1,024 at two copies, pruned to three quarters").isBetween(768, 1024);
        assertThat(decaying.remembered()).as("decayed history goes well before the cap").isLessThan(200);
    }

    @Test
    void theNameAndHalfLifeChooseIt() {
        assertThat(EvictionPolicies.create("lfu")).isInstanceOf(FrequencyEvictionPolicy.class).isNotSameAs(EvictionPolicies.create("lfu"));
        assertThat(EvictionPolicies.create("lfu:16")).isInstanceOf(FrequencyEvictionPolicy.class);
        assertThat(EvictionPolicies.create("lfu:Infinity")).isInstanceOf(FrequencyEvictionPolicy.class);
        assertThatThrownBy(() -> EvictionPolicies.create("lfu:0"))
                .hasMessageContaining("node.evictionPolicy 'lfu:0': the half-life after the colon must be a number of slot turnovers, at least 1");
    }
}
