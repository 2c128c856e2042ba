package dev.meshwork.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.error.MeshError;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class NodeErrorsTest {
    @Test
    void aNodesRetryPushbackReachesTheClient() {
        StatusRuntimeException refused = GrpcErrors.toStatus(MeshError.retryAfter(ErrorCode.UNAVAILABLE,
                "node n1 is running its limit of 4 requests at once", 250));
        MeshError e = NodeErrors.fromNode(refused, "n1");
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.retryAfterMillis()).isEqualTo(250);
        assertThat(e.getMessage()).as("the node names itself already").isEqualTo("node n1 is running its limit of 4 requests at once");
    }

    @Test
    void withoutPushbackTheErrorNamesTheNodeAsBefore() {
        Metadata trailers = new Metadata();
        trailers.put(GrpcErrors.RETRY_PUSHBACK, "not a number");
        MeshError bad = NodeErrors.fromNode(Status.UNAVAILABLE.withDescription("gone").asRuntimeException(trailers), "n2");
        assertThat(bad.retryAfterMillis()).isZero();
        assertThat(bad.getMessage()).isEqualTo("node n2: UNAVAILABLE: gone");
        assertThat(NodeErrors.fromNode(Status.NOT_FOUND.withDescription("no model 'x'").asRuntimeException(), "n2").getMessage())
                .isEqualTo("no model 'x'");
    }
}
