package dev.meshwork.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.protocol.tensor.TensorSpec;
import dev.meshwork.runtime.Device;
import dev.meshwork.runtime.LoadedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnnxRuntimeAdapterTest {
    static final Path EXAMPLES = Path.of("..", "..", "examples", "onnx");
    static final ObjectMapper JSON = new ObjectMapper();
    final OnnxRuntimeAdapter adapter = new OnnxRuntimeAdapter(1, 1, Device.CPU);

    @Test
    void reportsRealMetadata() {
        try (LoadedModel model = adapter.load("mlp", EXAMPLES.resolve("mlp-classifier/model.onnx"))) {
            assertThat(model.metadata().platform()).isEqualTo("onnxruntime_onnx");
            assertThat(model.metadata().inputs()).containsExactly(new TensorSpec("input", DataType.FP32, new long[]{-1, 4}));
            assertThat(model.metadata().outputs()).containsExactly(new TensorSpec("probabilities", DataType.FP32, new long[]{-1, 3}));
            assertThat(model.sizeBytes()).isGreaterThan(OnnxRuntimeAdapter.SESSION_OVERHEAD_BYTES);
        }
    }

    @Test
    void aFileThatIsNotAModelFailsWithTheRuntimesMessage(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("model.onnx"), "this is not a protobuf model");
        assertThatThrownBy(() -> adapter.load("bad", bad))
                .isInstanceOf(MeshError.class)
                .hasMessageContaining("ONNX Runtime could not load model.onnx");
    }

    @Test
    void wrongInputsAreRefusedWithTheProblemNamed() throws Exception {
        try (LoadedModel model = adapter.load("mlp", EXAMPLES.resolve("mlp-classifier"))) {
            assertInvalid(model, "{\"inputs\":[{\"name\":\"nope\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}", "has no input 'nope'");
            assertInvalid(model, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}", "has shape [1, 3] but model 'mlp' expects [-1, 4]");
            assertInvalid(model, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"INT64\",\"data\":[1,2,3,4]}]}", "is INT64 but model 'mlp' expects FP32");
            assertInvalid(model, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"outputs\":[{\"name\":\"x\"}]}", "has no output 'x'");
        }
    }

    private static void assertInvalid(LoadedModel model, String body, String message) {
        assertThatThrownBy(() -> model.infer(JsonTensorCodec.decodeV2(body.getBytes(), "mlp", "")))
                .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining(message);
    }

    @Test
    void requestedOutputsLimitTheAnswer() throws Exception {
        try (LoadedModel model = adapter.load("typed", EXAMPLES.resolve("typed-ops"))) {
            JsonNode c = JSON.readTree(EXAMPLES.resolve("typed-ops/expected.json").toFile()).get("cases").get(0);
            ObjectNode body = JSON.createObjectNode();
            body.set("inputs", c.get("inputs"));
            body.putArray("outputs").addObject().put("name", "y_i64");
            var resp = model.infer(JsonTensorCodec.decodeV2(JSON.writeValueAsBytes(body), "typed", ""));
            assertThat(resp.outputs()).extracting(t -> t.name()).isEqualTo(List.of("y_i64"));
        }
    }
}
