package dev.meshwork.security.grpc;

import dev.meshwork.security.ClusterSecret;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

/**
 * How a mesh process dials another one (a router its nodes, a node a runtime-server or another
 * node): over TLS when the process has client credentials, checking that the server's certificate
 * names {@code expectedName} (the node id of the record the caller read), else in plain text with
 * the cluster secret on every call when there is one. One place, so every internal hop is dialed
 * the same way.
 */
public final class InternalChannels {
    private final ChannelCredentials credentials;
    private final ClusterSecret secret;

    /**
     * @param credentials TLS credentials ({@code ClientTls}), or null for plain text
     * @param secret      the cluster secret, or null
     */
    public InternalChannels(ChannelCredentials credentials, ClusterSecret secret) {
        this.credentials = credentials;
        this.secret = secret;
    }

    /** Plain text without a secret: tests of one class, and meshes with no internal security configured. */
    public static InternalChannels plain() {
        return new InternalChannels(null, null);
    }

    public boolean tls() {
        return credentials != null;
    }

    /** A channel builder to {@code target}; the caller adds its own settings and builds it. */
    public NettyChannelBuilder dial(String target, String expectedName) {
        NettyChannelBuilder b = credentials == null ? NettyChannelBuilder.forTarget(target) : NettyChannelBuilder.forTarget(target, credentials);
        if (credentials == null) {
            b.usePlaintext();
        } else if (expectedName != null && !expectedName.isEmpty()) {
            b.overrideAuthority(expectedName); // the server's certificate must name it, as a host name would be checked
        }
        if (secret != null && credentials == null) {
            b.intercept(new ClientInterceptor() {
                @Override
                public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                        @Override
                        public void start(Listener<R> listener, Metadata headers) {
                            headers.put(CallerCheck.SECRET, secret.value());
                            super.start(listener, headers);
                        }
                    };
                }
            });
        }
        return b;
    }
}
