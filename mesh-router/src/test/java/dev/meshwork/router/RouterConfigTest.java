package dev.meshwork.router;

import static dev.meshwork.testing.ConfigAssertions.assertDefaults;
import static dev.meshwork.testing.ConfigAssertions.assertFullMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.state.cluster.ClusterConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ./meshwork up} and {@code ./meshwork router}: their own keys; the node and cluster sections are pinned by their own tests. */
class RouterConfigTest {
    /** A directory that exists: directory keys are checked at load. */
    static final String TMP = System.getProperty("java.io.tmpdir");

    @Test
    void defaults() {
        assertDefaults(RouterConfig.class, RouterConfig.defaults(), Map.ofEntries(
                Map.entry("http.host", "127.0.0.1"),
                Map.entry("http.port", "8080"),
                Map.entry("http.maxRequestBytes", "16777216"),
                Map.entry("http.allowedHosts", ""),
                Map.entry("http.allowedOrigins", ""),
                Map.entry("http.maxResponseBytes", "67108864"),
                Map.entry("http.idleTimeoutMs", "300000"),
                Map.entry("grpc.host", "127.0.0.1"),
                Map.entry("grpc.port", "8081"),
                Map.entry("grpc.maxMessageBytes", "16777216"),
                Map.entry("grpc.maxResponseBytes", "67108864"),
                Map.entry("grpc.idleTimeoutMs", "300000"),
                Map.entry("requestThreads", "0"),
                Map.entry("examples", ""),
                Map.entry("registry.jdbcUrl", "jdbc:h2:file:./data/registry;WRITE_DELAY=0"),
                Map.entry("registry.user", ""),
                Map.entry("registry.password", ""),
                Map.entry("runtimes.dir", ""),
                Map.entry("runtimes.pollMs", "1000"),
                Map.entry("models.dir", ""),
                Map.entry("models.pollMs", "1000"),
                Map.entry("forward.timeoutMs", "60000"),
                Map.entry("forward.loadTimeoutMs", "120000"),
                Map.entry("forward.claimLeaseMs", "130000"),
                Map.entry("forward.maxWaitingPerModel", "1000"),
                Map.entry("forward.suspectMs", "5000"),
                Map.entry("forward.failureMemoryMs", "30000"),
                Map.entry("forward.maxMessageBytes", "67108864"),
                Map.entry("forward.retryRatio", "0.2"),
                Map.entry("forward.nodeWaitMs", "0"),
                Map.entry("scaling.enabled", "true"),
                Map.entry("scaling.requestsPerCopy", "200.0"),
                Map.entry("scaling.inFlightPerCopy", "16"),
                Map.entry("scaling.maxCopies", "4"),
                Map.entry("scaling.idleMs", "60000"),
                Map.entry("scaling.intervalMs", "1000"),
                Map.entry("tenants.dir", ""),
                Map.entry("tenants.pollMs", "1000"),
                Map.entry("tenants.maxInFlight", "0"),
                Map.entry("tenants.shedAt", "0.8"),
                Map.entry("tenants.metricsPerNamespace", "true"),
                Map.entry("payloadLog.queueSize", "10000"),
                Map.entry("payloadLog.maxQueueBytes", "67108864"),
                Map.entry("payloadLog.concurrency", "16"),
                Map.entry("payloadLog.timeoutMs", "2000"),
                Map.entry("payloadLog.retries", "2"),
                Map.entry("payloadLog.retryBackoffMs", "100"),
                Map.entry("payloadLog.allowedUrls", ""),
                Map.entry("tracing.endpoint", ""),
                Map.entry("tracing.sampleRatio", "1.0"),
                Map.entry("tracing.exportDelayMs", "1000"),
                Map.entry("autoscale.minNodes", "1"),
                Map.entry("autoscale.maxNodes", "10"),
                Map.entry("autoscale.targetMemoryUtilization", "0.8"),
                Map.entry("autoscale.inFlightPerNode", "32"),
                Map.entry("autoscale.thrashEvictionsPerNodeSecond", "5.0"),
                Map.entry("autoscale.nodeBytes", "0"),
                Map.entry("autoscale.windowMs", "300000"),
                Map.entry("autoscale.idleMs", "0"),
                Map.entry("autoscale.upCooldownMs", "30000"),
                Map.entry("autoscale.downStabilizationMs", "300000"),
                Map.entry("autoscale.intervalMs", "5000"),
                Map.entry("autoscale.local.enabled", "false"),
                Map.entry("autoscale.local.nodeConfig", ""),
                Map.entry("autoscale.local.logDir", ""),
                Map.entry("autoscale.local.startTimeoutMs", "120000")), "node", "cluster", "tls", "auth", "security");
        assertThat(RouterConfig.defaults().node()).isEqualTo(NodeConfig.defaults());
        assertThat(RouterConfig.defaults().cluster()).isEqualTo(ClusterConfig.defaults());
    }

