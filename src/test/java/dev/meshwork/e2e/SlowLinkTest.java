package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.InferTensorContents;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.testing.FaultProxy;
import dev.meshwork.testing.FreePorts;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad links between a router and a node, made by a TCP fault proxy of our own (nodes advertise
 * 127.0.0.2, where the proxies listen, and listen on 127.0.0.1): with a model on both nodes, a node
 * behind a slow link gets less of the traffic (the power of two choices by requests in flight); a
 * stalled link costs a client no more than its deadline; and when one node resets every
 * connection, requests still succeed on the other while the retries stay within the budget.
 */
class SlowLinkTest {
    @TempDir
    Path dir;

    private static final Pattern HITS = Pattern.compile("meshwork_cache_requests_total\\{[^}]*result=\"hit\"[^}]*} ([0-9.E]+)");
    private static final Pattern RETRIES = Pattern.compile("meshwork_forward_retries_total\\{[^}]*} ([0-9.E]+)");
    private final HttpClient http = HttpClient.newHttpClient();

    private double sum(String url, Pattern p) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        double total = 0;
        Matcher m = p.matcher(text);
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    private static ModelInferRequest request(int a) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("adder");
        b.addInputsBuilder().setName("a").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(a).addFp32Contents(2));
        b.addInputsBuilder().setName("b").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(10).addFp32Contents(20));
        return b.build();
    }

    /** Runs {@code users} closed-loop clients for {@code seconds}; returns each call's outcome ("ok" or the status) and time. */
    private static List<String> load(ManagedChannel ch, int users, double seconds, long deadlineMs, ConcurrentLinkedQueue<Long> millis)
            throws InterruptedException {
        ConcurrentLinkedQueue<String> out = new ConcurrentLinkedQueue<>();
        long until = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            threads.add(Thread.ofPlatform().start(() -> {
                var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch);
                for (int i = 0; System.nanoTime() < until && i < 100_000; i++) {
                    long t = System.nanoTime();
                    try {
                        var r = stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).modelInfer(request(i % 100));
                        out.add(Fixtures.outputs(r).get(0).get("data").get(0).asDouble() == i % 100 + 10 ? "ok" : "wrong");
                    } catch (StatusRuntimeException e) {
                        out.add(e.getStatus().getCode().name());
                    }
                    millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis((long) seconds + 30));
        }
        return List.copyOf(out);
    }

    @Test
    void slowStalledAndResettingLinksCostWhatTheyShould() throws Exception {
        int[] ports = {FreePorts.next(), FreePorts.next()};
        List<FaultProxy> proxies = new ArrayList<>();
        for (int port : ports) {
            proxies.add(new FaultProxy(new InetSocketAddress("127.0.0.2", port), new InetSocketAddress("127.0.0.1", port)));
        }
        try (MeshCluster cluster = MeshCluster.start(dir, 1, 2, List.of("--grpc.advertiseHost=127.0.0.2"),
                List.of("--scaling.requestsPerCopy=1", "--scaling.idleMs=600000"), i -> List.of("--grpc.port=" + ports[i]))) {
            MeshProcess router = cluster.router(0);
            cluster.registerOnnx(router, "adder", "add-vectors");
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build();
            try {
                // traffic until the model runs on both nodes
                await("a copy on each node").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    load(ch, 4, 1, 10_000, new ConcurrentLinkedQueue<>());
                    JsonNode copies = Fixtures.JSON.readTree(cluster.get(router, "/v1/mesh/models/adder").body()).get("copies");
                    int loaded = 0;
                    for (JsonNode c : copies) {
                        loaded += c.get("state").asText().equals("LOADED") ? 1 : 0;
                    }
                    return loaded == 2;
                });

                // a slow link: 20 ms each way in front of node-0
                proxies.get(0).latency(20);
                double slowBefore = sum(cluster.node(0).http() + "/metrics", HITS);
                double fastBefore = sum(cluster.node(1).http() + "/metrics", HITS);
                List<String> slow = load(ch, 8, 5, 10_000, new ConcurrentLinkedQueue<>());
                double toSlow = sum(cluster.node(0).http() + "/metrics", HITS) - slowBefore;
                double toFast = sum(cluster.node(1).http() + "/metrics", HITS) - fastBefore;
                System.out.printf("slow link: node-0 (+40 ms round trip) served %.0f, node-1 %.0f (share %.3f)%n", toSlow, toFast,
                        toSlow / (toSlow + toFast));
                assertThat(slow).as("every answer right").containsOnly("ok");
                assertThat(toSlow / (toSlow + toFast)).as("the slow node gets less of the traffic").isLessThan(0.3);
                proxies.get(0).latency(0);

                // a stalled link: calls that went there end at the client's deadline, no later
                proxies.get(0).stall(true);
                ConcurrentLinkedQueue<Long> stalledMillis = new ConcurrentLinkedQueue<>();
                List<String> stalled = load(ch, 4, 4, 1_000, stalledMillis);
                long worst = stalledMillis.stream().mapToLong(Long::longValue).max().orElse(0);
                System.out.printf("stalled link: %d calls, %d ok, worst %d ms against a 1000 ms deadline%n", stalled.size(),
                        stalled.stream().filter("ok"::equals).count(), worst);
                assertThat(stalled).as("ok or the deadline, nothing else").allMatch(s -> s.equals("ok") || s.equals("DEADLINE_EXCEEDED"));
                assertThat(worst).as("no call outlives its deadline by much").isLessThan(1_500);
                proxies.get(0).stall(false);
                proxies.get(0).resetAll(); // the stalled connection's bytes are stale; the router reconnects

                // a resetting link: every connection to node-0 is cut; the other node answers, retries stay within the budget
                double retriesBefore = sum(router.http() + "/metrics", RETRIES);
                proxies.get(0).refuse(true);
                proxies.get(0).resetAll();
                AtomicInteger requests = new AtomicInteger();
                List<String> reset = load(ch, 8, 5, 10_000, new ConcurrentLinkedQueue<>());
                requests.addAndGet(reset.size());
                double retries = sum(router.http() + "/metrics", RETRIES) - retriesBefore;
                System.out.printf("resetting link: %d requests, %d ok, %.0f retries (node-0 saw %d resets)%n", reset.size(),
                        reset.stream().filter("ok"::equals).count(), retries, proxies.get(0).resets());
                assertThat(reset).as("answered by the other node").containsOnly("ok");
                assertThat(retries).as("retries within the budget: a fifth of the requests, 10 a second, 100 saved")
                        .isLessThanOrEqualTo(0.2 * requests.get() + 10 * 5 + 100);
            } finally {
                ch.shutdownNow();
            }
        } finally {
            for (FaultProxy p : proxies) {
                p.close();
            }
        }
    }
}
