package dev.meshwork.runtime.xgboost;

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
import dev.meshwork.runtime.LoadedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class XgboostRuntimeAdapterTest {
    static final Path EXAMPLES = Path.of("..", "..", "examples", "xgboost");
    static final ObjectMapper JSON = new ObjectMapper();
    final XgboostRuntimeAdapter adapter = new XgboostRuntimeAdapter();

    static InferenceRequest request(String model, JsonNode c) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.set("inputs", c.get("inputs"));
        return JsonTensorCodec.decodeV2(JSON.writeValueAsBytes(body), model, "");
    }

    static void assertPredictions(JsonNode got, JsonNode want) {
        assertThat(got.get("shape").toString()).isEqualTo(want.get("shape").toString());
        for (int i = 0; i < want.get("data").size(); i++) {
            assertThat(got.get("data").get(i).asDouble()).as("predict[%d]", i).isCloseTo(want.get("data").get(i).asDouble(), within(1e-6));
        }
    }

    @Test
    void reportsFeaturesAndOutputWidth() {
        try (LoadedModel binary = adapter.load("b", EXAMPLES.resolve("xgb-binary/model.json"));
             LoadedModel multi = adapter.load("m", EXAMPLES.resolve("xgb-multiclass"))) {
            assertThat(binary.metadata().inputs()).containsExactly(new TensorSpec("input", DataType.FP32, new long[]{-1, 4}));
            assertThat(binary.metadata().outputs()).containsExactly(new TensorSpec("predict", DataType.FP32, new long[]{-1}));
            assertThat(multi.metadata().outputs()).containsExactly(new TensorSpec("predict", DataType.FP32, new long[]{-1, 3}));
            assertThat(multi.sizeBytes()).isGreaterThan(XgboostRuntimeAdapter.OVERHEAD_BYTES);
        }
    }

    @Test
    void badArtifactsFailWithTheRuntimesMessage(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(EXAMPLES.resolve("xgb-binary/model.json"));
        Path truncated = Files.write(dir.resolve("truncated.json"), Arrays.copyOf(good, good.length / 2));
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{\"learner\": 42}");
        Path onnx = Path.of("..", "..", "examples", "onnx", "add-vectors", "model.onnx");
        for (Path bad : List.of(truncated, garbage, onnx)) {
            assertThatThrownBy(() -> adapter.load("bad", bad)).as(bad.toString())
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("XGBoost could not");
        }
    }

    @Test
    void wrongFeatureCountIsRefused() {
        try (LoadedModel model = adapter.load("b", EXAMPLES.resolve("xgb-binary"))) {
            assertThatThrownBy(() -> model.infer(JsonTensorCodec.decodeV2(
                    "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}".getBytes(), "b", "")))
                    .hasMessageContaining("has shape [1, 3] but model 'b' expects [-1, 4]");
        }
    }

    @Test
    void manyThreadsPredictAtOnceAndAllGetTheRightAnswer() throws Exception {
        JsonNode c = JSON.readTree(EXAMPLES.resolve("xgb-multiclass/expected.json").toFile()).get("cases").get(0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (LoadedModel model = adapter.load("m", EXAMPLES.resolve("xgb-multiclass"))) {
            InferenceRequest req = request("m", c);
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                answers.add(pool.submit(() -> JSON.readTree(JsonTensorCodec.encodeV2(model.infer(req))).get("outputs").get(0)));
            }
            for (Future<JsonNode> a : answers) {
                assertPredictions(a.get(30, TimeUnit.SECONDS), c.get("outputs").get(0));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBrokenModelIsDescribedWithoutItsContents(@TempDir Path dir) throws Exception {
        for (String content : List.of("{\"learner\": \"SECRET-API-KEY-12345\"}", "SECRET-API-KEY-12345 is not json", "{\"SECRET-API-KEY-12345\": [1,2,")) {
            Path leaky = Files.writeString(dir.resolve("leaky.json"), content);
            assertThatThrownBy(() -> adapter.load("leaky", leaky)).as(content).hasMessageContaining("XGBoost could not")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
        }
    }

    /** Each tampered model is refused by the file check, with what is wrong, before the native parser (which some would crash) sees it. */
    @Test
    void tamperedModelsAreRefusedBeforeTheNativeParserReadsThem(@TempDir Path dir) {
        for (dev.meshwork.testing.TamperedModels.Tampered t : dev.meshwork.testing.TamperedModels.xgboost()) {
            Path file = t.writeUnder(dir);
            assertThatThrownBy(() -> adapter.load(t.name(), file)).as(t.name())
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining(t.refusal());
        }
    }
}
