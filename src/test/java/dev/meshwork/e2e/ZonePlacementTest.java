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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that say which zone they run in (as the manifests make them on Kubernetes): a busy model's
 * second copy goes to the other zone, not to the emptier-named node beside its first copy, so
 * losing a zone never takes every copy.
 */
class ZonePlacementTest {
    @Test
    void aSecondCopyGoesToAnotherZone(@TempDir Path dir) throws Exception {
        // node-0 and node-1 in zone-a, node-2 in zone-b; without zones the second copy would go to node-1 (the name breaks the tie)
        try (MeshCluster mesh = MeshCluster.start(dir, 1, 3, List.of(),
                List.of("--scaling.requestsPerCopy=1", "--scaling.intervalMs=200", "--scaling.maxCopies=2"),
                i -> List.of("--placement.zone=" + (i < 2 ? "zone-a" : "zone-b"), "--placement.labels=pool=cpu"))) {
            var router = mesh.router(0);
            JsonNode nodes = Fixtures.JSON.readTree(mesh.get(router, "/v1/mesh/nodes").body()).path("nodes");
            List<String> zones = new ArrayList<>();
            nodes.forEach(n -> zones.add(n.path("node").asText() + "=" + n.path("zone").asText() + "," + n.path("labels").path("pool").asText()));
            assertThat(zones).containsExactlyInAnyOrder("node-0=zone-a,cpu", "node-1=zone-a,cpu", "node-2=zone-b,cpu");

            mesh.registerOnnx(router, "busy", "mlp-classifier");
            JsonNode c = Fixtures.cases("mlp-classifier").get(0);
            List<String> copies = await("a second copy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (int i = 0; i < 10; i++) {
                    MeshExtension.Http r = mesh.post(router, "/v2/models/busy/infer", Fixtures.v2Body(c));
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                }
                List<String> loaded = new ArrayList<>();
                Fixtures.JSON.readTree(mesh.get(router, "/v1/mesh/models/busy").body()).path("copies").forEach(cp -> {
                    if (cp.path("state").asText().equals("LOADED")) {
                        loaded.add(cp.path("node").asText());
                    }
                });
                return loaded;
            }, l -> l.size() == 2);
            assertThat(copies).as("one copy in each zone").containsExactlyInAnyOrder("node-0", "node-2");
        }
    }
}
