package dev.meshwork.placement.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.placement.autoscale.NodePoolPolicy.Decision;
import dev.meshwork.placement.autoscale.NodePoolPolicy.Settings;
import dev.meshwork.placement.autoscale.NodePoolPolicy.Signal;
import dev.meshwork.placement.autoscale.NodePoolPolicy.State;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The node pool's size from the mesh's pressure: one decision per row, then the cool-down and the stabilisation over time. */
class NodePoolPolicyTest {
    private static final long MB = 1L << 20;
    /** 1 to 10 nodes of 100 MB, 80% target, 32 in flight per node, 5 evictions per node-second, idle after 60 s, 30 s up, 120 s down. */
    private static final Settings S = new Settings(1, 10, 0.8, 32, 5, 100 * MB, 60_000, 30_000, 120_000);
    private static final Settings TO_ZERO = new Settings(0, 10, 0.8, 32, 5, 100 * MB, 60_000, 30_000, 120_000);

    record Case(String name, Settings settings, int nodesNow, Signal signal, int desired, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One slot kind: {@code workingSetMb} of models in {@code capacityMb} of slot memory. */
    private static List<NodePoolPolicy.Memory> onnx(long workingSetMb, long capacityMb) {
        return List.of(new NodePoolPolicy.Memory("onnx-0", workingSetMb * MB, capacityMb * MB));
    }

    /** Two nodes with an ONNX slot of 100 MB each, a request a second ago. */
    private static Signal two(long workingSetMb, int inFlight, double evictionsPerSecond, int waiting) {
        return new Signal(2, onnx(workingSetMb, 200), inFlight, evictionsPerSecond, waiting, 1_000);
    }

    static List<Case> cases() {
        return List.of(
                new Case("a working set that fits stays", S, 2, two(150, 10, 0, 0), 2, "memory"),
                new Case("a working set past 80% of the memory asks for the nodes that hold it", S, 2, two(300, 10, 0, 0), 4, "memory"),
                new Case("requests in flight past 32 a node ask for more", S, 2, two(10, 100, 0, 0), 4, "in-flight"),
                new Case("evictions past 5 a node-second while requests wait for loads: one more", S, 2, two(150, 10, 12, 3), 3, "thrashing"),
                new Case("evictions with nobody waiting are not thrashing", S, 2, two(150, 10, 12, 0), 2, "memory"),
                new Case("still evicting at half the thrash rate: the pool keeps its nodes (shedding one would thrash again)", S, 4,
                        new Signal(4, onnx(100, 400), 10, 12, 0, 1_000), 4, "evicting"),
                new Case("evicting below half the thrash rate: the memory rule may shrink it", S, 4,
                        new Signal(4, onnx(100, 400), 10, 8, 0, 1_000), 2, "memory"),
                new Case("never past maxNodes", S, 2, two(100_000, 10, 0, 0), 10, "memory"),
                new Case("a quiet mesh with little to hold goes down to one node", S, 4, two(10, 0, 0, 0), 1, "traffic"),
                new Case("idle past the window: minNodes", S, 3, new Signal(3, onnx(0, 300), 0, 0, 0, 61_000), 1, "idle"),
                new Case("idle past the window with minNodes 0: zero", TO_ZERO, 2, new Signal(2, onnx(0, 200), 0, 0, 0, 61_000), 0, "idle"),
                new Case("from zero, a waiting request asks for one node at once", TO_ZERO, 0, new Signal(0, List.of(), 0, 0, 1, 5), 1, "traffic"),
                new Case("from zero, a working set sized by the configured node memory", TO_ZERO, 0,
                        new Signal(0, onnx(250, 0), 0, 0, 4, 5), 4, "memory"),
                new Case("each slot kind holds its own models: a full ONNX slot is not helped by an empty XGBoost one", S, 2,
                        new Signal(2, List.of(new NodePoolPolicy.Memory("onnx-0", 300 * MB, 200 * MB),
                                new NodePoolPolicy.Memory("xgboost-0", 0, 2_000 * MB)), 10, 0, 0, 1_000), 4, "memory"),
                new Case("no request yet at all: minNodes", S, 1, new Signal(1, onnx(0, 100), 0, 0, 0, Long.MAX_VALUE), 1, "idle"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decidesEachCase(Case c) {
        // the state has seen the current count for longer than both windows, so only the signal decides
        Decision d = NodePoolPolicy.decide(new State(c.nodesNow(), -1_000_000, List.of()), c.signal(), c.settings(), 0);
        assertThat(d.desired()).isEqualTo(c.desired());
        assertThat(d.reason()).isEqualTo(c.reason());
    }

    @Test
    void stepsUpWaitForTheCooldownAndStepsDownForTheStabilisationWindow() {
        State s = State.initial(2);
        Decision d = NodePoolPolicy.decide(s, two(300, 10, 0, 0), S, 0);
        assertThat(d.desired()).isEqualTo(4); // up at once
        d = NodePoolPolicy.decide(d.next(), new Signal(4, onnx(500, 400), 10, 0, 0, 1_000), S, 10_000);
        assertThat(d.raw()).isEqualTo(7);
        assertThat(d.desired()).isEqualTo(4); // the last step up was 10 s ago: the new nodes are still starting
        d = NodePoolPolicy.decide(d.next(), new Signal(4, onnx(500, 400), 10, 0, 0, 1_000), S, 30_000);
        assertThat(d.desired()).isEqualTo(7);

        // the burst ends: the raw count falls, but the pool keeps the highest count of the last 120 s
        Signal calm = new Signal(7, onnx(100, 700), 5, 0, 0, 1_000);
        d = NodePoolPolicy.decide(d.next(), calm, S, 60_000);
        assertThat(d.raw()).isEqualTo(2);
        assertThat(d.desired()).isEqualTo(7);
        d = NodePoolPolicy.decide(d.next(), calm, S, 149_000);
        assertThat(d.desired()).isEqualTo(7); // the 7 of t = 30 s is still in the window
        d = NodePoolPolicy.decide(d.next(), calm, S, 151_000);
        assertThat(d.desired()).isEqualTo(2);
        assertThat(d.next().recent()).allMatch(r -> 151_000 - r.atMs() < 120_000);
    }

    @Test
    void settingsThatCannotWorkAreRefusedWithTheKey() {
        assertThatThrownBy(() -> new Settings(3, 2, 0.8, 32, 5, MB, 0, 0, 0)).hasMessageContaining("minNodes <= maxNodes");
        assertThatThrownBy(() -> new Settings(0, 0, 0.8, 32, 5, MB, 0, 0, 0)).hasMessageContaining("maxNodes >= 1");
        assertThatThrownBy(() -> new Settings(1, 2, 1.5, 32, 5, MB, 0, 0, 0)).hasMessageContaining("autoscale.targetMemoryUtilization");
    }
}
