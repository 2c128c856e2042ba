package dev.meshwork.runtime.tensorflow;

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

class TensorflowRuntimeAdapterTest {
    static final Path MODEL = Path.of("..", "..", "examples", "tensorflow", "tf-linear");
    static final ObjectMapper JSON = new ObjectMapper();
    final TensorflowRuntimeAdapter adapter = new TensorflowRuntimeAdapter();

    static JsonNode theCase() throws Exception {
        return JSON.readTree(MODEL.resolve("expected.json").toFile()).get("cases").get(0);
    }

    static InferenceRequest request(JsonNode c) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.set("inputs", c.get("inputs"));
        return JsonTensorCodec.decodeV2(JSON.writeValueAsBytes(body), "tf", "");
    }

    static void assertOutputs(JsonNode got, JsonNode want) {
        assertThat(got).hasSize(want.size());
        for (int o = 0; o < want.size(); o++) {
            JsonNode w = want.get(o);
            JsonNode g = null;
            for (JsonNode x : got) {
                if (x.get("name").asText().equals(w.get("name").asText())) {
                    g = x;
                }
            }
            assertThat(g).as("output %s", w.get("name")).isNotNull();
            assertThat(g.get("datatype").asText()).isEqualTo(w.get("datatype").asText());
            assertThat(g.get("shape").toString()).isEqualTo(w.get("shape").toString());
            for (int i = 0; i < w.get("data").size(); i++) {
                assertThat(g.get("data").get(i).asDouble()).isCloseTo(w.get("data").get(i).asDouble(), within(1e-5));
            }
        }
    }

    @Test
    void metadataComesFromTheServingSignature() {
        try (LoadedModel model = adapter.load("tf", MODEL.resolve("saved_model.pb"))) {
            assertThat(model.metadata().platform()).isEqualTo("tensorflow_savedmodel");
            assertThat(model.metadata().inputs()).containsExactly(new TensorSpec("features", DataType.FP32, new long[]{-1, 3}));
            assertThat(model.metadata().outputs()).containsExactly(new TensorSpec("label", DataType.INT64, new long[]{-1}),
                    new TensorSpec("scores", DataType.FP32, new long[]{-1, 2}));
        }
    }

    @Test
    void badSavedModelsFailWithTheRuntimesMessage(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(MODEL.resolve("saved_model.pb"));
        Path truncated = Files.createDirectories(dir.resolve("truncated"));
        Files.write(truncated.resolve("saved_model.pb"), Arrays.copyOf(good, good.length / 2));
        Path garbage = Files.createDirectories(dir.resolve("garbage"));
        Files.writeString(garbage.resolve("saved_model.pb"), "this is not a protobuf");
        for (Path bad : List.of(truncated, garbage)) {
            assertThatThrownBy(() -> adapter.load("bad", bad)).as(bad.toString())
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("TensorFlow could not load the SavedModel");
        }
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> adapter.load("bad", empty)).hasMessageContaining("is not a SavedModel folder (no saved_model.pb)");
    }

    @Test
    void requestedOutputsAndConcurrentCalls() throws Exception {
        JsonNode c = theCase();
        ObjectNode body = JSON.createObjectNode();
        body.set("inputs", c.get("inputs"));
        body.putArray("outputs").addObject().put("name", "label");
        InferenceRequest onlyLabel = JsonTensorCodec.decodeV2(JSON.writeValueAsBytes(body), "tf", "");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (LoadedModel model = adapter.load("tf", MODEL)) {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                answers.add(pool.submit(() -> JSON.readTree(JsonTensorCodec.encodeV2(model.infer(onlyLabel))).get("outputs")));
            }
            for (Future<JsonNode> a : answers) {
                JsonNode outs = a.get(30, TimeUnit.SECONDS);
                assertThat(outs).hasSize(1);
                assertThat(outs.get(0).get("data").toString()).isEqualTo("[1,1]");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
