package dev.meshwork.node.runtimeserver;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.node.NodeAgent;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
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
        NodeAgent node = new NodeAgent(config.node());
        ModelRuntimeService runtime = new ModelRuntimeService(node);
        HealthStatusManager health = new HealthStatusManager();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .maxInboundMessageSize(64 << 20)
                .addService(runtime)
                .addService(new RuntimeInferenceService(node, runtime.loaded))
                .addService(health.getHealthService())
                .build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            node.close();
            stopped.countDown();
        }, "meshwork-runtime-shutdown"));
        System.out.println("Meshwork runtime-server (ModelMesh runtime SPI + OIP) listening on " + config.host() + ":" + server.getPort()
                + ", runtimes: " + node.formats());
        System.out.flush();
        stopped.await();
    }
}
