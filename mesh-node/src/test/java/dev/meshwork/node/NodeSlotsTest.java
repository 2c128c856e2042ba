package dev.meshwork.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.node.cache.CopyInfo;
import dev.meshwork.node.runtime.InProcessRuntimes;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configured slots: several of one runtime, named runtimes, devices, and the mistakes a configuration can make. */
class NodeSlotsTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    static NodeConfig config(List<NodeConfig.SlotConfig> slots) {
        NodeConfig d = NodeConfig.defaults();
        return new NodeConfig("slots", 8L << 20, 2, d.loadTimeoutMs(), d.failedLoadBackoffMs(), 0, d.queueTimeoutMs(),
                d.storage().withRoots(List.of(EXAMPLES.toString())), d.onnx(), List.of(), slots, "lru");
    }

    static ModelSpec onnx(String id, String example, String runtime) {
        return new ModelSpec(id, new ModelFormat("onnx", ""), EXAMPLES.resolve("onnx").resolve(example).toString(), runtime, 0);
    }

    @Test
    void slotsComeFromYaml(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("node.yaml"), """
                slots:
                  - {adapter: onnx, count: 2, memoryBytes: 4096}
                  - {adapter: onnx, runtime: onnx-gpu, device: "cuda:1", autoSelect: false}
                """);
        NodeConfig loaded = ConfigLoader.load(NodeConfig.class, NodeConfig.defaults(), "X_", Map.of(), List.of("--config=" + yaml)).config();
        assertThat(InProcessRuntimes.installed().slots(loaded)).containsExactly(
                new NodeConfig.SlotConfig("onnx", "onnx", "cpu", 4096, 2, true),
                new NodeConfig.SlotConfig("onnx", "onnx-gpu", "cuda:1", 0, 1, false));
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "slots: [{adapter: onnx, devise: cpu}]\n");
        assertThatThrownBy(() -> ConfigLoader.load(NodeConfig.class, NodeConfig.defaults(), "X_", Map.of(), List.of("--config=" + typo)))
                .hasMessageContaining("devise");
    }

    @Test
    void theDefaultIsOneCpuSlotPerInProcessRuntime() {
        try (NodeAgent node = new NodeAgent(config(List.of()))) {
            assertThat(node.slots()).extracting(NodeAgent.SlotStatus::name)
                    .containsExactly("onnx-0", "xgboost-0", "lightgbm-0", "tensorflow-0", "pytorch-0");
            assertThat(node.slots()).allSatisfy(s -> {
                assertThat(s.device()).isEqualTo("cpu");
                assertThat(s.capacityBytes()).isEqualTo(8L << 20);
            });
            assertThat(node.formats()).containsExactly("onnx", "xgboost", "lightgbm", "tensorflow", "pytorch");
        }
    }

    @Test
    void modelsSpreadOverSlotsOfOneRuntimeAndStayWhereTheyLanded() throws Exception {
        var two = new NodeConfig.SlotConfig("onnx", null, null, 4L << 20, 2, null);
        try (NodeAgent node = new NodeAgent(config(List.of(two)))) {
            assertThat(node.slots()).extracting(NodeAgent.SlotStatus::name).containsExactly("onnx-0", "onnx-1");
            assertThat(node.slots()).extracting(NodeAgent.SlotStatus::capacityBytes).containsOnly(4L << 20);
            CopyInfo first = node.ensureLoaded(onnx("a", "mlp-classifier", ""));
            CopyInfo second = node.ensureLoaded(onnx("b", "add-vectors", ""));
            // the second goes where more memory is free: the other slot
            assertThat(List.of(first.slot(), second.slot())).containsExactlyInAnyOrder("onnx-0", "onnx-1");
            assertThat(node.ensureLoaded(onnx("a", "mlp-classifier", "")).slot()).isEqualTo(first.slot());
            node.unload("a").get(10, TimeUnit.SECONDS);
            node.unload("b").get(10, TimeUnit.SECONDS);
            assertThat(node.slots()).extracting(NodeAgent.SlotStatus::usedBytes).containsOnly(0L);
        }
    }

    @Test
    void aNamedRuntimeKeepsItsSlotForModelsThatAskForIt() {
        var shared = new NodeConfig.SlotConfig("onnx", null, null, 0, 1, null);
        var reserved = new NodeConfig.SlotConfig("onnx", "onnx-reserved", "cpu", 0, 1, false);
        try (NodeAgent node = new NodeAgent(config(List.of(shared, reserved)))) {
            assertThat(node.ensureLoaded(onnx("plain", "add-vectors", "")).slot()).isEqualTo("onnx-0");
            assertThat(node.ensureLoaded(onnx("vip", "add-vectors", "onnx-reserved")).slot()).isEqualTo("onnx-reserved-0");
            assertThatThrownBy(() -> node.ensureLoaded(onnx("lost", "add-vectors", "onnx-gpu")))
                    .hasMessageContaining("asks for runtime 'onnx-gpu', which node slots does not have; its runtimes: [onnx, onnx-reserved]");
        }
    }

    @Test
    void aGpuSlotIsPlumbedThroughAndItsLoadsFailWithTheRuntimesWordsOnACpuBuild() {
        var gpu = new NodeConfig.SlotConfig("onnx", "onnx-gpu", "cuda:0", 0, 1, false);
        var cpu = new NodeConfig.SlotConfig("onnx", null, null, 0, 1, null);
        try (NodeAgent node = new NodeAgent(config(List.of(cpu, gpu)))) {
            assertThat(node.slots()).extracting(NodeAgent.SlotStatus::device).containsExactly("cpu", "cuda:0");
            assertThatThrownBy(() -> node.ensureLoaded(onnx("on-gpu", "add-vectors", "onnx-gpu")))
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_READY))
                    .hasMessageContaining("ONNX Runtime could not load model.onnx")
                    .hasMessageContaining("CUDA");
            // the CPU slot is untouched
            assertThat(node.ensureLoaded(onnx("on-cpu", "add-vectors", "")).state().name()).isEqualTo("LOADED");
        }
    }

    @Test
    void pytorchTakesTheDeviceAndSaysSoWhenTheBuildHasNoGpu() {
        var gpu = new NodeConfig.SlotConfig("pytorch", "pytorch-gpu", "cuda:0", 64L << 20, 1, false);
        try (NodeAgent node = new NodeAgent(config(List.of(gpu)))) {
            ModelSpec spec = new ModelSpec("g", new ModelFormat("pytorch", ""), EXAMPLES.resolve("pytorch/torch-mlp").toString(), "pytorch-gpu", 0);
            assertThatThrownBy(() -> node.ensureLoaded(spec)).hasMessageContaining("PyTorch could not load").hasMessageContaining("'CUDA' backend");
        }
    }

    @Test
    void badSlotConfigurationsAreRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> new NodeAgent(config(List.of(new NodeConfig.SlotConfig("caffe", null, null, 0, 1, null)))))
                .hasMessageContaining("adapter 'caffe' is not an in-process runtime; use one of [onnx, xgboost, lightgbm, tensorflow, pytorch]");
        assertThatThrownBy(() -> new NodeAgent(config(List.of(new NodeConfig.SlotConfig("onnx", null, "gpu0", 0, 1, null)))))
                .hasMessageContaining("device 'gpu0' is not one Meshwork knows; use cpu or cuda:N");
        assertThatThrownBy(() -> new NodeAgent(config(List.of(new NodeConfig.SlotConfig("tensorflow", null, "cuda:1", 0, 1, null)))))
                .hasMessageContaining("adapter 'tensorflow' runs on cpu only in Meshwork, not on cuda:1");
        assertThatThrownBy(() -> new NodeAgent(config(List.of(new NodeConfig.SlotConfig("xgboost", null, "cuda:0", 0, 1, null)))))
                .hasMessageContaining("adapter 'xgboost' runs on cpu only in Meshwork, not on cuda:0");
        assertThatThrownBy(() -> new NodeAgent(config(List.of(new NodeConfig.SlotConfig("onnx", null, null, 0, 1, null),
                new NodeConfig.SlotConfig("onnx", null, null, 0, 1, null)))))
                .hasMessageContaining("two slots named 'onnx-0'");
    }
}
