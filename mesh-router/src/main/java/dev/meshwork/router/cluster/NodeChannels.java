package dev.meshwork.router.cluster;

import dev.meshwork.nodeapi.NodeFence;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.security.grpc.InternalChannels;
import io.grpc.ManagedChannel;
import dev.meshwork.telemetry.TracingInterceptors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One gRPC channel per node endpoint, made on first use and reused by every request (a channel
 * multiplexes calls over one HTTP/2 connection and reconnects by itself); closed when the node
 * leaves. Thread-safe.
 */
final class NodeChannels implements AutoCloseable {
    private final ConcurrentMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final int maxMessageBytes;
    private final InternalChannels dialer;

    NodeChannels(int maxMessageBytes, InternalChannels dialer) {
        this.maxMessageBytes = maxMessageBytes;
        this.dialer = dialer;
    }

    /**
     * A stub for the node process {@code target}; over TLS the node's certificate must name its id.
     * Its calls carry the process's incarnation and {@code spec} (a registration's fingerprint, or
     * empty) as their fencing token ({@link NodeFence}).
     */
    NodeServiceGrpc.NodeServiceBlockingStub stub(LoadCoordinator.Target target, String spec) {
        ManagedChannel ch = channels.computeIfAbsent(target.endpoint(), e -> dialer.dial(e, target.nodeId()).maxInboundMessageSize(maxMessageBytes)
                .intercept(TracingInterceptors.client()).build()); // the forward's span is the node's parent
        return NodeServiceGrpc.newBlockingStub(ch).withInterceptors(NodeFence.attach(target.incarnation(), spec));
    }

    /**
     * The node left or was declared gone: its channel closes at once, failing the calls still waiting
     * on it (UNAVAILABLE), so that a hung node holds its callers for the cluster's failure detection,
     * not for the whole forward deadline; they are retried on another node.
     */
    void close(String endpoint) {
        ManagedChannel ch = channels.remove(endpoint);
        if (ch != null) {
            ch.shutdownNow();
        }
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
