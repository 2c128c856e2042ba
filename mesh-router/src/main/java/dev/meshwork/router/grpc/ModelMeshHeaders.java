package dev.meshwork.router.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * ModelMesh's routing headers: {@code mm-vmodel-id} names a vmodel and {@code mm-model-id} a model,
 * taking precedence over the request's model_name. Runs on the transport thread and puts them in
 * the call's gRPC context; a service reads them there before it hands the work to a request thread.
 */
public final class ModelMeshHeaders implements ServerInterceptor {
    static final Metadata.Key<String> VMODEL_HEADER = Metadata.Key.of("mm-vmodel-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> MODEL_HEADER = Metadata.Key.of("mm-model-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<String> VMODEL = Context.key("mm-vmodel-id");
    static final Context.Key<String> MODEL = Context.key("mm-model-id");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String vmodel = headers.get(VMODEL_HEADER);
        String model = headers.get(MODEL_HEADER);
        if (vmodel == null && model == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValues(VMODEL, vmodel, MODEL, model), call, headers, next);
    }
}
