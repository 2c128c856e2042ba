package dev.meshwork.router.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.placement.autoscale.NodePoolPolicy;
import dev.meshwork.placement.table.InMemoryNodeTable;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The signal read from the node table and the request meters, and the count it asks for, look by look. */
class NodePoolSignalTest {
    private static final long MB = 1L << 20;
    private final InMemoryNodeTable nodes = new InMemoryNodeTable();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger waiting = new AtomicInteger();
    /** Each model is 30 MB while it has a copy; an evicted one has no size to read. */
    private final Map<String, Long> sizes = new java.util.HashMap<>(Map.of("a", 30 * MB, "b", 30 * MB, "c", 30 * MB, "d", 30 * MB));

    /** A node with an ONNX slot of 100 MB and an XGBoost slot of 1 GB, which the ONNX models cannot use. */
    private static NodeRecord node(String id, long evictions, int inFlight, boolean draining) {
        return new NodeRecord(id, id + ":1", "m-" + id, List.of(new SlotRecord("onnx-0", "onnx", "cpu", List.of("onnx"), true,
                100 * MB, 90 * MB, evictions, List.of()), new SlotRecord("xgboost-0", "xgboost", "cpu", List.of("xgboost"), true,
                1024 * MB, 0, 0, List.of())), inFlight, draining, 0);
    }

    private void requests(String model, int n) {
        Timer t = Timer.builder("meshwork.request").tags("protocol", "grpc", "model", model, "outcome", "ok").register(registry);
        for (int i = 0; i < n; i++) {
            t.record(1, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void theWorkingSetComesFromTheRequestMetersAndTheNodesFromTheTable() {
        // 1 to 10 nodes, 80% of memory, a 60 s window, idle never, no cool-down, a 10 s stabilisation; the thread never looks
        AutoscaleConfig config = new AutoscaleConfig(1, 10, 0.8, 32, 5, 0, 60_000, 0, 0, 10_000, 600_000);
        nodes.put(node("n1", 0, 3, false));
        nodes.put(node("n2", 0, 4, false));
        nodes.put(node("n3", 0, 50, true)); // draining: neither ready nor counted in flight
        try (NodePoolSignal signal = new NodePoolSignal(config, nodes, registry,
                name -> sizes.containsKey(name) ? new NodePoolSignal.Footprint("onnx-0", sizes.get(name)) : NodePoolSignal.Footprint.UNKNOWN,
                waiting::get)) {
            requests("a", 5);
            requests("b", 1);
            requests("unknown", 100); // names that are no model do not count
            signal.look(1_000);
            assertThat(signal.signal().readyNodes()).isEqualTo(2);
            assertThat(signal.signal().memory()).contains(new NodePoolPolicy.Memory("onnx-0", 60 * MB, 200 * MB),
                    new NodePoolPolicy.Memory("xgboost-0", 0, 2048 * MB));
            assertThat(signal.signal().inFlight()).isEqualTo(7);
            assertThat(signal.signal().workingSetBytes()).isEqualTo(60 * MB);
            assertThat(signal.decision().desired()).isEqualTo(1); // 60 MB fits one node at 80%
            assertThat(registry.get("meshwork.desired.nodes").gauge().value()).isEqualTo(1);

            requests("c", 1);
            requests("d", 1);
            sizes.remove("a"); // a was evicted meanwhile: it still counts at its last size
            signal.look(2_000); // 120 MB of ONNX models: two nodes' ONNX slots, however much XGBoost memory is free
            assertThat(signal.signal().workingSetBytes()).isEqualTo(120 * MB);
            assertThat(signal.decision().desired()).isEqualTo(2);
            assertThat(signal.decision().reason()).isEqualTo("memory");

            // evictions climb 40 a second on two nodes while requests wait for loads: thrashing, one more node
            nodes.put(node("n1", 20, 3, false));
            nodes.put(node("n2", 20, 4, false));
            waiting.set(3);
            signal.look(3_000);
            assertThat(signal.signal().evictionsPerSecond()).isEqualTo(40.0);
            assertThat(signal.decision().desired()).isEqualTo(3);
            assertThat(registry.get("meshwork.autoscale.waiting.for.loads").gauge().value()).isEqualTo(3);

            // 61 s later nothing was requested again: the window is empty, but the stabilisation keeps 3 for 10 s
            waiting.set(0);
            signal.look(64_000);
            assertThat(signal.signal().workingSetBytes()).isZero();
            assertThat(signal.decision().raw()).isEqualTo(1);
            assertThat(signal.decision().desired()).isEqualTo(1); // the 3 of t = 3 s is older than the 10 s window
            requests("b", 1);
            signal.look(65_000); // b's count grew: it is in the window again
            assertThat(signal.signal().workingSetBytes()).isEqualTo(30 * MB);
            requests("a", 1);
            signal.look(66_000); // a has no copy and its last size left with the window: unknown, 0
            assertThat(signal.signal().workingSetBytes()).isEqualTo(30 * MB);
        }
    }
}
