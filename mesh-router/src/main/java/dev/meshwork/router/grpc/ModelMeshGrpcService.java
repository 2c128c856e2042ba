package dev.meshwork.router.grpc;

import dev.meshwork.protocol.error.GrpcCalls;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.mmesh.EnsureLoadedRequest;
import dev.meshwork.protocol.mmesh.GetStatusRequest;
import dev.meshwork.protocol.mmesh.ModelInfo;
import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.mmesh.ModelStatusInfo;
import dev.meshwork.protocol.mmesh.RegisterModelRequest;
import dev.meshwork.protocol.mmesh.UnregisterModelRequest;
import dev.meshwork.protocol.mmesh.UnregisterModelResponse;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.ModelStatus;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ModelMesh's management API ({@code mmesh.ModelMesh}) over the same model service as the REST
 * management endpoints: registerModel (loadNow, sync), unregisterModel, getModelStatus,
 * ensureLoaded. ModelInfo.type is the model format, ModelInfo.path the storageUri. The vmodel
 * RPCs answer UNIMPLEMENTED until vmodels arrive. Every RPC hands its work to the request
 * executor, as the inference service does.
 */
public final class ModelMeshGrpcService extends ModelMeshGrpc.ModelMeshImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(ModelMeshGrpcService.class);
    private final ModelService service;
    private final Executor work;

    public ModelMeshGrpcService(ModelService service, Executor work) {
        this.service = service;
        this.work = work;
    }

    private <T> void answer(StreamObserver<T> out, Callable<T> call) {
        GrpcCalls.answer(work, out, call);
    }

    @Override
    public void registerModel(RegisterModelRequest request, StreamObserver<ModelStatusInfo> out) {
        answer(out, () -> {
            ModelInfo info = request.getModelInfo();
            if (info.getType().isEmpty()) {
                throw MeshError.invalid("modelInfo.type must name the model format (for example \"onnx\")");
            }
            ModelSpec spec = new ModelSpec(request.getModelId(), new ModelFormat(info.getType(), ""), info.getPath(), "", 0);
            service.register(spec);
            if (request.getLoadNow()) {
                load(spec.id(), request.getSync());
            }
            return status(spec.id());
        });
    }

    @Override
    public void unregisterModel(UnregisterModelRequest request, StreamObserver<UnregisterModelResponse> out) {
        answer(out, () -> {
            if (service.isRegistered(request.getModelId())) { // ModelMesh: no effect when the model is unknown
                service.unregister(request.getModelId());
            }
            return UnregisterModelResponse.getDefaultInstance();
        });
    }

    @Override
    public void getModelStatus(GetStatusRequest request, StreamObserver<ModelStatusInfo> out) {
        answer(out, () -> status(request.getModelId()));
    }

    @Override
    public void ensureLoaded(EnsureLoadedRequest request, StreamObserver<ModelStatusInfo> out) {
        answer(out, () -> {
            service.spec(request.getModelId());
            load(request.getModelId(), request.getSync());
            return status(request.getModelId());
        });
    }

    /** Loads now; sync waits and reports a failure in the status, async returns while it loads. */
    private void load(String id, boolean sync) {
        if (sync) {
            try {
                service.load(id);
            } catch (MeshError e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    throw e;
                }
                // the failure shows in the status as LOADING_FAILED with its error
            }
        } else {
            work.execute(() -> {
                try {
                    service.load(id);
                } catch (RuntimeException e) {
                    LOG.debug("background load of {} failed: {}", id, e.getMessage());
                }
            });
        }
    }

    /** The model's status in ModelMesh's words; an unknown model is NOT_FOUND in the status, not an error. */
    private ModelStatusInfo status(String id) {
        if (!service.isRegistered(id)) {
            return ModelStatusInfo.newBuilder().setStatus(ModelStatusInfo.ModelStatus.NOT_FOUND).build();
        }
        ModelStatus s = service.status(id);
        ModelStatusInfo.Builder b = ModelStatusInfo.newBuilder().setStatus(switch (s.state()) {
            case NOT_LOADED -> ModelStatusInfo.ModelStatus.NOT_LOADED;
            case LOADING -> ModelStatusInfo.ModelStatus.LOADING;
            case LOADED -> ModelStatusInfo.ModelStatus.LOADED;
            case FAILED -> ModelStatusInfo.ModelStatus.LOADING_FAILED;
        });
        if (!s.error().isEmpty()) {
            b.addErrors(s.error());
        }
        for (ModelStatus.CopyView c : s.copies()) {
            b.addModelCopyInfosBuilder().setLocation(c.node() + "/" + c.slot())
                    .setCopyStatus(switch (c.state()) {
                        case "LOADED" -> ModelStatusInfo.ModelStatus.LOADED;
                        case "LOADING" -> ModelStatusInfo.ModelStatus.LOADING;
                        case "FAILED" -> ModelStatusInfo.ModelStatus.LOADING_FAILED;
                        default -> ModelStatusInfo.ModelStatus.UNKNOWN;
                    })
                    .setTime(Instant.parse(c.lastUsed()).toEpochMilli());
        }
        return b.build();
    }
}
