package dev.meshwork.router.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The router's retry budget (as Finagle's and gRPC's retry throttling): every request earns
 * {@code ratio} of a retry, and a few retries a second come free so that thin traffic can still
 * retry; a retry spends one. When a node or link fails, retries then add at most {@code ratio} to
 * the load instead of multiplying it. Touched by every request thread: earning is one CAS, spending
 * (rare) takes the monitor.
 */
final class RetryBudget {
    /** Retries a second that need no earning. */
    static final double MIN_PER_SECOND = 10;
    /** The most retries saved up: a burst after a quiet time cannot spend more. */
    private static final long CAP_MILLIS = 100_000;

    private final long earnMillis;
    private final LongSupplier nanos;
    /** Saved retries, in thousandths. */
    private final AtomicLong millis = new AtomicLong(CAP_MILLIS);
    private long refilledAt;

    RetryBudget(double ratio, LongSupplier nanos) {
        this.earnMillis = Math.round(ratio * 1000);
        this.nanos = nanos;
        this.refilledAt = nanos.getAsLong();
    }

    /** A request's first attempt: earns its share of a retry. */
    void earn() {
        if (earnMillis == 0) {
            return;
        }
        long now;
        do {
            now = millis.get();
            if (now >= CAP_MILLIS) {
                return;
            }
        } while (!millis.compareAndSet(now, Math.min(CAP_MILLIS, now + earnMillis)));
    }

    /** Whether one retry may go now; spends it if so. */
    synchronized boolean trySpend() {
        long t = nanos.getAsLong();
        long free = (long) (TimeUnit.NANOSECONDS.toMillis(t - refilledAt) * MIN_PER_SECOND); // thousandths per ms = per second
        if (free > 0) {
            refilledAt = t;
            millis.getAndUpdate(v -> Math.min(CAP_MILLIS, v + free));
        }
        long now;
        do {
            now = millis.get();
            if (now < 1000) {
                return false;
            }
        } while (!millis.compareAndSet(now, now - 1000));
        return true;
    }
}
