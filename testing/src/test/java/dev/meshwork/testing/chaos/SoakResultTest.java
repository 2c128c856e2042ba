package dev.meshwork.testing.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the soak sums the shared maps' sizes over routers, sampling period by sampling period. */
class SoakResultTest {
    private static SoakResult.Sample router(String name, long atMs, long models) {
        return new SoakResult.Sample(atMs, name, 1, 1, 1, 1, 0, 0, Map.of("meshwork.models", models));
    }

    @Test
    void twoSamplesOfOneRouterInOnePeriodAreNotCountedTwice() {
        SoakRun.Plan plan = new SoakRun.Plan(2, 2, 30, 40, 60, 5_000, 5_400_000, 11);
        // a slow round: router-0's next sample lands in the same 5-second period as its last one
        List<SoakResult.Sample> samples = List.of(router("router-0", 10_000, 20), router("router-1", 10_100, 10),
                router("router-0", 14_900, 20), router("router-1", 15_000, 10), router("router-0", 15_100, 20));
        SoakResult r = SoakResult.of(plan, samples, List.of(), 0, 0, 0);
        assertThat(r.maps().get("meshwork.models")).as("first, last, max of the sum over routers").containsExactly(30, 30, 30);
        assertThat(r.violations()).noneMatch(v -> v.contains("shared map"));
    }
}
