package dev.meshwork.node.runtime.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeProcessTest {
    @Test
    void aProcessThatExitsWith78IsNotStartedAgainAndLoadsSayWhyAtOnce(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        // a runtime that cannot run here: it says why on its last line and exits with EX_CONFIG
        List<String> command = List.of("sh", "-c", "echo started >> " + runs + "; echo 'warming up'; "
                + "echo 'cannot start: libfoo is missing (apt-get install -y libfoo)' >&2; exit 78");
        NodeConfig.External ext = new NodeConfig.External("broken", List.of("sklearn"), "", 0, 60_000, command, Map.of());
        try (ExternalRuntimeAdapter adapter = new ExternalRuntimeAdapter(ext, 5_000)) {
            assertThat(adapter.device()).as("the node chose a Unix socket").startsWith("external:unix:///");
            assertThat(Files.exists(runs)).as("nothing starts before the slot's first load").isFalse();
            ModelSpec spec = new ModelSpec("m", new ModelFormat("sklearn", null), dir.toString(), "broken", 0);
            long started = System.nanoTime();
            assertThatThrownBy(() -> adapter.load(spec, dir)).isInstanceOfSatisfying(MeshError.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(e.getMessage()).contains("external runtime broken is not running: cannot start: libfoo is missing");
            });
            assertThat((System.nanoTime() - started) / 1_000_000).as("ms to fail: far below the 60 s startup timeout").isLessThan(20_000);
            Thread.sleep(1_500); // a restart would come after 1 s
            assertThat(Files.readAllLines(runs)).as("started once, not again").hasSize(1);
        }
    }

    @Test
    void theEndpointMayBeLeftToTheNodeOnlyWhenTheNodeStartsTheProcess() {
        assertThatThrownBy(() -> new NodeConfig.External("x", List.of("onnx"), "", 0, 1000, List.of(), Map.of()))
                .hasMessageContaining("only a runtime the node starts (a command) may leave it to the node");
    }
}
