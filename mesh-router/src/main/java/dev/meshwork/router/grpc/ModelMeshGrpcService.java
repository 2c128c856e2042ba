package dev.meshwork.router.grpc;

import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.GrpcCalls;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.mmesh.DeleteVModelRequest;
import dev.meshwork.protocol.mmesh.DeleteVModelResponse;
import dev.meshwork.protocol.mmesh.EnsureLoadedRequest;
import dev.meshwork.protocol.mmesh.GetStatusRequest;
import dev.meshwork.protocol.mmesh.GetVModelStatusRequest;
import dev.meshwork.protocol.mmesh.ModelInfo;
import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.mmesh.ModelStatusInfo;
import dev.meshwork.protocol.mmesh.RegisterModelRequest;
import dev.meshwork.protocol.mmesh.SetVModelRequest;
import dev.meshwork.protocol.mmesh.UnregisterModelRequest;
import dev.meshwork.protocol.mmesh.UnregisterModelResponse;
import dev.meshwork.protocol.mmesh.VModelStatusInfo;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.ModelStatus;
import dev.meshwork.router.mesh.VModelService;
import dev.meshwork.router.mesh.VModelStatus;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ModelMesh's management API ({@code mmesh.ModelMesh}) over the same model service as the REST
 * management endpoints: registerModel (loadNow, sync), unregisterModel, getModelStatus,
 * ensureLoaded, and the vmodel RPCs over the vmodel service. ModelInfo.type is the model format,
 * ModelInfo.path the storageUri. Every RPC hands its work to the request
 * executor, as the inference service does.
 */
public final class ModelMeshGrpcService extends ModelMeshGrpc.ModelMeshImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(ModelMeshGrpcService.class);
    private final ModelService service;
    private final VModelService vmodels;
    private final Executor work;

    public ModelMeshGrpcService(ModelService service, VModelService vmodels, Executor work) {
        this.service = service;
        this.vmodels = vmodels;
        this.work = work;
    }

    private <T> void answer(StreamObserver<T> out, Callable<T> call) {
        GrpcCalls.answer(work, out, call);
    }

    @Override
    public void registerModel(RegisterModelRequest request, StreamObserver<ModelStatusInfo> out) {
        answer(out, () -> {
            ModelSpec spec = spec(GrpcAccess.id(request.getModelId()), request.getModelInfo());
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
            String id = GrpcAccess.id(request.getModelId());
            service.unregisterIfPresent(id); // ModelMesh: no effect when the model is unknown, even when a racing call removed it
            return UnregisterModelResponse.getDefaultInstance();
        });
    }

    @Override
    public void getModelStatus(GetStatusRequest request, StreamObserver<ModelStatusInfo> out) {
        answer(out, () -> status(GrpcAccess.id(request.getModelId())));
    }

    @Override
    public void ensureLoaded(EnsureLoadedRequest request, StreamObserver<ModelStatusInfo> out) {
        answer(out, () -> {
            String id = GrpcAccess.id(request.getModelId());
            service.spec(id);
            load(id, request.getSync());
            return status(id);
        });
    }

    @Override
    public void setVModel(SetVModelRequest request, StreamObserver<VModelStatusInfo> out) {
        answer(out, () -> {
            String target = GrpcAccess.id(request.getTargetModelId());
            ModelSpec register = request.hasModelInfo() ? spec(target, request.getModelInfo()) : null;
            VModelStatus s = vmodels.set(new VModelService.SetRequest(GrpcAccess.id(request.getVModelId()), request.getOwner(), target,
                    register, request.getUpdateOnly(), request.getAutoDeleteTargetModel(), request.getLoadNow(), request.getForce(),
                    request.getSync(), GrpcAccess.id(request.getExpectedTargetModelId())));
            return vmodelStatus(s);
        });
    }

    @Override
    public void getVModelStatus(GetVModelStatusRequest request, StreamObserver<VModelStatusInfo> out) {
        answer(out, () -> {
            try {
                return vmodelStatus(vmodels.status(GrpcAccess.id(request.getVModelId()), request.getOwner()));
            } catch (MeshError e) {
                if (e.code() == ErrorCode.NOT_FOUND) { // ModelMesh: an unknown vmodel is NOT_FOUND in the status
                    return VModelStatusInfo.newBuilder().setStatus(VModelStatusInfo.VModelStatus.NOT_FOUND).build();
                }
                throw e;
            }
        });
    }

    @Override
    public void deleteVModel(DeleteVModelRequest request, StreamObserver<DeleteVModelResponse> out) {
        answer(out, () -> {
            vmodels.delete(GrpcAccess.id(request.getVModelId()), request.getOwner());
            return DeleteVModelResponse.getDefaultInstance();
        });
    }

    private static ModelSpec spec(String id, ModelInfo info) {
        if (info.getType().isEmpty()) {
            throw MeshError.invalid("modelInfo.type must name the model format (for example \"onnx\")");
        }
        return new ModelSpec(id, new ModelFormat(info.getType(), ""), info.getPath(), "", 0);
    }

    private VModelStatusInfo vmodelStatus(VModelStatus s) {
        return VModelStatusInfo.newBuilder()
                .setStatus(switch (s.state()) {
                    case DEFINED -> VModelStatusInfo.VModelStatus.DEFINED;
                    case TRANSITIONING -> VModelStatusInfo.VModelStatus.TRANSITIONING;
                    case TRANSITION_FAILED -> VModelStatusInfo.VModelStatus.TRANSITION_FAILED;
                })
                .setActiveModelId(s.activeModel()).setTargetModelId(s.targetModel()).setOwner(s.owner())
                .setActiveModelStatus(status(GrpcAccess.id(s.activeModel()))).setTargetModelStatus(status(GrpcAccess.id(s.targetModel())))
                .build();
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
