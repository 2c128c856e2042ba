package dev.meshwork.router.grpc;

import dev.meshwork.protocol.error.GrpcCalls;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.security.tls.ServerTls;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthCheckResponse;
import dev.meshwork.security.grpc.IdleConnections;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The router's gRPC listener: the given services plus gRPC health and reflection. gRPC's own
 * callbacks run on the transport threads (a direct executor: measured, the per-callback hops of a
 * call executor cost several hundred microseconds on 2 cores); services hand blocking work to the
 * request executor themselves, once per call.
 */
public final class GrpcServer implements AutoCloseable {
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    /** Interceptors run first to last (the first sees a call first); {@code tls} null listens in plain text. */
    public GrpcServer(RouterConfig.Grpc config, ServerTls tls, List<BindableService> services, List<ServerInterceptor> interceptors) {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        NettyServerBuilder b = IdleConnections.limit(tls == null ? NettyServerBuilder.forAddress(address)
                        : NettyServerBuilder.forAddress(address, tls.grpcCredentials()), config.idleTimeoutMs())
                .directExecutor()
                .maxInboundMessageSize(config.maxMessageBytes())
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
        services.forEach(b::addService);
        // gRPC runs the interceptor added last first
        interceptors.reversed().forEach(b::intercept);
        try {
            this.server = b.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for gRPC on " + config.host() + ":" + config.port(), e);
        }
        for (BindableService s : services) {
            health.setStatus(s.bindService().getServiceDescriptor().getName(), HealthCheckResponse.ServingStatus.SERVING);
        }
        health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        health.enterTerminalState();
        GrpcCalls.shutdown(server, 5);
    }
}
