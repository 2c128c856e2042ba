package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Meshwork's Python runtime behind the built-in kserve-sklearnserver and kserve-mlserver: KServe's
 * sklearn-iris over REST v1, REST v2 and gRPC, an MLflow model, an XGBoost model saved by Python, a
 * corrupt pickle, and kill -9 of the Python process, which the node starts again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PythonRuntimeTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension();
    static final String IRIS = MeshProcess.repoRoot().resolve("examples/python/sklearn-iris").toString();

    static List<ProcessHandle> pythons() {
        return mesh.process().children().stream().filter(p -> p.info().command().orElse("").contains("python")).toList();
    }

    @Test
    @Order(1)
    void kservesSklearnIrisAnswersOneOneOverRestV1() throws Exception {
        // the example registered at start; KServe's documented request and answer
        MeshExtension.Http r = mesh.post("/v1/models/sklearn-iris:predict", "{\"instances\": [[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(Fixtures.JSON.readTree(r.body())).isEqualTo(Fixtures.JSON.readTree("{\"predictions\":[1,1]}"));
        JsonNode status = Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/sklearn-iris").body());
        assertThat(status.get("servingRuntime").asText()).isEqualTo("kserve-mlserver");
        assertThat(pythons()).as("one Python process, started by the first load").hasSize(1);
    }

    @Test
    @Order(2)
    void restV2AndGrpcGiveTheGeneratorsAnswers() throws Exception {
        JsonNode c = Fixtures.cases("sklearn-iris").get(0);
        MeshExtension.Http r = mesh.post("/v2/models/sklearn-iris/infer", Fixtures.v2Body(c));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        ModelInferResponse g = stub.modelInfer(Fixtures.rawRequest("sklearn-iris", c));
        Fixtures.assertOutputs(Fixtures.outputs(g), c.get("outputs"));
        JsonNode meta = Fixtures.JSON.readTree(mesh.get("/v2/models/sklearn-iris").body());
        assertThat(meta.get("inputs").get(0).get("name").asText()).isEqualTo("input-0");
        for (String model : List.of("mlflow-iris", "xgb-python", "sklearn-logreg")) {
            JsonNode cs = Fixtures.cases(model).get(0);
            MeshExtension.Http answer = mesh.post("/v2/models/" + model + "/infer", Fixtures.v2Body(cs));
            assertThat(answer.status()).as(model + ": " + answer.body()).isEqualTo(200);
            Fixtures.assertOutputs(Fixtures.JSON.readTree(answer.body()).get("outputs"), cs.get("outputs"));
        }
        // probabilities when the request names predict_proba, as MLServer's sklearn runtime does
        JsonNode proba = Fixtures.cases("sklearn-logreg").get(1);
        String body = Fixtures.v2Body(proba).replaceFirst("\\}$", ",\"outputs\":[{\"name\":\"predict_proba\"}]}");
        MeshExtension.Http p = mesh.post("/v2/models/sklearn-logreg/infer", body);
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(p.body()).get("outputs"), proba.get("outputs"));
    }

    @Test
    @Order(3)
    void inferenceServicesInBothSchemasSelectThePythonRuntime() throws Exception {
        MeshExtension.Http current = mesh.put("/v1/mesh/models/iris-current", """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: iris-current}
                spec:
                  predictor:
                    model:
                      modelFormat: {name: sklearn, version: "1"}
                      runtime: kserve-sklearnserver
                      storageUri: %s
                """.formatted(IRIS));
        assertThat(current.status()).as(current.body()).isEqualTo(201);
        MeshExtension.Http legacy = mesh.put("/v1/mesh/models/iris-legacy", """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: iris-legacy}
                spec:
                  predictor:
                    sklearn: {storageUri: %s}
                """.formatted(IRIS));
        assertThat(legacy.status()).as(legacy.body()).isEqualTo(201);
        for (String model : List.of("iris-current", "iris-legacy")) {
            MeshExtension.Http r = mesh.post("/v1/models/" + model + ":predict", "{\"instances\": [[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}");
            assertThat(r.status()).as(model + ": " + r.body()).isEqualTo(200);
            assertThat(Fixtures.JSON.readTree(r.body()).get("predictions").toString()).isEqualTo("[1,1]");
        }
        assertThat(Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/iris-current").body()).get("servingRuntime").asText())
                .isEqualTo("kserve-sklearnserver");
        assertThat(pythons()).as("a process per runtime slot: kserve-mlserver and kserve-sklearnserver").hasSize(2);
    }

    @Test
    @Order(3)
    void kservesPredictProbaSwitchOrARegistrationsDefaultOutputsAnswerProbabilities() throws Exception {
        String logreg = MeshProcess.repoRoot().resolve("examples/python/sklearn-logreg").toString();
        MeshExtension.Http isvc = mesh.put("/v1/mesh/models/proba-isvc", """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: proba-isvc}
                spec:
                  predictor:
                    model:
                      modelFormat: {name: sklearn}
                      storageUri: %s
                      env: [{name: PREDICT_PROBA, value: "true"}]
                """.formatted(logreg));
        assertThat(isvc.status()).as(isvc.body()).isEqualTo(201);
        MeshExtension.Http json = mesh.put("/v1/mesh/models/proba-json",
                "{\"modelFormat\":{\"name\":\"sklearn\"},\"storageUri\":\"" + logreg + "\",\"defaultOutputs\":[\"predict_proba\"]}");
        assertThat(json.status()).as(json.body()).isEqualTo(201);
        JsonNode want = Fixtures.cases("sklearn-logreg").get(1).get("outputs").get(0).get("data");
        for (String model : List.of("proba-isvc", "proba-json")) {
            MeshExtension.Http r = mesh.post("/v1/models/" + model + ":predict", "{\"instances\": [[6.8,2.8,4.8,1.4]]}");
            assertThat(r.status()).as(model + ": " + r.body()).isEqualTo(200);
            JsonNode row = Fixtures.JSON.readTree(r.body()).get("predictions").get(0);
            assertThat(row.size()).as("three class probabilities").isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                assertThat(row.get(i).asDouble()).isCloseTo(want.get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-6));
            }
            assertThat(Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/" + model).body()).get("defaultOutputs").toString())
                    .isEqualTo("[\"predict_proba\"]");
        }
        // a request that names its outputs gets those; gRPC gets the default too
        MeshExtension.Http named = mesh.post("/v2/models/proba-json/infer", Fixtures.v2Body(Fixtures.cases("sklearn-logreg").get(0))
                .replaceFirst("\\}$", ",\"outputs\":[{\"name\":\"output-0\"}]}"));
        assertThat(Fixtures.JSON.readTree(named.body()).get("outputs").get(0).get("name").asText()).as(named.body()).isEqualTo("output-0");
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        ModelInferResponse g = stub.modelInfer(Fixtures.rawRequest("proba-json", Fixtures.cases("sklearn-logreg").get(0)));
        assertThat(g.getOutputs(0).getName()).isEqualTo("predict_proba");
    }

    @Test
    @Order(4)
    void aCorruptPickleFailsItsLoadWithTheRuntimesWordsAndNothingElseIsDisturbed() throws Exception {
        Path bad = mesh.storage().resolve("corrupt-iris");
        Files.createDirectories(bad);
        byte[] good = Files.readAllBytes(Path.of(IRIS, "model.joblib"));
        Files.write(bad.resolve("model.joblib"), java.util.Arrays.copyOf(good, good.length / 2));
        List<Long> before = pythons().stream().map(ProcessHandle::pid).toList();
        MeshExtension.Http reg = mesh.put("/v1/mesh/models/corrupt-iris",
                "{\"modelFormat\":{\"name\":\"sklearn\"},\"storageUri\":\"" + bad + "\"}");
        assertThat(reg.status()).as(reg.body()).isEqualTo(201);
        MeshExtension.Http r = mesh.post("/v1/models/corrupt-iris:predict", "{\"instances\": [[6.8,2.8,4.8,1.4]]}");
        assertThat(r.status()).as(r.body()).isBetween(400, 599);
        assertThat(r.body()).contains("model.joblib is not a loadable pickle");
        assertThat(pythons().stream().map(ProcessHandle::pid).toList()).as("the Python processes live on").isEqualTo(before);
        MeshExtension.Http ok = mesh.post("/v1/models/sklearn-iris:predict", "{\"instances\": [[6.8,2.8,4.8,1.4]]}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(mesh.get("/v1/mesh/models/sklearn-iris").status()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void killMinusNineOfThePythonProcessIsRecoveredByTheNode() throws Exception {
        ProcessHandle victim = pythons().get(0);
        List<Long> before = pythons().stream().map(ProcessHandle::pid).toList();
        victim.destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            MeshExtension.Http a = mesh.post("/v1/models/sklearn-iris:predict", "{\"instances\": [[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}");
            MeshExtension.Http b = mesh.post("/v1/models/iris-current:predict", "{\"instances\": [[6.0,3.4,4.5,1.6]]}");
            return a.status() == 200 && b.status() == 200;
        });
        List<Long> after = pythons().stream().map(ProcessHandle::pid).toList();
        assertThat(after).hasSize(2).doesNotContain(victim.pid());
        assertThat(after).as("the other runtime's process was not touched").containsAnyElementsOf(before);
    }

    @Test
    @Order(6)
    void unloadsThroughTheMeshGiveThePythonProcessesMemoryBack() throws Exception {
        String iris = "{\"instances\": [[6.8,2.8,4.8,1.4]]}";
        for (int i = 0; i < 20; i++) { // warm-up: the allocator's arenas and the process's caches settle
            cycle(iris);
        }
        long before = rssOfPythons();
        for (int i = 0; i < 200; i++) {
            cycle(iris);
        }
        long after = rssOfPythons();
        assertThat(after).as("resident KiB of the Python processes, %d before 200 load/unload cycles through the mesh", before)
                .isLessThan(before + before / 20);
    }

    /** One unload of mlflow-iris (what an eviction does to the runtime) and the request that loads it again. */
    private static void cycle(String body) throws Exception {
        MeshExtension.Http unload = mesh.post("/v2/repository/models/mlflow-iris/unload", "");
        assertThat(unload.status()).as(unload.body()).isEqualTo(200);
        MeshExtension.Http r = mesh.post("/v1/models/mlflow-iris:predict", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static long rssOfPythons() throws Exception {
        long kib = 0;
        for (ProcessHandle p : pythons()) {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return kib;
    }
}
