package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dynamic batching on a real mesh process: concurrent one-row requests over REST and gRPC to a
 * model registered with batching share batches, each caller gets exactly its own rows (the cases
 * differ, so a mix-up shows), the registration shows its settings, and the meters count the batches.
 */
class BatchingTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension();

    @Test
    void concurrentRequestsShareBatchesOnBothProtocolsAndEachGetsItsOwnRows() throws Exception {
        String uri = MeshProcess.repoRoot().resolve("examples/onnx/mlp-classifier/model.onnx").toUri().toString();
        MeshExtension.Http put = mesh.put("/v1/mesh/models/batched", "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri
                + "\", \"batching\": {\"maxBatchSize\": 16, \"maxLatency\": 20}}");
        assertThat(put.status()).as(put.body()).isEqualTo(201);
        JsonNode status = Fixtures.JSON.readTree(put.body());
        assertThat(status.path("batching").path("maxBatchSize").asInt()).isEqualTo(16);
        assertThat(status.path("batching").path("maxLatency").asDouble()).isEqualTo(20.0);
        MeshExtension.Http typo = mesh.put("/v1/mesh/models/typo", "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri
                + "\", \"batching\": {\"maxBatch\": 16}}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.body()).contains("unknown field 'maxBatch'");

        JsonNode cases = Fixtures.cases("mlp-classifier");
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
        ExecutorService users = Executors.newFixedThreadPool(24);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int u = 0; u < 24; u++) {
                int user = u;
                done.add(users.submit(() -> {
                    go.await();
                    for (int i = 0; i < 15; i++) {
                        JsonNode c = cases.get((user + i) % cases.size());
                        if ((user + i) % 2 == 0) {
                            MeshExtension.Http r = mesh.post("/v2/models/batched/infer", Fixtures.v2Body(c));
                            assertThat(r.status()).as(r.body()).isEqualTo(200);
                            Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
                        } else {
                            var answer = stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(Fixtures.typedRequest("batched", c));
                            Fixtures.assertOutputs(Fixtures.outputs(answer), c.get("outputs"));
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            users.shutdownNow();
        }
        String metrics = mesh.get("/metrics").body();
        double requests = metric(metrics, "meshwork_batch_requests_sum\\{model=\"batched\"}");
        double batches = metric(metrics, "meshwork_batches_total\\{model=\"batched\"}");
        assertThat(requests).isEqualTo(24 * 15);
        assertThat(batches).as("fewer model runs than requests: they shared batches").isLessThan(requests);
        assertThat(metric(metrics, "meshwork_batch_size_max\\{model=\"batched\"}")).isBetween(2.0, 16.0);
    }

    private static double metric(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(m.find()).as("%s in the scrape", name).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
