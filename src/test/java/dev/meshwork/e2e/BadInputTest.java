package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every kind of bad input gets the protocol's error with the problem named, and the mesh keeps serving. */
class BadInputTest {
    static final int LIMIT = 1 << 20;

    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension("--http.maxRequestBytes=" + LIMIT, "--grpc.maxMessageBytes=" + LIMIT);

    static final String GOOD = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}";

    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc() {
        return GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
    }

    /** After every bad request, the good model still answers correctly and the process lives. */
    @AfterEach
    void theGoodModelStillServes() throws Exception {
        assertThat(mesh.process().isAlive()).isTrue();
        JsonNode c = Fixtures.cases("mlp-classifier").get(0);
        MeshExtension.Http r = mesh.post("/v2/models/mlp-classifier/infer", Fixtures.v2Body(c));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
        Fixtures.assertOutputs(Fixtures.outputs(grpc().modelInfer(Fixtures.typedRequest("mlp-classifier", c))), c.get("outputs"));
    }

    static void assertError(MeshExtension.Http r, int status, String message) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(Fixtures.JSON.readTree(r.body()).get("error").asText()).contains(message);
    }

    static void assertGrpcError(Runnable call, Status.Code code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }

    @Test
    void unknownModel() throws Exception {
        assertError(mesh.post("/v2/models/nope/infer", GOOD), 404, "model 'nope' is not registered");
        assertError(mesh.post("/v1/models/nope:predict", "{\"instances\": [[1,2,3,4]]}"), 404, "model 'nope' is not registered");
        assertError(mesh.get("/v1/mesh/models/nope"), 404, "not registered");
        assertGrpcError(() -> grpc().modelInfer(ModelInferRequest.newBuilder().setModelName("nope").build()), Status.Code.NOT_FOUND, "model 'nope' is not registered");
    }

    @Test
    void wrongInputName() throws Exception {
        assertError(mesh.post("/v2/models/mlp-classifier/infer", GOOD.replace("\"input\"", "\"pixels\"")), 400,
                "model 'mlp-classifier' has no input 'pixels'; its inputs are [input:FP32[-1, 4]]");
    }

    @Test
    void wrongShape() throws Exception {
        assertError(mesh.post("/v2/models/mlp-classifier/infer",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}"), 400,
                "input 'input' has shape [2, 2] but model 'mlp-classifier' expects [-1, 4]");
    }

    @Test
    void wrongDatatype() throws Exception {
        assertError(mesh.post("/v2/models/mlp-classifier/infer", GOOD.replace("FP32", "FP64")), 400, "input 'input' is FP64 but model 'mlp-classifier' expects FP32");
        assertError(mesh.post("/v2/models/mlp-classifier/infer", GOOD.replace("FP32", "FLOAT")), 400, "unknown datatype 'FLOAT'");
        ModelInferRequest typed = Fixtures.typedRequest("mlp-classifier", Fixtures.cases("mlp-classifier").get(0));
        ModelInferRequest asInt = typed.toBuilder().setInputs(0, typed.getInputs(0).toBuilder().setDatatype("INT32")).build();
        assertGrpcError(() -> grpc().modelInfer(asInt), Status.Code.INVALID_ARGUMENT, "contents are in another datatype's field");
    }

    @Test
    void dataLengthNotMatchingShape() throws Exception {
        assertError(mesh.post("/v2/models/mlp-classifier/infer", GOOD.replace("[5.1,3.5,1.4,0.2]", "[5.1,3.5,1.4]")), 400,
                "has shape [1, 4] (4 elements) but 3 data elements were given");
        ModelInferRequest raw = Fixtures.rawRequest("mlp-classifier", Fixtures.cases("mlp-classifier").get(0));
        ModelInferRequest shortRaw = raw.toBuilder().setRawInputContents(0, raw.getRawInputContents(0).substring(0, 12)).build();
        assertGrpcError(() -> grpc().modelInfer(shortRaw), Status.Code.INVALID_ARGUMENT, "needs 16 bytes (4 elements), but its data has 12 bytes");
    }

    @Test
    void malformedJson() throws Exception {
        assertError(mesh.post("/v2/models/mlp-classifier/infer", "{\"inputs\": [ {\"name\": "), 400, "the request body is not valid JSON");
        assertError(mesh.put("/v1/mesh/models/x", "not json"), 400, "the request body is not valid JSON");
        assertError(mesh.put("/v1/mesh/models/x", "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageURI\": \"/x\"}"), 400, "unknown field 'storageURI'");
    }

    @Test
    void oversizedRequest() throws Exception {
        StringBuilder big = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[");
        while (big.length() <= LIMIT) {
            big.append("0.000000,");
        }
        big.append("0]}]}");
        assertError(mesh.post("/v2/models/mlp-classifier/infer", big.toString()), 413, "larger than the limit of " + LIMIT + " bytes");
        ModelInferRequest raw = Fixtures.rawRequest("mlp-classifier", Fixtures.cases("mlp-classifier").get(0));
        ModelInferRequest huge = raw.toBuilder().setRawInputContents(0, com.google.protobuf.ByteString.copyFrom(new byte[LIMIT + 16])).build();
        assertGrpcError(() -> grpc().modelInfer(huge), Status.Code.RESOURCE_EXHAUSTED, "exceeds maximum");
    }

    @Test
    void storageUriThatDoesNotExist() throws Exception {
        Path missing = mesh.storage().resolve("missing/model.onnx");
        assertThat(mesh.put("/v1/mesh/models/ghost", "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"file://" + missing + "\"}").status()).isEqualTo(201);
        assertError(mesh.post("/v2/models/ghost/infer", GOOD), 503, "no such file or directory");
        JsonNode status = Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/ghost").body());
        assertThat(status.get("state").asText()).isEqualTo("FAILED");
        assertThat(status.get("error").asText()).contains("no such file or directory");
        assertError(mesh.put("/v1/mesh/models/outside?load=true", "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"/etc/passwd\"}"),
                503, "outside the storage roots");
    }

    @Test
    void aTruncatedLightgbmModelFailsWithoutTakingTheNodeDown() throws Exception {
        String good = Files.readString(dev.meshwork.testing.MeshProcess.repoRoot().resolve("examples/lightgbm/lgbm-binary/model.txt"));
        Path dir = Files.createDirectories(mesh.storage().resolve("lgbm-broken"));
        Files.writeString(dir.resolve("model.txt"), good.substring(0, good.length() / 3));
        assertError(mesh.put("/v1/mesh/models/lgbm-broken?load=true", "{\"modelFormat\":{\"name\":\"lightgbm\"},\"storageUri\":\"" + dir + "\"}"),
                503, "not a valid LightGBM text model");
        assertThat(Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/lgbm-broken").body()).get("state").asText()).isEqualTo("FAILED");
    }

    @Test
    void aFileThatIsNotAValidModel() throws Exception {
        Path bad = Files.createDirectories(mesh.storage().resolve("broken"));
        Files.writeString(bad.resolve("model.onnx"), "definitely not an ONNX protobuf");
        assertError(mesh.put("/v1/mesh/models/broken?load=true", "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"" + bad + "\"}"),
                503, "ONNX Runtime could not load model.onnx");
        JsonNode status = Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/broken").body());
        assertThat(status.get("state").asText()).isEqualTo("FAILED");
        assertThat(status.get("error").asText()).contains("ONNX Runtime could not load");
        assertThat(mesh.get("/v2/models/broken/ready").status()).isEqualTo(503);
        assertThat(mesh.get("/v1/mesh/models").body()).contains("\"mlp-classifier\"", "\"broken\"");
    }
}
