package dev.meshwork.perf.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.runtime.Device;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.onnx.OnnxRuntimeAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The padded models load in ONNX Runtime, still compute what the example does, and take the memory the scenario counts. */
class ModelSetTest {
    static final Path EXAMPLE = Path.of("..", "examples", "onnx", "add-vectors", "model.onnx");

    @Test
    void paddedModelsLoadComputeAndHaveThePredictedSize(@TempDir Path dir) throws Exception {
        ModelSet set = ModelSet.write(new Scenario.Models(12, "add-vectors", 1.5, 0.8, ""), EXAMPLE, dir, 7);
        assertThat(set.count()).isEqualTo(12);
        assertThat(Arrays.stream(set.memoryBytes()).distinct().count()).as("log-normal sizes differ").isGreaterThan(6);
        OnnxRuntimeAdapter onnx = new OnnxRuntimeAdapter(1, 1, Device.CPU);
        for (int m = 0; m < set.count(); m++) {
            assertThat(onnx.predictSize(set.files()[m])).as("what a node reserves").isEqualTo(set.memoryBytes()[m]);
        }
        int largest = 0;
        for (int m = 1; m < set.count(); m++) {
            largest = set.memoryBytes()[m] > set.memoryBytes()[largest] ? m : largest;
        }
        assertThat(Files.size(set.files()[largest])).isGreaterThan(Files.size(EXAMPLE) + 100_000);
        try (LoadedModel model = onnx.load(set.ids()[largest], set.files()[largest])) {
            InferenceRequest req = JsonTensorCodec.decodeV2(("{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
                    + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}").getBytes(), set.ids()[largest], "");
            assertThat(new String(JsonTensorCodec.encodeV2(model.infer(req)))).contains("[11.0,22.0]");
        }
    }

    @Test
    void aSecondWriteKeepsTheFilesAndTheSizesAreDeterministic(@TempDir Path dir) throws Exception {
        ModelSet a = ModelSet.write(new Scenario.Models(5, "add-vectors", 1, 0.5, ""), EXAMPLE, dir, 3);
        long modified = Files.getLastModifiedTime(a.files()[0]).toMillis();
        ModelSet b = ModelSet.write(new Scenario.Models(5, "add-vectors", 1, 0.5, ""), EXAMPLE, dir, 3);
        assertThat(b.memoryBytes()).containsExactly(a.memoryBytes());
        assertThat(Files.getLastModifiedTime(b.files()[0]).toMillis()).isEqualTo(modified);
    }
}
