package dev.meshwork.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller as a separate process between a Kubernetes API server (fabric8's, CRUD mode, on
 * loopback, with KServe's InferenceService CRD from deploy/crds) and a real mesh: InferenceServices
 * created, changed, broken and deleted there are served, moved, kept serving and unregistered in
 * the mesh, and their statuses say so the way modelmesh-serving writes them; a restarted
 * controller cleans up after what was deleted while it was away and leaves hand-made vmodels alone.
 */
class InferenceServiceControllerTest {
    private static final String NS = "team-a";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @TempDir
    static Path dir;
    static KubernetesMockServer api;
    static KubernetesClient client;
    static MeshProcess mesh;
    static ControllerProcess controller;
    static Path token;
    static dev.meshwork.testing.S3Server s3;
    static Path runtimesDir;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        client = api.createClient();
        for (HasMetadata crd : client.load(Files.newInputStream(MeshProcess.repoRoot().resolve("deploy/crds/inferenceservices.yaml"))).items()) {
            client.resource(crd).create();
        }
        Path models = Files.createDirectories(dir.resolve("models"));
        for (String v : List.of("v1", "v2")) {
            Files.createDirectories(models.resolve(v));
            Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/mlp-classifier/model.onnx"), models.resolve(v).resolve("model.onnx"));
        }
        Files.createDirectories(models.resolve("broken"));
        Files.write(models.resolve("broken/model.onnx"), "this is not an ONNX graph".getBytes());
        // modelmesh-serving's example storage: a bucket with a model at the path its examples name (the repository's
        // mlp-classifier ONNX model stands in for MNIST), and KServe's storage-config Secret as the node mounts it
        s3 = dev.meshwork.testing.S3Server.start();
        s3.createBucket("modelmesh-example-models");
        s3.upload("modelmesh-example-models", "onnx/mnist.onnx", MeshProcess.repoRoot().resolve("examples/onnx/mlp-classifier/model.onnx"));
        // and KServe's iris SVC stands in for modelmesh-serving's scikit-learn MNIST SVM
        s3.upload("modelmesh-example-models", "sklearn/mnist-svm.joblib", MeshProcess.repoRoot().resolve("examples/python/sklearn-iris/model.joblib"));
        Path storageConfig = Files.createDirectories(dir.resolve("storage-config"));
        Files.writeString(storageConfig.resolve("localMinIO"), "{\n  \"type\": \"s3\",\n  \"access_key_id\": \""
                + dev.meshwork.testing.S3Server.ACCESS_KEY + "\",\n  \"secret_access_key\": \"" + dev.meshwork.testing.S3Server.SECRET_KEY
                + "\",\n  \"endpoint_url\": \"" + s3.endpoint() + "\",\n  \"default_bucket\": \"modelmesh-example-models\",\n"
                + "  \"region\": \"us-south\"\n}\n");
        runtimesDir = Files.createDirectories(dir.resolve("runtimes"));
        mesh = MeshProcess.start(dir.resolve("mesh"), "--registry.jdbcUrl=", "--node.storage.roots=" + models,
                "--node.storage.keysDir=" + storageConfig, "--runtimes.dir=" + runtimesDir, "--runtimes.pollMs=200");
        for (HasMetadata crd : client.load(Files.newInputStream(MeshProcess.repoRoot().resolve("deploy/crds/servingruntimes.yaml"))).items()) {
            client.resource(crd).create();
        }
        for (HasMetadata crd : client.load(Files.newInputStream(MeshProcess.repoRoot().resolve("deploy/crds/clusterservingruntimes.yaml"))).items()) {
            client.resource(crd).create();
        }
        token = Files.writeString(dir.resolve("k8s-token"), "controller-token");
        controller = startController();
    }

    static ControllerProcess startController() throws Exception {
        return ControllerProcess.start(dir.resolve("controller"), List.of("--mesh.url=" + mesh.http(),
                "--kubernetes.apiUrl=http://127.0.0.1:" + api.getPort(), "--kubernetes.tokenFile=" + token, "--resyncMs=1000",
                "--status.grpcUrl=grpc://meshwork.mesh:8081", "--status.restUrl=http://meshwork.mesh:8080",
                "--runtimes.configMap=meshwork-runtimes", "--runtimes.namespace=mesh", "--nodes.namespace=mesh"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (controller != null) {
            controller.close();
        }
        if (mesh != null) {
            mesh.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.destroy();
        }
    }

    @Test
    void anInferenceServiceIsServedMovedKeptServingWhenBrokenAndUnregistered() throws Exception {
        apply(isvc("mlp", "onnx", "file://" + dir.resolve("models/v1/model.onnx"), true));
        JsonNode ready = awaitStatus("mlp", s -> s.path("modelStatus").path("states").path("activeModelState").asText().equals("Loaded"));
        assertThat(ready.path("url").asText()).isEqualTo("grpc://meshwork.mesh:8081");
        assertThat(ready.path("address").path("url").asText()).isEqualTo("http://meshwork.mesh:8080/v2/models/mlp");
        assertThat(ready.path("modelStatus").path("transitionStatus").asText()).isEqualTo("UpToDate");
        assertThat(ready.path("modelStatus").path("copies").path("totalCopies").asInt()).isEqualTo(1);
        assertThat(condition(ready, "Ready")).isEqualTo("True");
        assertThat(condition(ready, "PredictorReady")).isEqualTo("True");
        String v1 = infer("mlp");
        assertThat(v1).startsWith("mlp__isvc-");

        apply(isvc("mlp", "onnx", "file://" + dir.resolve("models/v2/model.onnx"), true));
        String v2 = await("the new spec serves").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> infer("mlp"), m -> !m.equals(v1));
        awaitStatus("mlp", s -> s.path("modelStatus").path("transitionStatus").asText().equals("UpToDate")
                && s.path("modelStatus").path("states").path("activeModelState").asText().equals("Loaded"));
        await("the old model is unregistered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> get("/v1/mesh/models/" + v1).statusCode() == 404);

        apply(isvc("mlp", "onnx", "file://" + dir.resolve("models/broken/model.onnx"), true));
        JsonNode blocked = awaitStatus("mlp", s -> s.path("modelStatus").path("transitionStatus").asText().equals("BlockedByFailedLoad"));
        assertThat(blocked.path("modelStatus").path("states").path("activeModelState").asText()).isEqualTo("Loaded");
        assertThat(blocked.path("modelStatus").path("states").path("targetModelState").asText()).isEqualTo("FailedToLoad");
        JsonNode failure = blocked.path("modelStatus").path("lastFailureInfo");
        assertThat(failure.path("reason").asText()).isEqualTo("ModelLoadFailed");
        assertThat(failure.path("message").asText()).as("the runtime's own message").containsIgnoringCase("onnx");
        assertThat(failure.path("modelId").asText()).startsWith("mlp__isvc-").isNotEqualTo(v2);
        assertThat(failure.path("time").asText()).isNotEmpty();
        assertThat(condition(blocked, "Ready")).as("the old model still serves").isEqualTo("True");
        assertThat(infer("mlp")).isEqualTo(v2);

        client.genericKubernetesResources(InferenceServiceController.INFERENCE_SERVICES).inNamespace(NS).withName("mlp").delete();
        await("the vmodel and its models are gone").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> get("/v1/mesh/vmodels/mlp").statusCode() == 404 && get("/v1/mesh/models/" + v2).statusCode() == 404);
    }

    @Test
    void modelMeshServingsPublishedExamplesAreServedFromTheirStorageKey() throws Exception {
        // modelmesh-serving's example-onnx-mnist, as its documentation publishes it
        apply(Fixtures.modelMeshServingExample("example-onnx-mnist"));
        JsonNode loaded = awaitStatus("example-onnx-mnist", s -> condition(s, "Ready").equals("True"));
        assertThat(loaded.path("modelStatus").path("states").path("activeModelState").asText()).isEqualTo("Loaded");
        assertThat(infer("example-onnx-mnist")).startsWith("example-onnx-mnist__isvc-");
        // modelmesh-serving's quick start model, scikit-learn: Meshwork's Python runtime (the built-in kserve-mlserver) serves it
        apply(Fixtures.modelMeshServingExample("example-mnist-isvc"));
        awaitStatus("example-mnist-isvc", s -> condition(s, "Ready").equals("True"));
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v1/models/example-mnist-isvc:predict"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Fixtures.JSON.readTree(r.body()).path("predictions").toString()).isEqualTo("[1,1]");
        // KServe's PREDICT_PROBA switch on the model's container reaches the mesh's registration: probabilities
        apply(isvc("iris-proba", "sklearn", "file://" + MeshProcess.repoRoot().resolve("examples/python/sklearn-logreg/model.pkl"), true)
                + "      env: [{name: PREDICT_PROBA, value: \"true\"}]\n");
        awaitStatus("iris-proba", s -> condition(s, "Ready").equals("True"));
        HttpResponse<String> proba = send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v1/models/iris-proba:predict"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[6.8,2.8,4.8,1.4]]}")));
        assertThat(proba.statusCode()).as(proba.body()).isEqualTo(200);
        assertThat(Fixtures.JSON.readTree(proba.body()).path("predictions").get(0).size()).as(proba.body()).isEqualTo(3);
    }

    @Test
    void aClusterServingRuntimeReachesTheRoutersCatalogAndModelsAreBoundToItAgain() throws Exception {
        apply(isvc("rebind", "onnx", "file://" + dir.resolve("models/v1/model.onnx"), true));
        awaitStatus("rebind", s -> condition(s, "Ready").equals("True"));
        String concrete = Fixtures.JSON.readTree(get("/v1/mesh/vmodels/rebind").body()).path("activeModel").asText();
        assertThat(Fixtures.JSON.readTree(get("/v1/mesh/models/" + concrete).body()).path("servingRuntime").asText()).isEqualTo("kserve-tritonserver");

        var runtimes = client.genericKubernetesResources(RuntimeMirror.CLUSTER_SERVING_RUNTIMES);
        runtimes.resource(SERIALIZATION.unmarshal("""
                apiVersion: serving.kserve.io/v1alpha1
                kind: ClusterServingRuntime
                metadata:
                  name: gold-onnx
                  annotations: {serving.meshwork.dev/adapter: auto}
                spec:
                  multiModel: true
                  supportedModelFormats:
                    - {name: onnx, version: "1", autoSelect: true, priority: 10}
                """, GenericKubernetesResource.class)).create();
        java.util.Map<String, String> data = await("the runtime in the routers' ConfigMap").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    var cm = client.configMaps().inNamespace("mesh").withName("meshwork-runtimes").get();
                    return cm == null || cm.getData() == null ? java.util.Map.<String, String>of() : cm.getData();
                }, d -> d.containsKey("clusterservingruntime-gold-onnx.yaml"));
        for (var e : data.entrySet()) { // what the kubelet does with a mounted ConfigMap
            Files.writeString(runtimesDir.resolve(e.getKey()), e.getValue());
        }
        await("the router binds the model to the new runtime at its next use").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    infer("rebind");
                    return Fixtures.JSON.readTree(get("/v1/mesh/models/" + concrete).body()).path("servingRuntime").asText();
                }, "gold-onnx"::equals);

        runtimes.withName("gold-onnx").delete();
        await("the runtime leaves the ConfigMap").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> !client.configMaps().inNamespace("mesh").withName("meshwork-runtimes").get().getData()
                        .containsKey("clusterservingruntime-gold-onnx.yaml"));
        Files.delete(runtimesDir.resolve("clusterservingruntime-gold-onnx.yaml"));
    }

    @Test
    void aSpecNoRuntimeServesIsInvalidAndAnInferenceServiceForAnotherModeIsNotServed() throws Exception {
        apply(isvc("pmml", "pmml", "file://" + dir.resolve("models/v1/model.onnx"), true));
        JsonNode invalid = awaitStatus("pmml", s -> s.path("modelStatus").path("transitionStatus").asText().equals("InvalidSpec"));
        assertThat(invalid.path("modelStatus").path("lastFailureInfo").path("reason").asText()).isEqualTo("NoSupportingRuntime");
        assertThat(invalid.path("modelStatus").path("lastFailureInfo").path("message").asText()).contains("pmml");
        assertThat(condition(invalid, "Ready")).isEqualTo("False");

        apply(isvc("serverless", "onnx", "file://" + dir.resolve("models/v1/model.onnx"), false));
        apply(isvc("marker", "onnx", "file://" + dir.resolve("models/v1/model.onnx"), true));
        awaitStatus("marker", s -> s.path("modelStatus").path("states").path("activeModelState").asText().equals("Loaded"));
        assertThat(get("/v1/mesh/vmodels/serverless").statusCode()).as("not annotated for ModelMesh: not the mesh's").isEqualTo(404);
        assertThat(resource("serverless").getAdditionalProperties()).doesNotContainKey("status");
    }

    @Test
    void aRestartedControllerRemovesWhatWasDeletedMeanwhileAndLeavesHandMadeVModelsAlone() throws Exception {
        apply(isvc("keep", "onnx", "file://" + dir.resolve("models/v1/model.onnx"), true));
        apply(isvc("gone", "onnx", "file://" + dir.resolve("models/v2/model.onnx"), true));
        awaitStatus("keep", s -> condition(s, "Ready").equals("True"));
        awaitStatus("gone", s -> condition(s, "Ready").equals("True"));
        controller.close();
        client.genericKubernetesResources(InferenceServiceController.INFERENCE_SERVICES).inNamespace(NS).withName("gone").delete();
        HttpResponse<String> manual = send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v1/mesh/vmodels/manual")).PUT(HttpRequest.BodyPublishers.ofString(
                "{\"targetModel\": \"manual-v1\", \"model\": {\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"file://"
                        + dir.resolve("models/v1/model.onnx") + "\"}}")));
        assertThat(manual.statusCode()).as(manual.body()).isEqualTo(201);
        assertThat(get("/v1/mesh/vmodels/gone").statusCode()).isEqualTo(200);

        controller = startController();
        await("the vmodel of the deleted InferenceService is removed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> get("/v1/mesh/vmodels/gone").statusCode() == 404);
        assertThat(get("/v1/mesh/vmodels/manual").statusCode()).isEqualTo(200);
        assertThat(get("/v1/mesh/vmodels/keep").statusCode()).isEqualTo(200);
        assertThat(controller.output()).contains("left alone").contains(NS + "/manual");
        assertThat(condition(awaitStatus("keep", s -> true), "Ready")).isEqualTo("True");
    }

    @Test
    void aCanaryTakesItsShareAndIsRolledBackAndPromotedWithNoFailedRequest() throws Exception {
        apply(isvc("canary", "onnx", "file://" + dir.resolve("models/v1/model.onnx"), true));
        awaitStatus("canary", s -> s.path("modelStatus").path("states").path("activeModelState").asText().equals("Loaded"));
        String v1 = infer("canary");

        // KServe's canary: the new spec gets canaryTrafficPercent, the previous one keeps the rest
        apply(isvc("canary", "onnx", "file://" + dir.resolve("models/v2/model.onnx"), true) + "    canaryTrafficPercent: 30\n");
        JsonNode split = awaitStatus("canary", s -> s.path("components").path("predictor").path("traffic").size() == 2
                && s.path("modelStatus").path("transitionStatus").asText().equals("UpToDate"));
        JsonNode traffic = split.path("components").path("predictor").path("traffic");
        assertThat(traffic.get(0).path("revisionName").asText()).isEqualTo(v1);
        assertThat(traffic.get(0).path("percent").asInt()).isEqualTo(70);
        assertThat(traffic.get(0).path("latestRevision").asBoolean()).isFalse();
        assertThat(traffic.get(1).path("percent").asInt()).isEqualTo(30);
        assertThat(traffic.get(1).path("latestRevision").asBoolean()).isTrue();
        String v2 = traffic.get(1).path("revisionName").asText();
        Map<String, Integer> answered = new HashMap<>();
        for (int i = 0; i < 80; i++) {
            answered.merge(infer("canary"), 1, Integer::sum);
        }
        // 80 draws at 30% (mean 24, sd 4.1): fewer than 5 or more than 45 has a chance of about one in a million
        assertThat(answered.keySet()).containsExactlyInAnyOrder(v1, v2);
        assertThat(answered.get(v2)).isBetween(5, 45);

        // rolled back: canaryTrafficPercent 0 sends everything to the previous model
        apply(isvc("canary", "onnx", "file://" + dir.resolve("models/v2/model.onnx"), true) + "    canaryTrafficPercent: 0\n");
        awaitStatus("canary", s -> s.path("components").path("predictor").path("traffic").path(1).path("percent").asInt(-1) == 0);
        for (int i = 0; i < 20; i++) {
            assertThat(infer("canary")).isEqualTo(v1);
        }

        // promoted: without canaryTrafficPercent the latest spec takes all, and the previous model goes
        apply(isvc("canary", "onnx", "file://" + dir.resolve("models/v2/model.onnx"), true));
        awaitStatus("canary", s -> !s.path("components").path("predictor").has("traffic"));
        for (int i = 0; i < 20; i++) {
            assertThat(infer("canary")).isEqualTo(v2);
        }
        await("the previous model is unregistered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> get("/v1/mesh/models/" + v1).statusCode() == 404);
    }

    @Test
    void eachNodePodsDeletionCostIsWhatLosingItsNodeWouldCost() throws Exception {
        // the standalone mesh's one node is node-0; a node pod by that name, a node pod not (yet) in the mesh, and a pod
        // named node-0 in another namespace, which the controller must not touch
        pod("mesh", "node-0", "node");
        pod("mesh", "meshwork-node-joining", "node");
        pod("elsewhere", "node-0", "node");
        HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v1/mesh/models/cost-probe"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"file://"
                        + dir.resolve("models/v1/model.onnx") + "\"}")));
        assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
        assertThat(infer("cost-probe")).isEqualTo("cost-probe");
        // a copy just used and held by no other node weighs 10,000; the annotation follows the routers' figure
        int hot = await("node-0's pod-deletion-cost").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String annotated = annotation("mesh", "node-0");
                    return annotated != null && annotated.equals(Integer.toString(removalCost("node-0"))) ? Integer.parseInt(annotated) : -1;
                }, c -> c >= 10_000);
        assertThat(send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v1/mesh/models/cost-probe")).DELETE()).statusCode()).isEqualTo(200);
        await("the cost falls once the copy is gone").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> annotation("mesh", "node-0"), a -> a != null && Integer.parseInt(a) <= hot - 10_000);
        assertThat(annotation("mesh", "meshwork-node-joining")).as("a pod that is no mesh node is left alone").isNull();
        assertThat(annotation("elsewhere", "node-0")).as("pods outside nodes.namespace are left alone").isNull();
    }

    private static void pod(String namespace, String name, String component) {
        client.pods().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).addToLabels("app.kubernetes.io/component", component).endMetadata()
                .withNewSpec().addNewContainer().withName("node").withImage("meshwork").endContainer().endSpec().build()).create();
    }

    private static String annotation(String namespace, String pod) {
        Map<String, String> annotations = client.pods().inNamespace(namespace).withName(pod).get().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(PodDeletionCosts.ANNOTATION);
    }

    private static int removalCost(String node) throws Exception {
        for (JsonNode n : Fixtures.JSON.readTree(get("/v1/mesh/nodes").body()).path("nodes")) {
            if (n.path("node").asText().equals(node)) {
                return n.path("removalCost").asInt();
            }
        }
        throw new AssertionError("no node " + node + " in /v1/mesh/nodes");
    }

    private static String isvc(String name, String format, String storageUri, boolean modelMesh) {
        return "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: " + name + "\n  namespace: " + NS + "\n"
                + (modelMesh ? "  annotations:\n    serving.kserve.io/deploymentMode: ModelMesh\n" : "")
                + "spec:\n  predictor:\n    model:\n      modelFormat:\n        name: " + format + "\n      storageUri: " + storageUri + "\n";
    }

    private static void apply(String yaml) {
        GenericKubernetesResource r = SERIALIZATION.unmarshal(yaml, GenericKubernetesResource.class);
        var op = client.genericKubernetesResources(InferenceServiceController.INFERENCE_SERVICES).inNamespace(NS);
        GenericKubernetesResource existing = op.withName(r.getMetadata().getName()).get();
        if (existing == null) {
            op.resource(r).create();
        } else {
            existing.setAdditionalProperty("spec", r.getAdditionalProperties().get("spec"));
            op.resource(existing).update();
        }
    }

    private static GenericKubernetesResource resource(String name) {
        return client.genericKubernetesResources(InferenceServiceController.INFERENCE_SERVICES).inNamespace(NS).withName(name).get();
    }

    private static JsonNode awaitStatus(String name, Predicate<JsonNode> done) {
        return await("the status of " + name).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Object status = resource(name).getAdditionalProperties().get("status");
            return status == null ? Fixtures.JSON.createObjectNode() : Fixtures.JSON.readTree(SERIALIZATION.asJson(status));
        }, s -> s.has("modelStatus") && done.test(s));
    }

    private static String condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c.path("status").asText();
            }
        }
        return "";
    }

    /** Infers through the vmodel's name; answers the model that served it. */
    private static String infer(String name) throws Exception {
        JsonNode c = Fixtures.cases("mlp-classifier").get(0);
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v2/models/" + name + "/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(c))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = Fixtures.JSON.readTree(r.body());
        Fixtures.assertOutputs(answer.get("outputs"), c.get("outputs"));
        return answer.path("model_name").asText();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(mesh.http() + path)).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.header("meshwork-namespace", NS).header("Content-Type", "application/json").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
