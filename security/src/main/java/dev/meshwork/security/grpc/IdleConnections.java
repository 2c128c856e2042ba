package dev.meshwork.security.grpc;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.concurrent.TimeUnit;

/**
 * How every gRPC listener of Meshwork gets rid of connections that do nothing: a peer that opens a
 * connection and never completes the handshake is dropped after the idle time, a connection with
 * no call for the idle time is closed gracefully (GOAWAY), and an idle connection is pinged every
 * minute so that a half-open one (its peer gone without a FIN) is noticed within 20 seconds more.
 * Clients may ping every 10 s (the routers' channels to nodes do not ping at all). Stateless.
 */
public final class IdleConnections {
    /** The default idle time of a connection on every gRPC listener. */
    public static final long DEFAULT_IDLE_MS = 300_000;

    private IdleConnections() {
    }

    /** {@code b} with the idle limits of {@code idleMs}. */
    public static NettyServerBuilder limit(NettyServerBuilder b, long idleMs) {
        return b.handshakeTimeout(Math.min(idleMs, 120_000), TimeUnit.MILLISECONDS)
                .maxConnectionIdle(idleMs, TimeUnit.MILLISECONDS)
                .keepAliveTime(Math.min(idleMs, 60_000), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(20, TimeUnit.SECONDS)
                .permitKeepAliveTime(10, TimeUnit.SECONDS);
    }
}
