package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's overload cap ({@code node.overload}) on real processes: with its limit running (two
 * requests held by a hung node), the next inference request is refused where it arrives, at once,
 * with 503 and Retry-After on REST and UNAVAILABLE with a retry pushback on gRPC; when the held
 * requests end, the router serves again at once.
 */
class OverloadTest {
    @TempDir
    Path dir;

    static final String INFER = HungNodeTest.INFER;

    @Test
    void pastItsLimitARouterRefusesOnArrivalAndServesAgainOnceRequestsEnd() throws Exception {
        List<String> slowDetection = List.of("--cluster.failureSeconds=60");
        List<String> router = List.of("--cluster.failureSeconds=60", "--forward.timeoutMs=60000", "--node.overload.enabled=true",
                "--node.overload.minLimit=2", "--node.overload.maxLimit=2", "--node.overload.retryAfterMs=1500");
        try (MeshCluster cluster = MeshCluster.start(dir, 1, 1, slowDetection, router)) {
            MeshProcess r = cluster.router(0);
            cluster.registerOnnx(r, "adder", "add-vectors");
            assertThat(cluster.post(r, "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");
            MeshProcess node = cluster.node(0);
            node.signal("STOP");
            List<CompletableFuture<MeshExtension.Http>> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    held.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return cluster.post(r, "/v2/models/adder/infer", INFER);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
                waitForInFlight(cluster, r, 2);

                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                long started = System.nanoTime();
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(r.http() + "/v2/models/adder/infer")).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(INFER)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("2"); // 1.5 s, rounded up to whole seconds
                assertThat(refused.body()).contains("running its limit of 2 inference requests at once", "node.overload");

                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", r.grpcPort()).usePlaintext().build();
                try {
                    var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
                    var request = Fixtures.typedRequest("adder", Fixtures.cases("add-vectors").get(0));
                    assertThatThrownBy(() -> stub.modelInfer(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("running its limit of 2");
                        assertThat(e.getTrailers().get(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER)))
                                .isEqualTo("1500");
                    });
                } finally {
                    ch.shutdownNow();
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("refused at once, not queued behind the held two")
                        .isLessThan(5_000);
                assertThat(held).noneMatch(CompletableFuture::isDone);
            } finally {
                node.signal("CONT");
            }
            for (CompletableFuture<MeshExtension.Http> h : held) {
                assertThat(h.get(60, TimeUnit.SECONDS).body()).as("the held requests are answered once the node wakes").contains("[11.0,22.0]");
            }
            assertThat(cluster.post(r, "/v2/models/adder/infer", INFER).body()).as("served again at once").contains("[11.0,22.0]");
            String metrics = cluster.get(r, "/metrics").body();
            assertThat(metrics).containsPattern("meshwork_overload_refused_total(\\{[^}]*\\})? 2\\.0");
        }
    }

    /** Waits (bounded) until the router's overload cap counts {@code n} requests in flight. */
    private static void waitForInFlight(MeshCluster cluster, MeshProcess router, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = cluster.get(router, "/metrics").body();
            if (last.matches("(?s).*meshwork_overload_inflight(\\{[^}]*\\})? " + n + "\\.0.*")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the router never counted " + n + " requests in flight: "
                + last.lines().filter(l -> l.startsWith("meshwork_overload")).toList());
    }
}
