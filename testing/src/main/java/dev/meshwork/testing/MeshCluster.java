package dev.meshwork.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * A mesh of separate JVMs on loopback: routers and nodes in a Hazelcast cluster of their own
 * (a unique cluster name and free ports), the routers sharing one H2 registry file. Tests kill,
 * stop and restart members through it; closing it stops everything it started.
 */
public final class MeshCluster implements AutoCloseable {
    private final Path dir;
    private final String name = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Integer> clusterPorts = new ArrayList<>();
    private final List<String> nodeFlags;
    private final List<String> routerFlags;
    private java.util.function.IntFunction<List<String>> flagsOfNode = i -> List.of();
    private final List<MeshProcess> routers = new ArrayList<>();
    private final List<MeshProcess> nodes = new ArrayList<>();
    /** Processes replaced while they may still run (a hung node, a killed one): stopped on close like the rest. */
    private final List<MeshProcess> replaced = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private MeshCluster(Path dir, int members, List<String> nodeFlags, List<String> routerFlags) throws IOException {
        this.dir = dir;
        this.nodeFlags = nodeFlags;
        this.routerFlags = routerFlags;
        for (int i = 0; i < members + 2; i++) { // two spare ports for members that restart
            clusterPorts.add(MeshProcess.freePort());
        }
    }

    /** Starts the routers, then the nodes (in parallel), and waits until every router sees every node. */
    public static MeshCluster start(Path dir, int routers, int nodes, List<String> nodeFlags, List<String> routerFlags)
            throws Exception {
        return start(dir, routers, nodes, nodeFlags, routerFlags, i -> List.of());
    }

    /** As {@link #start(Path, int, int, List, List)}, node {@code i} also getting {@code flagsOfNode.apply(i)} (its zone, say). */
    public static MeshCluster start(Path dir, int routers, int nodes, List<String> nodeFlags, List<String> routerFlags,
                                    java.util.function.IntFunction<List<String>> flagsOfNode) throws Exception {
        MeshCluster c = new MeshCluster(dir, routers + nodes, nodeFlags, routerFlags);
        c.flagsOfNode = flagsOfNode;
        try {
            for (int i = 0; i < routers; i++) {
                c.routers.add(c.startRouter(i));
            }
            ExecutorService starters = Executors.newFixedThreadPool(nodes);
            try {
                List<Future<MeshProcess>> started = new ArrayList<>();
                for (int i = 0; i < nodes; i++) {
                    int n = i;
                    started.add(starters.submit(() -> c.startNode(n)));
                }
                ExecutionException failed = null;
                for (Future<MeshProcess> f : started) {
                    try {
                        c.nodes.add(f.get()); // every node that did start is collected, so close() stops it
                    } catch (ExecutionException e) {
                        failed = failed == null ? e : failed;
                    }
                }
                if (failed != null) {
                    throw failed;
                }
            } finally {
                starters.shutdownNow();
            }
            for (MeshProcess r : c.routers) {
                c.awaitNodes(r, nodes);
            }
            return c;
        } catch (Exception e) {
            c.close();
            throw e;
        }
    }


    private List<String> clusterFlags(int member) {
        return List.of("--cluster.name=" + name, "--cluster.port=" + clusterPorts.get(member % clusterPorts.size()),
                "--cluster.members=" + clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    }

    private MeshProcess startRouter(int i) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(clusterFlags(i));
        flags.add("--registry.jdbcUrl=jdbc:h2:file:" + dir.resolve("registry").toAbsolutePath() + ";WRITE_DELAY=0;AUTO_SERVER=TRUE");
        flags.addAll(routerFlags);
        return MeshProcess.router(dir.resolve("router-" + i), flags);
    }

    private MeshProcess startNode(int i) throws IOException, InterruptedException {
        return startNode(i, "node-" + i);
    }

    private MeshProcess startNode(int i, String workDir) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(clusterFlags(routersCount() + i));
        flags.add("--node.nodeId=node-" + i);
        flags.add("--node.storage.roots=" + MeshProcess.repoRoot().resolve("examples") + "," + dir.toAbsolutePath());
        flags.addAll(nodeFlags);
        flags.addAll(flagsOfNode.apply(i));
        return MeshProcess.node(dir.resolve(workDir), flags);
    }

    private int routersCount() {
        return Math.max(routers.size(), 2);
    }

    /** Waits until the router's node table lists {@code count} nodes. */
    public void awaitNodes(MeshProcess router, int count) throws Exception {
        await("router " + router.http() + " sees " + count + " nodes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/nodes")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200 && Fixtures.JSON.readTree(r.body()).get("nodes").size() == count;
                });
    }

    public MeshProcess router(int i) {
        return routers.get(i);
    }

    public MeshProcess node(int i) {
        return nodes.get(i);
    }

    public int nodeCount() {
        return nodes.size();
    }

    /** Starts node {@code i} again (after it was stopped or killed), under the same node id. */
    public MeshProcess restartNode(int i) throws IOException, InterruptedException {
        MeshProcess n = startNode(i);
        replaced.add(nodes.set(i, n));
        return n;
    }

    /** Starts router {@code i} again (after it was stopped or killed), with the same directory and registry store. */
    public MeshProcess restartRouter(int i) throws IOException, InterruptedException {
        MeshProcess r = startRouter(i);
        replaced.add(routers.set(i, r));
        return r;
    }

    public int routerCount() {
        return routers.size();
    }

    /**
     * Starts another process of node {@code i} (same node id, its own directory) while the old one may
     * still be alive, as an orchestrator replaces one it believes dead; the old one is not stopped.
     */
    public MeshProcess replaceNode(int i) throws IOException, InterruptedException {
        MeshProcess n = startNode(i, "node-" + i + "-replacement");
        replaced.add(nodes.set(i, n));
        return n;
    }

    public MeshExtension.Http get(MeshProcess router, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(router.http() + path)).timeout(Duration.ofSeconds(60)).GET().build());
    }

    public MeshExtension.Http post(MeshProcess router, String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(router.http() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public MeshExtension.Http put(MeshProcess router, String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(router.http() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public MeshExtension.Http delete(MeshProcess router, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(router.http() + path)).timeout(Duration.ofSeconds(60)).DELETE().build());
    }

    private MeshExtension.Http send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new MeshExtension.Http(r.statusCode(), r.body());
    }

    /** Registers {@code id} as a copy of an example ONNX model, through the router. */
    public void registerOnnx(MeshProcess router, String id, String example) throws IOException, InterruptedException {
        String uri = MeshProcess.repoRoot().resolve("examples/onnx").resolve(example).resolve("model.onnx").toUri().toString();
        MeshExtension.Http r = put(router, "/v1/mesh/models/" + id, "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri + "\"}");
        if (r.status() != 200 && r.status() != 201) {
            throw new IllegalStateException("registering " + id + ": " + r.status() + " " + r.body());
        }
    }

    /** The Hazelcast cluster's name (what a process needs, with a member address, to join it). */
    public String clusterName() {
        return name;
    }

    /** The members' {@code 127.0.0.1:port} addresses, spare ones included. */
    public List<String> memberAddresses() {
        return clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    }

    /** Where the node's process writes its log; for messages in failed assertions. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws InterruptedException {
        for (MeshProcess p : nodes) {
            p.kill(); // nothing to drain to at the end of a test
        }
        for (MeshProcess p : routers) {
            p.kill();
        }
        for (MeshProcess p : replaced) {
            p.kill(); // kill -9 works on a stopped (SIGSTOP) process too
        }
    }
}
