package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An external ServingRuntime whose container command the node starts itself: Meshwork's own
 * runtime-server as a separate process, supervised (kill -9 it and it comes back).
 */
class LaunchedRuntimeTest {
    static final Path DIR = catalog();
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension("--runtimes.dir=" + DIR);

    static Path catalog() {
        try {
            int port = MeshProcess.freePort();
            Path dir = Files.createTempDirectory("meshwork-launched-");
            String java = ProcessHandle.current().info().command().orElse("java");
            String examples = MeshProcess.repoRoot().resolve("examples").toString();
            Files.writeString(dir.resolve("launched.yaml"), """
                    apiVersion: serving.kserve.io/v1alpha1
                    kind: ServingRuntime
                    metadata:
                      name: launched-onnx
                      annotations: {serving.meshwork.dev/adapter: external}
                    spec:
                      supportedModelFormats: [{name: onnx, version: "1"}]
                      containers:
                        - name: kserve-container
                          command: ["%s", "-Xmx256m", "-cp", "%s", "dev.meshwork.node.runtimeserver.RuntimeServerMain"]
                          args: ["--port=%d", "--node.storage.roots=%s"]
                          env: [{name: TF_CPP_MIN_LOG_LEVEL, value: "1"}]
                          ports: [{containerPort: %d}]
                    """.formatted(java, System.getProperty("java.class.path"), port, examples, port));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MeshExtension.Http infer() throws Exception {
        return mesh.post("/v2/models/launched-adder/infer", Fixtures.v2Body(Fixtures.cases("add-vectors").get(0)));
    }

    @Test
    void theNodeStartsTheRuntimesCommandAndStartsItAgainWhenItDies() throws Exception {
        String model = MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx").toString();
        MeshExtension.Http reg = mesh.put("/v1/mesh/models/launched-adder",
                "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"" + model + "\",\"runtime\":\"launched-onnx\"}");
        assertThat(reg.status()).as(reg.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> infer().status() == 200);
        JsonNode c = Fixtures.cases("add-vectors").get(0);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(infer().body()).get("outputs"), c.get("outputs"));
        JsonNode status = Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/launched-adder").body());
        assertThat(status.get("servingRuntime").asText()).isEqualTo("launched-onnx");
        assertThat(status.get("copies").get(0).get("slot").asText()).isEqualTo("launched-onnx-0");

        // kill -9 the runtime the node started: the node notices, starts it again, and the model serves again
        List<ProcessHandle> runtimes = mesh.process().children();
        assertThat(runtimes).hasSize(1);
        long before = runtimes.get(0).pid();
        runtimes.get(0).destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> infer().status() == 200);
        assertThat(mesh.process().children()).extracting(ProcessHandle::pid).hasSize(1).doesNotContain(before);
    }
}
