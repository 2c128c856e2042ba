package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.mmesh.UnregisterModelRequest;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Eight threads register, infer, unregister (REST, and ModelMesh's unregisterModel) one name at
 * once against a real mesh process: every answer is one the API promises for that race (the model
 * is there, is not, or is on its way out), never a 500, and ModelMesh's unregisterModel never says
 * NOT_FOUND, which its contract rules out.
 */
class RegistrationRaceTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension();

    static final String REGISTER = "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\""
            + MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx").toUri() + "\"}";
    static final String INFER = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";

    @Test
    void racingCallsOnOneNameGetOnlyTheAnswersTheRaceAllows() throws Exception {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        ModelMeshGrpc.ModelMeshBlockingStub mm = ModelMeshGrpc.newBlockingStub(mesh.channel());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> workers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int w = 0; w < 8; w++) {
            workers.add(pool.submit(() -> {
                for (int i = 0; i < 150 && System.nanoTime() < deadline; i++) {
                    int op = ThreadLocalRandom.current().nextInt(4);
                    try {
                        MeshExtension.Http r = switch (op) {
                            case 0 -> mesh.put("/v1/mesh/models/racer", REGISTER);
                            case 1 -> mesh.delete("/v1/mesh/models/racer");
                            case 2 -> {
                                mm.withDeadlineAfter(30, TimeUnit.SECONDS)
                                        .unregisterModel(UnregisterModelRequest.newBuilder().setModelId("racer").build());
                                yield new MeshExtension.Http(200, "");
                            }
                            default -> mesh.post("/v2/models/racer/infer", INFER);
                        };
                        seen.computeIfAbsent(op + ":" + r.status(), k -> new AtomicInteger()).incrementAndGet();
                        boolean allowed = switch (op) {
                            case 0 -> r.status() == 200 || r.status() == 201;
                            case 1 -> r.status() == 200 || r.status() == 204 || r.status() == 404;
                            case 2 -> true;
                            default -> r.status() == 200 && r.body().contains("[11.0,22.0]") || r.status() == 404 || r.status() == 503;
                        };
                        if (!allowed) {
                            wrong.add("op " + op + ": " + r.status() + " " + r.body());
                        }
                    } catch (StatusRuntimeException e) {
                        wrong.add("unregisterModel: " + e.getStatus());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        assertThat(wrong).as("answers the race does not allow (seen: %s)", seen).isEmpty();
        assertThat(seen.keySet()).as("the race happened: infers both answered and refused").contains("3:200").containsAnyOf("3:404", "3:503");
        // and the mesh is whole afterwards
        assertThat(mesh.put("/v1/mesh/models/racer", REGISTER).status()).isIn(200, 201);
        assertThat(mesh.post("/v2/models/racer/infer", INFER).body()).contains("[11.0,22.0]");
    }
}
