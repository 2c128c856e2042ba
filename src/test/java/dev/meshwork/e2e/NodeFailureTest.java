package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * One router and three nodes under steady load: a rolling restart of every node (SIGTERM, so each
 * drains) fails no request; then a node is killed with kill -9, its copies leave the table, its
 * models are served again from the other nodes, and no registration is lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeFailureTest {
    static final String[] EXAMPLES = {"mlp-classifier", "add-vectors", "typed-ops"};
    static final int MODELS = 9;

    @TempDir
    static Path dir;
    static MeshCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        // low thresholds, so that a few threads make a model busy and a short pause makes a copy idle
        // each node writes its audit file in its own working directory
        cluster = MeshCluster.start(dir, 1, 3, List.of("--security.auditFile=audit.log"), List.of("--scaling.requestsPerCopy=20", "--scaling.idleMs=2000"));
        for (int i = 0; i < MODELS; i++) {
            cluster.registerOnnx(cluster.router(0), model(i), EXAMPLES[i % EXAMPLES.length]);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String model(int i) {
        return "f-" + i;
    }

    static String infer(int i) throws Exception {
        JsonNode cs = Fixtures.cases(EXAMPLES[i % EXAMPLES.length]).get(0);
        MeshExtension.Http r = cluster.post(cluster.router(0), "/v2/models/" + model(i) + "/infer", Fixtures.v2Body(cs));
        if (r.status() != 200) {
            return model(i) + ": " + r.status() + " " + r.body();
        }
        Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), cs.get("outputs"));
        return null;
    }

    /** Requests for every model, round and round, until stopped; failures are collected. */
    static final class SteadyLoad implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        final Future<Integer> sent;
        final java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();

        SteadyLoad() {
            sent = pool.submit(() -> {
                int n = 0;
                while (running.get() && n < 200_000) {
                    String f = infer(n % MODELS);
                    if (f != null) {
                        failures.add(System.currentTimeMillis() + " " + f);
                    }
                    answered.incrementAndGet();
                    n++;
                }
                return n;
            });
        }

        int stop() throws Exception {
            running.set(false);
            return sent.get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            running.set(false);
            pool.shutdownNow();
        }
    }

    static JsonNode models() throws Exception {
        return Fixtures.JSON.readTree(cluster.get(cluster.router(0), "/v1/mesh/models").body()).get("models");
    }

    static List<String> modelsOn(String node) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode m : models()) {
            for (JsonNode c : m.get("copies")) {
                if (c.get("node").asText().equals(node)) {
                    out.add(m.get("name").asText());
                }
            }
        }
        return out;
    }

    static List<String> copyNodes(String model) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode c : Fixtures.JSON.readTree(cluster.get(cluster.router(0), "/v1/mesh/models/" + model).body()).get("copies")) {
            if (c.get("state").asText().equals("LOADED")) {
                out.add(c.get("node").asText());
            }
        }
        return out;
    }

    @Test
    @Order(0)
    void aBusyModelGetsMoreCopiesAndIdleOnesAreReleased() throws Exception {
        assertThat(infer(0)).isNull();
        assertThat(copyNodes(model(0))).hasSize(1);
        AtomicBoolean busy = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        for (int t = 0; t < 3; t++) {
            pool.submit(() -> {
                for (int n = 0; busy.get() && n < 100_000; n++) {
                    String f = infer(0);
                    if (f != null) {
                        failures.add(f);
                    }
                }
                return null;
            });
        }
        await("a busy model gets a second copy").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> copyNodes(model(0)).size() >= 2);
        List<String> scaled = copyNodes(model(0));
        busy.set(false);
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(scaled).as("copies of a busy model, each on its own node").hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
        assertThat(failures).isEmpty();
        await("idle extra copies are released").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> copyNodes(model(0)).size() <= 1);
        assertThat(copyNodes(model(0))).as("idle extra copies are released, one stays").hasSize(1);
        String metrics = cluster.get(cluster.router(0), "/metrics").body();
        assertThat(metrics).containsPattern("meshwork_copies_scaled_total\\{direction=\"up\".*} [1-9]")
                .containsPattern("meshwork_copies_scaled_total\\{direction=\"down\".*} [1-9]");
    }

    @Test
    @Order(1)
    void aRollingRestartOfEveryNodeFailsNoRequest() throws Exception {
        for (int i = 0; i < MODELS; i++) {
            assertThat(infer(i)).isNull();
        }
        try (SteadyLoad load = new SteadyLoad()) {
            for (int i = 0; i < cluster.nodeCount(); i++) {
                cluster.node(i).stop(Duration.ofSeconds(60)); // SIGTERM: the node drains, then leaves
                assertThat(cluster.node(i).output()).as("node-%d's log", i).containsPattern("node node-" + i + " drained: \\d+ of \\d+");
                assertThat(java.nio.file.Files.readString(dir.resolve("node-" + i).resolve("audit.log"))).as("node-%d's audit file", i)
                        .contains("\"target\":\"drain node-" + i + "\"", "\"protocol\":\"signal\"");
                cluster.restartNode(i);
                cluster.awaitNodes(cluster.router(0), cluster.nodeCount());
            }
            int sent = load.stop();
            assertThat(sent).as("requests sent during the restarts").isGreaterThan(100);
            assertThat(load.failures).as("failed requests during the rolling restart").isEmpty();
        }
    }

    @Test
    @Order(2)
    void aKilledNodesModelsAreServedAgainFromTheOthers() throws Exception {
        for (int i = 0; i < MODELS; i++) {
            assertThat(infer(i)).isNull();
        }
        List<String> victims = modelsOn("node-1");
        assertThat(victims).as("node-1 holds models before it dies").isNotEmpty();
        try (SteadyLoad load = new SteadyLoad()) {
            await("the load is running").atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() >= 2 * MODELS);
            cluster.node(1).kill();
            await("node-1's copies leave the placement table").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> modelsOn("node-1").isEmpty());
            cluster.awaitNodes(cluster.router(0), cluster.nodeCount() - 1);
            int recovered = load.answered.get();
            await("requests go on after the recovery").atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() >= recovered + 2 * MODELS);
            int sent = load.stop();
            assertThat(sent).isPositive();
            // the request in flight when the node died is retried on a fresh load, so nothing fails
            assertThat(load.failures).as("failed requests across the kill").isEmpty();
        }
        for (String m : victims) {
            // served again: a request answers, and the copy that answers it is on a live node
            assertThat(infer(Integer.parseInt(m.substring("f-".length())))).as(m).isNull();
            JsonNode status = Fixtures.JSON.readTree(cluster.get(cluster.router(0), "/v1/mesh/models/" + m).body());
            assertThat(status.get("state").asText()).as(m).isEqualTo("LOADED");
            assertThat(status.get("copies").get(0).get("node").asText()).as(m).isNotEqualTo("node-1");
        }
        assertThat(models()).as("no registration is lost").hasSize(MODELS);
    }

    @Test
    @Order(3)
    void anOperatorDrainsANodeThroughTheRouterAndItsModelsMoveWithoutAFailedRequest() throws Exception {
        for (int i = 0; i < MODELS; i++) {
            assertThat(infer(i)).isNull();
        }
        int index = modelsOn("node-0").isEmpty() ? 2 : 0; // node-1 was killed above
        String victim = "node-" + index;
        List<String> held = modelsOn(victim);
        assertThat(held).as("%s holds models before its drain", victim).isNotEmpty();
        try (SteadyLoad load = new SteadyLoad()) {
            await("the load is running").atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() >= 2 * MODELS);
            CliProcess.Run drained = CliProcess.run(cluster.router(0).http(), null, "nodes", "drain", victim);
            assertThat(drained.exit()).as(drained.err()).isZero();
            assertThat(drained.out()).contains("node " + victim + " is draining");
            await("its copies leave the placement table").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> modelsOn(victim).isEmpty());
            int after = load.answered.get();
            await("requests go on after the drain").atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() >= after + 2 * MODELS);
            load.stop();
            assertThat(load.failures).as("failed requests across the drain").isEmpty();
        }
        for (String m : held) {
            assertThat(infer(Integer.parseInt(m.substring("f-".length())))).as(m).isNull();
            assertThat(copyNodes(m)).as(m).isNotEmpty().doesNotContain(victim);
        }
        JsonNode nodes = Fixtures.JSON.readTree(cluster.get(cluster.router(0), "/v1/mesh/nodes").body()).get("nodes");
        boolean draining = false;
        for (JsonNode n : nodes) {
            draining |= n.get("node").asText().equals(victim) && n.get("draining").asBoolean();
        }
        assertThat(draining).as("the router lists %s as draining: %s", victim, nodes).isTrue();
        assertThat(cluster.node(index).isAlive()).as("a drained node stays up until it is stopped").isTrue();
        assertThat(CliProcess.run(cluster.router(0).http(), null, "nodes", "drain", victim).out()).contains("was draining already");
        await("the node's audit file has the drain").atMost(Duration.ofSeconds(30)).until(() ->
                java.nio.file.Files.readString(dir.resolve(victim).resolve("audit.log")).contains("\"target\":\"drain " + victim + "\""));
        assertThat(java.nio.file.Files.readString(dir.resolve(victim).resolve("audit.log"))).contains("\"protocol\":\"api\"");
        CliProcess.Run unknown = CliProcess.run(cluster.router(0).http(), null, "nodes", "drain", "node-9");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no node 'node-9' is in the mesh");
    }
}
