package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that starts before any router (as under Kubernetes, or ./meshwork up --nodes N) waits for
 * one instead of failing its first write to tables that only routers hold, then serves. A process
 * that cannot start exits, so Kubernetes restarts it, instead of lingering as a cluster member.
 */
class StartOrderTest {
    @Test
    void aRouterWhosePortIsTakenExitsInsteadOfStayingInTheCluster(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int clusterPort = MeshProcess.freePort();
            long started = System.nanoTime();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> MeshProcess.router(dir.resolve("router"), List.of(
                            "--http.port=" + taken.getLocalPort(), "--cluster.name=taken-" + UUID.randomUUID().toString().substring(0, 8),
                            "--cluster.port=" + clusterPort, "--cluster.members=127.0.0.1:" + clusterPort, "--registry.jdbcUrl=")))
                    .hasMessageContaining("process exited with 1").hasMessageContaining("meshwork: cannot start: java.net.BindException");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it exits, not the 90 s start timeout").isLessThan(Duration.ofSeconds(60));
        }
    }

    @Test
    void aNodeStartedBeforeAnyRouterWaitsForOneAndThenServes(@TempDir Path dir) throws Exception {
        int nodePort = MeshProcess.freePort();
        int routerPort = MeshProcess.freePort();
        String name = "order-" + UUID.randomUUID().toString().substring(0, 8);
        String members = "--cluster.members=127.0.0.1:" + nodePort + ",127.0.0.1:" + routerPort;
        List<MeshProcess> started = new ArrayList<>();
        ExecutorService starter = Executors.newSingleThreadExecutor();
        try {
            Future<MeshProcess> node = starter.submit(() -> MeshProcess.node(dir.resolve("node"), List.of("--cluster.name=" + name,
                    "--cluster.port=" + nodePort, members, "--node.nodeId=node-0",
                    "--node.storage.roots=" + MeshProcess.repoRoot().resolve("examples"))));
            Path nodeLog = dir.resolve("node/mesh.log");
            await("the node says it waits for a router").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(node.isDone()).as("the node neither failed nor started without a router").isFalse();
                return java.nio.file.Files.exists(nodeLog) && java.nio.file.Files.readString(nodeLog).contains("waits for a router");
            });
            MeshProcess router = MeshProcess.router(dir.resolve("router"), List.of("--cluster.name=" + name, "--cluster.port=" + routerPort,
                    members, "--registry.jdbcUrl=", "--examples=" + MeshProcess.repoRoot().resolve("examples")));
            started.add(router);
            started.add(node.get(60, TimeUnit.SECONDS));
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest infer = HttpRequest.newBuilder(URI.create(router.http() + "/v2/models/add-vectors/infer"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
                            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}")).build();
            String answer = await("the node serves once the router has joined").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        HttpResponse<String> r = http.send(infer, HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 ? r.body() : "";
                    }, body -> body.contains("\"data\""));
            assertThat(Fixtures.JSON.readTree(answer).path("outputs").get(0).path("data").toString()).isEqualTo("[11.0,22.0]");
        } finally {
            starter.shutdownNow();
            for (MeshProcess p : started) {
                p.kill();
            }
        }
    }

}
