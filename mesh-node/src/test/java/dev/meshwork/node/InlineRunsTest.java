package dev.meshwork.node;

import dev.meshwork.nodeapi.InlineRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which requests a node lets run on the thread that received them, and that such a run never loads. */
class InlineRunsTest {
    private static final ModelSpec ADD = NodeSlotsTest.onnx("add", "add-vectors", "");

    private static NodeConfig config(long inlineMicros) {
        return NodeSlotsTest.config(List.of()).withInlineMicros(inlineMicros);
    }

    private static InferenceRequest add(float... a) {
        return new InferenceRequest("add", "", "", Map.of(), List.of(tensor("a", a), tensor("b", a)), List.of(), false);
    }

    private static Tensor tensor(String name, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return Tensor.of(name, DataType.FP32, new long[]{values.length / 2, 2}, ByteString.copyFrom(b.array()));
    }

    private static float first(InferenceResponse r) {
        return r.outputs().get(0).buffer().order(ByteOrder.LITTLE_ENDIAN).getFloat(0);
    }

    @Test
    void aLoadedQuickModelRunsInlineOnceItHasRunHere() throws Exception {
        try (NodeAgent node = new NodeAgent(config(NodeConfig.DEFAULT_INLINE_MICROS * 1000))) { // a generous bound: the machine may be slow
            assertThat(node.runsInline("add", 100)).as("not loaded").isFalse();
            node.ensureLoaded(ADD);
            assertThat(node.runsInline("add", 100)).as("loaded, but it has not run here yet").isFalse();
            for (int i = 0; i < 20; i++) {
                node.infer(ADD, add(1, 2));
            }
            assertThat(node.runsInline("add", 100)).isTrue();
            assertThat(node.runsInline("other", 100)).as("a name with no copy (a vmodel's, an unknown one)").isFalse();
            // four times the recent requests' tensors, plus 1 KiB, is as large as an inline request may be
            assertThat(node.runsInline("add", 4 * 16 + 1024)).isTrue();
            assertThat(node.runsInline("add", 4 * 16 + 1025)).isFalse();
            float sum = InlineRun.run(() -> first(node.infer(ADD, add(1, 2))));
            assertThat(sum).isEqualTo(2f);

            node.unload("add").get(10, TimeUnit.SECONDS);
            assertThat(node.runsInline("add", 100)).as("unloaded: its run times are forgotten").isFalse();
            // a request that runs inline never loads: the copy went since the check, so it is refused, to be retried
            assertThatThrownBy(() -> InlineRun.run(() -> node.infer(ADD, add(1, 2))))
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessageContaining("retry");
            assertThat(node.copy("add")).as("no load started").isEmpty();
        }
    }

    @Test
    void slowBatchingOrLimitedModelsAreHandedOff() throws Exception {
        try (NodeAgent node = new NodeAgent(config(0))) {
            node.infer(ADD, add(1, 2));
            assertThat(node.runsInline("add", 100)).as("inlineMicros 0: never").isFalse();
        }
        try (NodeAgent node = new NodeAgent(config(NodeConfig.DEFAULT_INLINE_MICROS * 1000))) {
            ModelSpec batched = ADD.withBatching(new Batching(8, 1000));
            for (int i = 0; i < 3; i++) {
                node.infer(batched, add(1, 2));
            }
            assertThat(node.runsInline("add", 100)).as("a model that batches waits for its batch").isFalse();
        }
        NodeConfig d = config(NodeConfig.DEFAULT_INLINE_MICROS * 1000);
        NodeConfig limited = new NodeConfig(d.nodeId(), d.slotMemoryBytes(), d.loadThreads(), d.loadTimeoutMs(), d.failedLoadBackoffMs(), 4,
                d.queueTimeoutMs(), d.storage(), d.onnx(), d.externalRuntimes(), d.slots(), d.evictionPolicy(), d.isolation(), d.overload(),
                d.inlineMicros());
        try (NodeAgent node = new NodeAgent(limited)) {
            for (int i = 0; i < 20; i++) {
                node.infer(ADD, add(1, 2));
            }
            assertThat(node.runsInline("add", 100)).as("a per-model limit may make a request wait its turn").isFalse();
        }
    }

    @Test
    void runTimesFollowTheRecentRuns() {
        RunTimes times = new RunTimes();
        long limit = 100_000;
        assertThat(times.quick("m", 10, limit)).isFalse();
        for (int i = 0; i < 10; i++) {
            times.ran("m", 20_000, 16);
        }
        assertThat(times.quick("m", 10, limit)).isTrue();
        times.ran("m", 10_000_000, 16); // one slow run: the average passes the limit, and requests are handed off
        assertThat(times.quick("m", 10, limit)).isFalse();
        for (int i = 0; i < 60; i++) {
            times.ran("m", 20_000, 16);
        }
        assertThat(times.quick("m", 10, limit)).as("quick again after quick runs").isTrue();
        times.forget("m");
        assertThat(times.quick("m", 10, limit)).isFalse();
    }
}
