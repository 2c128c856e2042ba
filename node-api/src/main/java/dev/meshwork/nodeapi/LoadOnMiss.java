package dev.meshwork.nodeapi;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.node.ModelDescriptor;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
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
    private static final Context.Key<byte[]> REQUESTED = Context.key("meshwork-load-on-miss");

    private LoadOnMiss() {
    }

    /** The client side: the calls of a stub ask the node to load {@code spec} if it holds no copy. */
    public static ClientInterceptor attach(ModelSpec spec) {
        Metadata headers = new Metadata();
        headers.put(MODEL, NodeMessages.descriptor(spec).toByteArray());
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /**
     * The server side: makes the call's header readable by {@link #requested()}. It keeps the bytes as they came and
     * rejects nothing: this interceptor runs before the caller check, so outside bytes are read only in the service
     * method, after it, and only when the node holds no copy ({@link #spec}).
     */
    public static ServerInterceptor server() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                byte[] bytes = headers.get(MODEL);
                return bytes == null ? next.startCall(call, headers)
                        : Contexts.interceptCall(Context.current().withValue(REQUESTED, bytes), call, headers, next);
            }
        };
    }

    /** The header's bytes, if the call carries one; read on the gRPC thread that called the service method. */
    public static Optional<byte[]> requested() {
        return Optional.ofNullable(REQUESTED.get());
    }

    /** The registration in a header's bytes; bytes that are not one are an INVALID_ARGUMENT saying so. */
    public static ModelSpec spec(byte[] bytes) {
        try {
            return NodeMessages.spec(ModelDescriptor.parseFrom(bytes));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw MeshError.invalid("the %s header is not a model registration: %s", MODEL.name(), e.getMessage());
        }
    }
}
