package dev.meshwork.node.cluster;

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

/** {@code ./meshwork node}: its own keys here; the node and cluster sections are pinned by NodeConfigTest and ClusterConfigTest. */
class NodeProcessConfigTest {
    @Test
    void defaults() {
        assertDefaults(NodeProcessConfig.class, NodeProcessConfig.defaults(), Map.ofEntries(
                Map.entry("grpc.host", "127.0.0.1"),
                Map.entry("grpc.port", "8085"),
                Map.entry("grpc.advertiseHost", ""),
                Map.entry("grpc.maxMessageBytes", "16777216"),
                Map.entry("http.host", "127.0.0.1"),
                Map.entry("http.port", "9085"),
                Map.entry("publishMs", "1000"),
                Map.entry("drain.timeoutMs", "30000"),
                Map.entry("drain.hotWindowMs", "300000"),
                Map.entry("drain.graceMs", "1000"),
                Map.entry("placement.zone", ""),
                Map.entry("placement.labels", ""),
                Map.entry("placement.kubernetesNode", ""),
                Map.entry("placement.kubernetesLabels", "topology.kubernetes.io/zone,topology.kubernetes.io/region,"
                        + "node.kubernetes.io/instance-type,nvidia.com/gpu.present"),
                Map.entry("tracing.endpoint", ""),
                Map.entry("tracing.sampleRatio", "1.0"),
                Map.entry("tracing.exportDelayMs", "1000"),
                Map.entry("runtimes.dir", ""),
                Map.entry("parentPid", "0")), "node", "cluster", "tls", "security");
        assertThat(NodeProcessConfig.defaults().node()).isEqualTo(NodeConfig.defaults());
        assertThat(NodeProcessConfig.defaults().cluster()).isEqualTo(ClusterConfig.defaults());
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(NodeProcessConfig.class, NodeProcessConfig.defaults(), Map.ofEntries(
                Map.entry("grpc.host", "0.0.0.0"),
                Map.entry("grpc.port", "9000"),
                Map.entry("grpc.advertiseHost", "node-7.mesh"),
                Map.entry("grpc.maxMessageBytes", "4096"),
                Map.entry("http.host", "0.0.0.0"),
                Map.entry("http.port", "9001"),
                Map.entry("publishMs", "500"),
                Map.entry("drain.timeoutMs", "1"),
                Map.entry("drain.hotWindowMs", "2"),
                Map.entry("drain.graceMs", "3"),
                Map.entry("placement.zone", "eu-west-1a"),
                Map.entry("placement.labels", "pool=gpu,instance=g5"),
                Map.entry("placement.kubernetesNode", "worker-7"),
                Map.entry("placement.kubernetesLabels", "topology.kubernetes.io/zone"),
                Map.entry("tracing.endpoint", "https://collector:4317"),
                Map.entry("tracing.sampleRatio", "0.1"),
                Map.entry("tracing.exportDelayMs", "250"),
                Map.entry("runtimes.dir", System.getProperty("java.io.tmpdir")),
                Map.entry("parentPid", "4242")), "node", "cluster", "tls", "security");
        NodeProcessConfig sections = ConfigLoader.load(NodeProcessConfig.class, NodeProcessConfig.defaults(), "TEST_", Map.of(),
                List.of("--node.nodeId=node-3", "--cluster.name=prod")).config();
        assertThat(sections.node().nodeId()).isEqualTo("node-3");
        assertThat(sections.cluster().name()).isEqualTo("prod");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("--grpc.port=65536")).hasMessage("grpc.port must be a TCP port, 0 for any free one (0 to 65535), got 65536");
        assertThatThrownBy(() -> load("--publishMs=0")).hasMessage("publishMs must be at least 10, got 0");
        assertThatThrownBy(() -> load("--placement.labels=gpu")).hasMessage("placement.labels takes key=value entries, got 'gpu'");
        assertThatThrownBy(() -> load("--drain.graceMs=-1")).hasMessage("drain.graceMs must be at least 0, got -1");
    }

    private static NodeProcessConfig load(String... flags) {
        return ConfigLoader.load(NodeProcessConfig.class, NodeProcessConfig.defaults(), "TEST_", Map.of(), List.of(flags)).config();
    }
}
