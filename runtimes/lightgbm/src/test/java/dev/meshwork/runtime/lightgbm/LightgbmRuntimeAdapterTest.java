package dev.meshwork.runtime.lightgbm;

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

class LightgbmRuntimeAdapterTest {
    static final Path EXAMPLES = Path.of("..", "..", "examples", "lightgbm");
    static final ObjectMapper JSON = new ObjectMapper();
    final LightgbmRuntimeAdapter adapter = new LightgbmRuntimeAdapter();

    static InferenceRequest request(String model, JsonNode inputs) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.set("inputs", inputs);
        return JsonTensorCodec.decodeV2(JSON.writeValueAsBytes(body), model, "");
    }

    static void assertPredictions(JsonNode got, JsonNode want) {
        assertThat(got.get("datatype").asText()).isEqualTo("FP64");
        assertThat(got.get("shape").toString()).isEqualTo(want.get("shape").toString());
        for (int i = 0; i < want.get("data").size(); i++) {
            assertThat(got.get("data").get(i).asDouble()).as("predict[%d]", i).isCloseTo(want.get("data").get(i).asDouble(), within(1e-12));
        }
    }

    @Test
    void reportsFeaturesAndClasses() {
        try (LoadedModel binary = adapter.load("b", EXAMPLES.resolve("lgbm-binary/model.txt"));
             LoadedModel multi = adapter.load("m", EXAMPLES.resolve("lgbm-multiclass"))) {
            assertThat(binary.metadata().inputs()).containsExactly(new TensorSpec("input", DataType.FP32, new long[]{-1, 4}));
            assertThat(binary.metadata().outputs()).containsExactly(new TensorSpec("predict", DataType.FP64, new long[]{-1}));
            assertThat(multi.metadata().outputs()).containsExactly(new TensorSpec("predict", DataType.FP64, new long[]{-1, 3}));
        }
    }

    @Test
    void badArtifactsFailWithTheRuntimesMessage(@TempDir Path dir) throws Exception {
        String good = Files.readString(EXAMPLES.resolve("lgbm-binary/model.txt"));
        Path truncated = Files.writeString(dir.resolve("truncated.txt"), good.substring(0, good.length() / 3));
        Path garbage = Files.writeString(dir.resolve("garbage.txt"), "not a lightgbm model\n");
        Path xgb = Path.of("..", "..", "examples", "xgboost", "xgb-binary", "model.json");
        Path headerOnly = Files.writeString(dir.resolve("header.txt"), good.substring(0, good.indexOf("Tree=")));
        Path lyingSizes = Files.writeString(dir.resolve("sizes.txt"), good.replaceFirst("tree_sizes=(\\d+)", "tree_sizes=99999"));
        Path extraSize = Files.writeString(dir.resolve("extra.txt"), good.replaceFirst("tree_sizes=", "tree_sizes=10 "));
        for (Path bad : List.of(truncated, garbage, xgb, headerOnly, lyingSizes, extraSize)) {
            assertThatThrownBy(() -> adapter.load("bad", bad)).as(bad.toString())
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("LightGBM could not load");
        }
    }

    /** Many rows of a three-class model at once, from many threads: the case that overruns lightgbm4j's own buffer. */
    @Test
    void manyRowsOfAMulticlassModelFromManyThreads() throws Exception {
        JsonNode c = JSON.readTree(EXAMPLES.resolve("lgbm-multiclass/expected.json").toFile()).get("cases").get(0);
        // 64 copies of the three cases: 192 rows
        ObjectNode input = c.get("inputs").get(0).deepCopy();
        var data = input.putArray("data");
        for (int copy = 0; copy < 64; copy++) {
            c.get("inputs").get(0).get("data").forEach(data::add);
        }
        input.putArray("shape").add(192).add(4);
        InferenceRequest req = request("m", JSON.createArrayNode().add(input));
        double[] want = new double[192 * 3];
        for (int i = 0; i < want.length; i++) {
            want[i] = c.get("outputs").get(0).get("data").get(i % 9).asDouble();
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (LoadedModel model = adapter.load("m", EXAMPLES.resolve("lgbm-multiclass"))) {
            List<Future<double[]>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(pool.submit(() -> {
                    var t = model.infer(req).outputs().get(0);
                    double[] got = new double[192 * 3];
                    t.buffer().asDoubleBuffer().get(got);
                    return got;
                }));
            }
            for (Future<double[]> a : answers) {
                assertThat(a.get(30, TimeUnit.SECONDS)).containsExactly(want, within(1e-12));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Arrays.stream(want).sum()).isCloseTo(192.0, within(1e-6)); // probabilities: each row sums to 1
    }

    /** Each tampered model is refused by the file check, with what is wrong, before the native parser (which some would crash) sees it. */
    @Test
    void tamperedModelsAreRefusedBeforeTheNativeParserReadsThem(@TempDir Path dir) {
        for (dev.meshwork.testing.TamperedModels.Tampered t : dev.meshwork.testing.TamperedModels.lightgbm()) {
            Path file = t.writeUnder(dir);
            assertThatThrownBy(() -> adapter.load(t.name(), file)).as(t.name())
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining(t.refusal());
        }
    }
}
