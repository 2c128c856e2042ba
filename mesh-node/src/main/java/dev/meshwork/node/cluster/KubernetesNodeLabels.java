package dev.meshwork.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.security.tls.ClientTls;
import dev.meshwork.state.cluster.ClusterConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labels of the Kubernetes node (machine) a node's pod runs on, read once at start from the API
 * server: its zone, region, instance type, GPU presence, and whatever else
 * {@code placement.kubernetesLabels} names. The API server, token and CA are the ones Hazelcast's
 * discovery uses ({@code cluster.kubernetes.*}, else the pod's service account). A node that
 * cannot read them (no rights, no API server) starts without them and says why. Runs once on the
 * starting thread.
 */
final class KubernetesNodeLabels {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KubernetesNodeLabels.class);
    private static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    private static final ObjectMapper JSON = new ObjectMapper();

    private KubernetesNodeLabels() {
    }

    /** The labels of {@code nodeName} that {@code keys} names (those it has), or none when they cannot be read. */
    static Map<String, String> read(String nodeName, List<String> keys, ClusterConfig.Kubernetes api) {
        try {
            String base = api.apiUrl().isEmpty() ? "https://kubernetes.default.svc" : api.apiUrl();
            String token = Files.readString(api.tokenFile().isEmpty() ? SERVICE_ACCOUNT.resolve("token") : Path.of(api.tokenFile())).strip();
            String ca = api.caFile().isEmpty() ? SERVICE_ACCOUNT.resolve("ca.crt").toString() : api.caFile();
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
            if (base.startsWith("https://")) {
                b.sslContext(ClientTls.trusting("cluster.kubernetes.caFile", ca, 60_000));
            }
            HttpResponse<String> r = b.build().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/nodes/"
                    + URLEncoder.encode(nodeName, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                LOG.warn("the labels of Kubernetes node {} cannot be read (HTTP {}): this node reports only placement.zone and placement.labels",
                        nodeName, r.statusCode());
                return Map.of();
            }
            JsonNode labels = JSON.readTree(r.body()).path("metadata").path("labels");
            Map<String, String> out = new TreeMap<>();
            for (String k : keys) {
                if (labels.hasNonNull(k)) {
                    out.put(k, labels.get(k).asText());
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            LOG.warn("the labels of Kubernetes node {} cannot be read ({}): this node reports only placement.zone and placement.labels",
                    nodeName, e.toString());
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }
}
