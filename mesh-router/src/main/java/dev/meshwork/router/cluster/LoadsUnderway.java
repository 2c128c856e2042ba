package dev.meshwork.router.cluster;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loads this router has sent to each node and that have not answered yet. Placement weighs
 * them so that the loads of one moment spread over the nodes instead of queueing behind each
 * other on the node whose last report looked best (node records are rewritten as copies change,
 * not as loads are queued). Other routers' loads are not counted: each router spreads its own,
 * which spreads them all. Load threads start and end loads; placement reads. Thread-safe.
 */
final class LoadsUnderway {
    private final ConcurrentMap<String, AtomicInteger> byNode = new ConcurrentHashMap<>();

    /** One load sent to the node; close the answer when the node has answered it, however it ended. */
    Started start(String nodeId) {
        AtomicInteger n = byNode.computeIfAbsent(nodeId, k -> new AtomicInteger());
        n.incrementAndGet();
        return n::decrementAndGet;
    }

    /** Loads sent to the node and not answered yet. */
    int on(String nodeId) {
        AtomicInteger n = byNode.get(nodeId);
        return n == null ? 0 : n.get();
    }

    /** A started load; {@link #close} ends it, once. */
    @FunctionalInterface
    interface Started extends AutoCloseable {
        @Override
        void close();
    }
}
