package dev.meshwork.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way the manifests form a cluster, for real: a router and a node find each other through
 * Hazelcast's Kubernetes discovery, reading the member service's EndpointSlices from a Kubernetes
 * API server (fabric8's, in CRUD mode, over TLS on loopback) with a bearer token, and then serve a
 * model; the node reports its machine's zone and instance type, read from the same API server.
 */
class KubernetesDiscoveryTest {
    private static final String NAMESPACE = "mesh";
    private static final String SERVICE = "meshwork-hazelcast";

    @TempDir
    Path dir;

    @Test
    void aRouterAndANodeFindEachOtherThroughTheMemberServiceAndServe() throws Exception {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), true);
        api.init(InetAddress.getLoopbackAddress(), 0);
        List<MeshProcess> processes = new ArrayList<>();
        try (KubernetesClient client = api.createClient()) {
            int routerPort = MeshProcess.freePort();
            int nodePort = MeshProcess.freePort();
            // what Kubernetes keeps for a headless service: one slice per pod here, since both pods share 127.0.0.1
            for (int port : List.of(routerPort, nodePort)) {
                client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(new EndpointSliceBuilder()
                        .withNewMetadata().withName(SERVICE + "-" + port).addToLabels("kubernetes.io/service-name", SERVICE).endMetadata()
                        .withAddressType("IPv4")
                        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
                        .addNewPort().withName("hazelcast").withPort(port).withProtocol("TCP").endPort()
                        .build()).create();
            }
            // the pod each member runs in (Hazelcast looks itself up by host name) on a machine in a zone
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-a")
                    .addToLabels("topology.kubernetes.io/zone", "zone-a").addToLabels("node.kubernetes.io/instance-type", "m5.large")
                    .addToLabels("kubernetes.io/hostname", "worker-a").endMetadata().build()).create();
            for (String pod : new java.util.TreeSet<>(List.of(InetAddress.getLocalHost().getHostName(), System.getenv().getOrDefault("HOSTNAME", "localhost")))) {
                client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(pod).endMetadata()
                        .withNewSpec().withNodeName("worker-a").endSpec().build()).create();
            }
            Path token = Files.writeString(dir.resolve("token"), "discovery-token-" + System.nanoTime());
            Path ca = Files.copy(Path.of(api.getSelfSignedCertificate().certificatePath()), dir.resolve("api-ca.crt"));
            String apiUrl = "https://" + api.getHostName() + ":" + api.getPort();
            List<String> discovery = List.of("--cluster.name=k8s-" + System.nanoTime(), "--cluster.kubernetes.enabled=true",
                    "--cluster.kubernetes.namespace=" + NAMESPACE, "--cluster.kubernetes.serviceName=" + SERVICE,
                    "--cluster.kubernetes.apiUrl=" + apiUrl, "--cluster.kubernetes.tokenFile=" + token, "--cluster.kubernetes.caFile=" + ca);

            List<String> routerFlags = new ArrayList<>(discovery);
            routerFlags.addAll(List.of("--cluster.port=" + routerPort, "--registry.jdbcUrl="));
            processes.add(MeshProcess.router(dir.resolve("router"), routerFlags));
            List<String> nodeFlags = new ArrayList<>(discovery);
            nodeFlags.addAll(List.of("--cluster.port=" + nodePort, "--node.nodeId=node-k8s", "--placement.kubernetesNode=worker-a",
                    "--node.storage.roots=" + MeshProcess.repoRoot().resolve("examples")));
            processes.add(MeshProcess.node(dir.resolve("node"), nodeFlags));
            MeshProcess router = processes.get(0);

            HttpClient http = HttpClient.newHttpClient();
            await("the router sees the node").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    Fixtures.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/nodes")).build(),
                            HttpResponse.BodyHandlers.ofString()).body()).path("nodes").size() == 1);
            // the node took its machine's zone and instance type (and only the labels it is told to take)
            JsonNode node = Fixtures.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/nodes")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("nodes").get(0);
            assertThat(node.path("zone").asText()).isEqualTo("zone-a");
            assertThat(node.path("labels").path("node.kubernetes.io/instance-type").asText()).isEqualTo("m5.large");
            assertThat(node.path("labels").has("kubernetes.io/hostname")).isFalse();
            String uri = MeshProcess.repoRoot().resolve("examples/onnx/mlp-classifier/model.onnx").toUri().toString();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/models/k8s-mlp"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            var c = Fixtures.cases("mlp-classifier").get(0);
            HttpResponse<String> infer = http.send(HttpRequest.newBuilder(URI.create(router.http() + "/v2/models/k8s-mlp/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(c))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(infer.statusCode()).as(infer.body()).isEqualTo(200);
            Fixtures.assertOutputs(Fixtures.JSON.readTree(infer.body()).get("outputs"), c.get("outputs"));

            // the members asked the API server for the service's endpoints, with the token of the file
            boolean askedWithToken = false;
            for (RecordedRequest r; (r = api.takeRequest(1, TimeUnit.SECONDS)) != null; ) {
                if (r.getMethod().equals("GET") && r.getPath().contains("/namespaces/" + NAMESPACE + "/endpoint")) { // not the test's own POSTs
                    assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + Files.readString(token));
                    askedWithToken = true;
                }
            }
            assertThat(askedWithToken).as("a discovery request reached the API server").isTrue();
        } finally {
            for (MeshProcess p : processes) {
                p.close();
            }
            api.destroy();
        }
    }
}
