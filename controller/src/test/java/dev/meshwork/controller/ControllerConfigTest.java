package dev.meshwork.controller;

import static dev.meshwork.testing.ConfigAssertions.assertDefaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The controller's configuration: every default, the derived addresses, and the values it refuses. */
class ControllerConfigTest {
    @Test
    void defaults() {
        Map<String, String> want = new java.util.LinkedHashMap<>();
        want.put("mesh.url", "http://127.0.0.1:8080");
        want.put("mesh.tokenFile", "");
        want.put("mesh.caFile", "");
        want.put("kubernetes.namespace", "");
        want.put("kubernetes.apiUrl", "");
        want.put("kubernetes.tokenFile", "");
        want.put("kubernetes.caFile", "");
        want.put("status.restUrl", "");
        want.put("status.grpcUrl", "");
        want.put("owner", "meshwork-controller");
        want.put("resyncMs", "5000");
        want.put("runtimes.configMap", "");
        want.put("runtimes.namespace", "");
        want.put("nodes.deletionCost", "true");
        want.put("nodes.namespace", "");
        want.put("nodes.labelSelector", "app.kubernetes.io/component=node");
        assertDefaults(ControllerConfig.class, ControllerConfig.defaults(), want);
    }

    @Test
    void everyKeyMaps() throws Exception {
        String file = java.nio.file.Files.createTempFile("controller", ".token").toString();
        Map<String, String> flags = new java.util.LinkedHashMap<>();
        flags.put("mesh.url", "https://meshwork.mesh:8080");
        flags.put("mesh.tokenFile", file);
        flags.put("mesh.caFile", file);
        flags.put("kubernetes.namespace", "team-a");
        flags.put("kubernetes.apiUrl", "https://10.0.0.1:6443");
        flags.put("kubernetes.tokenFile", file);
        flags.put("kubernetes.caFile", file);
        flags.put("status.restUrl", "https://mesh.example");
        flags.put("status.grpcUrl", "grpc://mesh.example:443");
        flags.put("owner", "ops");
        flags.put("resyncMs", "2000");
        flags.put("runtimes.configMap", "meshwork-runtimes");
        flags.put("runtimes.namespace", "mesh");
        flags.put("nodes.deletionCost", "false");
        flags.put("nodes.namespace", "mesh");
        flags.put("nodes.labelSelector", "app=meshwork-node");
        dev.meshwork.testing.ConfigAssertions.assertFullMapping(ControllerConfig.class, ControllerConfig.defaults(), flags);
    }

    @Test
    void statusesShowTheMeshsServiceUnlessTold() {
        ControllerConfig c = load("--mesh.url=http://meshwork.mesh.svc:8080/");
        assertThat(c.mesh().url()).isEqualTo("http://meshwork.mesh.svc:8080");
        assertThat(c.restUrl()).isEqualTo("http://meshwork.mesh.svc:8080");
        assertThat(c.grpcUrl()).isEqualTo("grpc://meshwork.mesh.svc:8081");
        assertThat(load("--status.grpcUrl=grpc://mesh.example:443").grpcUrl()).isEqualTo("grpc://mesh.example:443");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("--mesh.url=meshwork:8080")).hasMessage("mesh.url must be an http(s) URL, got 'meshwork:8080'");
        assertThatThrownBy(() -> load("--resyncMs=10")).hasMessage("resyncMs must be at least 1000, got 10");
        assertThatThrownBy(() -> load("--kubernetes.tokenFile=/no/such/token")).hasMessageContaining("kubernetes.tokenFile");
        assertThatThrownBy(() -> load("--owner=")).hasMessage("owner must not be empty");
        assertThatThrownBy(() -> load("--nodes.labelSelector=")).hasMessage("nodes.labelSelector must not be empty");
    }

    private static ControllerConfig load(String... flags) {
        return ConfigLoader.load(ControllerConfig.class, ControllerConfig.defaults(), "MESHWORK_CONTROLLER_", Map.of(), List.of(flags)).config();
    }
}
