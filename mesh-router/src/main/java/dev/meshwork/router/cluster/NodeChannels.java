package dev.meshwork.router.cluster;

import dev.meshwork.protocol.node.NodeServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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

    NodeChannels(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    NodeServiceGrpc.NodeServiceBlockingStub stub(String endpoint) {
        ManagedChannel ch = channels.computeIfAbsent(endpoint, e -> NettyChannelBuilder.forTarget(e).usePlaintext()
                .maxInboundMessageSize(maxMessageBytes).build());
        return NodeServiceGrpc.newBlockingStub(ch);
    }

    void close(String endpoint) {
        ManagedChannel ch = channels.remove(endpoint);
        if (ch != null) {
            ch.shutdown();
        }
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
