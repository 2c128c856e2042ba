package dev.meshwork.node.cluster;

import dev.meshwork.telemetry.Tracing;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.config.ParentProcess;
import dev.meshwork.config.ProcessLogging;
import dev.meshwork.config.ProcessStop;
import dev.meshwork.protocol.error.MeshError;
import java.util.concurrent.CountDownLatch;

/** {@code ./meshwork node}: one node process that joins the mesh; SIGTERM drains it before it leaves. */
public final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProcessLogging.install();
        NodeProcessConfig config = ConfigLoader.loadOrExit("meshwork node", NodeProcessConfig.class, NodeProcessConfig.defaults(),
                "MESHWORK_", args).config();
        if (config.parentPid() > 0) {
            // a node of a router's local pool (./meshwork up --nodes auto) serves that router only: it goes when the router goes
            ParentProcess.endWith(config.parentPid(), "meshwork node");
        }
        NodeProcess node;
        Tracing.start(config.tracing(), "meshwork-node", config.node().nodeId());
        try {
            config.security().checkExposure("the node's gRPC listener", config.grpc().host(), config.tls().enabled(),
                    !config.cluster().secretFile().isEmpty());
            node = NodeProcess.start(config);
        } catch (MeshError | IllegalArgumentException e) {
            System.err.println("meshwork node: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) { // anything else (a port in use): say so and exit, or Hazelcast's threads keep a half-started process alive
            System.err.println("meshwork node: cannot start: " + e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ProcessStop.install("meshwork-drain", () -> {
            node.drainAndClose();
            Tracing.shutdown();
            stopped.countDown();
        });
        System.out.println("Meshwork node " + config.node().nodeId() + " is up: gRPC " + node.endpoint() + ", HTTP "
                + config.http().host() + ":" + node.httpPort() + ", cluster '"
                + config.cluster().name() + "', slots " + node.agent().slotRecords().stream().map(s -> s.name()).toList());
        System.out.flush();
        stopped.await();
    }
}
