package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.meshwork.protocol.mmesh.DeleteVModelRequest;
import dev.meshwork.protocol.mmesh.GetStatusRequest;
import dev.meshwork.protocol.mmesh.GetVModelStatusRequest;
import dev.meshwork.protocol.mmesh.ModelInfo;
import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.mmesh.ModelStatusInfo;
import dev.meshwork.protocol.mmesh.SetVModelRequest;
import dev.meshwork.protocol.mmesh.VModelStatusInfo;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Vmodels against a separate mesh process: a slow new target, a failing one, every protocol, and ModelMesh's gRPC. */
class VModelTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension();
    static final JsonNode CASE = Fixtures.cases("add-vectors").get(0);

    static Path adder(String name) throws Exception {
        Path to = mesh.storage().resolve(name + ".onnx");
        return Files.exists(to) ? to : Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), to);
    }

    static String register(String name, String uri) throws Exception {
        MeshExtension.Http r = mesh.put("/v1/mesh/models/" + name, "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"" + uri + "\"}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return name;
    }

    /** Infers through {@code name} and returns which model answered. */
    static String answeredBy(String name) throws Exception {
        MeshExtension.Http r = mesh.post("/v2/models/" + name + "/infer", Fixtures.v2Body(CASE));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = Fixtures.JSON.readTree(r.body());
        Fixtures.assertOutputs(body.get("outputs"), CASE.get("outputs"));
        return body.get("model_name").asText();
    }

    static JsonNode vmodel(String name) throws Exception {
        MeshExtension.Http r = mesh.get("/v1/mesh/vmodels/" + name);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Fixtures.JSON.readTree(r.body());
    }

    @Test
    void theAliasMovesOnlyOnceTheNewTargetIsLoadedAndStaysWhenItFails() throws Exception {
        register("adder-v1", adder("adder-v1").toString());
        MeshExtension.Http created = mesh.put("/v1/mesh/vmodels/adder", "{\"targetModel\":\"adder-v1\",\"sync\":true,\"loadNow\":true}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(vmodel("adder").get("state").asText()).isEqualTo("DEFINED");
        assertThat(answeredBy("adder")).isEqualTo("adder-v1");

        // v2's artifact comes from a server that holds the download until the test lets it go
        CountDownLatch release = new CountDownLatch(1);
        byte[] model = Files.readAllBytes(adder("adder-v1"));
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.createContext("/", ex -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, model.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(model);
            }
        });
        slow.start();
        try {
            register("adder-v2", "http://127.0.0.1:" + slow.getAddress().getPort() + "/adder-v2/model.onnx");
            assertThat(mesh.put("/v1/mesh/vmodels/adder", "{\"targetModel\":\"adder-v2\"}").status()).isEqualTo(200);
            JsonNode moving = vmodel("adder");
            assertThat(moving.get("state").asText()).isEqualTo("TRANSITIONING");
            assertThat(moving.get("activeModel").asText()).isEqualTo("adder-v1");
            assertThat(moving.get("targetModel").asText()).isEqualTo("adder-v2");
            // traffic keeps going to the loaded model while the new one loads, on every protocol
            assertThat(answeredBy("adder")).isEqualTo("adder-v1");
            var grpc = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
            assertThat(grpc.modelInfer(Fixtures.typedRequest("adder", CASE)).getModelName()).isEqualTo("adder-v1");
            assertThat(mesh.post("/v1/models/adder:predict", "{\"inputs\":{\"a\":[[1,2]],\"b\":[[10,20]]}}").status()).isEqualTo(200);
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> vmodel("adder").get("state").asText().equals("DEFINED"));
            assertThat(vmodel("adder").get("activeModel").asText()).isEqualTo("adder-v2");
            assertThat(answeredBy("adder")).isEqualTo("adder-v2");
        } finally {
            release.countDown();
            slow.stop(0);
        }

        // a target that cannot load leaves the alias where it was, and says why
        Path broken = Files.writeString(mesh.storage().resolve("adder-broken.onnx"), "not a model");
        register("adder-broken", broken.toString());
        MeshExtension.Http failed = mesh.put("/v1/mesh/vmodels/adder", "{\"targetModel\":\"adder-broken\",\"sync\":true}");
        assertThat(failed.status()).isEqualTo(200);
        JsonNode f = Fixtures.JSON.readTree(failed.body());
        assertThat(f.get("state").asText()).isEqualTo("TRANSITION_FAILED");
        assertThat(f.get("activeModel").asText()).isEqualTo("adder-v2");
        assertThat(f.get("error").asText()).contains("target model 'adder-broken' did not load").contains("ONNX Runtime could not load");
        assertThat(answeredBy("adder")).isEqualTo("adder-v2");

        // models in use cannot be pulled from under the alias; names do not collide
        MeshExtension.Http inUse = mesh.delete("/v1/mesh/models/adder-v2");
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.body()).contains("model 'adder-v2' is in use by vmodel 'adder'");
        assertThat(mesh.put("/v1/mesh/models/adder", "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"" + adder("adder-v1") + "\"}").body())
                .contains("'adder' is already a vmodel's name");
        assertThat(mesh.put("/v1/mesh/vmodels/adder", "{\"targetModel\":\"adder-v1\",\"expectedTargetModel\":\"adder-v1\"}").body())
                .contains("vmodel 'adder' targets 'adder-broken', not the expected 'adder-v1'");
        assertThat(mesh.put("/v1/mesh/vmodels/adder", "{\"targetModel\":\"adder-v1\",\"colour\":\"blue\"}").status()).isEqualTo(400);

        // back to a model that is loaded: no transition needed
        JsonNode back = Fixtures.JSON.readTree(mesh.put("/v1/mesh/vmodels/adder", "{\"targetModel\":\"adder-v2\"}").body());
        assertThat(back.get("state").asText()).isEqualTo("DEFINED");
        assertThat(mesh.delete("/v1/mesh/vmodels/adder").status()).isEqualTo(200);
        assertThat(mesh.get("/v1/mesh/vmodels/adder").status()).isEqualTo(404);
        assertThat(mesh.post("/v2/models/adder/infer", Fixtures.v2Body(CASE)).status()).isEqualTo(404);
        assertThat(mesh.delete("/v1/mesh/models/adder-v2").status()).isEqualTo(200);
    }

    @Test
    void modelMeshClientsManageVModelsAndRouteWithItsHeaders() throws Exception {
        ModelMeshGrpc.ModelMeshBlockingStub mm = ModelMeshGrpc.newBlockingStub(mesh.channel());
        ModelInfo onnx = ModelInfo.newBuilder().setType("onnx").setPath(adder("mm-v1").toString()).build();
        VModelStatusInfo s = mm.setVModel(SetVModelRequest.newBuilder().setVModelId("mm-alias").setOwner("team-a")
                .setTargetModelId("mm-v1").setModelInfo(onnx).setAutoDeleteTargetModel(true).setLoadNow(true).setSync(true).build());
        assertThat(s.getStatus()).isEqualTo(VModelStatusInfo.VModelStatus.DEFINED);
        assertThat(s.getActiveModelStatus().getStatus()).isEqualTo(ModelStatusInfo.ModelStatus.LOADED);
        assertThat(s.getOwner()).isEqualTo("team-a");

        // ModelMesh's routing headers pick the vmodel or the model whatever model_name says
        Metadata byVModel = new Metadata();
        byVModel.put(Metadata.Key.of("mm-vmodel-id", Metadata.ASCII_STRING_MARSHALLER), "mm-alias");
        var infer = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
        assertThat(infer.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(byVModel))
                .modelInfer(Fixtures.typedRequest("ignored", CASE)).getModelName()).isEqualTo("mm-v1");
        Metadata byModel = new Metadata();
        byModel.put(Metadata.Key.of("mm-model-id", Metadata.ASCII_STRING_MARSHALLER), "mm-v1");
        assertThat(infer.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(byModel))
                .modelInfer(Fixtures.typedRequest("ignored", CASE)).getModelName()).isEqualTo("mm-v1");

        // moving on to an auto-delete target: the old auto-delete model goes once the alias left it
        ModelInfo onnx2 = ModelInfo.newBuilder().setType("onnx").setPath(adder("mm-v2").toString()).build();
        VModelStatusInfo moved = mm.setVModel(SetVModelRequest.newBuilder().setVModelId("mm-alias").setOwner("team-a")
                .setTargetModelId("mm-v2").setModelInfo(onnx2).setAutoDeleteTargetModel(true).setSync(true).build());
        assertThat(moved.getStatus()).isEqualTo(VModelStatusInfo.VModelStatus.DEFINED);
        assertThat(moved.getActiveModelId()).isEqualTo("mm-v2");
        assertThat(mm.getModelStatus(GetStatusRequest.newBuilder().setModelId("mm-v1").build()).getStatus())
                .isEqualTo(ModelStatusInfo.ModelStatus.NOT_FOUND);

        ModelMeshApiTest.assertGrpcError(() -> mm.setVModel(SetVModelRequest.newBuilder().setVModelId("mm-alias").setOwner("team-b")
                .setTargetModelId("mm-v2").build()), Status.Code.ALREADY_EXISTS, "belongs to another owner");
        // a request that names no owner may not change an owned vmodel either, and is not told whose it is
        ModelMeshApiTest.assertGrpcError(() -> mm.setVModel(SetVModelRequest.newBuilder().setVModelId("mm-alias")
                .setTargetModelId("mm-v2").build()), Status.Code.ALREADY_EXISTS, "belongs to another owner");
        ModelMeshApiTest.assertGrpcError(() -> mm.deleteVModel(DeleteVModelRequest.newBuilder().setVModelId("mm-alias").build()),
                Status.Code.ALREADY_EXISTS, "belongs to another owner");
        ModelMeshApiTest.assertGrpcError(() -> mm.setVModel(SetVModelRequest.newBuilder().setVModelId("mm-alias").setOwner("team-a")
                .setTargetModelId("mm-v2").setExpectedTargetModelId("mm-v1").build()), Status.Code.FAILED_PRECONDITION, "not the expected 'mm-v1'");
        ModelMeshApiTest.assertGrpcError(() -> mm.setVModel(SetVModelRequest.newBuilder().setVModelId("mm-new")
                .setTargetModelId("mm-v2").setUpdateOnly(true).build()), Status.Code.NOT_FOUND, "updateOnly is set");
        ModelMeshApiTest.assertGrpcError(() -> mm.setVModel(SetVModelRequest.newBuilder().setVModelId("mm-new")
                .setTargetModelId("nothing").build()), Status.Code.NOT_FOUND, "model 'nothing' is not registered");

        mm.deleteVModel(DeleteVModelRequest.newBuilder().setVModelId("mm-alias").setOwner("team-a").build());
        assertThat(mm.getVModelStatus(GetVModelStatusRequest.newBuilder().setVModelId("mm-alias").build()).getStatus())
                .isEqualTo(VModelStatusInfo.VModelStatus.NOT_FOUND);
        // its auto-delete target went with it
        assertThat(mm.getModelStatus(GetStatusRequest.newBuilder().setModelId("mm-v2").build()).getStatus())
                .isEqualTo(ModelStatusInfo.ModelStatus.NOT_FOUND);
    }

    @Test
    void aSplitSharesTrafficByWeightSticksByHeaderAndIsPromotedAndRolledBackWithNoFailedRequest() throws Exception {
        register("split-a", adder("split-a").toString());
        register("split-b", adder("split-b").toString());
        assertThat(mesh.put("/v1/mesh/vmodels/split", "{\"targetModel\":\"split-a\",\"sync\":true,\"loadNow\":true}").status()).isEqualTo(201);

        // traffic never meets a cold arm: the split applies once split-b has loaded
        JsonNode set = Fixtures.JSON.readTree(mesh.put("/v1/mesh/vmodels/split",
                "{\"traffic\":[{\"model\":\"split-a\",\"weight\":75},{\"model\":\"split-b\",\"weight\":25}],\"sync\":true}").body());
        assertThat(set.get("state").asText()).as(set.toString()).isEqualTo("DEFINED");
        assertThat(set.get("activeModel").asText()).isEqualTo("split-a");
        assertThat(set.at("/traffic/shares/1/model").asText()).isEqualTo("split-b");
        assertThat(set.at("/traffic/shares/1/weight").asInt()).isEqualTo(25);
        assertThat(mesh.get("/v1/mesh/models/split-b").body()).contains("\"state\":\"LOADED\"");

        // REST and gRPC alike follow the weights; 200 draws at 25%: outside 20..85 has a chance below one in a million
        Map<String, Integer> answered = new HashMap<>();
        var grpc = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
        for (int i = 0; i < 100; i++) {
            answered.merge(answeredBy("split"), 1, Integer::sum);
            answered.merge(grpc.modelInfer(Fixtures.typedRequest("split", CASE)).getModelName(), 1, Integer::sum);
        }
        assertThat(answered.keySet()).containsExactlyInAnyOrder("split-a", "split-b");
        assertThat(answered.get("split-b")).isBetween(20, 85);
        String metrics = mesh.get("/metrics").body();
        assertThat(metrics).contains("meshwork_vmodel_requests_total{model=\"split-b\",vmodel=\"split\"} " + answered.get("split-b") + ".0");

        // sticky: one user's requests stay on one arm, on both protocols; users spread over both arms
        mesh.put("/v1/mesh/vmodels/split", "{\"traffic\":[{\"model\":\"split-a\",\"weight\":50},{\"model\":\"split-b\",\"weight\":50}],"
                + "\"stickyHeader\":\"x-user\"}");
        Set<String> arms = new HashSet<>();
        for (int user = 0; user < 24; user++) {
            String first = answeredBy("split", "x-user", "user-" + user);
            Metadata h = new Metadata();
            h.put(Metadata.Key.of("x-user", Metadata.ASCII_STRING_MARSHALLER), "user-" + user);
            for (int i = 0; i < 3; i++) {
                assertThat(answeredBy("split", "x-user", "user-" + user)).as("user-" + user).isEqualTo(first);
                assertThat(grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h)).modelInfer(Fixtures.typedRequest("split", CASE))
                        .getModelName()).as("user-" + user + " over gRPC").isEqualTo(first);
            }
            arms.add(first);
        }
        assertThat(mesh.delete("/v1/mesh/models/split-b").body()).as("a model in a split is in use").contains("is in use by vmodel 'split'");
        assertThat(arms).as("24 users at 50/50 all on one arm has a chance of 1 in 8 million").containsExactlyInAnyOrder("split-a", "split-b");

        // promoted and rolled back under steady traffic: not one request fails, and each change holds at once
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        Thread load = Thread.ofVirtual().start(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!stop.get() && System.nanoTime() < until) {
                try {
                    MeshExtension.Http r = mesh.post("/v2/models/split/infer", Fixtures.v2Body(CASE));
                    (r.status() == 200 ? served : failures).incrementAndGet();
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            }
        });
        try {
            JsonNode promoted = Fixtures.JSON.readTree(mesh.put("/v1/mesh/vmodels/split", "{\"targetModel\":\"split-b\"}").body());
            assertThat(promoted.get("state").asText()).isEqualTo("DEFINED");
            assertThat(promoted.has("traffic")).isFalse();
            for (int i = 0; i < 10; i++) {
                assertThat(answeredBy("split")).isEqualTo("split-b");
            }
            JsonNode rolledBack = Fixtures.JSON.readTree(mesh.put("/v1/mesh/vmodels/split", "{\"targetModel\":\"split-a\"}").body());
            assertThat(rolledBack.get("state").asText()).as("split-a is loaded: the move is at once").isEqualTo("DEFINED");
            for (int i = 0; i < 10; i++) {
                assertThat(answeredBy("split")).isEqualTo("split-a");
            }
        } finally {
            stop.set(true);
            load.join(Duration.ofSeconds(70));
        }
        assertThat(failures.get()).as("requests failed while the split changed").isZero();
        assertThat(served.get()).isPositive();

        // what a split may not be
        assertThat(mesh.put("/v1/mesh/vmodels/split", "{\"traffic\":[{\"model\":\"split-a\",\"weight\":1},{\"model\":\"nothing\",\"weight\":1}]}")
                .body()).contains("model 'nothing' is not registered");
        MeshExtension.Http zero = mesh.put("/v1/mesh/vmodels/split", "{\"traffic\":[{\"model\":\"split-a\",\"weight\":0}]}");
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.body()).contains("must not all be 0");
        assertThat(mesh.put("/v1/mesh/vmodels/split", "{\"traffic\":[{\"model\":\"split-a\",\"share\":1}]}").body())
                .contains("unknown field 'share'");
        assertThat(mesh.put("/v1/mesh/vmodels/split", "{\"targetModel\":\"split-a\",\"stickyHeader\":\"x-user\"}").body())
                .contains("needs a \\\"traffic\\\" split");
        assertThat(mesh.put("/v1/mesh/vmodels/split", "{\"targetModel\":\"split-b\",\"traffic\":[{\"model\":\"split-a\",\"weight\":1}]}")
                .body()).contains("must be one of its traffic split's models");
        assertThat(mesh.delete("/v1/mesh/vmodels/split").status()).isEqualTo(200);
    }

    /** Infers through {@code name} with headers (name, value...) and returns which model answered. */
    static String answeredBy(String name, String... headers) throws Exception {
        MeshExtension.Http r = mesh.post("/v2/models/" + name + "/infer", Fixtures.v2Body(CASE), headers);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Fixtures.JSON.readTree(r.body()).get("model_name").asText();
    }
}
