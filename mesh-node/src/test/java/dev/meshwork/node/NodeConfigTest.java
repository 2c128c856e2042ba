package dev.meshwork.node;

import static dev.meshwork.testing.ConfigAssertions.assertDefaults;
import static dev.meshwork.testing.ConfigAssertions.assertFullMapping;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code node} section of every process that runs a node: every default, every key, and the values it refuses. */
class NodeConfigTest {
    @Test
    void defaults() {
        assertDefaults(NodeConfig.class, NodeConfig.defaults(), Map.ofEntries(
                Map.entry("nodeId", "node-0"),
                Map.entry("slotMemoryBytes", "2147483648"),
                Map.entry("loadThreads", "2"),
                Map.entry("loadTimeoutMs", "120000"),
                Map.entry("failedLoadBackoffMs", "30000"),
                Map.entry("maxConcurrencyPerModel", "0"),
                Map.entry("queueTimeoutMs", "30000"),
                Map.entry("storage.roots", ""),
                Map.entry("storage.maxArtifactBytes", "2147483648"),
                Map.entry("storage.cacheDir", ""),
                Map.entry("storage.cacheMaxBytes", "10737418240"),
                Map.entry("storage.httpTimeoutMs", "60000"),
                Map.entry("storage.s3.endpoint", ""),
                Map.entry("storage.s3.region", "us-east-1"),
                Map.entry("storage.s3.accessKeyId", ""),
                Map.entry("storage.s3.secretAccessKey", ""),
                Map.entry("storage.s3.pathStyle", "true"),
                Map.entry("storage.allowedHosts", ""),
                Map.entry("storage.keysDir", ""),
                Map.entry("storage.downloads.threads", "4"),
                Map.entry("storage.downloads.perHost", "2"),
                Map.entry("storage.downloads.idleTimeoutMs", "30000"),
                Map.entry("storage.downloads.deadlineMs", "1800000"),
                Map.entry("onnx.intraOpThreads", "1"),
                Map.entry("onnx.interOpThreads", "1"),
                Map.entry("externalRuntimes", ""),
                Map.entry("slots", ""),
                Map.entry("evictionPolicy", "lfu"),
                Map.entry("isolation.stateDir", ""),
                Map.entry("isolation.maxInferenceCrashes", "2"),
                Map.entry("isolation.jvmOptions", "-Xmx512m,-XX:+UseSerialGC"),
                Map.entry("isolation.startupTimeoutMs", "60000"),
                Map.entry("isolation.checkModelFiles", "true"),
                Map.entry("isolation.inferenceSocket", "true"),
                Map.entry("overload.enabled", "false"),
                Map.entry("overload.minGain", "0.05"),
                Map.entry("overload.minLimit", "0"),
                Map.entry("overload.maxLimit", "1000"),
                Map.entry("overload.initialLimit", "0"),
                Map.entry("overload.windowMs", "500"),
                Map.entry("overload.retryAfterMs", "100"),
                Map.entry("inlineMicros", "100")));
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(NodeConfig.class, NodeConfig.defaults(), Map.ofEntries(
                Map.entry("nodeId", "node-7"),
                Map.entry("slotMemoryBytes", "4096"),
                Map.entry("loadThreads", "3"),
                Map.entry("loadTimeoutMs", "5000"),
                Map.entry("failedLoadBackoffMs", "10"),
                Map.entry("maxConcurrencyPerModel", "4"),
                Map.entry("queueTimeoutMs", "20"),
                Map.entry("storage.roots", "/models,/tmp"),
                Map.entry("storage.maxArtifactBytes", "1000"),
                Map.entry("storage.cacheDir", "/var/cache/meshwork"),
                Map.entry("storage.cacheMaxBytes", "2000"),
                Map.entry("storage.httpTimeoutMs", "3000"),
                Map.entry("storage.s3.endpoint", "http://minio:9000"),
                Map.entry("storage.s3.region", "eu-west-1"),
                Map.entry("storage.s3.accessKeyId", "key"),
                Map.entry("storage.s3.secretAccessKey", "secret"),
                Map.entry("storage.downloads.threads", "8"),
                Map.entry("storage.downloads.perHost", "3"),
                Map.entry("storage.downloads.idleTimeoutMs", "5000"),
                Map.entry("storage.downloads.deadlineMs", "60000"),
                Map.entry("storage.s3.pathStyle", "false"),
                Map.entry("storage.allowedHosts", "models.example,minio"),
                Map.entry("storage.keysDir", System.getProperty("java.io.tmpdir")),
                Map.entry("onnx.intraOpThreads", "4"),
                Map.entry("onnx.interOpThreads", "2"),
                Map.entry("evictionPolicy", "gdsf"),
                Map.entry("isolation.stateDir", "/var/lib/meshwork"),
                Map.entry("isolation.maxInferenceCrashes", "5"),
                Map.entry("isolation.jvmOptions", "-Xmx2g"),
                Map.entry("isolation.startupTimeoutMs", "9000"),
                Map.entry("isolation.checkModelFiles", "false"),
                Map.entry("isolation.inferenceSocket", "false"),
                Map.entry("overload.enabled", "true"),
                Map.entry("overload.minGain", "0.1"),
                Map.entry("overload.minLimit", "2"),
                Map.entry("overload.maxLimit", "64"),
                Map.entry("overload.initialLimit", "8"),
                Map.entry("overload.windowMs", "300"),
                Map.entry("overload.retryAfterMs", "250"),
                Map.entry("inlineMicros", "0")));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("--slotMemoryBytes=0")).hasMessage("node.slotMemoryBytes must be at least 1, got 0");
        assertThatThrownBy(() -> load("--loadThreads=-1")).hasMessage("node.loadThreads must be at least 1, got -1");
        assertThatThrownBy(() -> load("--evictionPolicy=fifo")).hasMessageContaining("node.evictionPolicy 'fifo' is not one of [lfu, lru, gdsf, none]");
        assertThatThrownBy(() -> load("--evictionPolicy=gdsf:0")).hasMessageContaining("node.evictionPolicy 'gdsf:0': the half-life");
        org.assertj.core.api.Assertions.assertThat(load("--evictionPolicy=gdsf:16").evictionPolicy()).isEqualTo("gdsf:16");
        assertThatThrownBy(() -> load("--storage.httpTimeoutMs=0")).hasMessage("node.storage.httpTimeoutMs must be at least 1, got 0");
        assertThatThrownBy(() -> load("--nodeId=")).hasMessage("node.nodeId must not be empty");
        assertThatThrownBy(() -> load("--onnx.intraOpThreads=-2")).hasMessage("node.onnx.intraOpThreads must be at least 0, got -2");
        assertThatThrownBy(() -> load("--isolation.maxInferenceCrashes=0")).hasMessage("node.isolation.maxInferenceCrashes must be at least 1, got 0");
        assertThatThrownBy(() -> load("--inlineMicros=-1")).hasMessage("node.inlineMicros must be at least 0, got -1");
    }

    private static NodeConfig load(String... flags) {
        return ConfigLoader.load(NodeConfig.class, NodeConfig.defaults(), "TEST_", Map.of(), List.of(flags)).config();
    }
}
