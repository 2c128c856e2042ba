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
    /** A file that exists: cluster.secretFile is checked at load (the tls block is pinned by the security module's test). */
    static final java.nio.file.Path SECRET = secret();

    private static java.nio.file.Path secret() {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("cluster", ".secret");
            f.toFile().deleteOnExit();
            return f;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void routerNamesMatchExactlyOrByPrefix() {
        ClusterConfig c = load("--routerNames=meshwork-router,router-*");
        org.assertj.core.api.Assertions.assertThat(c.isRouterName("meshwork-router")).isTrue();
        org.assertj.core.api.Assertions.assertThat(c.isRouterName("router-7")).isTrue();
        org.assertj.core.api.Assertions.assertThat(c.isRouterName("meshwork-router-x")).isFalse();
        org.assertj.core.api.Assertions.assertThat(c.isRouterName("node-0")).isFalse();
    }
    @Test
    void defaults() {
        assertDefaults(ClusterConfig.class, ClusterConfig.defaults(), pairs(
                "secretFile", "",
                "routerNames", "router*",
                "name", "meshwork",
                "host", "127.0.0.1",
                "port", "5701",
                "members", "127.0.0.1:5701-5710",
                "heartbeatSeconds", "1",
                "failureSeconds", "5",
                "kubernetes.enabled", "false",
                "kubernetes.namespace", "",
                "kubernetes.serviceName", "",
                "kubernetes.apiUrl", "",
                "kubernetes.tokenFile", "",
                "kubernetes.caFile", ""), "tls");
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(ClusterConfig.class, ClusterConfig.defaults(), pairs(
                "secretFile", SECRET.toString(),
                "routerNames", "meshwork-router,router-*",
                "name", "prod",
                "host", "10.0.0.7",
                "port", "6701",
                "members", "10.0.0.7:6701,10.0.0.8:6701-6703",
                "heartbeatSeconds", "2",
                "failureSeconds", "9",
                "kubernetes.enabled", "true",
                "kubernetes.namespace", "mesh",
                "kubernetes.serviceName", "meshwork-members",
                "kubernetes.apiUrl", "https://10.0.0.1:6443",
                "kubernetes.tokenFile", SECRET.toString(),
                "kubernetes.caFile", SECRET.toString()), "tls");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("--port=70000")).hasMessage("cluster.port must be a TCP port (1 to 65535), got 70000");
        assertThatThrownBy(() -> load("--heartbeatSeconds=0")).hasMessage("cluster.heartbeatSeconds must be at least 1, got 0");
        assertThatThrownBy(() -> load("--failureSeconds=1"))
                .hasMessage("cluster.failureSeconds must be more than cluster.heartbeatSeconds (1), got 1");
        assertThatThrownBy(() -> load("--name=")).hasMessage("cluster.name must not be empty");
        assertThatThrownBy(() -> load("--kubernetes.apiUrl=kubernetes.default.svc"))
                .hasMessage("cluster.kubernetes.apiUrl must be an http(s) URL, got 'kubernetes.default.svc'");
    }

    private static Map<String, String> pairs(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static ClusterConfig load(String... flags) {
        return ConfigLoader.load(ClusterConfig.class, ClusterConfig.defaults(), "TEST_", Map.of(), List.of(flags)).config();
    }
}
