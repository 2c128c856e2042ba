package dev.meshwork.router;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.protocol.error.MeshError;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The router process: {@code up} starts standalone mode (a router with one embedded node). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc", "warn");
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        ConfigLoader.Loaded<RouterConfig> loaded = ConfigLoader.loadOrExit("meshwork", RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", args);
        List<String> words = loaded.positional();
        String mode = words.isEmpty() ? "up" : words.get(0);
        if (!mode.equals("up")) {
            System.err.println("meshwork: unknown mode '" + mode + "'; this build runs 'up' (standalone: a router with an embedded node)");
            System.exit(2);
        }
        Standalone mesh;
        try {
            mesh = Standalone.start(loaded.config());
        } catch (MeshError e) { // a store that will not open, a port in use: say so, not a stack trace
            System.err.println("meshwork: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mesh.close();
            stopped.countDown();
        }, "meshwork-shutdown"));
        printBanner(loaded.config(), mesh);
        stopped.await();
    }

    private static void printBanner(RouterConfig config, Standalone mesh) {
        String host = config.http().host().equals("0.0.0.0") ? "127.0.0.1" : config.http().host();
        String rest = "http://" + host + ":" + mesh.httpPort();
        StringBuilder b = new StringBuilder();
        b.append("\nMeshwork is up (standalone: router + embedded node)\n");
        b.append("  REST  ").append(rest).append('\n');
        b.append("  gRPC  ").append(config.grpc().host()).append(':').append(mesh.grpcPort()).append('\n');
        b.append("  registry  ").append(config.registry().jdbcUrl().isEmpty() ? "in memory (registry.jdbcUrl is empty)"
                : config.registry().displayUrl()).append('\n');
        b.append("  models registered: ").append(mesh.registered().isEmpty() ? "(none)" : String.join(", ", mesh.registered())).append('\n');
        if (mesh.registered().contains("mlp-classifier")) {
            b.append("Try:\n  curl -s -X POST ").append(rest).append("/v2/models/mlp-classifier/infer -H 'Content-Type: application/json' ")
                    .append("-d '{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}'\n");
        }
        b.append("Stop with Ctrl-C.\n");
        System.out.println(b);
        System.out.flush();
    }
}
