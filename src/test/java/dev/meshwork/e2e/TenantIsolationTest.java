package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshProcess;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants on a real mesh (a router and two node processes): the victim's models stay loaded
 * while the aggressor churns through more cold models than the mesh holds, because the victim is
 * within its guaranteed share; a namespace over its request rate gets 429 with Retry-After on REST
 * and RESOURCE_EXHAUSTED on gRPC; the registration quota refuses with the numbers; and the policies
 * survive kill -9 of the process that stored them.
 */
class TenantIsolationTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final JsonNode CASE = Fixtures.cases("mlp-classifier").get(0);
    static final String MODEL = MeshProcess.repoRoot().resolve("examples/onnx/mlp-classifier/model.onnx").toUri().toString();

    static HttpResponse<String> send(MeshProcess router, String method, String path, String namespace, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(router.http() + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (namespace != null) {
            b.header("meshwork-namespace", namespace);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void register(MeshProcess router, String namespace, String name) throws Exception {
        HttpResponse<String> r = send(router, "PUT", "/v1/mesh/models/" + name, namespace,
                "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + MODEL + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    static void inferRight(MeshProcess router, String namespace, String name) throws Exception {
        HttpResponse<String> r = send(router, "POST", "/v2/models/" + name + "/infer", namespace, Fixtures.v2Body(CASE));
        assertThat(r.statusCode()).as(namespace + "/" + name + ": " + r.body()).isEqualTo(200);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), CASE.get("outputs"));
    }

    /** Where each LOADED copy of the namespace's models is: model -> node. */
    static Map<String, String> loaded(MeshProcess router, String namespace) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (JsonNode m : Fixtures.JSON.readTree(send(router, "GET", "/v1/mesh/models", namespace, null).body()).path("models")) {
            for (JsonNode c : m.path("copies")) {
                if (c.path("state").asText().equals("LOADED")) {
                    out.put(m.path("name").asText(), c.path("node").asText());
                }
            }
        }
        return out;
    }

    @Test
    void theAggressorsChurnLeavesTheVictimsCopiesAndOverTheLimitIsThrottledOnBothProtocols(@TempDir Path dir) throws Exception {
        // each node's slot holds three copies of the example (predicted at about 1.05 MB each): six in the mesh
        try (MeshCluster mesh = MeshCluster.start(dir, 1, 2, List.of("--node.slotMemoryBytes=3300000"), List.of())) {
            MeshProcess router = mesh.router(0);
            HttpResponse<String> share = send(router, "PUT", "/v1/mesh/namespaces/victim", null, "{\"memoryShare\": \"40%\"}");
            assertThat(share.statusCode()).as(share.body()).isEqualTo(201);
            assertThat(send(router, "PUT", "/v1/mesh/namespaces/aggressor", null, "{\"maxModels\": 8}").statusCode()).isEqualTo(201);
            assertThat(send(router, "PUT", "/v1/mesh/namespaces/limited", null, "{\"requestsPerSecond\": 1, \"burst\": 2}")
                    .statusCode()).isEqualTo(201);

            register(router, "victim", "hot1");
            register(router, "victim", "hot2");
            inferRight(router, "victim", "hot1");
            inferRight(router, "victim", "hot2");
            Map<String, String> victimBefore = loaded(router, "victim");
            assertThat(victimBefore).containsOnlyKeys("hot1", "hot2");

            for (int i = 0; i < 8; i++) {
                register(router, "aggressor", "cold" + i);
            }
            HttpResponse<String> ninth = send(router, "PUT", "/v1/mesh/models/cold8", "aggressor",
                    "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + MODEL + "\"}");
            assertThat(ninth.statusCode()).isEqualTo(409);
            assertThat(Fixtures.JSON.readTree(ninth.body()).get("error").asText()).contains("namespace 'aggressor' has 8 models", "at most 8",
                    "maxModels");

            // the storm: eight cold models, three rounds, in a mesh that holds six copies and guarantees the victim 40%
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 8; i++) {
                    inferRight(router, "aggressor", "cold" + i);
                }
                inferRight(router, "victim", "hot" + (round % 2 + 1));
            }
            assertThat(loaded(router, "victim")).as("the victim's copies, where they were").isEqualTo(victimBefore);
            // a node writes the rows of the copies a load evicted within moments, not before the load's answer (TablePublisher):
            // right after the storm, a copy the last load evicted may still read LOADED
            Map<String, String> aggressor = loaded(router, "aggressor");
            for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); aggressor.size() > 4 && System.nanoTime() < until; ) {
                Thread.sleep(50);
                aggressor = loaded(router, "aggressor");
            }
            assertThat(aggressor.size()).as("the aggressor's copies that fit beside them").isBetween(1, 4);

            // over the rate: two at once (the burst), then 429 with Retry-After on REST and RESOURCE_EXHAUSTED on gRPC
            register(router, "limited", "m");
            int ok = 0;
            HttpResponse<String> throttled = null;
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> r = send(router, "POST", "/v2/models/m/infer", "limited", Fixtures.v2Body(CASE));
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    throttled = r;
                }
            }
            assertThat(ok).isBetween(2, 3); // the burst, and at most one token refilled meanwhile
            assertThat(throttled).isNotNull();
            assertThat(throttled.statusCode()).isEqualTo(429);
            assertThat(throttled.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 2L));
            assertThat(Fixtures.JSON.readTree(throttled.body()).get("error").asText()).contains("namespace 'limited'", "requestsPerSecond");
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build();
            try {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("meshwork-namespace", Metadata.ASCII_STRING_MARSHALLER), "limited");
                var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 6; i++) {
                        stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(Fixtures.typedRequest("m", CASE));
                    }
                }).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("namespace 'limited'", "requestsPerSecond");
                    assertThat(e.getTrailers().get(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER))).isNotNull();
                });
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            // what the namespaces look like, and the tenant's own meter
            JsonNode list = Fixtures.JSON.readTree(send(router, "GET", "/v1/mesh/namespaces", null, null).body());
            Map<String, JsonNode> byName = new HashMap<>();
            list.path("namespaces").forEach(n -> byName.put(n.path("namespace").asText(), n));
            assertThat(byName).containsKeys("victim", "aggressor", "limited");
            JsonNode victim = byName.get("victim");
            assertThat(victim.path("models").asLong()).isEqualTo(2);
            assertThat(victim.path("shareBytes").asLong()).isEqualTo(list.path("meshBytes").asLong() * 4 / 10);
            assertThat(victim.path("loadedBytes").asLong()).isPositive().isLessThanOrEqualTo(victim.path("shareBytes").asLong());
            assertThat(byName.get("aggressor").path("policy").path("maxModels").asInt()).isEqualTo(8);
            assertThat(byName.get("aggressor").path("hitRatio").asDouble()).isLessThan(victim.path("hitRatio").asDouble());
            String metrics = send(router, "GET", "/metrics", null, null).body();
            assertThat(metrics).containsPattern("meshwork_tenant_throttled_total\\{namespace=\"limited\",reason=\"rate\"} [1-9]");
        }
    }

    @Test
    void policiesSurviveKillMinusNineAndOnlyAdminsWriteThem(@TempDir Path workDir) throws Exception {
        MeshProcess first = MeshProcess.start(workDir);
        try {
            HttpResponse<String> put = send(first, "PUT", "/v1/mesh/namespaces/team-a", null,
                    "{\"memoryShare\": \"2Gi\", \"maxMemory\": \"50%\", \"requestsPerSecond\": 200, \"burst\": 400, \"priority\": 2}");
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            assertThat(send(first, "PUT", "/v1/mesh/namespaces/*", null, "{\"maxModels\": 50}").statusCode()).isEqualTo(201);
            HttpResponse<String> typo = send(first, "PUT", "/v1/mesh/namespaces/team-b", null, "{\"requestPerSecond\": 5}");
            assertThat(typo.statusCode()).isEqualTo(400);
            assertThat(Fixtures.JSON.readTree(typo.body()).get("error").asText()).contains("unknown field 'requestPerSecond'");
            HttpResponse<String> bad = send(first, "PUT", "/v1/mesh/namespaces/team-b", null, "{\"memoryShare\": \"lots\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(Fixtures.JSON.readTree(bad.body()).get("error").asText()).contains("memoryShare");
        } finally {
            first.kill();
        }
        try (MeshProcess second = MeshProcess.start(workDir)) {
            JsonNode teamA = Fixtures.JSON.readTree(send(second, "GET", "/v1/mesh/namespaces/team-a", null, null).body());
            assertThat(teamA.path("ownPolicy").asBoolean()).isTrue();
            assertThat(teamA.path("policy").path("memoryShare").asLong()).isEqualTo(2L << 30);
            assertThat(teamA.path("policy").path("maxMemory").asText()).isEqualTo("50%");
            assertThat(teamA.path("policy").path("burst").asInt()).isEqualTo(400);
            assertThat(teamA.path("policy").path("priority").asInt()).isEqualTo(2);
            JsonNode other = Fixtures.JSON.readTree(send(second, "GET", "/v1/mesh/namespaces/team-z", null, null).body());
            assertThat(other.path("ownPolicy").asBoolean()).isFalse();
            assertThat(other.path("policy").path("maxModels").asInt()).as("the defaults hold").isEqualTo(50);
            assertThat(send(second, "DELETE", "/v1/mesh/namespaces/team-a", null, null).statusCode()).isEqualTo(200);
            assertThat(send(second, "DELETE", "/v1/mesh/namespaces/team-a", null, null).statusCode()).isEqualTo(404);
        }
    }
}
