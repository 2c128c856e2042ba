package dev.meshwork.router.cluster;

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

    /** A stub for node {@code nodeId} at {@code endpoint}; over TLS the node's certificate must name that id. */
    NodeServiceGrpc.NodeServiceBlockingStub stub(String nodeId, String endpoint) {
        ManagedChannel ch = channels.computeIfAbsent(endpoint, e -> dialer.dial(e, nodeId).maxInboundMessageSize(maxMessageBytes)
                .intercept(TracingInterceptors.client()).build()); // the forward's span is the node's parent
        return NodeServiceGrpc.newBlockingStub(ch);
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
