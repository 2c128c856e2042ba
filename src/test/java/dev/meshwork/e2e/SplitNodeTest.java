package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node process that hangs long enough for the cluster to declare it gone, then wakes: it serves
 * nothing while outside the cluster, merges back as a new member without flapping, and drops the
 * copies the table no longer lists; and when another process of its node id replaced it meanwhile
 * (a newer incarnation), it stands down and never answers for the model's replaced version.
 */
class SplitNodeTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private int ready(MeshProcess node) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(node.http() + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonNode nodes(MeshCluster cluster, MeshProcess router) throws Exception {
        return Fixtures.JSON.readTree(cluster.get(router, "/v1/mesh/nodes").body()).get("nodes");
    }

    private static String holder(MeshCluster cluster, MeshProcess router, String model) throws Exception {
        return cluster.get(router, "/v1/mesh/models/" + model).body().replaceAll("(?s).*\"node\":\"(node-\\d)\".*", "$1");
    }

    @Test
    void aNodeThatWakesAfterBeingDeclaredGoneIsNotReadyUntilItMergesThenHoldsNothingStale() throws Exception {
        try (MeshCluster cluster = MeshCluster.start(dir, 1, 2, List.of(), List.of())) {
            MeshProcess router = cluster.router(0);
            cluster.registerOnnx(router, "adder", "add-vectors");
            assertThat(cluster.post(router, "/v2/models/adder/infer", HungNodeTest.INFER).body()).contains("[11.0,22.0]");
            int hungIndex = holder(cluster, router, "adder").equals("node-0") ? 0 : 1;
            MeshProcess hung = cluster.node(hungIndex);
            hung.signal("STOP");
            try {
                await("the router declares the hung node gone").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> nodes(cluster, router).size() == 1);
                MeshExtension.Http moved = cluster.post(router, "/v2/models/adder/infer", HungNodeTest.INFER);
                assertThat(moved.status()).as(moved.body()).isEqualTo(200);
            } finally {
                hung.signal("CONT");
            }
            // outside the cluster it says it is not ready, until it has merged back (about twice the failure time)
            await("the woken node answers not ready").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ready(hung) == 503);
            await("the woken node merges back").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodes(cluster, router).size() == 2 && ready(hung) == 200);
            // listed steadily: its record names the member it is now, so the reaper leaves it alone
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < until) {
                assertThat(nodes(cluster, router).size()).as("the merged node stays listed").isEqualTo(2);
                Thread.sleep(250);
            }
            String woken = "node-" + hungIndex;
            assertThat(Files.readString(dir.resolve(woken).resolve("mesh.log"))).contains("dropping its copies");
            JsonNode copies = Fixtures.JSON.readTree(cluster.get(router, "/v1/mesh/models/adder").body()).get("copies");
            for (JsonNode c : copies) {
                assertThat(c.get("node").asText()).as("the woken node's old copy is dropped, not served").isNotEqualTo(woken);
            }
            assertThat(cluster.post(router, "/v2/models/adder/infer", HungNodeTest.INFER).body()).contains("[11.0,22.0]");
        }
    }

    @Test
    void aReplacedProcessThatWakesStandsDownAndNeverAnswersForTheReplacedVersion() throws Exception {
        try (MeshCluster cluster = MeshCluster.start(dir, 1, 1, List.of(), List.of())) {
            MeshProcess router = cluster.router(0);
            cluster.registerOnnx(router, "m", "add-vectors");
            assertThat(cluster.post(router, "/v2/models/m/infer", HungNodeTest.INFER).body()).contains("[11.0,22.0]");
            MeshProcess old = cluster.node(0);
            String oldEndpoint = nodes(cluster, router).get(0).get("endpoint").asText();
            old.signal("STOP");
            try {
                MeshProcess replacement = cluster.replaceNode(0);
                await("the replacement's record is in the table").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> nodes(cluster, router).size() == 1 && !nodes(cluster, router).get(0).get("endpoint").asText().equals(oldEndpoint));
                // the model's next version: another network, so an answer of the old copy could not pass for the new one
                cluster.registerOnnx(router, "m", "mlp-classifier");
                String body = Fixtures.v2Body(Fixtures.cases("mlp-classifier").get(0));
                MeshExtension.Http first = cluster.post(router, "/v2/models/m/infer", body);
                assertThat(first.status()).as(first.body()).isEqualTo(200);
                assertThat(ready(replacement)).isEqualTo(200);
            } finally {
                old.signal("CONT");
            }
            String newEndpoint = nodes(cluster, router).get(0).get("endpoint").asText();
            String body = Fixtures.v2Body(Fixtures.cases("mlp-classifier").get(0));
            List<String> wrong = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean stoodDown = false;
            int answers = 0;
            while (System.nanoTime() < until && (!stoodDown || answers < 50)) {
                MeshExtension.Http r = cluster.post(router, "/v2/models/m/infer", body);
                answers++;
                if (r.status() != 200 || !r.body().contains("probabilities")) {
                    wrong.add(r.status() + " " + r.body());
                }
                JsonNode listed = nodes(cluster, router);
                if (listed.size() != 1 || !listed.get(0).get("endpoint").asText().equals(newEndpoint)) {
                    wrong.add("node table: " + listed);
                }
                stoodDown = Files.readString(dir.resolve("node-0").resolve("mesh.log")).contains("stands down");
                Thread.sleep(100);
            }
            assertThat(stoodDown).as("the woken old process stands down once it sees the newer incarnation").isTrue();
            assertThat(wrong).as("every answer from the current version, the table naming the replacement throughout").isEmpty();
            assertThat(ready(old)).as("the old process answers not ready from then on").isEqualTo(503);
        }
    }
}
