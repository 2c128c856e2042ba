package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelReadyRequest;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import dev.meshwork.testing.RuntimeServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose slot is an external runtime-server process, driven through ModelMesh's runtime SPI:
 * load, infer, evict, unload; then the runtime-server is killed with SIGKILL, the node drops its
 * copies, and once it is back the models load again.
 */
class ExternalRuntimeTest {
    static final String MODELS = "mlp-classifier,add-vectors,typed-ops";
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void loadInferEvictThenSurviveTheRuntimeServersDeath(@TempDir Path work) throws Exception {
        Path dir = work.toRealPath();
        for (String m : MODELS.split(",")) {
            Files.createDirectories(dir.resolve(m));
            Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/" + m + "/model.onnx"), dir.resolve(m).resolve("model.onnx"));
        }
        int port = dev.meshwork.testing.MeshProcess.freePort();
        // the slot holds two of the three models (about 1.05 MB each, as the runtime-server predicts them)
        Path config = RuntimeServerProcess.nodeConfig(dir.resolve("mesh.yaml"), port, 2_200_000);
        RuntimeServerProcess runtime = RuntimeServerProcess.start(dir, port, "runtime-1.log");
        try (MeshProcess mesh = MeshProcess.start(dir, "--config=" + config)) {
            for (String m : MODELS.split(",")) {
                var put = send(mesh, "PUT", "/v1/mesh/models/ext-" + m, "{\"modelFormat\": {\"name\": \"onnx\"}, \"runtime\": \"ext\", "
                        + "\"storageUri\": \"" + dir.resolve(m).resolve("model.onnx") + "\"}");
                assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            }
            for (String m : new String[]{"mlp-classifier", "add-vectors", "typed-ops"}) {
                assertInfersRight(mesh, "ext-" + m, m);
            }
            JsonNode slot = slot(mesh, "ext");
            assertThat(slot.get("evictions").asLong()).isEqualTo(1);
            // which of the two older copies makes room is the eviction policy's choice; the last one loaded stays
            String models = slot.get("models").toString();
            assertThat(models).contains("ext-typed-ops");
            String evicted = models.contains("ext-mlp-classifier") ? "ext-add-vectors" : "ext-mlp-classifier";
            assertThat(models).doesNotContain(evicted).contains(evicted.equals("ext-add-vectors") ? "ext-mlp-classifier" : "ext-add-vectors");
            assertThat(slot.get("usedBytes").asLong()).isLessThanOrEqualTo(2_200_000);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                var rt = GRPCInferenceServiceGrpc.newBlockingStub(channel);
                // eviction unloaded it in the runtime-server too (unloadModel through the SPI)
                assertThat(rt.modelReady(ModelReadyRequest.newBuilder().setName(evicted).build()).getReady()).isFalse();
                assertThat(rt.modelReady(ModelReadyRequest.newBuilder().setName("ext-typed-ops").build()).getReady()).isTrue();
                assertThat(send(mesh, "POST", "/v2/repository/models/ext-typed-ops/unload", "").statusCode()).isEqualTo(200);
                assertThat(rt.modelReady(ModelReadyRequest.newBuilder().setName("ext-typed-ops").build()).getReady()).isFalse();
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            runtime.kill();
            await("copies on the dead runtime leave the node").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> slot(mesh, "ext").get("models").isEmpty());
            assertThat(slot(mesh, "ext").get("usedBytes").asLong()).isZero();
            var down = send(mesh, "POST", "/v2/models/ext-add-vectors/infer", Fixtures.v2Body(Fixtures.cases("add-vectors").get(0)));
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.body()).contains("external runtime ext");
            assertInfersRight(mesh, "mlp-classifier", "mlp-classifier"); // in-process runtimes are untouched

            runtime = RuntimeServerProcess.start(dir, port, "runtime-2.log");
            await("the model loads again once the runtime is back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> send(mesh, "POST", "/v2/models/ext-add-vectors/infer", Fixtures.v2Body(Fixtures.cases("add-vectors").get(0))),
                            r -> r.statusCode() == 200);
            assertInfersRight(mesh, "ext-add-vectors", "add-vectors");
        } finally {
            runtime.close();
        }
    }

    private void assertInfersRight(MeshProcess mesh, String name, String example) throws Exception {
        JsonNode c = Fixtures.cases(example).get(0);
        var r = send(mesh, "POST", "/v2/models/" + name + "/infer", Fixtures.v2Body(c));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
    }

    private JsonNode slot(MeshProcess mesh, String runtime) throws Exception {
        for (JsonNode s : Fixtures.JSON.readTree(send(mesh, "GET", "/v1/mesh/nodes", null).body()).get("nodes").get(0).get("slots")) {
            if (s.get("runtime").asText().equals(runtime)) {
                return s;
            }
        }
        throw new AssertionError("no slot for runtime " + runtime);
    }

    private HttpResponse<String> send(MeshProcess mesh, String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return http.send(HttpRequest.newBuilder(URI.create(mesh.http() + path)).timeout(java.time.Duration.ofSeconds(60))
                .method(method, p).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }
}
