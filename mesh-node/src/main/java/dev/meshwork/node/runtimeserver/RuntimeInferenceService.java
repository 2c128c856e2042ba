package dev.meshwork.node.runtimeserver;

import dev.meshwork.telemetry.Tracing;
import dev.meshwork.telemetry.TracingInterceptors;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelMetadataRequest;
import dev.meshwork.protocol.oip.ModelMetadataResponse;
import dev.meshwork.protocol.oip.ModelReadyRequest;
import dev.meshwork.protocol.oip.ModelReadyResponse;
import dev.meshwork.protocol.oip.ServerLiveRequest;
import dev.meshwork.protocol.oip.ServerLiveResponse;
import dev.meshwork.protocol.oip.ServerReadyRequest;
import dev.meshwork.protocol.oip.ServerReadyResponse;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import io.grpc.stub.StreamObserver;
import java.util.Map;

/** The inference half of the runtime-server: OIP over the models loaded through the SPI. */
final class RuntimeInferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private final NodeAgent node;
    private final Map<String, ModelSpec> loaded;

    RuntimeInferenceService(NodeAgent node, Map<String, ModelSpec> loaded) {
        this.node = node;
        this.loaded = loaded;
    }

    private ModelSpec spec(String id) {
        ModelSpec spec = loaded.get(id);
        if (spec == null) {
            throw MeshError.notFound("model '%s' is not loaded in this runtime; loadModel it first", id);
        }
        return spec;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        ModelRuntimeService.answer(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        ModelRuntimeService.answer(out, () -> ServerReadyResponse.newBuilder().setReady(true).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        ModelRuntimeService.answer(out, () -> ModelReadyResponse.newBuilder().setReady(loaded.containsKey(request.getName())).build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        ModelRuntimeService.answer(out, () -> GrpcTensorCodec.metadata(node.metadata(spec(request.getName())), request.getName()));
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        io.opentelemetry.context.Context parent = TracingInterceptors.parent(); // read where the call's context is
        ModelRuntimeService.answer(out, () -> infer(request, parent));
    }

    /** One inference, as a span whose parent is the caller's ({@code parent}, null for none); both the gRPC service and the inference socket run it. */
    ModelInferResponse infer(ModelInferRequest request, io.opentelemetry.context.Context parent) throws Exception {
        return Tracing.inSpan("runtime-server infer", SpanKind.SERVER, parent, Attributes.of(Tracing.MODEL, request.getModelName()), () -> {
            InferenceRequest req = GrpcTensorCodec.decode(request);
            return GrpcTensorCodec.encode(node.infer(spec(req.modelName()), req), req.rawOutputs());
        });
    }
}
