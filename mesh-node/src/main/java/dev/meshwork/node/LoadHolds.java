package dev.meshwork.node;

import dev.meshwork.node.cache.ModelCache;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a copy that a router's {@code Load} brought in pinned until the requests that waited for
 * it have arrived: {@link #USE_GRACE_MS} after the first of them (a router sends the waiters of
 * one load together), or {@link #HOLD_MS} if none comes. Between the load's answer and those
 * requests, other loads in a full slot would otherwise evict the fresh copy first thing (seen
 * under churn: most loads served nobody). Touched by gRPC request threads and its own timer thread.
 */
final class LoadHolds implements AutoCloseable {
    static final long HOLD_MS = 1_000;
    static final long USE_GRACE_MS = 100;
    private final ConcurrentMap<String, ModelCache.Lease> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshwork-load-holds");
        t.setDaemon(true);
        return t;
    });

    /** Pins {@code lease}'s copy until {@link #release} or the hold time; one hold per model. */
    void hold(String modelId, ModelCache.Lease lease) {
        ModelCache.Lease before = held.put(modelId, lease);
        if (before != null) {
            before.close();
        }
        timer.schedule(() -> {
            if (held.remove(modelId, lease)) {
                lease.close();
            }
        }, HOLD_MS, TimeUnit.MILLISECONDS);
    }

    /** A request for the model arrived: its hold, if any, ends shortly, once the other waiters are in. */
    void used(String modelId) {
        ModelCache.Lease lease = held.remove(modelId);
        if (lease != null) {
            timer.schedule(lease::close, USE_GRACE_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** The model is going away: its hold, if any, ends now. */
    void release(String modelId) {
        ModelCache.Lease lease = held.remove(modelId);
        if (lease != null) {
            lease.close();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        held.keySet().forEach(this::release);
    }
}
