package dev.meshwork.nodeapi;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.node.ModelDescriptor;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.util.Optional;

/**
 * A router's last try at a model whose copies kept leaving before its request reached them: the
 * call carries the registration, and a node that no longer holds a copy loads one for the request,
 * pinned by it until it has run, instead of answering "no copy" once more. Without it a mesh past
 * its capacity could evict each fresh copy before the request it was loaded for arrived, and fail
 * the request after its placements ran out. Stateless; used on any thread.
 */
public final class LoadOnMiss {
    /** The registration, as a {@code Load} carries it ({@link NodeMessages#descriptor}). */
    public static final Metadata.Key<byte[]> MODEL = Metadata.Key.of("meshwork-load-on-miss-bin", Metadata.BINARY_BYTE_MARSHALLER);
    private static final Context.Key<ModelSpec> REQUESTED = Context.key("meshwork-load-on-miss");

    private LoadOnMiss() {
    }

    /** The client side: the calls of a stub ask the node to load {@code spec} if it holds no copy. */
    public static ClientInterceptor attach(ModelSpec spec) {
        Metadata headers = new Metadata();
        headers.put(MODEL, NodeMessages.descriptor(spec).toByteArray());
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** The server side: makes the call's registration readable by {@link #requested()}; an unreadable one fails the call. */
    public static ServerInterceptor server() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                byte[] bytes = headers.get(MODEL);
                if (bytes == null) {
                    return next.startCall(call, headers);
                }
                ModelSpec spec;
                try {
                    spec = NodeMessages.spec(ModelDescriptor.parseFrom(bytes));
                } catch (InvalidProtocolBufferException | RuntimeException e) {
                    call.close(Status.INVALID_ARGUMENT.withDescription("the " + MODEL.name() + " header is not a model registration: "
                            + e.getMessage()), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                return Contexts.interceptCall(Context.current().withValue(REQUESTED, spec), call, headers, next);
            }
        };
    }

    /** The registration the call asks the node to load if it holds no copy; read on the gRPC thread that called the service method. */
    public static Optional<ModelSpec> requested() {
        return Optional.ofNullable(REQUESTED.get());
    }
}
