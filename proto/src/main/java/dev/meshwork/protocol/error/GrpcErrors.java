package dev.meshwork.protocol.error;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every gRPC failure becomes the status of its {@link ErrorCode}, with the error's message. */
public final class GrpcErrors {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

    /** The trailer by which a node says it holds no copy of the model (it was evicted since the router looked). */
    public static final Metadata.Key<String> COPY_MISSING = Metadata.Key.of("meshwork-copy-missing", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * The trailer on every error a Meshwork process answers itself (its {@link ErrorCode}'s name). A
     * failure without it came from the transport (connection refused, reset): the peer is unreachable.
     */
    public static final Metadata.Key<String> ANSWERED = Metadata.Key.of("meshwork-error", Metadata.ASCII_STRING_MARSHALLER);

    /** gRPC's own trailer for when a client may retry (its retry policy honours it). */
    public static final Metadata.Key<String> RETRY_PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcErrors() {
    }

    /** A node's answer for a model it holds no copy of. */
    public static StatusRuntimeException copyMissing(String modelId, String nodeId) {
        return copyUnusable(modelId, "node " + nodeId + " holds no copy of model '" + modelId + "'");
    }

    /** A node's answer that its copy of the model is not one to serve from (superseded, or the node itself is), saying why. */
    public static StatusRuntimeException copyUnusable(String modelId, String why) {
        Metadata trailers = new Metadata();
        trailers.put(COPY_MISSING, modelId);
        trailers.put(ANSWERED, ErrorCode.NOT_FOUND.name());
        return Status.NOT_FOUND.withDescription(why).asRuntimeException(trailers);
    }

    public static boolean isCopyMissing(StatusRuntimeException e) {
        return e.getTrailers() != null && e.getTrailers().containsKey(COPY_MISSING);
    }

    /** Whether the peer answered this error itself, as opposed to a failure to reach it. */
    public static boolean isAnswer(StatusRuntimeException e) {
        return e.getTrailers() != null && e.getTrailers().containsKey(ANSWERED);
    }

    public static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        MeshError e = MeshError.wrap(t);
        if (e.code() == ErrorCode.INTERNAL) {
            LOG.warn("internal error answering a gRPC request", t);
        }
        Metadata trailers = new Metadata();
        trailers.put(ANSWERED, e.code().name());
        if (e.retryAfterMillis() > 0) {
            trailers.put(RETRY_PUSHBACK, Long.toString(e.retryAfterMillis()));
        }
        return Status.fromCodeValue(e.code().grpcCode()).withDescription(e.getMessage()).asRuntimeException(trailers);
    }
}
