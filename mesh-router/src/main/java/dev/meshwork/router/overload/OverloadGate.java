package dev.meshwork.router.overload;

import dev.meshwork.placement.overload.ConcurrencyLimit;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The router's adaptive cap on inference requests ({@code node.overload}), counted from each
 * request's arrival on the gRPC transport thread or the HTTP event loop, before it waits for a
 * request thread: when the router's cores are busy, that wait is where its queue is, and a cap
 * counted from admission never sees it. A request past the cap is refused where it arrived, at once,
 * with 503 / UNAVAILABLE and Retry-After. Transport threads and event loops call {@link #arrive};
 * request threads mark and close the {@link Arrival}; the limit is thread-safe.
 */
public final class OverloadGate {
    private final ConcurrencyLimit limit;
    private final long retryAfterMs;
    private final Counter refused;

    /**
     * @param limit        the cap, or null for none (every arrival passes and nothing is counted)
     * @param retryAfterMs what a refusal's Retry-After says
     */
    public OverloadGate(ConcurrencyLimit limit, long retryAfterMs, MeterRegistry metrics) {
        this.limit = limit;
        this.retryAfterMs = retryAfterMs;
        if (limit != null) {
            Gauge.builder("meshwork.overload.limit", limit, ConcurrencyLimit::limit)
                    .description("the inference requests this router runs at once before it refuses more (adaptive, node.overload)")
                    .register(metrics);
            Gauge.builder("meshwork.overload.inflight", limit, ConcurrencyLimit::inFlight)
                    .description("inference requests the overload cap counts now, from their arrival").register(metrics);
            this.refused = Counter.builder("meshwork.overload.refused")
                    .description("inference requests refused on arrival because the router ran its limit").register(metrics);
        } else {
            this.refused = null;
        }
    }

    /** The cap, or null when there is none. */
    public ConcurrencyLimit limit() {
        return limit;
    }

    /** A request arrives now: counted, or refused with 503 / UNAVAILABLE and Retry-After when the router runs its limit. */
    public Arrival arrive() {
        if (limit == null) {
            return Arrival.uncounted();
        }
        if (!limit.tryAcquire()) {
            refused.increment();
            throw MeshError.retryAfter(ErrorCode.UNAVAILABLE, "this router is running its limit of " + limit.limit()
                    + " inference requests at once (it adapts to the mesh's capacity, node.overload); retry after " + retryAfterMs
                    + " ms", retryAfterMs);
        }
        return new Arrival(limit);
    }

    /** One request from its arrival to its answer; closed once, on whatever thread answered it. */
    public static final class Arrival implements AutoCloseable {
        private static final Arrival UNCOUNTED = new Arrival(null);
        private final ConcurrencyLimit limit;
        private volatile boolean counts;
        private boolean closed;

        private Arrival(ConcurrencyLimit limit) {
            this.limit = limit;
        }

        /** A request that is not counted (no gate, or a gate without a cap): one shared instance, closing it does nothing. */
        public static Arrival uncounted() {
            return UNCOUNTED;
        }

        /** It was answered from a loaded copy, without batching: its answer tells the cap about capacity. */
        public void countsAsAnswer() {
            if (limit != null) { // the shared uncounted instance is never written: no contended write on every request
                counts = true;
            }
        }

        @Override
        public void close() {
            if (closed || limit == null) {
                return;
            }
            closed = true;
            if (counts) {
                limit.release(System.nanoTime());
            } else {
                limit.abandon();
            }
        }
    }
}
