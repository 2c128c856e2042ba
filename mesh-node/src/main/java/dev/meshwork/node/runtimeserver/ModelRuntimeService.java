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
 * format, modelPath the artifact. The caller keeps the accounts: the capacity reported is one budget
 * every slot can hold (the smallest slot's), so whatever mix of formats the caller loads within it
 * fits, and the slots never evict by themselves (a load that does not fit is refused, never made
 * room for behind the caller's back). Runs on the server's request executor; blocking is fine there.
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

    /**
     * The size a model will take, from its file alone and within {@link #PREDICT_MS} (ModelMesh waits
     * 500 ms): a model not on local disk, or one whose prediction takes longer, is answered with
     * {@link #DEFAULT_SIZE}, and its load reports the real size.
     */
    @Override
    public void predictModelSize(PredictModelSizeRequest request, StreamObserver<PredictModelSizeResponse> out) {
        answer(out, () -> {
            ModelSpec spec = spec(request.getModelId(), request.getModelType(), request.getModelPath());
            long size = DEFAULT_SIZE;
            if (local(spec.storageUri())) {
                java.util.concurrent.CompletableFuture<Long> predicted = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return node.predictSize(spec);
                    } catch (Exception e) {
                        return DEFAULT_SIZE; // the load says what is wrong with the file
                    }
                }, PREDICTIONS);
                try {
                    size = predicted.get(PREDICT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    size = DEFAULT_SIZE;
                }
            }
            return PredictModelSizeResponse.newBuilder().setSizeInBytes(size).build();
        });
    }

    /** How long a size prediction may take before the default is answered. */
    static final long PREDICT_MS = 300;
    /** The size answered when none can be predicted in time; also runtimeStatus's default model size. */
    static final long DEFAULT_SIZE = 1 << 20;
    private static final java.util.concurrent.ExecutorService PREDICTIONS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    /** Whether the path names a file here (a plain path or file:), so that sizing it downloads nothing. */
    static boolean local(String storageUri) {
        int colon = storageUri.indexOf("://");
        return colon < 0 || storageUri.startsWith("file:");
    }

    @Override
    public void modelSize(ModelSizeRequest request, StreamObserver<ModelSizeResponse> out) {
        answer(out, () -> ModelSizeResponse.newBuilder().setSizeInBytes(node.copy(request.getModelId())
                .orElseThrow(() -> MeshError.notFound("model '%s' is not loaded in this runtime", request.getModelId())).sizeBytes()).build());
    }

    /**
     * One budget for all the runtime's models: the smallest slot's capacity. The caller fills it with
     * models of any formats; each format's slot can hold the whole budget, so the caller's accounting
     * and the slots' agree (the sum of the slots, reported before, let ModelMesh load more than a
     * format's slot holds, and the slot evicted what ModelMesh believed loaded).
     */
    long capacity() {
        return node.slots().stream().mapToLong(NodeAgent.SlotStatus::capacityBytes).min().orElse(0);
    }

    @Override
    public void runtimeStatus(RuntimeStatusRequest request, StreamObserver<RuntimeStatusResponse> out) {
        answer(out, () -> RuntimeStatusResponse.newBuilder()
                .setStatus(RuntimeStatusResponse.Status.READY)
                .setCapacityInBytes(capacity())
                .setMaxLoadingConcurrency(2)
                .setModelLoadingTimeoutMs(120_000)
                .setDefaultModelSizeInBytes(DEFAULT_SIZE)
                .setRuntimeVersion("meshwork-runtime-server-0.1.0")
                // ModelMesh injects the model id into ModelInferRequest.model_name (field 1)
                .putMethodInfos("inference.GRPCInferenceService/ModelInfer",
                        RuntimeStatusResponse.MethodInfo.newBuilder().addIdInjectionPath(1).build())
                .build());
    }
}
