package dev.meshwork.perf.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every scenario file in perf/scenarios/ loads and validates; flags override it; mistakes name their key. */
class ScenarioTest {
    static final Path SCENARIOS = Path.of("scenarios");

    @Test
    void everyShippedScenarioLoads() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(SCENARIOS)) {
            files = s.filter(f -> f.toString().endsWith(".yaml")).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            Scenario s = Scenario.load(f, List.of());
            assertThat(s.name()).isEqualTo(f.getFileName().toString().replace(".yaml", ""));
            assertThat(s.description()).as(f.toString()).isNotBlank();
        }
    }

    @Test
    void theExampleInPerfReadmeLoads(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```yaml\n") + "```yaml\n".length();
        Path f = Files.writeString(dir.resolve("example.yaml"), readme.substring(start, readme.indexOf("```", start)));
        Scenario s = Scenario.load(f, List.of());
        assertThat(s.arrivals().rateAt(0)).isEqualTo(150);
        assertThat(s.arrivals().rateAt(31)).isEqualTo(600);
        assertThat(s.models().count()).isEqualTo(200);
    }

    @Test
    void flagsOverrideTheFileAndNodesIsShortForMeshNodes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mine.yaml");
        Files.writeString(f, "description: d\narrivals: {rate: 50, bursts: [{atSeconds: 2, seconds: 1, rate: 500}]}\nmesh: {nodes: 2}\n");
        Scenario s = Scenario.load(f, List.of("mine", "--nodes", "3", "--arrivals.rate=80", "--root=/r"));
        assertThat(s.mesh().nodes()).isEqualTo(3);
        assertThat(s.root()).isEqualTo("/r");
        assertThat(s.arrivals().rateAt(0)).isEqualTo(80);
        assertThat(s.arrivals().rateAt(2.5)).isEqualTo(500);
        assertThat(s.arrivals().rateAt(3.0)).isEqualTo(80);
    }

    @Test
    void mistakesNameTheKey(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "arivals: {rate: 5}\n");
        assertThatThrownBy(() -> Scenario.load(f, List.of())).hasMessageContaining("arivals");
        Files.writeString(f, "loop: {kind: sideways}\n");
        assertThatThrownBy(() -> Scenario.load(f, List.of())).hasMessageContaining("loop.kind must be open or closed");
        Files.writeString(f, "capacityShare: 2\n");
        assertThatThrownBy(() -> Scenario.load(f, List.of())).hasMessageContaining("capacityShare");
        assertThatThrownBy(() -> Scenario.load(f, List.of("--rest=http://127.0.0.1:1", "--capacityShare=0.5")))
                .hasMessageContaining("mesh.rest and mesh.grpc go together");
    }
}
