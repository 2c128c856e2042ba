package dev.meshwork.placement.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.error.MeshError;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrafficSplitTest {
    private static TrafficSplit split(int a, int b) {
        return new TrafficSplit(List.of(new TrafficSplit.Share("ns/a", a), new TrafficSplit.Share("ns/b", b)), "");
    }

    @Test
    void picksFollowTheWeights() {
        TrafficSplit s = split(90, 10);
        SplittableRandom random = new SplittableRandom(7);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            counts.merge(s.pick(random.nextLong()), 1, Integer::sum);
        }
        assertThat(counts.get("ns/b")).isBetween(9_500, 10_500);
        assertThat(counts.get("ns/a")).isBetween(89_500, 90_500);
    }

    @Test
    void aZeroWeightNeverTakesTrafficAndTheLargestWeightIsPrimary() {
        TrafficSplit s = split(100, 0);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            assertThat(s.pick(random.nextLong())).isEqualTo("ns/a");
        }
        assertThat(split(10, 90).primary()).isEqualTo("ns/b");
        assertThat(split(50, 50).primary()).as("the first of equals").isEqualTo("ns/a");
        assertThat(split(10, 90).models()).containsExactly("ns/a", "ns/b");
    }

    @Test
    void stickyValuesAlwaysLandOnTheSameShareAndNeighboursSpread() {
        TrafficSplit s = split(50, 50);
        Map<String, Integer> counts = new HashMap<>();
        for (int user = 0; user < 10_000; user++) {
            String value = "user-" + user;
            String first = s.pick(TrafficSplit.point(value));
            assertThat(s.pick(TrafficSplit.point(value))).isEqualTo(first);
            counts.merge(first, 1, Integer::sum);
        }
        assertThat(counts.get("ns/a")).isBetween(4_700, 5_300);
        // the point is fixed across JVMs (FNV-1a and a mix), so routers agree on a user's arm
        assertThat(TrafficSplit.point("user-1")).isEqualTo(TrafficSplit.point("user-1")).isNotEqualTo(TrafficSplit.point("user-2"));
    }

    @Test
    void refusesWhatIsNotASplit() {
        assertThatThrownBy(() -> split(0, 0)).isInstanceOf(MeshError.class).hasMessageContaining("must not all be 0");
        assertThatThrownBy(() -> split(-1, 5)).hasMessageContaining("from 0 to 1000000");
        assertThatThrownBy(() -> new TrafficSplit(List.of(new TrafficSplit.Share("ns/a", 1), new TrafficSplit.Share("ns/a", 2)), ""))
                .hasMessageContaining("appears twice");
        assertThatThrownBy(() -> new TrafficSplit(List.of(new TrafficSplit.Share("ns/a", 1)), "x user\r\n"))
                .hasMessageContaining("stickyHeader must be an HTTP header name");
        List<TrafficSplit.Share> many = new java.util.ArrayList<>();
        for (int i = 0; i <= TrafficSplit.MAX_SHARES; i++) {
            many.add(new TrafficSplit.Share("ns/m" + i, 1));
        }
        assertThatThrownBy(() -> new TrafficSplit(many, "")).hasMessageContaining("at most 16");
    }

    @Test
    void aVModelUsesEveryModelOfItsSplits() {
        VModel v = new VModel("ns/v", "", "ns/a", "ns/a", java.util.Set.of(), "", split(90, 10), split(90, 10));
        assertThat(v.uses("ns/b")).isTrue();
        assertThat(v.serving()).containsExactly("ns/a", "ns/b");
        assertThat(v.transitioning()).isFalse();
        VModel moving = new VModel("ns/v", "", "ns/a", "ns/a", java.util.Set.of(), "", TrafficSplit.NONE, split(90, 10));
        assertThat(moving.transitioning()).as("same primary, a new split").isTrue();
        assertThat(moving.serving()).containsExactly("ns/a");
        assertThat(moving.targets()).containsExactly("ns/a", "ns/b");
    }
}
