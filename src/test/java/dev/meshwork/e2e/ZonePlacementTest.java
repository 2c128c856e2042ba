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
 * Nodes that say which zone and pool they run in (as the manifests make them on Kubernetes): a
 * busy model's second copy goes to the other zone, not to the emptier-named node beside its first
 * copy, so losing a zone never takes every copy; a runtime's nodeSelector keeps its models on the
 * nodes whose labels match, and says so when none does.
 */
class ZonePlacementTest {
    @Test
    void aSecondCopyGoesToAnotherZoneAndARuntimesNodeSelectorKeepsItsModelsInTheirPool(@TempDir Path dir) throws Exception {
        // a runtime for the gpu pool only, and one for a pool no node is in
        Path runtimes = java.nio.file.Files.createDirectories(dir.resolve("runtimes"));
        java.nio.file.Files.writeString(runtimes.resolve("pools.yaml"), """
                apiVersion: serving.kserve.io/v1alpha1
                kind: ClusterServingRuntime
                metadata: {name: gpu-onnx, annotations: {serving.meshwork.dev/adapter: auto}}
                spec:
                  supportedModelFormats: [{name: onnx, version: "1", autoSelect: false}]
                  nodeSelector: {pool: gpu}
                ---
                apiVersion: serving.kserve.io/v1alpha1
                kind: ClusterServingRuntime
                metadata: {name: tpu-onnx, annotations: {serving.meshwork.dev/adapter: auto}}
                spec:
                  supportedModelFormats: [{name: onnx, version: "1", autoSelect: false}]
                  nodeSelector: {pool: tpu}
                """);
        // node-0 and node-1 in zone-a, node-2 in zone-b; without zones the second copy would go to node-1 (the name breaks the tie)
        try (MeshCluster mesh = MeshCluster.start(dir, 1, 3, List.of(),
                List.of("--scaling.requestsPerCopy=1", "--scaling.intervalMs=200", "--scaling.maxCopies=2", "--runtimes.dir=" + runtimes),
                i -> List.of("--placement.zone=" + (i < 2 ? "zone-a" : "zone-b"), "--placement.labels=pool=" + (i == 1 ? "gpu" : "cpu")))) {
            var router = mesh.router(0);
            JsonNode nodes = Fixtures.JSON.readTree(mesh.get(router, "/v1/mesh/nodes").body()).path("nodes");
            List<String> zones = new ArrayList<>();
            nodes.forEach(n -> zones.add(n.path("node").asText() + "=" + n.path("zone").asText() + "," + n.path("labels").path("pool").asText()));
            assertThat(zones).containsExactlyInAnyOrder("node-0=zone-a,cpu", "node-1=zone-a,gpu", "node-2=zone-b,cpu");

            // every node is empty and node-0 comes first by name, but only node-1 is in the gpu pool
            String uri = dev.meshwork.testing.MeshProcess.repoRoot().resolve("examples/onnx/mlp-classifier/model.onnx").toUri().toString();
            MeshExtension.Http gpu = mesh.put(router, "/v1/mesh/models/on-gpu?load=true",
                    "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri + "\", \"runtime\": \"gpu-onnx\"}");
            assertThat(gpu.status()).as(gpu.body()).isEqualTo(201);
            JsonNode status = Fixtures.JSON.readTree(mesh.get(router, "/v1/mesh/models/on-gpu").body());
            assertThat(status.path("servingRuntime").asText()).isEqualTo("gpu-onnx");
            assertThat(status.path("copies").get(0).path("node").asText()).isEqualTo("node-1");
            // node-1 empty again, so that only the zone tells node-1 and node-2 apart below
            assertThat(mesh.delete(router, "/v1/mesh/models/on-gpu").status()).isEqualTo(200);
            await("node-1 reports an empty slot").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                long used = 0;
                for (JsonNode n : Fixtures.JSON.readTree(mesh.get(router, "/v1/mesh/nodes").body()).path("nodes")) {
                    if (n.path("node").asText().equals("node-1")) {
                        for (JsonNode slot : n.path("slots")) {
                            used += slot.path("usedBytes").asLong();
                        }
                    }
                }
                return used == 0;
            });
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

            MeshExtension.Http tpu = mesh.put(router, "/v1/mesh/models/on-tpu",
                    "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri + "\", \"runtime\": \"tpu-onnx\"}");
            assertThat(tpu.status()).as(tpu.body()).isEqualTo(201);
            MeshExtension.Http refused = mesh.post(router, "/v2/models/on-tpu/infer", Fixtures.v2Body(c));
            assertThat(refused.status()).isEqualTo(507);
            assertThat(refused.body()).contains("nodeSelector {pool=tpu} matches none of the 3 nodes");
        }
    }
}
