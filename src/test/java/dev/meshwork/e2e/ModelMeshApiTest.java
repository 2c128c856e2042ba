package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.mmesh.EnsureLoadedRequest;
import dev.meshwork.protocol.mmesh.GetStatusRequest;
import dev.meshwork.protocol.mmesh.ModelInfo;
import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.mmesh.ModelStatusInfo;
import dev.meshwork.protocol.mmesh.RegisterModelRequest;
import dev.meshwork.protocol.mmesh.UnregisterModelRequest;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ModelMesh's management API, driven by its generated client, against a separate mesh process. */
class ModelMeshApiTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension();

    ModelMeshGrpc.ModelMeshBlockingStub mm() {
        return ModelMeshGrpc.newBlockingStub(mesh.channel());
    }

    static RegisterModelRequest register(String id, String type, String path, boolean loadNow, boolean sync) {
        return RegisterModelRequest.newBuilder().setModelId(id)
                .setModelInfo(ModelInfo.newBuilder().setType(type).setPath(path)).setLoadNow(loadNow).setSync(sync).build();
    }

    @Test
    void registerLoadInferAndUnregisterTheModelMeshWay() throws Exception {
        Path model = Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), mesh.storage().resolve("mm-adder.onnx"));
        ModelStatusInfo registered = mm().registerModel(register("mm-adder", "onnx", model.toString(), true, true));
        assertThat(registered.getStatus()).isEqualTo(ModelStatusInfo.ModelStatus.LOADED);
        assertThat(registered.getModelCopyInfosList()).hasSize(1);
        assertThat(registered.getModelCopyInfos(0).getLocation()).startsWith("node-0/");

        JsonNode c = Fixtures.cases("add-vectors").get(0);
        var answer = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel()).modelInfer(Fixtures.typedRequest("mm-adder", c));
        Fixtures.assertOutputs(Fixtures.outputs(answer), c.get("outputs"));

        assertThat(mesh.post("/v2/repository/models/mm-adder/unload", "").status()).isEqualTo(200);
        assertThat(mm().getModelStatus(GetStatusRequest.newBuilder().setModelId("mm-adder").build()).getStatus())
                .isEqualTo(ModelStatusInfo.ModelStatus.NOT_LOADED);
        assertThat(mm().ensureLoaded(EnsureLoadedRequest.newBuilder().setModelId("mm-adder").setSync(true).build()).getStatus())
                .isEqualTo(ModelStatusInfo.ModelStatus.LOADED);

        mm().unregisterModel(UnregisterModelRequest.newBuilder().setModelId("mm-adder").build());
        assertThat(mm().getModelStatus(GetStatusRequest.newBuilder().setModelId("mm-adder").build()).getStatus())
                .isEqualTo(ModelStatusInfo.ModelStatus.NOT_FOUND);
        mm().unregisterModel(UnregisterModelRequest.newBuilder().setModelId("mm-adder").build()); // no effect, no error
    }

    @Test
    void failuresAnswerInModelMeshTerms() throws Exception {
        Path broken = Files.writeString(mesh.storage().resolve("broken.onnx"), "not a model");
        ModelStatusInfo failed = mm().registerModel(register("mm-broken", "onnx", broken.toString(), true, true));
        assertThat(failed.getStatus()).isEqualTo(ModelStatusInfo.ModelStatus.LOADING_FAILED);
        assertThat(failed.getErrorsList()).anySatisfy(e -> assertThat(e).contains("ONNX Runtime could not load"));

        assertGrpcError(() -> mm().registerModel(register("mm-x", "", "/x", false, false)), Status.Code.INVALID_ARGUMENT, "modelInfo.type");
        assertGrpcError(() -> mm().registerModel(register("mm-x", "caffe", "/x", false, false)), Status.Code.INVALID_ARGUMENT,
                "no runtime is auto-selected for model format 'caffe' in namespace 'default'; no runtime lists that format");
        assertGrpcError(() -> mm().ensureLoaded(EnsureLoadedRequest.newBuilder().setModelId("nope").build()), Status.Code.NOT_FOUND,
                "model 'nope' is not registered");
        // the registration made over gRPC is the same registry REST shows
        assertThat(mesh.get("/v1/mesh/models/mm-broken").body()).contains("\"state\":\"FAILED\"");
    }

    static void assertGrpcError(Runnable call, Status.Code code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(String.valueOf(e.getStatus().getDescription())).contains(message);
        });
    }
}
