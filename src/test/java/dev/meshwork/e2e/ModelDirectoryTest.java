package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** InferenceService documents in a mesh process: a watched directory the registry follows, and YAML bodies on the REST API. */
class ModelDirectoryTest {
    static final Path DIR = modelDir();
    static final Path EXAMPLES = MeshProcess.repoRoot().resolve("examples");
    static final Path AUDIT = DIR.resolveSibling(DIR.getFileName() + "-audit.log");
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension("--models.dir=" + DIR, "--models.pollMs=100", "--node.storage.roots=" + EXAMPLES,
            "--security.auditFile=" + AUDIT);

    static Path modelDir() {
        try {
            return Files.createTempDirectory("meshwork-models-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String isvc(String name, String predictor) {
        return "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: " + name + "}\nspec:\n  predictor:\n" + predictor;
    }

    static JsonNode models() throws Exception {
        return Fixtures.JSON.readTree(mesh.get("/v1/mesh/models").body());
    }

    static boolean registered(String name) throws Exception {
        return mesh.get("/v1/mesh/models/" + name).status() == 200;
    }

    static void awaitUntil(java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(condition);
    }

    @Test
    void theRegistryFollowsTheDirectory() throws Exception {
        String onnx = EXAMPLES.resolve("onnx/add-vectors/model.onnx").toString();
        Files.writeString(DIR.resolve("team.yaml"), isvc("dir-adder", "    model:\n      modelFormat: {name: onnx}\n      storageUri: " + onnx + "\n")
                + "---\n" + isvc("dir-linear", "    tensorflow:\n      storageUri: " + EXAMPLES.resolve("tensorflow/tf-linear") + "\n"));
        awaitUntil(() -> registered("dir-adder") && registered("dir-linear"));
        JsonNode adder = Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/dir-adder").body());
        assertThat(adder.get("source").asText()).isEqualTo("file:" + DIR.resolve("team.yaml"));
        assertThat(adder.get("servingRuntime").asText()).isEqualTo("kserve-tritonserver");
        for (String[] pair : new String[][]{{"dir-adder", "add-vectors"}, {"dir-linear", "tf-linear"}}) {
            JsonNode c = Fixtures.cases(pair[1]).get(0);
            MeshExtension.Http r = mesh.post("/v2/models/" + pair[0] + "/infer", Fixtures.v2Body(c));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
        }

        // a broken edit leaves the file's models alone and says why
        Files.writeString(DIR.resolve("team.yaml"), isvc("dir-adder", "    model: {modelFormat: onnx}\n"));
        awaitUntil(() -> models().get("directory").get("errors").toString().contains("/spec/predictor/model/modelFormat: expected a mapping"));
        assertThat(registered("dir-adder")).isTrue();
        assertThat(registered("dir-linear")).isTrue();

        // a change updates, a removal unregisters
        Files.writeString(DIR.resolve("team.yaml"), isvc("dir-adder", "    model:\n      modelFormat: {name: onnx, version: \"1\"}\n      storageUri: " + onnx + "\n"));
        awaitUntil(() -> !registered("dir-linear"));
        assertThat(Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/dir-adder").body()).get("modelFormat").get("version").asText()).isEqualTo("1");
        assertThat(models().get("directory").get("errors").size()).isZero();

        // a document that no runtime serves is reported; the others stay
        Files.writeString(DIR.resolve("sk.yaml"), isvc("dir-iris", "    pmml:\n      storageUri: gs://kfserving-examples/models/pmml/model\n"));
        awaitUntil(() -> models().get("directory").get("errors").toString().contains("no runtime is auto-selected for model format 'pmml'"));
        assertThat(registered("dir-iris")).isFalse();
        Files.delete(DIR.resolve("sk.yaml"));
        Files.delete(DIR.resolve("team.yaml"));
        awaitUntil(() -> !registered("dir-adder"));
        // the example models registered through the API were never touched
        assertThat(registered("add-vectors")).isTrue();
        // what the directory did is in the audit file, as the system's doing
        awaitUntil(() -> Files.readString(AUDIT).contains("\"target\":\"unregister dir-adder\""));
        assertThat(Files.readString(AUDIT)).contains("\"principal\":\"system\"", "\"target\":\"register dir-linear\"",
                "\"target\":\"update dir-adder\"", "\"protocol\":\"file\"");
    }

    @Test
    void anInferenceServiceIsAlsoARegistrationBodyInYamlOrJson() throws Exception {
        String yaml = isvc("yaml-adder", "    model:\n      modelFormat: {name: onnx}\n      storageUri: " + EXAMPLES.resolve("onnx/add-vectors/model.onnx") + "\n");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(mesh.url("/v1/mesh/models/yaml-adder")))
                .header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(Fixtures.JSON.readTree(r.body()).get("servingRuntime").asText()).isEqualTo("kserve-tritonserver");
        String json = "{\"apiVersion\":\"serving.kserve.io/v1beta1\",\"kind\":\"InferenceService\",\"metadata\":{\"name\":\"json-linear\"},"
                + "\"spec\":{\"predictor\":{\"tensorflow\":{\"storageUri\":\"" + EXAMPLES.resolve("tensorflow/tf-linear") + "\"}}}}";
        assertThat(mesh.put("/v1/mesh/models/json-linear", json).status()).isEqualTo(201);
        MeshExtension.Http mismatch = mesh.put("/v1/mesh/models/other-name", json);
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.body()).contains("the InferenceService is named 'json-linear' but the URL names 'other-name'");
        MeshExtension.Http legacyPmml = mesh.put("/v1/mesh/models/iris",
                json.replace("json-linear", "iris").replace("tensorflow", "pmml"));
        assertThat(legacyPmml.status()).isEqualTo(400);
        assertThat(legacyPmml.body()).contains("no runtime is auto-selected for model format 'pmml'");
    }
}
