package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelMetadataRequest;
import dev.meshwork.protocol.oip.ModelMetadataResponse;
import dev.meshwork.protocol.oip.RepositoryIndexRequest;
import dev.meshwork.protocol.oip.ServerMetadataRequest;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A newcomer's tour, as a separate process: register a model, infer over v1, v2 and gRPC, read its status. */
class StandaloneServingTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension();

    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc() {
        return GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
    }

    @Test
    void aModelRegisteredOverRestIsLoadedAndServedOnEveryProtocol() throws Exception {
        Path dir = Files.createDirectories(mesh.storage().resolve("tenant-a"));
        Files.copy(repo().resolve("examples/onnx/mlp-classifier/model.onnx"), dir.resolve("model.onnx"));
        MeshExtension.Http put = mesh.put("/v1/mesh/models/tenant-a-mlp?load=true",
                "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"file://" + dir.resolve("model.onnx") + "\"}");
        assertThat(put.status()).as(put.body()).isEqualTo(201);
        assertThat(Fixtures.JSON.readTree(put.body()).get("state").asText()).isEqualTo("LOADED");

        for (JsonNode c : Fixtures.cases("mlp-classifier")) {
            MeshExtension.Http v2 = mesh.post("/v2/models/tenant-a-mlp/infer", Fixtures.v2Body(c));
            assertThat(v2.status()).as(v2.body()).isEqualTo(200);
            Fixtures.assertOutputs(Fixtures.JSON.readTree(v2.body()).get("outputs"), c.get("outputs"));

            ModelInferResponse typed = grpc().modelInfer(Fixtures.typedRequest("tenant-a-mlp", c));
            assertThat(typed.getRawOutputContentsCount()).isZero();
            Fixtures.assertOutputs(Fixtures.outputs(typed), c.get("outputs"));

            ModelInferResponse raw = grpc().modelInfer(Fixtures.rawRequest("tenant-a-mlp", c));
            assertThat(raw.getRawOutputContentsCount()).isEqualTo(1);
            Fixtures.assertOutputs(Fixtures.outputs(raw), c.get("outputs"));
        }

        JsonNode status = Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/tenant-a-mlp").body());
        assertThat(status.get("state").asText()).isEqualTo("LOADED");
        assertThat(status.get("copies").get(0).get("sizeBytes").asLong()).isPositive();
    }

    @Test
    void aModelServedOverHttpIsDownloadedOnceAndServed() throws Exception {
        byte[] model = Files.readAllBytes(repo().resolve("examples/onnx/add-vectors/model.onnx"));
        java.util.concurrent.atomic.AtomicInteger downloads = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/artifacts/adder.onnx", ex -> {
            downloads.incrementAndGet();
            ex.sendResponseHeaders(200, model.length);
            try (var out = ex.getResponseBody()) {
                out.write(model);
            }
        });
        server.start();
        try {
            String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/artifacts/adder.onnx";
            MeshExtension.Http put = mesh.put("/v1/mesh/models/http-adder", "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri + "\"}");
            assertThat(put.status()).as(put.body()).isEqualTo(201);
            JsonNode c = Fixtures.cases("add-vectors").get(0);
            for (int i = 0; i < 2; i++) {
                MeshExtension.Http r = mesh.post("/v2/models/http-adder/infer", Fixtures.v2Body(c));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
                assertThat(mesh.post("/v2/repository/models/http-adder/unload", "").status()).isEqualTo(200);
            }
            assertThat(downloads).as("the second load comes from the disk cache").hasValue(1);
        } finally {
            server.stop(0);
        }
    }

    private static Path repo() {
        return dev.meshwork.testing.MeshProcess.repoRoot();
    }

    @Test
    void kserveV1PredictAnswersRowsInBothForms() throws Exception {
        JsonNode c = Fixtures.cases("mlp-classifier").get(1);
        JsonNode rows = c.get("inputs").get(0);
        StringBuilder instances = new StringBuilder("[");
        for (int r = 0; r < 3; r++) {
            instances.append(r == 0 ? "" : ",").append("[");
            for (int k = 0; k < 4; k++) {
                instances.append(k == 0 ? "" : ",").append(rows.get("data").get(r * 4 + k).asDouble());
            }
            instances.append("]");
        }
        instances.append("]");
        for (String key : new String[]{"instances", "inputs"}) {
            MeshExtension.Http v1 = mesh.post("/v1/models/mlp-classifier:predict", "{\"" + key + "\": " + instances + "}");
            assertThat(v1.status()).as(v1.body()).isEqualTo(200);
            JsonNode predictions = Fixtures.JSON.readTree(v1.body()).get("predictions");
            assertThat(predictions).hasSize(3);
            com.fasterxml.jackson.databind.node.ArrayNode flat = Fixtures.JSON.createArrayNode();
            predictions.forEach(row -> row.forEach(flat::add));
            Fixtures.assertValues(flat, c.get("outputs").get(0).get("data"), "FP32", "predictions");
        }
        assertThat(mesh.get("/v1/models/mlp-classifier").body()).contains("\"ready\":true");
    }

    @Test
    void everyDatatypeCrossesRestAndRawGrpc() throws Exception {
        JsonNode c = Fixtures.cases("typed-ops").get(0);
        MeshExtension.Http v2 = mesh.post("/v2/models/typed-ops/infer", Fixtures.v2Body(c));
        assertThat(v2.status()).as(v2.body()).isEqualTo(200);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(v2.body()).get("outputs"), c.get("outputs"));
        Fixtures.assertOutputs(Fixtures.outputs(grpc().modelInfer(Fixtures.rawRequest("typed-ops", c))), c.get("outputs"));
    }

    @Test
    void metadataHealthAndRepositoryAnswerOnBothProtocols() throws Exception {
        ModelMetadataResponse meta = grpc().modelMetadata(ModelMetadataRequest.newBuilder().setName("add-vectors").build());
        assertThat(meta.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(meta.getInputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName).containsExactly("a", "b");
        assertThat(meta.getInputs(0).getShapeList()).containsExactly(-1L, 2L);
        assertThat(grpc().serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName()).isEqualTo("meshwork");
        assertThat(grpc().repositoryIndex(RepositoryIndexRequest.getDefaultInstance()).getModelsList())
                .extracting(m -> m.getName()).contains("add-vectors", "mlp-classifier", "typed-ops");
        assertThat(HealthGrpc.newBlockingStub(mesh.channel()).check(HealthCheckRequest.newBuilder()
                .setService("inference.GRPCInferenceService").build()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        JsonNode restMeta = Fixtures.JSON.readTree(mesh.get("/v2/models/add-vectors").body());
        assertThat(restMeta.get("outputs").get(0).get("name").asText()).isEqualTo("sum");
        for (String path : new String[]{"/v2/health/live", "/v2/health/ready", "/health/live", "/health/ready", "/v2", "/v2/models/add-vectors/ready"}) {
            assertThat(mesh.get(path).status()).as(path).isEqualTo(200);
        }
        MeshExtension.Http load = mesh.post("/v2/repository/models/add-vectors/load", "");
        assertThat(load.status()).as(load.body()).isEqualTo(200);
        assertThat(mesh.post("/v2/repository/index", "{\"ready\": true}").body()).contains("\"add-vectors\"");
        assertThat(mesh.post("/v2/repository/models/add-vectors/unload", "").status()).isEqualTo(200);
        assertThat(Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/add-vectors").body()).get("state").asText()).isEqualTo("NOT_LOADED");
        assertThat(mesh.get("/v1/mesh/nodes").body()).contains("\"capacityBytes\"");
    }
}
