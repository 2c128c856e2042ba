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
        if (code == ErrorCode.UNAVAILABLE || code == ErrorCode.DEADLINE_EXCEEDED) {
            return new MeshError(code, "node " + nodeId + ": " + e.getStatus().getCode() + (description == null ? "" : ": " + description), e);
        }
        return new MeshError(code, description == null ? e.getStatus().getCode().toString() : description, e);
    }
}
