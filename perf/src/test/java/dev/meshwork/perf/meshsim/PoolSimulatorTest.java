package dev.meshwork.perf.meshsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.meshwork.router.autoscale.AutoscaleConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A small simulated day: the autoscaled pool follows the day (more nodes in the afternoon than at
 * night), loses no request, and costs fewer node-hours than a fixed pool of its peak; the fixed
 * pool keeps its nodes all day.
 */
class PoolSimulatorTest {
    static final List<String> SMALL = List.of("--models=5000", "--medianSizeMb=20", "--nodeGb=1", "--peakRate=40", "--hours=24",
            "--bursts=2", "--maxNodes=32", "--windowSeconds=60");

    @Test
    void theAutoscaledPoolFollowsTheDayAndLosesNothing() {
        PoolSim sim = PoolSim.load(SMALL);
        AutoscaleConfig a = PoolSimBench.autoscale(sim);
        PoolSimulator.Result scaled = new PoolSimulator(sim, 0, a.settings(), a.windowMs()).run();
        PoolSimulator.Result fixed = new PoolSimulator(sim, scaled.peakNodes(), a.settings(), a.windowMs()).run();
        assertThat(scaled.failed()).isZero();
        assertThat(scaled.requests()).isEqualTo(fixed.requests()).as("the same requests for both").isPositive();
        PoolSimulator.Hour night = scaled.hours().get(3);
        PoolSimulator.Hour afternoon = scaled.hours().get(15);
        assertThat(afternoon.requestsPerSecond()).isGreaterThan(5 * night.requestsPerSecond());
        assertThat(afternoon.meanNodes()).as("more nodes at the peak than at night").isGreaterThan(2 * night.meanNodes());
        assertThat(scaled.peakNodes()).isGreaterThan(2).isLessThanOrEqualTo(32);
        assertThat(scaled.nodesRemoved()).as("it shrinks after the peak").isPositive();
        assertThat(scaled.nodeHours()).isLessThan(0.8 * fixed.nodeHours());
        assertThat(fixed.nodeHours()).isEqualTo(24.0 * scaled.peakNodes());
        assertThat(fixed.fewestNodes()).isEqualTo(fixed.peakNodes());
        assertThat(scaled.hours()).hasSize(24);
        assertThat(scaled.nodesOverTime()).hasSize(24 * 60);
    }

    @Test
    void theDayHasItsShape() {
        PoolSim sim = PoolSim.defaults();
        assertThat(sim.inBurst(3 * 3600 + 60)).as("the first burst starts at 3 h").isTrue();
        assertThat(sim.inBurst(3 * 3600 + 11 * 60)).as("and lasts 10 minutes").isFalse();
        assertThat(sim.inBurst(9 * 3600 + 60)).as("the next, 6 h later").isTrue();
        assertThat(sim.rate(3 * 3600 + 60) / sim.rate(3 * 3600 - 60)).isCloseTo(sim.burstFactor(), within(0.01));
        assertThat(sim.rate(15 * 3600 - 1)).as("the peak at 15:00").isCloseTo(sim.peakRate(), within(1.0));
        assertThat(sim.rate(3 * 3600 + 20 * 60)).as("the night at 3:00").isCloseTo(sim.peakRate() * sim.troughShare(), within(1.0));
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> PoolSim.load(List.of("--troughShare=0"))).hasMessageContaining("troughShare");
    }
}
