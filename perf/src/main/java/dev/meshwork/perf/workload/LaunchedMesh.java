package dev.meshwork.perf.workload;

import dev.meshwork.testing.MeshProcess;
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
import java.util.stream.Collectors;

/**
 * The mesh a scenario starts: one standalone process, or a router and N node processes in a
 * Hazelcast cluster of their own (unique name, free loopback ports), registry in memory, each
 * node's ONNX slot sized so that the nodes together hold the scenario's share of the model bytes.
 * Closing it stops every process. Used by one thread.
 */
final class LaunchedMesh implements AutoCloseable {
    private final List<MeshProcess> processes = new ArrayList<>();
    private MeshProcess front;

    static LaunchedMesh start(Path dir, Scenario.Mesh config, long slotBytes, Path artifacts) throws Exception {
        int nodes = config.nodes();
        LaunchedMesh mesh = new LaunchedMesh();
        try {
            List<String> storage = List.of("--node.slotMemoryBytes=" + slotBytes, "--node.storage.roots=" + artifacts.toRealPath());
            if (nodes == 0) {
                List<String> flags = new ArrayList<>(storage);
                flags.add("--registry.jdbcUrl=");
                flags.addAll(config.routerFlags());
                flags.addAll(config.nodeFlags());
                mesh.front = MeshProcess.start(dir.resolve("standalone"), flags.toArray(String[]::new));
                mesh.processes.add(mesh.front);
                return mesh;
            }
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < nodes + 1; i++) {
                ports.add(MeshProcess.freePort());
            }
            String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            String members = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
            List<String> router = new ArrayList<>(List.of("--cluster.name=" + name, "--cluster.port=" + ports.get(0), "--cluster.members=" + members,
                    "--registry.jdbcUrl="));
            router.addAll(config.routerFlags());
            mesh.front = MeshProcess.router(dir.resolve("router"), router);
            mesh.processes.add(mesh.front);
            for (int i = 0; i < nodes; i++) {
                List<String> flags = new ArrayList<>(List.of("--cluster.name=" + name, "--cluster.port=" + ports.get(i + 1),
                        "--cluster.members=" + members, "--node.nodeId=node-" + i));
                flags.addAll(storage);
                flags.addAll(config.nodeFlags());
                mesh.processes.add(MeshProcess.node(dir.resolve("node-" + i), flags));
            }
            mesh.awaitNodes(nodes);
            return mesh;
        } catch (Exception e) {
            mesh.close();
            throw e;
        }
    }

    String rest() {
        return front.http();
    }

    /** The HTTP addresses of the node processes (none for a standalone mesh). */
    List<String> nodes() {
        return processes.stream().filter(p -> p != front).map(MeshProcess::http).toList();
    }

    String grpc() {
        return "127.0.0.1:" + front.grpcPort();
    }

    private void awaitNodes(int count) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(rest() + "/v1/mesh/nodes")).build(),
                    HttpResponse.BodyHandlers.ofString());
            body = r.body();
            if (r.statusCode() == 200 && new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("nodes").size() == count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the router did not see " + count + " nodes within 60 s: " + body);
    }


    @Override
    public void close() throws InterruptedException {
        for (MeshProcess p : processes.reversed()) {
            p.kill(); // the run is over: nothing to drain to
        }
    }
}
