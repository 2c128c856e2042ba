package dev.meshwork.router.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.router.InJvmMesh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The router's REST services over their real Vert.x listener, in one JVM with an embedded node. */
class RestApiTest {
    @RegisterExtension
    static final InJvmMesh mesh = new InJvmMesh();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADD = """
            {"inputs": [{"name": "a", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]},
                        {"name": "b", "shape": [1, 2], "datatype": "FP32", "data": [10, 20]}]}""";

    @Test
    void v2InferenceOfAnExampleModel() throws Exception {
        InJvmMesh.Http r = mesh.post("/v2/models/add-vectors/infer", ADD);
        assertThat(r.status()).isEqualTo(200);
        JsonNode out = JSON.readTree(r.body());
        assertThat(out.get("model_name").asText()).isEqualTo("add-vectors");
        assertThat(out.at("/outputs/0/name").asText()).isEqualTo("sum");
        assertThat(out.at("/outputs/0/data").toString()).isEqualTo("[11.0,22.0]");
    }

    @Test
    void v1PredictTakesRowsOfTheOnlyInput() throws Exception {
        InJvmMesh.Http r = mesh.post("/v1/models/mlp-classifier:predict", "{\"instances\": [[5.1,3.5,1.4,0.2], [6.7,3.0,5.2,2.3]]}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode predictions = JSON.readTree(r.body()).get("predictions");
        assertThat(predictions).hasSize(2);
        assertThat(predictions.get(0).get(1).asDouble()).isGreaterThan(0.5); // the generator's answer: class 1 for the first row
        assertThat(predictions.get(1).get(2).asDouble()).isGreaterThan(0.5); // class 2 for the second
    }

    @Test
    void aModelIsRegisteredLoadedServedAndUnregistered() throws Exception {
        Path artifact = Files.copy(Path.of("..", "examples", "onnx", "add-vectors", "model.onnx"), mesh.storage().resolve("adder-rest.onnx"));
        InJvmMesh.Http put = mesh.put("/v1/mesh/models/adder-rest?load=true",
                "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + artifact.toUri() + "\"}");
        assertThat(put.status()).as(put.body()).isEqualTo(201); // created

        JsonNode status = JSON.readTree(mesh.get("/v1/mesh/models/adder-rest").body());
        assertThat(status.get("state").asText()).isEqualTo("LOADED");
        assertThat(status.at("/copies/0/state").asText()).isEqualTo("LOADED");
        assertThat(status.at("/copies/0/sizeBytes").asLong()).isPositive();
        assertThat(mesh.post("/v2/models/adder-rest/infer", ADD).body()).contains("[11.0,22.0]");
        assertThat(mesh.get("/v1/mesh/models").body()).contains("\"adder-rest\"");

        assertThat(mesh.delete("/v1/mesh/models/adder-rest").status()).isEqualTo(200);
        InJvmMesh.Http gone = mesh.get("/v1/mesh/models/adder-rest");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(JSON.readTree(gone.body()).get("error").asText()).contains("adder-rest");
    }

    @Test
    void errorsAnswerInJsonWithTheProblemNamed() throws Exception {
        InJvmMesh.Http unknown = mesh.post("/v2/models/no-such-model/infer", ADD);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("no-such-model");

        InJvmMesh.Http malformed = mesh.post("/v2/models/add-vectors/infer", "{\"inputs\": [");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).has("error")).isTrue();

        InJvmMesh.Http wrongShape = mesh.post("/v2/models/add-vectors/infer",
                "{\"inputs\": [{\"name\": \"a\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]},"
                        + "{\"name\": \"b\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]}");
        assertThat(wrongShape.status()).isEqualTo(400);
        assertThat(JSON.readTree(wrongShape.body()).get("error").asText()).contains("shape");

