package dev.meshwork.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.InMemoryNodeTable;
import dev.meshwork.placement.table.InMemoryPlacementTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real node agent (ONNX slot, example model) publishing into the tables: rows the table loses come back. */
class TablePublisherTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    /** A node with one ONNX slot, the examples readable, its crash ledger in {@code dir}. */
    static NodeConfig config(String nodeId, Path dir) {
        NodeConfig d = NodeConfig.defaults();
        return new NodeConfig(nodeId, 64L << 20, 1, d.loadTimeoutMs(), d.failedLoadBackoffMs(), 0, d.queueTimeoutMs(),
                d.storage().withRoots(List.of(EXAMPLES.toString())), d.onnx(), List.of(),
                List.of(new NodeConfig.SlotConfig("onnx", null, null, 0, 1, null)), "lru",
                new NodeConfig.Isolation(dir.toString(), 2, List.of(), 60_000, true, true));
    }

    @Test
    void aRowTheTableLostIsWrittenAgainWithinAPeriod(@TempDir Path dir) {
        NodeConfig config = config("n1", dir);
        InMemoryPlacementTable placement = new InMemoryPlacementTable();
        ModelSpec adder = new ModelSpec("adder", new ModelFormat("onnx", ""), EXAMPLES.resolve("onnx/add-vectors/model.onnx").toString(), "", 0);
        try (NodeAgent agent = new NodeAgent(config);
             TablePublisher publisher = new TablePublisher(agent, placement, new InMemoryNodeTable(), "127.0.0.1:1", "member-1", 100)) {
            agent.ensureLoaded(adder);
            publisher.publish("adder");
            assertThat(placement.copies("adder")).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo(CopyState.LOADED));

            placement.removeCopy("adder", "n1"); // lost: its partition's owner died with it, or a member deleted it
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> assertThat(placement.copies("adder")).singleElement()
                            .satisfies(c -> assertThat(c.nodeId()).isEqualTo("n1")));
        }
    }

    @Test
    void aDownloadingCopysRowShowsItsBytesAsTheyCome(@TempDir Path dir) throws Exception {
        byte[] model = java.nio.file.Files.readAllBytes(EXAMPLES.resolve("onnx/add-vectors/model.onnx"));
        int half = model.length / 2;
        java.util.concurrent.CountDownLatch rest = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, model.length);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                out.write(model, 0, half);
                out.flush();
                rest.await(20, java.util.concurrent.TimeUnit.SECONDS);
                out.write(model, half, model.length - half);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        ModelSpec slow = new ModelSpec("slow", new ModelFormat("onnx", ""),
                "http://127.0.0.1:" + server.getAddress().getPort() + "/model.onnx", "", 0);
        InMemoryPlacementTable placement = new InMemoryPlacementTable();
        // a period far longer than the test: only the download reports write the row again
        try (NodeAgent agent = new NodeAgent(config("n3", dir));
             TablePublisher publisher = new TablePublisher(agent, placement, new InMemoryNodeTable(), "127.0.0.1:1", "member-1", 600_000)) {
            java.util.concurrent.CompletableFuture<?> load = java.util.concurrent.CompletableFuture.runAsync(() -> agent.ensureLoaded(slow));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(placement.copies("slow")).singleElement().satisfies(c -> {
                        assertThat(c.state()).isEqualTo(CopyState.LOADING);
                        assertThat(c.downloadedBytes()).isEqualTo(half);
                        assertThat(c.downloadBytes()).isEqualTo(model.length);
                    }));
            rest.countDown();
            load.get(20, java.util.concurrent.TimeUnit.SECONDS);
            publisher.publish("slow");
            assertThat(placement.copies("slow")).singleElement().satisfies(c -> {
                assertThat(c.state()).isEqualTo(CopyState.LOADED);
                assertThat(c.downloadedBytes()).as("no download once LOADED").isZero();
            });
        } finally {
            rest.countDown();
            server.stop(0);
        }
    }

    @Test
    void rowsNamingTheNodeForCopiesItDoesNotHoldAreSweptAway(@TempDir Path dir) {
        InMemoryPlacementTable placement = new InMemoryPlacementTable();
        ModelSpec adder = new ModelSpec("adder", new ModelFormat("onnx", ""), EXAMPLES.resolve("onnx/add-vectors/model.onnx").toString(), "", 0);
        try (NodeAgent agent = new NodeAgent(config("n4", dir));
             TablePublisher publisher = new TablePublisher(agent, placement, new InMemoryNodeTable(), "127.0.0.1:1", "member-1", 100)) {
            agent.ensureLoaded(adder);
            publisher.publish("adder");
            // a row this node never wrote in this life (or wrote before an unload that it outlived): nothing serves it
            placement.putCopy("ghost", new dev.meshwork.placement.table.CopyRecord("n4", "onnx-0", CopyState.LOADED, 10, 0, ""));
            placement.putCopy("ghost", new dev.meshwork.placement.table.CopyRecord("other-node", "onnx-0", CopyState.LOADED, 10, 0, ""));
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(placement.copies("ghost")).extracting(c -> c.nodeId()).containsExactly("other-node"));
            assertThat(placement.copies("adder")).as("the copy it holds keeps its row").singleElement()
                    .satisfies(c -> assertThat(c.nodeId()).isEqualTo("n4"));
        }
    }

    @Test
    void theNodeRecordNamesTheMemberAsItIsNow(@TempDir Path dir) {
        // after a split-brain merge the node's member comes back under a new id; a record with the old one is reaped for ever
        NodeConfig config = config("n2", dir);
        InMemoryNodeTable nodes = new InMemoryNodeTable();
        java.util.concurrent.atomic.AtomicReference<String> member = new java.util.concurrent.atomic.AtomicReference<>("member-before");
        try (NodeAgent agent = new NodeAgent(config);
             TablePublisher publisher = new TablePublisher(agent, new InMemoryPlacementTable(), nodes, "127.0.0.1:1", member::get, 100,
                     java.util.Map.of())) {
            assertThat(nodes.get("n2")).hasValueSatisfying(n -> assertThat(n.memberId()).isEqualTo("member-before"));
            member.set("member-after-merge");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(nodes.get("n2")).hasValueSatisfying(n -> assertThat(n.memberId()).isEqualTo("member-after-merge")));
        }
    }

    @Test
    void aPublisherThatFindsANewerIncarnationsRecordStandsDownAndRemovesNothing(@TempDir Path dir) {
        NodeConfig config = config("n3", dir);
        InMemoryNodeTable nodes = new InMemoryNodeTable();
        InMemoryPlacementTable placement = new InMemoryPlacementTable();
        ModelSpec adder = new ModelSpec("adder", new ModelFormat("onnx", ""), EXAMPLES.resolve("onnx/add-vectors/model.onnx").toString(), "", 0);
        NodeStanding standing = new NodeStanding("n3", 1_000);
        try (NodeAgent agent = new NodeAgent(config)) {
            TablePublisher publisher = new TablePublisher(agent, placement, nodes, "127.0.0.1:1", () -> "member-old", 100, java.util.Map.of(),
                    standing.incarnation(), standing::mayWrite);
            agent.ensureLoaded(adder);
            publisher.publish("adder");
            assertThat(nodes.get("n3")).hasValueSatisfying(n -> assertThat(n.incarnation()).isEqualTo(1_000));

            // a newer process of the same node id writes its rows (the old one was hung meanwhile)
            dev.meshwork.placement.table.NodeRecord newer = new dev.meshwork.placement.table.NodeRecord("n3", "127.0.0.1:2", "member-new",
                    List.of(), 0, false, 0, java.util.Map.of(), 2_000);
            nodes.put(newer);
            placement.putCopy("adder", new dev.meshwork.placement.table.CopyRecord("n3", "onnx-0", CopyState.LOADED, 1, 0, ""));
            await().atMost(Duration.ofSeconds(5)).until(standing::superseded);
            assertThat(standing.serving()).isFalse();
            assertThat(standing.refusal(dev.meshwork.nodeapi.NodeFence.Expected.NONE, "adder", null)).contains("replaced by");
            publisher.publish("adder");
            publisher.close();
            assertThat(nodes.get("n3")).as("the newer record stays").hasValue(newer);
            assertThat(placement.copies("adder")).as("the newer process's row stays").singleElement()
                    .satisfies(c -> assertThat(c.sizeBytes()).isEqualTo(1));
        }
    }
}
