package dev.meshwork.router.cluster;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.grpc.StatusRuntimeException;

/** A node's gRPC failure as the router reports it: the same kind, the node's own words. */
final class NodeErrors {
    private NodeErrors() {
    }

    static MeshError fromNode(StatusRuntimeException e, String nodeId) {
        String description = e.getStatus().getDescription();
        ErrorCode code = ErrorCode.fromGrpcCode(e.getStatus().getCode().value());
        long pushback = retryAfter(e);
        if (pushback > 0) {
            // the node asked to be left alone a while (its overload limit): the client hears the same
            String said = description == null ? e.getStatus().getCode().toString() : description;
            return MeshError.retryAfter(code, said.startsWith("node " + nodeId + " ") ? said : "node " + nodeId + ": " + said, pushback);
        }
        if (code == ErrorCode.UNAVAILABLE || code == ErrorCode.DEADLINE_EXCEEDED) {
            return new MeshError(code, "node " + nodeId + ": " + e.getStatus().getCode() + (description == null ? "" : ": " + description), e);
        }
        return new MeshError(code, description == null ? e.getStatus().getCode().toString() : description, e);
    }

    /** The milliseconds of the node's retry pushback trailer; 0 without one. */
    private static long retryAfter(StatusRuntimeException e) {
        String v = e.getTrailers() == null ? null : e.getTrailers().get(dev.meshwork.protocol.error.GrpcErrors.RETRY_PUSHBACK);
        try {
            return v == null ? 0 : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException bad) {
            return 0;
        }
    }
}
