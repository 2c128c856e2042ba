package dev.meshwork.node.overload;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.overload.ConcurrencyLimit;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * The node's overload protection ({@code node.overload}): runs each request of a loaded model under
 * the node's {@link ConcurrencyLimit}, refusing one past the limit at once with 503 / UNAVAILABLE
 * and Retry-After, and feeds the limit each answer. Requests of models that batch
 * pass uncounted (their batcher bounds their wait). Request threads call it; the limit is thread-safe.
 */
public final class OverloadGuard {
    private final String nodeId;
    private final NodeConfig.Overload config;
    private final ConcurrencyLimit limit;
    private volatile Counter refused;

    public OverloadGuard(String nodeId, NodeConfig.Overload config, int cores) {
        this.nodeId = nodeId;
        this.config = config;
        this.limit = config.enabled() ? new ConcurrencyLimit(config.settings(cores)) : null;
    }

    /** Exposes the limit, the requests it counts and the refusals as meters. */
    public void instrument(MeterRegistry registry) {
        if (limit == null) {
            return;
        }
        Gauge.builder("meshwork.node.overload.limit", limit, ConcurrencyLimit::limit)
                .description("the requests the node runs at once before it refuses more (adaptive)").register(registry);
        Gauge.builder("meshwork.node.overload.inflight", limit, ConcurrencyLimit::inFlight)
                .description("requests the overload limit counts now").register(registry);
        refused = Counter.builder("meshwork.node.overload.refused").description("requests refused because the node ran its limit")
                .register(registry);
    }

    /** Runs {@code work}, a request of {@code spec}, within the limit; throws 503 / UNAVAILABLE with Retry-After past it. */
    public <T> T run(ModelSpec spec, Supplier<T> work) {
        if (limit == null || spec.batching().enabled()) {
            return work.get();
        }
        if (!limit.tryAcquire()) {
            Counter c = refused;
            if (c != null) {
                c.increment();
            }
            throw MeshError.retryAfter(ErrorCode.UNAVAILABLE, "node " + nodeId + " is running its limit of " + limit.limit()
                    + " requests at once (it adapts to the node's capacity, node.overload);"
                    + " retry after " + config.retryAfterMs() + " ms", config.retryAfterMs());
        }
        boolean ok = false;
        try {
            T result = work.get();
            ok = true;
            return result;
        } finally {
            if (ok) {
                limit.release(System.nanoTime());
            } else {
                limit.abandon();
            }
        }
    }
}
