package dev.meshwork.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router and a node started as real processes from the configuration the dev overlay mounts
 * (only what a pod gets from Kubernetes is replaced: loopback addresses, ports, TCP discovery,
 * writable directories): the probes the Deployments name answer, and every metric the alert rules
 * and the dashboard use is one these processes export.
 */
class LiveEndpointsTest {
    private static final Pattern METRIC = Pattern.compile("\\bmeshwork_[a-z0-9_]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Rendered dev;
    static MeshCluster mesh;

    @BeforeAll
    static void start() throws Exception {
        dev = Rendered.of("overlays/dev");
        ObjectNode config = dev.configMap("meshwork-config");
        Files.writeString(dir.resolve("router.yaml"), config.path("data").path("router.yaml").asText());
        Files.writeString(dir.resolve("node.yaml"), config.path("data").path("node.yaml").asText());
        Path runtimes = Files.createDirectories(dir.resolve("runtimes"));
        for (Map.Entry<String, String> e : Pods.strings(dev.configMap("meshwork-runtimes").path("data")).entrySet()) {
            Files.writeString(runtimes.resolve(e.getKey()), e.getValue());
        }
        Path tenants = Files.createDirectories(dir.resolve("tenants"));
        for (Map.Entry<String, String> e : Pods.strings(dev.configMap("meshwork-tenants").path("data")).entrySet()) {
            Files.writeString(tenants.resolve(e.getKey()), e.getValue());
        }
        List<String> loopback = List.of("--http.host=127.0.0.1", "--grpc.host=127.0.0.1", "--cluster.host=127.0.0.1",
                "--cluster.kubernetes.enabled=false");
        List<String> node = new java.util.ArrayList<>(List.of("--config=" + dir.resolve("node.yaml"), "--drain.timeoutMs=5000",
                "--runtimes.dir=" + runtimes));
        node.addAll(loopback);
        List<String> router = new java.util.ArrayList<>(List.of("--config=" + dir.resolve("router.yaml"), "--runtimes.dir=" + runtimes,
                "--tenants.dir=" + tenants));
        router.addAll(loopback);
        mesh = MeshCluster.start(dir.resolve("mesh"), 1, 1, node, router);
    }

    @AfterAll
    static void stop() throws Exception {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void theProbesTheDeploymentsNameAnswerOnTheRealProcesses() throws Exception {
        probe(Pods.container(dev.named("Deployment", "meshwork-router"), "router"), mesh.router(0));
        probe(Pods.container(dev.named("Deployment", "meshwork-node"), "node"), mesh.node(0));
        JsonNode namespaces = JSON.readTree(mesh.get(mesh.router(0), "/v1/mesh/namespaces").body());
        assertThat(namespaces.path("directory").path("errors").size()).as("the tenants ConfigMap reads cleanly").isZero();
        assertThat(namespaces.path("defaults").path("maxModels").asInt()).as("its defaults document holds").isEqualTo(10000);
        MeshExtension.Http runtimes = mesh.get(mesh.router(0), "/v1/mesh/runtimes");
        JsonNode catalog = JSON.readTree(runtimes.body());
        assertThat(catalog.path("reloadError").asText()).isEmpty();
        assertThat(catalog.path("runtimes")).as("the runtimes ConfigMap is the router's catalog").hasSize(10)
                .allMatch(rt -> rt.path("source").asText().startsWith(dir.resolve("runtimes").toString()));
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardUseIsExported() throws Exception {
        mesh.registerOnnx(mesh.router(0), "probe-mlp", "mlp-classifier");
        String body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}";
        MeshExtension.Http infer = mesh.post(mesh.router(0), "/v2/models/probe-mlp/infer", body);
        assertThat(infer.status()).as(infer.body()).isEqualTo(200);

        Set<String> exported = new TreeSet<>();
        exported.addAll(names(mesh.get(mesh.router(0), "/metrics").body(), "^(meshwork_[a-z0-9_]+)"));
        exported.addAll(names(mesh.get(mesh.node(0), "/metrics").body(), "^(meshwork_[a-z0-9_]+)"));
        assertThat(exported).hasSizeGreaterThan(15);

        Rendered production = Rendered.of("overlays/production");
        Set<String> used = new TreeSet<>();
        for (JsonNode group : production.named("PrometheusRule", "meshwork").path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                used.addAll(names(rule.path("expr").asText(), null));
            }
        }
        assertThat(used).as("metrics of the alert rules").hasSizeGreaterThan(5);
        JsonNode dashboard = JSON.readTree(production.configMap("meshwork-dashboard").path("data").path("meshwork-dashboard.json").asText());
        Set<String> charted = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                charted.addAll(names(target.path("expr").asText(), null));
            }
        }
        assertThat(charted).as("metrics of the dashboard").hasSizeGreaterThan(8);
        assertThat(exported).as("what the processes export").containsAll(used).containsAll(charted);
    }

    private static void probe(JsonNode container, MeshProcess process) throws Exception {
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            String path = container.path(probe).path("httpGet").path("path").asText();
            assertThat(path).as(probe).startsWith("/");
            MeshExtension.Http r = mesh.get(process, path);
            assertThat(r.status()).as("%s %s: %s", probe, path, r.body()).isEqualTo(200);
        }
    }

    /** Metric names in a scrape (one per line, {@code lineStart} given) or in a PromQL expression. */
    private static Set<String> names(String text, String lineStart) {
        Set<String> out = new TreeSet<>();
        if (lineStart != null) {
            Pattern p = Pattern.compile(lineStart);
            for (String line : text.split("\n")) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    out.add(m.group(1));
                }
            }
            return out;
        }
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
