package dev.meshwork.router.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.mmesh.DeleteVModelRequest;
import dev.meshwork.protocol.mmesh.EnsureLoadedRequest;
import dev.meshwork.protocol.mmesh.GetStatusRequest;
import dev.meshwork.protocol.mmesh.GetVModelStatusRequest;
import dev.meshwork.protocol.mmesh.ModelInfo;
import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.mmesh.ModelStatusInfo;
import dev.meshwork.protocol.mmesh.RegisterModelRequest;
import dev.meshwork.protocol.mmesh.SetVModelRequest;
import dev.meshwork.protocol.mmesh.UnregisterModelRequest;
import dev.meshwork.protocol.mmesh.VModelStatusInfo;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.InferTensorContents;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelMetadataRequest;
import dev.meshwork.protocol.oip.ModelMetadataResponse;
import dev.meshwork.protocol.oip.ServerLiveRequest;
import dev.meshwork.router.InJvmMesh;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The router's gRPC services (OIP, ModelMesh's management API, health) over a real Netty listener, in one JVM. */
class GrpcApiTest {
    @RegisterExtension
    static final InJvmMesh mesh = new InJvmMesh();

    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub inference() {
        return GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static ModelInferRequest addVectors(String model) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
        request.addInputsBuilder().setName("a").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2));
        request.addInputsBuilder().setName("b").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(10).addFp32Contents(20));
        return request.build();
    }

    @Test
    void typedInferenceAnswersTyped() {
        ModelInferResponse response = inference().modelInfer(addVectors("add-vectors"));
        assertThat(response.getModelName()).isEqualTo("add-vectors");
        assertThat(response.getOutputs(0).getName()).isEqualTo("sum");
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(1L, 2L);
        assertThat(response.getOutputs(0).getContents().getFp32ContentsList()).containsExactly(11f, 22f);
        assertThat(response.getRawOutputContentsCount()).isZero();
    }

    @Test
    void metadataAndErrorsAsGrpcStatuses() {
        assertThat(inference().serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        ModelMetadataResponse metadata = inference().modelMetadata(ModelMetadataRequest.newBuilder().setName("mlp-classifier").build());
        assertThat(metadata.getInputs(0).getName()).isEqualTo("input");
        assertThat(metadata.getInputs(0).getShapeList()).containsExactly(-1L, 4L);

        assertThatThrownBy(() -> inference().modelInfer(addVectors("no-such-model")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("no-such-model");
                });
        ModelInferRequest wrongName = addVectors("add-vectors").toBuilder()
                .setInputs(0, addVectors("add-vectors").getInputs(0).toBuilder().setName("nope")).build();
        assertThatThrownBy(() -> inference().modelInfer(wrongName))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("nope");
                });
    }

    @Test
    void modelMeshManagementRegistersServesAndUnregisters() throws Exception {
        Path artifact = Files.copy(Path.of("..", "examples", "onnx", "add-vectors", "model.onnx"), mesh.storage().resolve("adder-grpc.onnx"));
        var mm = ModelMeshGrpc.newBlockingStub(mesh.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        ModelStatusInfo registered = mm.registerModel(RegisterModelRequest.newBuilder().setModelId("adder-grpc")
                .setModelInfo(ModelInfo.newBuilder().setType("onnx").setPath(artifact.toString())).setLoadNow(true).setSync(true).build());
        assertThat(registered.getStatus()).isEqualTo(ModelStatusInfo.ModelStatus.LOADED);
        assertThat(registered.getModelCopyInfosList()).singleElement()
                .satisfies(c -> assertThat(c.getLocation()).startsWith("node-0/"));
        assertThat(inference().modelInfer(addVectors("adder-grpc")).getOutputs(0).getContents().getFp32ContentsList())
                .containsExactly(11f, 22f);
        // registrations are shared with REST
        assertThat(mesh.get("/v1/mesh/models/adder-grpc").body()).contains("\"state\":\"LOADED\"");

        mm.unregisterModel(UnregisterModelRequest.newBuilder().setModelId("adder-grpc").build());
        assertThat(mm.getModelStatus(GetStatusRequest.newBuilder().setModelId("adder-grpc").build()).getStatus())
                .isEqualTo(ModelStatusInfo.ModelStatus.NOT_FOUND);
    }

    @Test
    void healthServiceSaysServing() {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(mesh.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void modelMeshVModelsAndErrors() {
        var mm = ModelMeshGrpc.newBlockingStub(mesh.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> mm.ensureLoaded(EnsureLoadedRequest.newBuilder().setModelId("never-registered").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        VModelStatusInfo set = mm.setVModel(SetVModelRequest.newBuilder().setVModelId("mlp-live").setTargetModelId("mlp-classifier")
                .setOwner("team-a").setSync(true).build());
        assertThat(set.getStatus()).isEqualTo(VModelStatusInfo.VModelStatus.DEFINED);
        assertThat(set.getActiveModelId()).isEqualTo("mlp-classifier");
        // another owner sees nothing, as in ModelMesh
        assertThat(mm.getVModelStatus(GetVModelStatusRequest.newBuilder().setVModelId("mlp-live").setOwner("team-b").build()).getStatus())
                .isEqualTo(VModelStatusInfo.VModelStatus.NOT_FOUND);
        mm.deleteVModel(DeleteVModelRequest.newBuilder().setVModelId("mlp-live").setOwner("team-a").build());
        assertThat(mm.getVModelStatus(GetVModelStatusRequest.newBuilder().setVModelId("mlp-live").setOwner("team-a").build()).getStatus())
                .isEqualTo(VModelStatusInfo.VModelStatus.NOT_FOUND);
    }

    @Test
    void hostileRequestsAreBadRequestsWithBoundedMessages() {
        String name = "m".repeat(100_000);
        assertThatThrownBy(() -> inference().modelInfer(addVectors(name)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as("not a trailer too large for the client").isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).hasSizeLessThan(2_000).contains("(100000 characters)");
                });
        ModelInferRequest.Builder overflow = ModelInferRequest.newBuilder().setModelName("add-vectors");
        overflow.addInputsBuilder().setName("a").setDatatype("FP32").addShape(4611686018427387905L).addShape(4);
        assertThatThrownBy(() -> inference().modelInfer(overflow.build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
}
