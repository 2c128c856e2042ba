package dev.meshwork.nodeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The fencing token as a node reads it from a call's headers, hostile ones included: never served unfenced by mistake. */
class NodeFenceTest {
    /** A call that does nothing: the interceptor only reads its headers. */
    private static final class Call extends ServerCall<Object, Object> {
        @Override
        public void request(int n) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(Object message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<Object, Object> getMethodDescriptor() {
            return null;
        }
    }

    /** What the service method would read for a call with these headers. */
    private static NodeFence.Expected seen(String incarnation, String spec) {
        Metadata headers = new Metadata();
        if (incarnation != null) {
            headers.put(NodeFence.INCARNATION, incarnation);
        }
        if (spec != null) {
            headers.put(NodeFence.SPEC, spec);
        }
        AtomicReference<NodeFence.Expected> out = new AtomicReference<>();
        NodeFence.server().interceptCall(new Call(), headers, (call, h) -> {
            out.set(NodeFence.expected());
            return new ServerCall.Listener<>() {
            };
        });
        return out.get();
    }

    @Test
    void tokensAreReadAsSentAndAnUnreadableOneMatchesNoProcess() {
        assertThat(seen(null, null)).isEqualTo(NodeFence.Expected.NONE);
        assertThat(seen("1700000000000", "ab12")).isEqualTo(new NodeFence.Expected(1_700_000_000_000L, "ab12"));
        assertThat(seen(null, "ab12")).isEqualTo(new NodeFence.Expected(0, "ab12"));
        for (String hostile : new String[] {"", "abc", "1e9", "99999999999999999999999", " 12", "-"}) {
            assertThat(seen(hostile, null).incarnation()).as("'%s'", hostile).isEqualTo(-1);
        }
        assertThat(NodeFence.expected()).as("outside a call").isEqualTo(NodeFence.Expected.NONE);
    }
}
