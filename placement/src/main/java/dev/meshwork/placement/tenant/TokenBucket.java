package dev.meshwork.placement.tenant;

/**
 * A token bucket: {@code capacity} tokens, refilled at {@code ratePerSecond}; a request takes one.
 * Time is passed in (nanoseconds of a monotonic clock), so tests drive it. Thread-safe: its
 * monitor covers a few arithmetic steps.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        if (!(ratePerSecond > 0) || !(capacity >= 1)) {
            throw new IllegalArgumentException("a bucket needs a positive rate and room for one token");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Takes a token: 0 when one was there, else the nanoseconds until one will be (nothing taken). */
    public synchronized long tryTake(long nowNanos) {
        if (nowNanos > lastNanos) {
            tokens = Math.min(capacity, tokens + (nowNanos - lastNanos) * ratePerNano);
            lastNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano));
    }

    public double ratePerSecond() {
        return ratePerNano * 1e9;
    }

    public double capacity() {
        return capacity;
    }
}
