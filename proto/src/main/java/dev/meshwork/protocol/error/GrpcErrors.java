package dev.meshwork.protocol.error;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every gRPC failure becomes the status of its {@link ErrorCode}, with the error's message. */
public final class GrpcErrors {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    public static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        MeshError e = MeshError.wrap(t);
        if (e.code() == ErrorCode.INTERNAL) {
            LOG.warn("internal error answering a gRPC request", t);
        }
        return Status.fromCodeValue(e.code().grpcCode()).withDescription(e.getMessage()).asRuntimeException();
    }
}
