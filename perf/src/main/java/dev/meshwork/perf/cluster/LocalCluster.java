package dev.meshwork.perf.cluster;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.node.cluster.NodeProcess;
import dev.meshwork.node.cluster.NodeProcessConfig;
import dev.meshwork.placement.eviction.EvictionPolicies;
import dev.meshwork.router.ClusterRouter;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.security.tls.TlsConfig;
import dev.meshwork.state.cluster.ClusterConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A router and nodes of one cluster inside the benchmark's JVM, on loopback with free ports and a
 * cluster name of their own; the registry lives in memory. For benchmarks that measure the
 * request path, not process boundaries.
 */
final class LocalCluster implements AutoCloseable {
    final ClusterRouter router;
    final List<NodeProcess> nodes = new ArrayList<>();
    final ClusterConfig cluster;

    /**
     * Trust between the router and its nodes: the router dials with {@code routerTls} (its certificate, the nodes' CA),
     * each node listens with {@code nodeTls} (a certificate naming {@code node-<i>}, the routers' CA for mTLS), and
     * with {@code secretFile} every table row is signed with the cluster key.
     */
    record Trust(TlsConfig routerTls, java.util.function.IntFunction<TlsConfig> nodeTls, String secretFile) {
    }

    LocalCluster(int nodeCount, List<String> storageRoots, long slotMemoryBytes) throws IOException {
        this(nodeCount, storageRoots, slotMemoryBytes, null);
    }

    LocalCluster(int nodeCount, List<String> storageRoots, long slotMemoryBytes, Trust trust) throws IOException {
        int port = dev.meshwork.testing.MeshProcess.freePort();
        ClusterConfig plain = new ClusterConfig("bench-" + UUID.randomUUID().toString().substring(0, 8), "127.0.0.1", port,
                List.of("127.0.0.1:" + port + "-" + (port + nodeCount + 2)), 1, 5, ClusterConfig.Kubernetes.disabled());
        this.cluster = trust == null ? plain : new ClusterConfig(plain.name(), plain.host(), plain.port(), plain.members(),
                plain.heartbeatSeconds(), plain.failureSeconds(), plain.kubernetes(), trust.routerTls(), trust.secretFile(), plain.routerNames());
        ClusterConfig nodeCluster = trust == null ? plain : new ClusterConfig(plain.name(), plain.host(), plain.port(), plain.members(),
                plain.heartbeatSeconds(), plain.failureSeconds(), plain.kubernetes(), TlsConfig.defaults(), trust.secretFile(), plain.routerNames());
        RouterConfig d = RouterConfig.defaults();
        this.router = ClusterRouter.start(new RouterConfig(new RouterConfig.Http("127.0.0.1", 0, d.http().maxRequestBytes()),
                new RouterConfig.Grpc("127.0.0.1", 0, d.grpc().maxMessageBytes()), 0, List.of(), d.node(),
                new RouterConfig.Registry("", "", ""), d.runtimes(), d.models(), cluster, d.forward(), d.scaling(),
                d.tls(), d.auth(), d.security(), d.tenants(), d.payloadLog(), d.tracing(), d.autoscale()));
        for (int i = 0; i < nodeCount; i++) {
            NodeProcessConfig nd = NodeProcessConfig.defaults();
            NodeConfig node = new NodeConfig("node-" + i, slotMemoryBytes, 2, 120_000, 30_000, 0, 30_000,
                    NodeConfig.defaults().storage().withRoots(storageRoots), NodeConfig.defaults().onnx(), List.of(),
                    List.of(new NodeConfig.SlotConfig("onnx", "onnx", "cpu", slotMemoryBytes, 1, true)), EvictionPolicies.DEFAULT);
            nodes.add(NodeProcess.start(new NodeProcessConfig(node, new NodeProcessConfig.Grpc("127.0.0.1", 0, "", 16 << 20), new NodeProcessConfig.Http("127.0.0.1", 0),
                    nodeCluster, nd.publishMs(), nd.drain(), trust == null ? TlsConfig.defaults() : trust.nodeTls().apply(i), nd.security())));
        }
        awaitNodes(nodeCount);
    }

    /** Waits (up to 60 s) until the router's node table lists {@code count} nodes. */
    void awaitNodes(int count) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (router.service().nodes().size() != count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the router did not see " + count + " nodes within 60 s");
            }
            sleep(20);
        }
    }


    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        router.close();
        nodes.forEach(NodeProcess::close);
    }
}
