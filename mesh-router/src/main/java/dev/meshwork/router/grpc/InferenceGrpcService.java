package dev.meshwork.router.grpc;

import dev.meshwork.nodeapi.InlineRun;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.router.overload.OverloadGate;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.error.GrpcCalls;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelMetadataRequest;
import dev.meshwork.protocol.oip.ModelMetadataResponse;
import dev.meshwork.protocol.oip.ModelReadyRequest;
import dev.meshwork.protocol.oip.ModelReadyResponse;
import dev.meshwork.protocol.oip.RepositoryIndexRequest;
import dev.meshwork.protocol.oip.RepositoryIndexResponse;
import dev.meshwork.protocol.oip.RepositoryModelLoadRequest;
import dev.meshwork.protocol.oip.RepositoryModelLoadResponse;
import dev.meshwork.protocol.oip.RepositoryModelUnloadRequest;
import dev.meshwork.protocol.oip.RepositoryModelUnloadResponse;
import dev.meshwork.protocol.oip.ServerLiveRequest;
import dev.meshwork.protocol.oip.ServerLiveResponse;
import dev.meshwork.protocol.oip.ServerMetadataRequest;
import dev.meshwork.protocol.oip.ServerMetadataResponse;
import dev.meshwork.protocol.oip.ServerReadyRequest;
import dev.meshwork.protocol.oip.ServerReadyResponse;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.ModelStatus;
import dev.meshwork.router.mesh.RequestMetrics;
import dev.meshwork.router.payload.PayloadLogger;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.security.Access;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import dev.meshwork.protocol.oip.ModelStreamInferResponse;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * {@code inference.GRPCInferenceService}, every RPC including the repository extension and Triton's
 * streaming ModelStreamInfer ({@link InferStream}). gRPC calls
 * each method on its transport thread (the server uses a direct executor); every method hands its
 * work to the request executor in one hop, so nothing blocks a transport thread, except a quick
 * inference on a loaded in-process copy, which runs where it arrived.
 */
public final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    /** Requests of one ModelStreamInfer call in flight at once: its flow-control window. */
    static final int STREAM_WINDOW = 64;
    private final ModelService service;
    private final String serverName;
    private final String serverVersion;
    private final Executor work;
    private final RequestMetrics requests;
    private final int maxResponseBytes;

    public InferenceGrpcService(ModelService service, Executor work, String serverName, String serverVersion, RequestMetrics requests,
                                int maxResponseBytes) {
        this.maxResponseBytes = maxResponseBytes;
        this.service = service;
        this.requests = requests;
        this.work = work;
        this.serverName = serverName;
        this.serverVersion = serverVersion;
    }

    private <T> void answer(StreamObserver<T> out, Callable<T> call) {
        GrpcCalls.answer(work, out, call);
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        answer(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        answer(out, () -> ServerReadyResponse.newBuilder().setReady(true).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        String id = GrpcAccess.id(request.getName());
        answer(out, () -> {
            service.resolve(id);
            return ModelReadyResponse.newBuilder().setReady(service.ready(id)).build();
        });
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        answer(out, () -> ServerMetadataResponse.newBuilder().setName(serverName).setVersion(serverVersion)
                .addExtensions("model_repository").build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        String id = GrpcAccess.id(request.getName());
        answer(out, () -> GrpcTensorCodec.metadata(service.metadata(id), request.getName()));
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        // the routing headers and the access are read here, on the transport thread, where the call's context is
        InferStream.Runner inference;
        try {
            inference = inference("grpc", request, ModelMeshHeaders.VMODEL.get(), ModelMeshHeaders.MODEL.get(), ModelMeshHeaders.headers());
        } catch (RuntimeException e) { // refused on arrival: answered here, without waiting for a request thread
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        // a quick request for a copy loaded in this process runs here, on the transport thread: its hand-off to a request
        // thread would cost more than its own work (NodeAgent.runsInline); a vmodel's is always handed off
        String model = ModelMeshHeaders.MODEL.get();
        boolean inline = ModelMeshHeaders.VMODEL.get() == null
                && service.runsInline(GrpcAccess.id(model != null ? model : request.getModelName()), request.getSerializedSize());
        GrpcCalls.answer(inline ? InlineRun::execute : work, out, inference::run);
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> out) {
        String vmodel = ModelMeshHeaders.VMODEL.get();
        String model = ModelMeshHeaders.MODEL.get();
        UnaryOperator<String> headers = ModelMeshHeaders.headers();
        return new InferStream((ServerCallStreamObserver<ModelStreamInferResponse>) out, work, STREAM_WINDOW,
                request -> inference("grpc-stream", request, vmodel, model, headers));
    }

    /**
     * One inference, as ModelInfer and each message of ModelStreamInfer run it: prepared on the
     * call's thread (the namespace comes from its context), run on a request thread.
     */
    private InferStream.Runner inference(String protocol, ModelInferRequest request, String vmodelHeader, String modelHeader,
                                         UnaryOperator<String> headers) {
        String vmodel = GrpcAccess.id(vmodelHeader);
        String model = GrpcAccess.id(modelHeader);
        String named = GrpcAccess.id(request.getModelName());
        String name = vmodel != null ? vmodel : model != null ? model : named;
        OverloadGate.Arrival arrived = requests.arrive(); // last: nothing may throw between this and the runner that closes it
        return () -> requests.time(protocol, name, headers, arrived, () -> {
            // the tensors are not decoded here: a cluster router passes them to the node as they came
            ModelSpec spec = vmodel != null ? service.routeVModel(vmodel, headers) : model != null ? service.spec(model)
                    : service.route(named, headers);
            ModelInferResponse r = service.payloads().logged(spec, name,
                    () -> PayloadLogger.requestId(headers.apply("x-request-id"), request.getId()),
                    () -> JsonTensorCodec.encodeV2Request(GrpcTensorCodec.decode(request)), request::getSerializedSize,
                    () -> service.inferWire(spec, request), a -> JsonTensorCodec.encodeV2(GrpcTensorCodec.decode(a)),
                    ModelInferResponse::getSerializedSize);
            int size = r.getSerializedSize();
            if (size > maxResponseBytes) {
                throw MeshError.format(ErrorCode.PAYLOAD_TOO_LARGE, "the answer is %d bytes, more than this listener sends"
                        + " (grpc.maxResponseBytes = %d); ask for fewer rows or outputs", size, maxResponseBytes);
            }
            return r;
        });
    }

    @Override
    public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
        Access access = GrpcAccess.current();
        answer(out, () -> {
            RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
            List<ModelStatus> all = service.list().stream().filter(s -> access == null || access.sees(s.namespace()))
                    .map(service::status).toList();
            for (ModelStatus s : all) {
                boolean ready = s.state() == ModelStatus.State.LOADED;
                if (request.getReady() && !ready) {
                    continue;
                }
                b.addModelsBuilder().setName(s.name()).setVersion("1")
                        .setState(switch (s.state()) {
                            case LOADED -> "READY";
                            case LOADING -> "LOADING";
                            default -> "UNAVAILABLE";
                        })
                        .setReason(s.state() == ModelStatus.State.FAILED ? s.error() : "");
            }
            return b.build();
        });
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
        String id = GrpcAccess.id(request.getModelName());
        answer(out, () -> {
            service.load(id);
            return RepositoryModelLoadResponse.getDefaultInstance();
        });
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request, StreamObserver<RepositoryModelUnloadResponse> out) {
        String id = GrpcAccess.id(request.getModelName());
        answer(out, () -> {
            service.unload(id);
            return RepositoryModelUnloadResponse.getDefaultInstance();
        });
    }
}
