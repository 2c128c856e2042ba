package dev.meshwork.node.runtimeserver;

import static dev.meshwork.testing.ConfigAssertions.assertDefaults;
import static dev.meshwork.testing.ConfigAssertions.assertFullMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.node.NodeConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ./meshwork runtime-server}: its own keys; the node section is pinned by NodeConfigTest. */
class RuntimeServerConfigTest {
    @Test
    void defaults() {
        assertDefaults(RuntimeServerConfig.class, RuntimeServerConfig.defaults(), Map.of("host", "127.0.0.1", "port", "8090", "secretFile", "", "socket", "", "parentPid", "0",
                "tracing.endpoint", "", "tracing.sampleRatio", "1.0", "tracing.exportDelayMs", "1000"),
                "node", "tls", "security");
        assertThat(RuntimeServerConfig.defaults().node()).isEqualTo(NodeConfig.defaults());
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(RuntimeServerConfig.class, RuntimeServerConfig.defaults(), Map.of("host", "0.0.0.0", "port", "9999",
                "secretFile", System.getProperty("java.home") + "/release", "socket", "/run/meshwork/rt.sock", "parentPid", "4242",
                "tracing.endpoint", "http://collector:4317", "tracing.sampleRatio", "0.25", "tracing.exportDelayMs", "500"), "node", "tls", "security");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(RuntimeServerConfig.class, RuntimeServerConfig.defaults(), "TEST_", Map.of(),
                List.of("--port=-1"))).hasMessage("port must be a TCP port, 0 for any free one (0 to 65535), got -1");
    }
}
