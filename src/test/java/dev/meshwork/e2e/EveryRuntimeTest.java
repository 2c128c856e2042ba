package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One model of every runtime, loaded side by side in one node and served on every protocol. */
class EveryRuntimeTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension();

    static final List<String> ONE_PER_RUNTIME = List.of("mlp-classifier", "xgb-multiclass", "lgbm-multiclass", "tf-linear", "torch-mlp");

    @Test
    void everyRuntimeServesItsExampleInTheSameNode() throws Exception {
        var grpc = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
        for (String model : ONE_PER_RUNTIME) {
            JsonNode c = Fixtures.cases(model).get(0);
            MeshExtension.Http v2 = mesh.post("/v2/models/" + model + "/infer", Fixtures.v2Body(c));
            assertThat(v2.status()).as(v2.body()).isEqualTo(200);
            Fixtures.assertOutputs(Fixtures.JSON.readTree(v2.body()).get("outputs"), c.get("outputs"));
            Fixtures.assertOutputs(Fixtures.outputs(grpc.modelInfer(Fixtures.typedRequest(model, c))), c.get("outputs"));
            Fixtures.assertOutputs(Fixtures.outputs(grpc.modelInfer(Fixtures.rawRequest(model, c))), c.get("outputs"));
        }
        // every runtime's slot holds its model at once
        JsonNode slots = Fixtures.JSON.readTree(mesh.get("/v1/mesh/nodes").body()).get("nodes").get(0).get("slots");
        List<String> loaded = new ArrayList<>();
        slots.forEach(s -> s.get("models").forEach(m -> loaded.add(s.get("runtime").asText() + ":" + m.asText())));
        assertThat(loaded).contains("onnx:mlp-classifier", "xgboost:xgb-multiclass", "lightgbm:lgbm-multiclass", "tensorflow:tf-linear", "pytorch:torch-mlp");
    }

    @Test
    void xgboostSpeaksKServeV1Rows() throws Exception {
        JsonNode c = Fixtures.cases("xgb-binary").get(0);
        JsonNode data = c.get("inputs").get(0).get("data");
        StringBuilder rows = new StringBuilder("[");
        for (int r = 0; r < 3; r++) {
            rows.append(r == 0 ? "[" : ",[");
            for (int f = 0; f < 4; f++) {
                rows.append(f == 0 ? "" : ",").append(data.get(r * 4 + f).asDouble());
            }
            rows.append("]");
        }
        rows.append("]");
        MeshExtension.Http v1 = mesh.post("/v1/models/xgb-binary:predict", "{\"instances\": " + rows + "}");
        assertThat(v1.status()).as(v1.body()).isEqualTo(200);
        Fixtures.assertValues(Fixtures.JSON.readTree(v1.body()).get("predictions"), c.get("outputs").get(0).get("data"), "FP32", "predictions");
    }
}
