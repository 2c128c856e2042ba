package dev.meshwork.nodeapi;

import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;

/**
 * The fencing token on a router's call to a node: the incarnation of the node process the router
 * found in the node table, and for a request to a model the fingerprint of the registration it
 * serves. A node process answers only calls meant for its own incarnation and copies of that
 * registration, so a process that was hung and replaced, or a copy of a replaced version, never
 * answers in place of the one the table lists. Stateless; used on any thread.
 */
public final class NodeFence {
    /** The node process's incarnation ({@link dev.meshwork.placement.table.NodeRecord#incarnation}) the call is meant for. */
    public static final Metadata.Key<String> INCARNATION = Metadata.Key.of("meshwork-node-incarnation", Metadata.ASCII_STRING_MARSHALLER);
    /** The fingerprint of the registration the call's model copy must have been loaded for. */
    public static final Metadata.Key<String> SPEC = Metadata.Key.of("meshwork-model-spec", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Expected> EXPECTED = Context.key("meshwork-node-fence");

    private NodeFence() {
    }

    /** What a call expects of the node: {@code incarnation} 0 and {@code spec} empty expect nothing. */
    public record Expected(long incarnation, String spec) {
        public static final Expected NONE = new Expected(0, "");

        public Expected {
            spec = spec == null ? "" : spec;
        }
    }

    /** The client side: puts the token on the calls of a stub. */
    public static ClientInterceptor attach(long incarnation, String spec) {
        Metadata headers = new Metadata();
        if (incarnation > 0) {
            headers.put(INCARNATION, Long.toString(incarnation));
        }
        if (spec != null && !spec.isEmpty()) {
            headers.put(SPEC, spec);
        }
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** The server side: makes the call's token readable by {@link #expected()} in the service method. */
    public static ServerInterceptor server() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String incarnation = headers.get(INCARNATION);
                String spec = headers.get(SPEC);
                if (incarnation == null && spec == null) {
                    return next.startCall(call, headers);
                }
                long n;
                try {
                    n = incarnation == null ? 0 : Long.parseLong(incarnation);
                } catch (NumberFormatException e) {
                    n = -1; // matches no process: the call is refused rather than served unfenced
                }
                return Contexts.interceptCall(Context.current().withValue(EXPECTED, new Expected(n, spec)), call, headers, next);
            }
        };
    }

    /** The token of the call being served; read on the gRPC thread that called the service method, before any hand-off. */
    public static Expected expected() {
        Expected e = EXPECTED.get();
        return e == null ? Expected.NONE : e;
    }
}