        InJvmMesh.Http noEndpoint = mesh.get("/v9/nothing");
        assertThat(noEndpoint.status()).isEqualTo(404);
        assertThat(JSON.readTree(noEndpoint.body()).has("error")).isTrue();
    }

    @Test
    void healthMetadataAndRepositoryIndex() throws Exception {
        assertThat(mesh.get("/v2/health/live").status()).isEqualTo(200);
        assertThat(mesh.get("/health/ready").status()).isEqualTo(200);
        assertThat(JSON.readTree(mesh.get("/v2/models/add-vectors/ready").body()).get("ready").asBoolean()).isTrue();
        JsonNode metadata = JSON.readTree(mesh.get("/v2/models/mlp-classifier").body());
        assertThat(metadata.at("/inputs/0/name").asText()).isEqualTo("input");
        assertThat(metadata.at("/inputs/0/shape").toString()).isEqualTo("[-1,4]");
        JsonNode index = JSON.readTree(mesh.post("/v2/repository/index", "{}").body());
        assertThat(index.findValuesAsText("name")).contains("add-vectors", "mlp-classifier", "xgb-binary");
    }

    @Test
    void aVmodelServesItsTarget() throws Exception {
        InJvmMesh.Http put = mesh.put("/v1/mesh/vmodels/adder-alias", "{\"targetModel\": \"add-vectors\", \"sync\": true}");
        assertThat(put.status()).as(put.body()).isEqualTo(201); // created
        assertThat(JSON.readTree(put.body()).get("activeModel").asText()).isEqualTo("add-vectors");
        JsonNode answer = JSON.readTree(mesh.post("/v2/models/adder-alias/infer", ADD).body());
        assertThat(answer.get("model_name").asText()).isEqualTo("add-vectors"); // the model that answered
        InJvmMesh.Http taken = mesh.put("/v1/mesh/models/adder-alias", "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"x.onnx\"}");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(mesh.delete("/v1/mesh/vmodels/adder-alias").status()).isEqualTo(200);
        assertThat(mesh.post("/v2/models/adder-alias/infer", ADD).status()).isEqualTo(404);
    }

    @Test
    void nodesAndRuntimesAreListed() throws Exception {
        JsonNode nodes = JSON.readTree(mesh.get("/v1/mesh/nodes").body());
        assertThat(nodes.findValuesAsText("runtime")).contains("onnx", "xgboost", "lightgbm", "tensorflow", "pytorch");
        assertThat(nodes.findValues("capacityBytes")).allSatisfy(c -> assertThat(c.asLong()).isPositive());
        JsonNode runtimes = JSON.readTree(mesh.get("/v1/mesh/runtimes").body());
        assertThat(runtimes.toString()).contains("kserve-tritonserver");
    }

    @Test
    void theRepositoryApiUnloadsAndLoads() throws Exception {
        assertThat(mesh.post("/v2/repository/models/xgb-multiclass/load", "{}").status()).isEqualTo(200);
        assertThat(JSON.readTree(mesh.get("/v1/mesh/models/xgb-multiclass").body()).get("state").asText()).isEqualTo("LOADED");
        assertThat(mesh.post("/v2/repository/models/xgb-multiclass/unload", "{}").status()).isEqualTo(200);
        JsonNode status = JSON.readTree(mesh.get("/v1/mesh/models/xgb-multiclass").body());
        assertThat(status.get("state").asText()).isEqualTo("NOT_LOADED");
        assertThat(status.get("copies")).isEmpty();
        assertThat(mesh.post("/v2/repository/models/no-such-model/load", "{}").status()).isEqualTo(404);
    }

    @Test
    void aBodySentAsAFormIsReadAsJson() throws Exception {
        // curl -d says application/x-www-form-urlencoded; Vert.x used to decode such bodies as forms and answer a bare-text 400
        String padded = ADD.replace("\"inputs\"", "\"parameters\": {\"note\": \"" + "x".repeat(2_000) + "\"}, \"inputs\"");
        InJvmMesh.Http r = mesh.send("POST", "/v2/models/add-vectors/infer", padded, "application/x-www-form-urlencoded");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).at("/outputs/0/data").toString()).isEqualTo("[11.0,22.0]");
    }

    @Test
    void statusNeverShowsCredentialsOfAStorageUri() throws Exception {
        InJvmMesh.Http put = mesh.put("/v1/mesh/models/secret-uri",
                "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"https://alice:s3cret@models.example/m.onnx?token=abc\"}");
        assertThat(put.status()).as(put.body()).isEqualTo(201);
        String status = mesh.get("/v1/mesh/models/secret-uri").body();
        assertThat(status).contains("https://***@models.example/m.onnx?token=***").doesNotContain("s3cret").doesNotContain("abc");
        assertThat(mesh.get("/v1/mesh/models").body()).doesNotContain("s3cret");
        assertThat(mesh.delete("/v1/mesh/models/secret-uri").status()).isEqualTo(200);
    }

    @Test
    void anOversizedStorageUriIsABadRequestNotAStoreFailure() throws Exception {
        InJvmMesh.Http r = mesh.put("/v1/mesh/models/long-uri",
                "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"file:///" + "a".repeat(65_536) + "\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("at most 8192").doesNotContainIgnoringCase("insert").hasSizeLessThan(300);
    }

    @Test
    void aMethodThePathDoesNotServeIs405WithAllow() throws Exception {
        InJvmMesh.Http r = mesh.get("/v2/models/add-vectors/infer");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.headers().get("allow")).containsExactly("POST");
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("it serves POST");
        InJvmMesh.Http put = mesh.send("POST", "/v1/mesh/models/some-model", "{}", "application/json");
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.headers().get("allow")).containsExactly("DELETE, GET, PUT");
        assertThat(mesh.get("/v1/models/mlp-classifier:predict").headers().get("allow")).containsExactly("POST");
        assertThat(mesh.get("/no/such/endpoint").status()).isEqualTo(404);
    }

    @Test
    void aRegistrationWhoseLoadFailsSaysItStaysRegistered() throws Exception {
        Path bad = Files.writeString(mesh.storage().resolve("not-a-model.onnx"), "not a model");
        InJvmMesh.Http r = mesh.put("/v1/mesh/models/broken?load=true", "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + bad.toUri() + "\"}");
        assertThat(r.status()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).get("error").asText()).startsWith("model 'broken' is registered, but its load failed: ")
                .contains("ONNX Runtime could not load");
        assertThat(JSON.readTree(mesh.get("/v1/mesh/models/broken").body()).get("state").asText()).isEqualTo("FAILED");
        assertThat(mesh.delete("/v1/mesh/models/broken").status()).isEqualTo(200);
    }

    @Test
    void aWebPageCannotDriveTheMeshThroughABrowser() throws Exception {
        // DNS rebinding: a name that resolves to 127.0.0.1 reaches the port, but the Host it sends is not loopback
        String answer = rawGet("/v2/health/live", "attacker.example");
        assertThat(answer).startsWith("HTTP/1.1 403").contains("Host 'attacker.example' is not served here");
        assertThat(rawGet("/v2/health/live", "localhost:" + mesh.router().httpPort())).startsWith("HTTP/1.1 200");
        // a cross-site 'simple request' (text/plain, no preflight) that would unload a model
        InJvmMesh.Http unload = mesh.send("POST", "/v2/repository/models/mlp-classifier/unload", "{}", "text/plain",
                "Origin", "https://attacker.example");
        assertThat(unload.status()).isEqualTo(403);
        assertThat(JSON.readTree(unload.body()).get("error").asText()).contains("http.allowedOrigins");
        // the console's own pages: their origin is the router's, so they may change the mesh
        InJvmMesh.Http own = mesh.send("POST", "/v2/repository/models/mlp-classifier/load", "{}", "application/json",
                "Origin", "http://127.0.0.1:" + mesh.router().httpPort());
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        InJvmMesh.Http otherPort = mesh.send("POST", "/v2/repository/models/mlp-classifier/unload", "{}", "application/json",
                "Origin", "http://127.0.0.1:" + (mesh.router().httpPort() + 1));
        assertThat(otherPort.status()).as("another port is another origin").isEqualTo(403);
        InJvmMesh.Http read = mesh.send("GET", "/v2/health/ready", "", "application/json", "Origin", "https://attacker.example");
        assertThat(read.status()).as("reads are the browser's same-origin policy's business").isEqualTo(200);
    }

    private static String rawGet(String path, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), mesh.router().httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
