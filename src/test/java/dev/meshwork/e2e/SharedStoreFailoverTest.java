package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two routers share the default H2 store file; the first serves it to the second. kill -9 of the
 * first must not leave the second unable to write: it reconnects (taking the file over), every
 * registration it acknowledges is durable, and its readiness and metric say the store is up.
 */
class SharedStoreFailoverTest {
    @TempDir
    Path dir;

    static String body() {
        return "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\""
                + MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx").toUri() + "\"}";
    }

    @Test
    void theSurvivorKeepsWritingAfterTheRouterServingTheFileIsKilled() throws Exception {
        try (MeshCluster cluster = MeshCluster.start(dir, 2, 1, List.of(), List.of())) {
            MeshProcess survivor = cluster.router(1);
            for (int i = 0; i < 3; i++) {
                assertThat(cluster.put(survivor, "/v1/mesh/models/before-" + i, body()).status()).isEqualTo(201);
            }
            cluster.router(0).kill();
            for (int i = 0; i < 6; i++) {
                String name = "after-" + i;
                // while the cluster declares the dead router gone, a write may be refused (503, nothing changed); then it must work
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> cluster.put(survivor, "/v1/mesh/models/" + name, body()).status() / 100 == 2);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.get(survivor, "/v2/health/ready").status() == 200);
            MeshExtension.Http metrics = cluster.get(survivor, "/metrics");
            assertThat(metrics.body()).contains("meshwork_registry_store_up 1.0");
            String listed = cluster.get(survivor, "/v1/mesh/models").body();
            for (String prefix : List.of("before-", "after-")) {
                assertThat(listed).contains("\"" + prefix + "0\"", "\"" + prefix + "2\"");
            }
        }
    }
}
