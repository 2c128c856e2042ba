package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ServingRuntime catalog in a mesh process: selection at registration, dedicated slots, refusals, and reload on edit. */
class RuntimeCatalogTest {
    static final Path DIR = tempDir();
    static final String TEAM_ONNX = """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata:
              name: team-onnx
              annotations: {serving.meshwork.dev/adapter: onnx}
            spec:
              disabled: %s
              supportedModelFormats: [{name: onnx, version: "1", autoSelect: true, priority: 10}]
            """;
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension("--runtimes.dir=" + DIR.resolve("runtimes"), "--runtimes.pollMs=100",
            "--config=" + DIR.resolve("mesh.yaml"), "--security.auditFile=" + DIR.resolve("audit.log"));

    static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("meshwork-catalog-");
            Files.createDirectories(dir.resolve("runtimes"));
            Files.writeString(dir.resolve("runtimes/team.yaml"), TEAM_ONNX.formatted("false"));
            // a slot dedicated to team-onnx next to the usual ones
            Files.writeString(dir.resolve("mesh.yaml"), """
                    node:
                      slots:
                        - {adapter: onnx}
                        - {adapter: onnx, runtime: team-onnx, autoSelect: false}
                        - {adapter: xgboost}
                        - {adapter: lightgbm}
                        - {adapter: tensorflow}
                        - {adapter: pytorch}
                    """);
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String model() throws IOException {
        Path to = mesh.storage().resolve("adder.onnx");
        if (!Files.exists(to)) {
            Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), to);
        }
        return to.toString();
    }

    static MeshExtension.Http register(String name, String format, String extra) throws Exception {
        return mesh.put("/v1/mesh/models/" + name + "?load=true", "{\"modelFormat\":" + format + ",\"storageUri\":\"" + model() + "\"" + extra + "}");
    }

    static JsonNode status(String name) throws Exception {
        return Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/" + name).body());
    }

    static List<String> runtimeNames() throws Exception {
        List<String> out = new ArrayList<>();
        Fixtures.JSON.readTree(mesh.get("/v1/mesh/runtimes").body()).get("runtimes").forEach(r -> out.add(r.get("name").asText()));
        return out;
    }

    @Test
    void selectionPicksTheRuntimeAndTheRuntimePicksTheSlot() throws Exception {
        assertThat(runtimeNames()).contains("team-onnx", "kserve-tritonserver", "kserve-tensorflow-serving", "kserve-mlserver");

        assertThat(register("auto-onnx", "{\"name\":\"onnx\"}", "").status()).isEqualTo(201);
        JsonNode auto = status("auto-onnx");
        assertThat(auto.get("servingRuntime").asText()).isEqualTo("team-onnx"); // priority 10 beats triton's 1
        assertThat(auto.get("copies").get(0).get("slot").asText()).isEqualTo("team-onnx-0");

        assertThat(register("triton-onnx", "{\"name\":\"onnx\",\"version\":\"1\"}", ",\"runtime\":\"kserve-tritonserver\"").status()).isEqualTo(201);
        JsonNode triton = status("triton-onnx");
        assertThat(triton.get("servingRuntime").asText()).isEqualTo("kserve-tritonserver");
        assertThat(triton.get("copies").get(0).get("slot").asText()).isEqualTo("onnx-0");
        JsonNode c = Fixtures.cases("add-vectors").get(0);
        MeshExtension.Http answer = mesh.post("/v2/models/triton-onnx/infer", Fixtures.v2Body(c));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(status("tf-linear").get("servingRuntime").asText()).isEqualTo("kserve-tensorflow-serving");

        // refusals say which rule failed, and register nothing
        MeshExtension.Http version = register("v7", "{\"name\":\"onnx\",\"version\":\"7\"}", "");
        assertThat(version.status()).isEqualTo(400);
        assertThat(version.body()).contains("no runtime is auto-selected for model format 'onnx' version '7'");
        MeshExtension.Http unknown = register("nope", "{\"name\":\"onnx\"}", ",\"runtime\":\"nope\"");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("runtime 'nope' is neither a ServingRuntime in namespace 'default' nor a ClusterServingRuntime");
        MeshExtension.Http wrongFormat = register("wrong", "{\"name\":\"onnx\"}", ",\"runtime\":\"kserve-torchserve\"");
        assertThat(wrongFormat.status()).isEqualTo(400);
        assertThat(wrongFormat.body()).contains("runtime 'kserve-torchserve' does not support model format 'onnx'");
        for (String refused : List.of("v7", "nope", "wrong")) {
            assertThat(mesh.get("/v1/mesh/models/" + refused).status()).isEqualTo(404);
        }
    }

    @Test
    void anEditIsPickedUpWithoutARestartAndABrokenOneIsRefused() throws Exception {
        assertThat(register("follows-catalog", "{\"name\":\"onnx\"}", "").status()).isIn(200, 201);
        assertThat(status("follows-catalog").get("servingRuntime").asText()).isEqualTo("team-onnx");

        Files.writeString(DIR.resolve("runtimes/broken.yaml"), "apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nmetadata: {name: x}\nspec: {disabled: maybe}\n");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                Fixtures.JSON.readTree(mesh.get("/v1/mesh/runtimes").body()).get("reloadError").asText().contains("broken.yaml: /spec/disabled: expected true or false"));
        assertThat(runtimeNames()).contains("team-onnx"); // the last good catalog stays
        assertThat(status("follows-catalog").get("servingRuntime").asText()).isEqualTo("team-onnx");

        Files.delete(DIR.resolve("runtimes/broken.yaml"));
        Files.writeString(DIR.resolve("runtimes/team.yaml"), TEAM_ONNX.formatted("true"));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                status("follows-catalog").get("servingRuntime").asText().equals("kserve-tritonserver"));
        assertThat(Fixtures.JSON.readTree(mesh.get("/v1/mesh/runtimes").body()).get("reloadError").asText()).isEmpty();
        JsonNode c = Fixtures.cases("add-vectors").get(0);
        assertThat(mesh.post("/v2/models/follows-catalog/infer", Fixtures.v2Body(c)).status()).isEqualTo(200);
        Files.writeString(DIR.resolve("runtimes/team.yaml"), TEAM_ONNX.formatted("false")); // as the other test expects
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                status("follows-catalog").get("servingRuntime").asText().equals("team-onnx"));
        // each reload, taken or refused, is in the audit file
        String audit = Files.readString(DIR.resolve("audit.log"));
        assertThat(audit).contains("\"target\":\"runtime-reload " + DIR.resolve("runtimes"), "\"outcome\":\"failed\"",
                "expected true or false", "\"outcome\":\"ok\"");
    }
}
