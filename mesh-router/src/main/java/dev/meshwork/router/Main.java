package dev.meshwork.router;

import dev.meshwork.telemetry.Tracing;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.config.ProcessLogging;
import dev.meshwork.config.ProcessStop;
import dev.meshwork.protocol.error.MeshError;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The router process: {@code up} starts standalone mode (a router with one embedded node), {@code router} a cluster router. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProcessLogging.install();
        ConfigLoader.Loaded<RouterConfig> loaded = ConfigLoader.loadOrExit("meshwork", RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", args);
        List<String> words = loaded.positional();
        String mode = words.isEmpty() ? "up" : words.get(0);
        if (!mode.equals("up") && !mode.equals("router")) {
            System.err.println("meshwork: unknown mode '" + mode + "'; this build runs 'up' (standalone: a router with an embedded node) "
                    + "and 'router' (a router that joins a cluster of nodes)");
            System.exit(2);
        }
        MeshRouter mesh;
        Tracing.start(loaded.config().tracing(), mode.equals("up") ? "meshwork" : "meshwork-router",
                mode + "-" + ProcessHandle.current().pid());
        try {
            mesh = mode.equals("up") ? Standalone.start(loaded.config()) : ClusterRouter.start(loaded.config());
        } catch (MeshError | IllegalArgumentException e) { // a store that will not open, a port in use, an exposed listener: one line
            System.err.println("meshwork: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) { // anything else (a port in use): say so and exit, or Hazelcast's threads keep a half-started process alive
            System.err.println("meshwork: cannot start: " + e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ProcessStop.install("meshwork-shutdown", () -> {
            mesh.close();
            Tracing.shutdown(); // what is recorded goes out before the process ends
            stopped.countDown();
        });
        printBanner(mode.equals("router") ? loaded.config().withSharedRegistry() : loaded.config(), mesh);
        stopped.await();
    }

    private static void printBanner(RouterConfig config, MeshRouter mesh) {
        String host = config.http().host().equals("0.0.0.0") ? "127.0.0.1" : config.http().host();
        String rest = (config.tls().enabled() ? "https://" : "http://") + host + ":" + mesh.httpPort();
        StringBuilder b = new StringBuilder();
        b.append("\nMeshwork is up (").append(mesh.describe()).append(")\n");
        b.append("  REST  ").append(rest).append('\n');
        b.append("  gRPC  ").append(config.grpc().host()).append(':').append(mesh.grpcPort()).append(config.tls().enabled() ? " (TLS)" : "")
                .append('\n');
        if (config.auth().enabled()) {
            b.append("  auth  every request but health probes needs credentials (Authorization: Bearer ...")
                    .append(config.auth().clientsFile().isEmpty() ? "" : " or a client certificate").append(")\n");
        }
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
