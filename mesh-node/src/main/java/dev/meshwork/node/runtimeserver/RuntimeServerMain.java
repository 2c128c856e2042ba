package dev.meshwork.node.runtimeserver;

import dev.meshwork.telemetry.Tracing;
import dev.meshwork.telemetry.TracingInterceptors;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.config.ProcessStop;
import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.runtime.external.UnixSockets;
import dev.meshwork.security.ClusterSecret;
import dev.meshwork.security.grpc.CallerCheck;
import dev.meshwork.security.grpc.IdleConnections;
import dev.meshwork.security.tls.ServerTls;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.Metrics;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * {@code ./meshwork runtime-server}: Meshwork's in-process runtimes behind ModelMesh's runtime
 * SPI, as a separate process a node (or ModelMesh itself) can use as an external runtime.
 */
public final class RuntimeServerMain {
    private RuntimeServerMain() {
    }

    public static void main(String[] args) throws Exception {
        RuntimeServerConfig config = ConfigLoader.loadOrExit("meshwork runtime-server", RuntimeServerConfig.class,
                RuntimeServerConfig.defaults(), "MESHWORK_RUNTIME_", args).config();
        try {
            config.security().checkExposure("the runtime-server", config.host(), config.tls().enabled(), !config.secretFile().isEmpty());
        } catch (IllegalArgumentException e) {
            System.err.println("meshwork runtime-server: " + e.getMessage());
            System.exit(2);
        }
        if (config.parentPid() > 0) {
            // an isolated slot's process serves its node only, so it goes when the node goes (even by kill -9)
            dev.meshwork.config.ParentProcess.endWith(config.parentPid(), "meshwork runtime-server");
        }
        Tracing.start(config.tracing(), "meshwork-runtime-server", config.node().nodeId() + "-" + ProcessHandle.current().pid());
        // ModelMesh (or the node) in front keeps the accounts and unloads what it evicts: this process never evicts behind its back
        NodeAgent node = new NodeAgent(config.node().callerEvicts());
        ModelRuntimeService runtime = new ModelRuntimeService(node);
        HealthStatusManager health = new HealthStatusManager();
        ServerTls tls = ServerTls.of(config.tls(), Metrics.globalRegistry);
        NettyServerBuilder b;
        if (!config.socket().isEmpty()) {
            b = UnixSockets.server(Path.of(config.socket()));
        } else {
            InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
            b = tls == null ? NettyServerBuilder.forAddress(address) : NettyServerBuilder.forAddress(address, tls.grpcCredentials());
        }
        if (config.tls().mutual() || !config.secretFile().isEmpty()) {
            // a node that dials it: any certificate its client CA signed, or the secret
            b.intercept(new CallerCheck(null, config.secretFile().isEmpty() ? null
                    : new ClusterSecret(Path.of(config.secretFile()), config.tls().reloadMs(), Metrics.globalRegistry)));
        }
        b.intercept(TracingInterceptors.server()); // the node's traceparent becomes the parent of the inference's span
        RuntimeInferenceService inference = new RuntimeInferenceService(node, runtime.loaded);
        if (!config.socket().isEmpty() && !config.tls().mutual() && config.secretFile().isEmpty()) {
            // the node's inference socket beside the gRPC one, in the same owner-only directory (opened first: the node
            // sends inference once gRPC says READY). Not with a caller check configured, which only the gRPC hop makes.
            InferenceSocketServer.start(dev.meshwork.node.runtime.external.InferenceFrames.socketBeside(Path.of(config.socket())), inference);
        }
        Server server = IdleConnections.limit(b, IdleConnections.DEFAULT_IDLE_MS)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .maxInboundMessageSize(64 << 20)
                .addService(runtime)
                .addService(inference)
                .addService(health.getHealthService())
                .build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        ProcessStop.install("meshwork-runtime-shutdown", () -> {
            server.shutdownNow();
            node.close();
            Tracing.shutdown();
            stopped.countDown();
        });
        System.out.println("Meshwork runtime-server (ModelMesh runtime SPI + OIP) listening on "
                + (config.socket().isEmpty() ? config.host() + ":" + server.getPort() : "unix://" + config.socket())
                + (tls == null ? "" : " (TLS)")
                + ", runtimes: " + node.formats());
        System.out.flush();
        stopped.await();
    }
}
