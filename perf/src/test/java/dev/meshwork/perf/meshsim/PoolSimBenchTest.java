package dev.meshwork.perf.meshsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The several-days summary of {@code autoscale-sim}: one row per day and the median saving at the same p99. */
class PoolSimBenchTest {
    private static PoolSimulator.Result pool(String name, double nodeHours, int nodes, double p99) {
        return new PoolSimulator.Result(name, 1_000, 900, 100, 90, 0, nodeHours, nodes, 1, 10, p99, 2 * p99, nodes, 0, 0, List.of(),
                List.of(), 1);
    }

    private static PoolSimBench.Day day(long seed, double scaledHours, int sameNodes) {
        return new PoolSimBench.Day(seed, pool("autoscaled", scaledHours, 60, 540), pool("fixed 60", 60 * 24, 60, 510),
                pool("fixed " + sameNodes, sameNodes * 24, sameNodes, 539));
    }

    @Test
    void severalDaysGiveARowEachAndTheMedianSaving() {
        // savings at the same p99: 1 - 780/1296 = 39.8%, 1 - 780/1320 = 40.9%, 1 - 700/1296 = 46.0%
        List<PoolSimBench.Day> days = List.of(day(1, 780, 54), day(2, 780, 55), day(3, 700, 54));
        String summary = PoolSimBench.days(days);
        assertThat(summary).contains("3 simulated days")
                .contains("| 1 | 780.0 | 540.0 | 54 | 539.0 | 39.8% | 45.8% | 0 |")
                .contains("| 2 | 780.0 | 540.0 | 55 | 539.0 | 40.9% | 45.8% | 0 |")
                .contains("| 3 | 700.0 | 540.0 | 54 | 539.0 | 46.0% | 51.4% | 0 |")
                .contains("**40.9% fewer node-hours at the same p99**");
        assertThat(PoolSimBench.days(days.subList(0, 1))).as("one day: the tables say it all").isEmpty();
    }

    @Test
    void daysAreCheckedAndEachDayHasItsOwnSeed() {
        assertThatThrownBy(() -> PoolSim.load(List.of("--days=0"))).hasMessageContaining("days >= 1");
        PoolSim sim = PoolSim.load(List.of("--seed=5", "--days=2"));
        assertThat(sim.withSeed(6)).isEqualTo(PoolSim.load(List.of("--seed=6", "--days=2")));
        assertThat(sim.command()).contains("--seed=5 --days=2");
    }
}
