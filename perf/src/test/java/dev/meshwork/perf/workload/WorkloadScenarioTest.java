package dev.meshwork.perf.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workload generator against a mesh it starts (a router and a node as separate processes):
 * it registers its padded models, sends open-loop traffic over gRPC and REST v2, reads the mesh's
 * own counters, and writes results.json, summary.md and four PNG charts with the offline optimum.
 */
class WorkloadScenarioTest {
    @Test
    void aScenarioRunsAgainstAMeshItStartsAndWritesItsResults(@TempDir Path root) throws Exception {
        Path example = root.resolve("examples/onnx/add-vectors/model.onnx");
        Files.createDirectories(example.getParent());
        Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), example);
        Path file = Files.createDirectories(root.resolve("perf/scenarios")).resolve("tiny.yaml");
        Files.writeString(file, """
                description: "a small open-loop run for the test"
                mesh: {nodes: 1}
                models: {count: 12, example: add-vectors, medianMb: 1.5, sizeSigma: 0.5}
                capacityShare: 0.5
                arrivals: {rate: 30, bursts: [{atSeconds: 3, seconds: 1, rate: 90}]}
                grpcShare: 0.5
                warmupSeconds: 2
                seconds: 4
                """);
        Scenario scenario = Scenario.load(file, List.of("--root=" + root));
        String summary = new WorkloadBench(scenario).run();

        Path dir;
        try (Stream<Path> runs = Files.list(root.resolve("perf/results/tiny"))) {
            dir = runs.findFirst().orElseThrow();
        }
        JsonNode results = Fixtures.JSON.readTree(dir.resolve("results.json").toFile()).path("results");
        JsonNode all = results.path("totals").get(results.path("totals").size() - 1);
        assertThat(all.path("protocol").asText()).isEqualTo("all");
        assertThat(all.path("answers").asLong()).as(summary).isGreaterThan(60);
        assertThat(all.path("errors").asLong()).as(summary).isZero();
        assertThat(results.path("totals").findValuesAsText("protocol")).contains("grpc", "rest");
        JsonNode cache = results.path("cache");
        assertThat(cache.path("loads").asDouble()).as("the mesh loaded models").isGreaterThan(0);
        assertThat(cache.path("hitRatio").asDouble()).isBetween(0.0, 1.0);
        assertThat(cache.path("beladyHitRatio").asDouble()).as("the optimum beats one LRU cache of the same memory")
                .isGreaterThanOrEqualTo(cache.path("lruOneCacheHitRatio").asDouble());
        assertThat(cache.path("capacityBytes").asLong()).as("read from the node table").isPositive();
        assertThat(results.path("samples").size()).as("a sample a second").isGreaterThanOrEqualTo(5);
        assertThat(Files.readString(dir.resolve("summary.md"))).contains("eviction quality").contains("![latency](latency.png)");
        for (String png : List.of("latency.png", "hit-ratio.png", "loads.png", "memory.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
            assertThat(img).as(png).isNotNull();
            assertThat(img.getWidth()).isEqualTo(1000);
        }
    }
}
