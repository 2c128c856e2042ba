package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that hangs (SIGSTOP) with a request in flight: once the cluster declares it gone, the
 * router fails that call over to another node within the client's deadline, instead of waiting
 * for the node to wake up or for the whole forward timeout (60 s).
 */
class HungNodeTest {
    @TempDir
    Path dir;

    static final String INFER = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";

    @Test
    void aCallToAHungNodeFailsOverOnceTheNodeIsDeclaredGone() throws Exception {
        try (MeshCluster cluster = MeshCluster.start(dir, 1, 2, List.of(), List.of("--forward.timeoutMs=60000"))) {
            MeshProcess router = cluster.router(0);
            cluster.registerOnnx(router, "adder", "add-vectors");
            assertThat(cluster.post(router, "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");
            String holder = cluster.get(router, "/v1/mesh/models/adder").body().replaceAll("(?s).*\"node\":\"(node-\\d)\".*", "$1");
            MeshProcess hung = cluster.node(holder.equals("node-0") ? 0 : 1);
            hung.signal("STOP");
            try {
                long started = System.nanoTime();
                CompletableFuture<MeshExtension.Http> call = CompletableFuture.supplyAsync(() -> {
                    try {
                        return cluster.post(router, "/v2/models/adder/infer", INFER);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                MeshExtension.Http answer = call.get(40, TimeUnit.SECONDS);
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).contains("[11.0,22.0]");
                assertThat(tookMs).as("answered by the other node after failure detection, well before the 60 s forward timeout")
                        .isLessThan(30_000);
            } finally {
                hung.signal("CONT");
            }
        }
    }

    @Test
    void aNodeThatLetsCallsTimeOutIsPassedOverBeforeTheClusterDeclaresItGone() throws Exception {
        // the cluster would take a minute to declare a hung node gone; clients with deadlines must not wait for that
        List<String> slowDetection = List.of("--cluster.failureSeconds=60");
        try (MeshCluster cluster = MeshCluster.start(dir, 1, 2, slowDetection, slowDetection)) {
            MeshProcess router = cluster.router(0);
            cluster.registerOnnx(router, "adder", "add-vectors");
            assertThat(cluster.post(router, "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");
            String holder = cluster.get(router, "/v1/mesh/models/adder").body().replaceAll("(?s).*\"node\":\"(node-\\d)\".*", "$1");
            MeshProcess hung = cluster.node(holder.equals("node-0") ? 0 : 1);
            io.grpc.ManagedChannel ch = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", router.grpcPort())
                    .usePlaintext().build();
            hung.signal("STOP");
            try {
                var stub = dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc.newBlockingStub(ch);
                var request = dev.meshwork.testing.Fixtures.typedRequest("adder", dev.meshwork.testing.Fixtures.cases("add-vectors").get(0));
                long started = System.nanoTime();
                long answeredMs = -1;
                int timedOut = 0;
                for (int i = 0; i < 40 && answeredMs < 0; i++) {
                    try {
                        stub.withDeadlineAfter(1_500, TimeUnit.MILLISECONDS).modelInfer(request);
                        answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    } catch (io.grpc.StatusRuntimeException e) {
                        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED);
                        timedOut++;
                    }
                }
                System.out.printf("hung node passed over: first answer %d ms after the stop, %d calls timed out before it%n", answeredMs, timedOut);
                assertThat(answeredMs).as("answered by the other node within seconds, not after the minute the cluster takes")
                        .isBetween(0L, 15_000L);
                String metrics = cluster.get(router, "/metrics").body();
                assertThat(metrics).contains("meshwork_forward_suspicions_total{cause=\"timeout\"}");
            } finally {
                hung.signal("CONT");
                ch.shutdownNow();
            }
        }
    }
}
