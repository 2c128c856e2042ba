package dev.meshwork.state.cluster;

import static dev.meshwork.testing.ConfigAssertions.assertDefaults;
import static dev.meshwork.testing.ConfigAssertions.assertFullMapping;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code cluster} section of routers and nodes: every default, every key, and the values it refuses. */
class ClusterConfigTest {
    @Test
    void defaults() {
        assertDefaults(ClusterConfig.class, ClusterConfig.defaults(), Map.of(
                "name", "meshwork",
                "host", "127.0.0.1",
                "port", "5701",
                "members", "127.0.0.1:5701-5710",
                "heartbeatSeconds", "1",
                "failureSeconds", "5",
                "kubernetes.enabled", "false",
                "kubernetes.namespace", "",
                "kubernetes.serviceName", ""));
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(ClusterConfig.class, ClusterConfig.defaults(), Map.of(
                "name", "prod",
                "host", "10.0.0.7",
                "port", "6701",
                "members", "10.0.0.7:6701,10.0.0.8:6701-6703",
                "heartbeatSeconds", "2",
                "failureSeconds", "9",
                "kubernetes.enabled", "true",
                "kubernetes.namespace", "mesh",
                "kubernetes.serviceName", "meshwork-members"));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("--port=70000")).hasMessage("cluster.port must be a TCP port (1 to 65535), got 70000");
        assertThatThrownBy(() -> load("--heartbeatSeconds=0")).hasMessage("cluster.heartbeatSeconds must be at least 1, got 0");
        assertThatThrownBy(() -> load("--failureSeconds=1"))
                .hasMessage("cluster.failureSeconds must be more than cluster.heartbeatSeconds (1), got 1");
        assertThatThrownBy(() -> load("--name=")).hasMessage("cluster.name must not be empty");
    }

    private static ClusterConfig load(String... flags) {
        return ConfigLoader.load(ClusterConfig.class, ClusterConfig.defaults(), "TEST_", Map.of(), List.of(flags)).config();
    }
}
