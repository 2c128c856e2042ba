package dev.meshwork.runtime.pytorch;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PytorchRuntimeAdapterTest {
    static final Path MODEL = Path.of("..", "..", "examples", "pytorch", "torch-mlp");
    static final ObjectMapper JSON = new ObjectMapper();
    final PytorchRuntimeAdapter adapter = new PytorchRuntimeAdapter(Device.CPU);

    static JsonNode theCase() throws Exception {
        return JSON.readTree(MODEL.resolve("expected.json").toFile()).get("cases").get(0);
    }

    static InferenceRequest request(JsonNode c) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.set("inputs", c.get("inputs"));
        return JsonTensorCodec.decodeV2(JSON.writeValueAsBytes(body), "torch", "");
    }

    static void assertOutput(JsonNode got, JsonNode want) {
        assertThat(got.get("name").asText()).isEqualTo(want.get("name").asText());
        assertThat(got.get("datatype").asText()).isEqualTo("FP32");
        assertThat(got.get("shape").toString()).isEqualTo(want.get("shape").toString());
        for (int i = 0; i < want.get("data").size(); i++) {
            assertThat(got.get("data").get(i).asDouble()).isCloseTo(want.get("data").get(i).asDouble(), within(1e-6));
        }
    }

    @Test
    void aModelWithoutItsSignatureOrWithABadFileIsRefused(@TempDir Path dir) throws Exception {
        Path lonely = Files.createDirectories(dir.resolve("lonely"));
        Files.copy(MODEL.resolve("model.pt"), lonely.resolve("model.pt"));
        assertThatThrownBy(() -> adapter.load("t", lonely)).hasMessageContaining("needs a signature.json beside it");

        byte[] good = Files.readAllBytes(MODEL.resolve("model.pt"));
        Path truncated = Files.createDirectories(dir.resolve("truncated"));
        Files.write(truncated.resolve("model.pt"), Arrays.copyOf(good, good.length / 2));
        Path garbage = Files.createDirectories(dir.resolve("garbage"));
        Files.writeString(garbage.resolve("model.pt"), "not a TorchScript archive");
        for (Path bad : List.of(truncated, garbage)) {
            Files.copy(MODEL.resolve("signature.json"), bad.resolve("signature.json"));
            assertThatThrownBy(() -> adapter.load("t", bad)).as(bad.toString())
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("PyTorch could not load model.pt");
        }
    }

    @Test
    void manyThreadsInferAtOnce() throws Exception {
        JsonNode c = theCase();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (LoadedModel model = adapter.load("torch", MODEL)) {
            InferenceRequest req = request(c);
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                answers.add(pool.submit(() -> JSON.readTree(JsonTensorCodec.encodeV2(model.infer(req))).get("outputs").get(0)));
            }
            for (Future<JsonNode> a : answers) {
                assertOutput(a.get(60, TimeUnit.SECONDS), c.get("outputs").get(0));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBrokenSignatureIsDescribedWithoutItsContents(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectories(dir.resolve("leaky"));
        Files.copy(MODEL.resolve("model.pt"), model.resolve("model.pt"));
        Files.writeString(model.resolve("signature.json"), "{\"inputs\": SECRET-API-KEY-12345");
        assertThatThrownBy(() -> adapter.load("leaky", model)).hasMessageContaining("signature.json is not valid JSON")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET").doesNotContain(dir.toString()));
    }

    @Test
    void theBatchingBenchmarksTorchScriptModelAnswersAsItsGeneratorSaysAlsoInABatch() throws Exception {
        // perf/models/torch-mlp-large computes its weights on its first call; ./meshwork bench batching relies on it
        Path large = Path.of("..", "..", "perf", "models", "torch-mlp-large");
        JsonNode c = JSON.readTree(large.resolve("expected.json").toFile()).get("cases").get(0);
        try (LoadedModel model = adapter.load("torch-mlp-large", large)) {
            JsonNode one = JSON.readTree(JsonTensorCodec.encodeV2(model.infer(request(c)))).get("outputs").get(0);
            assertOutput(one, c.get("outputs").get(0));
            ObjectNode rows = c.deepCopy();
            ObjectNode in = (ObjectNode) rows.get("inputs").get(0);
            in.putArray("shape").add(3).add(256);
            var data = in.putArray("data");
            for (int r = 0; r < 3; r++) {
                c.get("inputs").get(0).get("data").forEach(data::add);
            }
            JsonNode three = JSON.readTree(JsonTensorCodec.encodeV2(model.infer(request(rows)))).get("outputs").get(0);
            assertThat(three.get("shape").toString()).isEqualTo("[3,10]");
            for (int i = 0; i < 30; i++) {
                assertThat(three.get("data").get(i).asDouble()).isCloseTo(c.at("/outputs/0/data").get(i % 10).asDouble(), within(1e-3));
            }
        }
    }
}
