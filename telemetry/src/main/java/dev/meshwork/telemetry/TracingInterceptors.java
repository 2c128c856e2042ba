package dev.meshwork.telemetry;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.context.Context;

/**
 * Trace context across gRPC hops: the client side writes the current span's {@code traceparent}
 * into each call's metadata (router to node, node to external runtime); the server side reads it
 * into the call's gRPC context, where a service finds the parent of its span on whichever thread
 * it runs the work ({@link #parent()}). Both run on the calling or transport thread and never wait.
 */
public final class TracingInterceptors {
    private static final io.grpc.Context.Key<Context> PARENT = io.grpc.Context.key("otel-parent");

    private TracingInterceptors() {
    }

    /** The interceptor a channel to another Meshwork process carries. */
    public static ClientInterceptor client() {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        Tracing.inject(Context.current(), (k, v) -> headers.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    /** The interceptor a Meshwork gRPC server carries. */
    public static ServerInterceptor server() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String traceparent = headers.get(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER));
                if (traceparent == null) {
                    return next.startCall(call, headers);
                }
                Context parent = Tracing.extract(name -> headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)));
                return Contexts.interceptCall(io.grpc.Context.current().withValue(PARENT, parent), call, headers, next);
            }
        };
    }

    /** The remote parent of the gRPC call whose context is current, or null when the caller sent none. */
    public static Context parent() {
        return PARENT.get();
    }
}
