package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local autoscaler ({@code ./meshwork up --nodes auto}) with real processes: a cluster router
 * that starts and stops node processes to follow its own meshwork_desired_nodes. From no node, the
 * first request is held while a node starts and is answered; a burst whose models need more slot
 * memory than one node grows the pool to two; when it ends, the pool shrinks to one with a trickle
 * of requests going on and none failing; idle, it goes back to no node, and the next request
 * brings one back. A router killed outright takes its nodes with it.
 */
class LocalNodePoolTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonNode CASE = Fixtures.cases("mlp-classifier").get(0);

    @Test
    void thePoolGrowsFromZeroUnderABurstAndShrinksBackWithNoFailedRequest(@TempDir Path dir) throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        for (String m : List.of("m0", "m1", "m2")) {
            Files.createDirectories(models.resolve(m));
            Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/mlp-classifier/model.onnx"), models.resolve(m).resolve("model.onnx"));
        }
        // one ONNX slot of 2.5 MB a node: two of the three models (about 1 MiB each as the node counts them) fit on one
        Path nodeConfig = Files.writeString(dir.resolve("node.yaml"), "node:\n  storage:\n    roots: [\"" + models + "\"]\n"
                + "    cacheDir: \"" + dir.resolve("artifacts") + "\"\n  slots:\n    - {runtime: onnx, adapter: onnx, memoryBytes: 2500000}\n");
        int clusterPort = MeshProcess.freePort();
        MeshProcess router = MeshProcess.router(dir.resolve("router"), List.of("--cluster.name=pool-" + UUID.randomUUID().toString().substring(0, 8),
                "--cluster.port=" + clusterPort, "--cluster.members=127.0.0.1:" + clusterPort, "--registry.jdbcUrl=",
                "--node.storage.roots=" + models, "--autoscale.local.enabled=true", "--autoscale.local.nodeConfig=" + nodeConfig,
                "--autoscale.local.logDir=" + dir.resolve("pool"), "--autoscale.minNodes=0", "--autoscale.maxNodes=2",
                "--autoscale.intervalMs=200", "--autoscale.windowMs=3000", "--autoscale.idleMs=5000", "--autoscale.upCooldownMs=0",
                "--autoscale.downStabilizationMs=3000", "--forward.nodeWaitMs=60000"));
        try {
            Thread.sleep(1_500);
            assertThat(nodes(router)).as("no traffic yet: no node").isEmpty();
            for (String m : List.of("m0", "m1", "m2")) {
                HttpResponse<String> r = send(router, HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/models/" + m))
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"file://"
                                + models.resolve(m).resolve("model.onnx") + "\"}")));
                assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
            }

            long fromZero = timedInfer(router, "m0");
            System.out.printf("first answer from no node: %d ms (node start + join + load + inference)%n", fromZero);
            assertThat(nodes(router)).hasSize(1);

            // the burst: all three models at once, more than one node's slot holds
            AtomicBoolean bursting = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger answered = new AtomicInteger();
            ExecutorService users = Executors.newFixedThreadPool(3);
            List<Future<?>> burst = new ArrayList<>();
            long burstStarted = System.nanoTime();
            for (String m : List.of("m0", "m1", "m2")) {
                burst.add(users.submit(() -> loop(router, m, bursting, 0, failures, answered)));
            }
            await("the pool grows to two nodes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodes(router).size() == 2);
            System.out.printf("grew to 2 nodes %d ms into the burst%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstStarted));
            Thread.sleep(1_000);
            bursting.set(false);
            for (Future<?> f : burst) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(failures).as("no request failed during the burst").isEmpty();

            // the burst ends; a trickle to one model goes on while the pool sheds the node it no longer needs
            AtomicBoolean trickling = new AtomicBoolean(true);
            int before = answered.get();
            long shrinkStarted = System.nanoTime();
            Future<?> trickle = users.submit(() -> loop(router, "m0", trickling, 50, failures, answered));
            await("the pool shrinks to one node").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodes(router).size() == 1);
            System.out.printf("shrank to 1 node %d ms after the burst%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - shrinkStarted));
            Thread.sleep(1_000);
            trickling.set(false);
            trickle.get(30, TimeUnit.SECONDS);
            users.shutdownNow();
            assertThat(failures).as("no request failed while a node drained and left").isEmpty();
            assertThat(answered.get() - before).as("the trickle was served throughout").isGreaterThan(10);

            await("idle, the pool goes back to no node").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodes(router).isEmpty());
            long again = timedInfer(router, "m1");
            System.out.printf("first answer from no node, again: %d ms%n", again);
            Set<String> logs = new TreeSet<>();
            try (var files = Files.list(dir.resolve("pool"))) {
                files.forEach(f -> logs.add(f.getFileName().toString()));
            }
            assertThat(logs).as("each node the pool started has its log").contains("node-0.log", "node-1.log", "node-2.log");
            assertThat(Files.readString(router.log())).contains("local node pool: 0 nodes wanted").contains("which drains first");

            // a router killed outright takes its pool's nodes with it (they would serve nobody)
            List<ProcessHandle> nodes = ProcessHandle.of(router.pid()).orElseThrow().descendants().toList();
            assertThat(nodes).as("the node the last request started runs, a child of the router").isNotEmpty();
            router.kill();
            await("the pool's nodes end with their router").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodes.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            router.close(); // stops the pool's nodes too (they drain)
        }
    }

    /** Requests {@code model} until told to stop, pausing {@code pauseMs} between; each failure is noted. */
    private static Void loop(MeshProcess router, String model, AtomicBoolean going, long pauseMs, ConcurrentLinkedQueue<String> failures,
                             AtomicInteger answered) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (going.get() && System.nanoTime() < deadline) {
            HttpResponse<String> r = send(router, HttpRequest.newBuilder(URI.create(router.http() + "/v2/models/" + model + "/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(CASE))));
            if (r.statusCode() == 200) {
                answered.incrementAndGet();
            } else {
                failures.add(model + ": " + r.statusCode() + " " + r.body());
            }
            if (pauseMs > 0) {
                Thread.sleep(pauseMs);
            }
        }
        return null;
    }

    private static long timedInfer(MeshProcess router, String model) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> r = send(router, HttpRequest.newBuilder(URI.create(router.http() + "/v2/models/" + model + "/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(CASE))));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), CASE.get("outputs"));
        return ms;
    }

    private static List<String> nodes(MeshProcess router) throws Exception {
        HttpResponse<String> r = send(router, HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/nodes")).GET());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        Fixtures.JSON.readTree(r.body()).path("nodes").forEach(n -> out.add(n.path("node").asText()));
        return out;
    }

    private static HttpResponse<String> send(MeshProcess router, HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.header("Content-Type", "application/json").timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
