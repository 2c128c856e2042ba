package dev.meshwork.node.runtimeserver;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.cache.CopyInfo;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.GrpcCalls;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.mmesh.LoadModelRequest;
import dev.meshwork.protocol.mmesh.LoadModelResponse;
import dev.meshwork.protocol.mmesh.ModelRuntimeGrpc;
import dev.meshwork.protocol.mmesh.ModelSizeRequest;
import dev.meshwork.protocol.mmesh.ModelSizeResponse;
import dev.meshwork.protocol.mmesh.PredictModelSizeRequest;
import dev.meshwork.protocol.mmesh.PredictModelSizeResponse;
import dev.meshwork.protocol.mmesh.RuntimeStatusRequest;
import dev.meshwork.protocol.mmesh.RuntimeStatusResponse;
import dev.meshwork.protocol.mmesh.UnloadModelRequest;
import dev.meshwork.protocol.mmesh.UnloadModelResponse;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ModelMesh's runtime SPI over Meshwork's in-process runtimes: loadModel's modelType is the
 * format, modelPath the artifact. Runs on the server's request executor; blocking is fine there.
 */
final class ModelRuntimeService extends ModelRuntimeGrpc.ModelRuntimeImplBase {
    private final NodeAgent node;
    /** The models this runtime was asked to load, by id; shared with the inference service. */
    final Map<String, ModelSpec> loaded = new ConcurrentHashMap<>();

    ModelRuntimeService(NodeAgent node) {
        this.node = node;
    }

    /** The server already runs services on request threads, so the work runs where it is called. */
    static <T> void answer(StreamObserver<T> out, Callable<T> call) {
        GrpcCalls.answer(Runnable::run, out, call);
    }

    private static ModelSpec spec(String id, String type, String path) {
        return new ModelSpec(id, new ModelFormat(type, ""), path, "", 0).validate();
    }

    @Override
    public void loadModel(LoadModelRequest request, StreamObserver<LoadModelResponse> out) {
        answer(out, () -> {
            ModelSpec spec = spec(request.getModelId(), request.getModelType(), request.getModelPath());
            CopyInfo copy = node.ensureLoaded(spec);
            loaded.put(spec.id(), spec);
            return LoadModelResponse.newBuilder().setSizeInBytes(copy.sizeBytes()).build();
        });
    }

    @Override
    public void unloadModel(UnloadModelRequest request, StreamObserver<UnloadModelResponse> out) {
        answer(out, () -> {
            loaded.remove(request.getModelId());
            node.unload(request.getModelId()).join();
            return UnloadModelResponse.getDefaultInstance();
        });
    }

    @Override
    public void predictModelSize(PredictModelSizeRequest request, StreamObserver<PredictModelSizeResponse> out) {
        answer(out, () -> PredictModelSizeResponse.newBuilder()
                .setSizeInBytes(node.predictSize(spec(request.getModelId(), request.getModelType(), request.getModelPath()))).build());
    }

    @Override
    public void modelSize(ModelSizeRequest request, StreamObserver<ModelSizeResponse> out) {
        answer(out, () -> ModelSizeResponse.newBuilder().setSizeInBytes(node.copy(request.getModelId())
                .orElseThrow(() -> MeshError.notFound("model '%s' is not loaded in this runtime", request.getModelId())).sizeBytes()).build());
    }

    @Override
    public void runtimeStatus(RuntimeStatusRequest request, StreamObserver<RuntimeStatusResponse> out) {
        answer(out, () -> RuntimeStatusResponse.newBuilder()
                .setStatus(RuntimeStatusResponse.Status.READY)
                .setCapacityInBytes(node.slots().stream().mapToLong(NodeAgent.SlotStatus::capacityBytes).sum())
                .setMaxLoadingConcurrency(2)
                .setModelLoadingTimeoutMs(120_000)
                .setDefaultModelSizeInBytes(1 << 20)
                .setRuntimeVersion("meshwork-runtime-server-0.1.0")
                // ModelMesh injects the model id into ModelInferRequest.model_name (field 1)
                .putMethodInfos("inference.GRPCInferenceService/ModelInfer",
                        RuntimeStatusResponse.MethodInfo.newBuilder().addIdInjectionPath(1).build())
                .build());
    }
}