    private static final java.nio.file.Path NODE_YAML = nodeYaml();

    private static java.nio.file.Path nodeYaml() {
        try {
            java.nio.file.Path p = java.nio.file.Files.createTempFile("node", ".yaml");
            p.toFile().deleteOnExit();
            return p;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(RouterConfig.class, RouterConfig.defaults(), Map.ofEntries(
                Map.entry("http.host", "0.0.0.0"),
                Map.entry("http.port", "9080"),
                Map.entry("http.maxRequestBytes", "2048"),
                Map.entry("http.allowedHosts", "mesh.example,mesh.internal"),
                Map.entry("http.allowedOrigins", "https://console.example"),
                Map.entry("http.maxResponseBytes", "5000"),
                Map.entry("http.idleTimeoutMs", "1000"),
                Map.entry("grpc.host", "0.0.0.0"),
                Map.entry("grpc.port", "9081"),
                Map.entry("grpc.maxMessageBytes", "4096"),
                Map.entry("grpc.maxResponseBytes", "6000"),
                Map.entry("grpc.idleTimeoutMs", "2000"),
                Map.entry("requestThreads", "32"),
                Map.entry("examples", TMP + "," + TMP),
                Map.entry("registry.jdbcUrl", "jdbc:postgresql://db/mesh"),
                Map.entry("registry.user", "mesh"),
                Map.entry("registry.password", "secret"),
                Map.entry("runtimes.dir", TMP),
                Map.entry("runtimes.pollMs", "2000"),
                Map.entry("models.dir", TMP),
                Map.entry("models.pollMs", "3000"),
                Map.entry("forward.timeoutMs", "1"),
                Map.entry("forward.loadTimeoutMs", "2"),
                Map.entry("forward.claimLeaseMs", "3"),
                Map.entry("forward.maxWaitingPerModel", "4"),
                Map.entry("forward.suspectMs", "5"),
                Map.entry("forward.failureMemoryMs", "6"),
                Map.entry("forward.maxMessageBytes", "7000"),
                Map.entry("forward.retryRatio", "0.5"),
                Map.entry("forward.nodeWaitMs", "30000"),
                Map.entry("scaling.enabled", "false"),
                Map.entry("scaling.requestsPerCopy", "12.5"),
                Map.entry("scaling.inFlightPerCopy", "3"),
                Map.entry("scaling.maxCopies", "9"),
                Map.entry("scaling.idleMs", "100"),
                Map.entry("scaling.intervalMs", "200"),
                Map.entry("tenants.dir", TMP),
                Map.entry("tenants.pollMs", "4000"),
                Map.entry("tenants.maxInFlight", "500"),
                Map.entry("tenants.shedAt", "0.5"),
                Map.entry("tenants.metricsPerNamespace", "false"),
                Map.entry("payloadLog.queueSize", "500"),
                Map.entry("payloadLog.maxQueueBytes", "1048576"),
                Map.entry("payloadLog.concurrency", "4"),
                Map.entry("payloadLog.timeoutMs", "900"),
                Map.entry("payloadLog.retries", "0"),
                Map.entry("payloadLog.retryBackoffMs", "50"),
                Map.entry("payloadLog.allowedUrls", "http://sink.logging/"),
                Map.entry("tracing.endpoint", "http://collector:4317"),
                Map.entry("tracing.sampleRatio", "0.5"),
                Map.entry("tracing.exportDelayMs", "200"),
                Map.entry("autoscale.minNodes", "0"),
                Map.entry("autoscale.maxNodes", "4"),
                Map.entry("autoscale.targetMemoryUtilization", "0.5"),
                Map.entry("autoscale.inFlightPerNode", "8"),
                Map.entry("autoscale.thrashEvictionsPerNodeSecond", "2.5"),
                Map.entry("autoscale.nodeBytes", "1073741824"),
                Map.entry("autoscale.windowMs", "20000"),
                Map.entry("autoscale.idleMs", "600000"),
                Map.entry("autoscale.upCooldownMs", "10000"),
                Map.entry("autoscale.downStabilizationMs", "60000"),
                Map.entry("autoscale.intervalMs", "1000"),
                Map.entry("autoscale.local.enabled", "true"),
                Map.entry("autoscale.local.nodeConfig", NODE_YAML.toString()),
                Map.entry("autoscale.local.logDir", "/tmp/pool"),
                Map.entry("autoscale.local.startTimeoutMs", "30000")), "node", "cluster", "tls", "auth", "security");
        RouterConfig sections = load("--node.slotMemoryBytes=4096", "--cluster.port=6000");
        assertThat(sections.node().slotMemoryBytes()).isEqualTo(4096);
        assertThat(sections.cluster().port()).isEqualTo(6000);
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("--http.port=99999")).hasMessage("http.port must be a TCP port, 0 for any free one (0 to 65535), got 99999");
        assertThatThrownBy(() -> load("--forward.timeoutMs=0")).hasMessage("forward.timeoutMs must be at least 1, got 0");
        assertThatThrownBy(() -> load("--scaling.requestsPerCopy=0")).hasMessage("scaling.requestsPerCopy must be a number above 0, got 0.0");
        assertThatThrownBy(() -> load("--requestThreads=-4")).hasMessage("requestThreads must be at least 0, got -4");
        assertThatThrownBy(() -> load("--autoscale.minNodes=5", "--autoscale.maxNodes=3"))
                .hasMessage("autoscale.maxNodes must be a number of nodes, at least 1 and minNodes (5 to 100000), got 3");
        assertThatThrownBy(() -> load("--autoscale.targetMemoryUtilization=1.5"))
                .hasMessage("autoscale.targetMemoryUtilization must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> load("--autoscale.minNodes=0", "--autoscale.idleMs=60000")).hasMessageStartingWith(
                "autoscale.minNodes 0 with autoscale.idleMs lets the node pool scale to zero: set forward.nodeWaitMs");
        assertThat(load("--autoscale.minNodes=0", "--autoscale.idleMs=60000", "--forward.nodeWaitMs=1000").forward().nodeWaitMs()).isEqualTo(1000);
        assertThatThrownBy(() -> load("--autoscale.local.nodeConfig=/no/such/node.yaml"))
                .hasMessage("autoscale.local.nodeConfig must name a readable file, got '/no/such/node.yaml'");
        assertThatThrownBy(() -> load("--registry.jdbcUrl=postgres://db/mesh"))
                .hasMessage("registry.jdbcUrl must be a JDBC URL (jdbc:h2:..., jdbc:postgresql://...) or empty for memory only, got 'postgres://db/mesh'");
        assertThatThrownBy(() -> load("--node.queueTimeoutMs=-1")).hasMessage("node.queueTimeoutMs must be at least 0, got -1");
        assertThatThrownBy(() -> load("--runtimes.dir=/no/such/dir"))
                .hasMessage("runtimes.dir must be an existing directory (or empty for none), got '/no/such/dir'");
        assertThatThrownBy(() -> load("--examples=/no/such/dir")).hasMessage("examples must name existing directories, got '/no/such/dir'");
    }

    private static RouterConfig load(String... flags) {
        return ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "TEST_", Map.of(), List.of(flags)).config();
    }
}
