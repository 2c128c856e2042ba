package dev.meshwork.router.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * ModelMesh's routing headers: {@code mm-vmodel-id} names a vmodel and {@code mm-model-id} a model,
 * taking precedence over the request's model_name. Runs on the transport thread and puts them in
 * the call's gRPC context, with the call's metadata (a traffic split's sticky header is read from
 * it); a service reads them there before it hands the work to a request thread.
 */
public final class ModelMeshHeaders implements ServerInterceptor {
    static final Context.Key<Metadata> METADATA = Context.key("request-metadata");
    static final Metadata.Key<String> VMODEL_HEADER = Metadata.Key.of("mm-vmodel-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> MODEL_HEADER = Metadata.Key.of("mm-model-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<String> VMODEL = Context.key("mm-vmodel-id");
    static final Context.Key<String> MODEL = Context.key("mm-model-id");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String vmodel = headers.get(VMODEL_HEADER);
        String model = headers.get(MODEL_HEADER);
        return Contexts.interceptCall(Context.current().withValues(VMODEL, vmodel, MODEL, model, METADATA, headers), call, headers, next);
    }

    /** The current call's headers by name (null when absent); read on the transport thread, usable on any. */
    static UnaryOperator<String> headers() {
        Metadata m = METADATA.get();
        if (m == null) {
            return name -> null;
        }
        return name -> {
            String key = name.toLowerCase(Locale.ROOT);
            return key.endsWith(Metadata.BINARY_HEADER_SUFFIX) ? null : m.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        };
    }
}
