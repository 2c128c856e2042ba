package dev.meshwork.placement.tenant;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether an inference request may start at this router: its namespace's token bucket
 * ({@code requestsPerSecond}, {@code burst}) and in-flight cap ({@code maxInFlight}), and the
 * router's own in-flight cap, above a fraction of which namespaces below the highest priority are
 * shed first. A namespace's limits are split evenly over the routers ({@code limit / routers}): each
 * router enforces its part without talking to the others, so a client that spreads its requests
 * over the routers gets the whole limit, and one that sends all to one router gets that router's
 * part. Request threads call {@link #admit} and {@link #release}; thread-safe.
 */
public final class TenantAdmission {
    /** Why a request was refused, or that it was not. */
    public enum Outcome {
        ADMITTED, RATE, IN_FLIGHT, OVERLOAD;

        /** The metric tag. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * The answer for one request.
     *
     * @param retryAfterNanos for {@link Outcome#RATE}, when the bucket has a token again; else 0
     * @param limit           the limit that refused it, as this router enforces it (for the message)
     */
    public record Verdict(Outcome outcome, long retryAfterNanos, double limit) {
        public boolean admitted() {
            return outcome == Outcome.ADMITTED;
        }
    }

    /** One namespace's state at this router; the bucket is made again when its policy or the number of routers changes. */
    private static final class State {
        final AtomicInteger inFlight = new AtomicInteger();
        volatile TokenBucket bucket;
        volatile double bucketRate;
        volatile double bucketSize;
    }

    private final int maxInFlight;
    /** The router's cap when {@code maxInFlight} is 0: adapts to keep admitted requests fast; null for no cap. */
    private final dev.meshwork.placement.overload.ConcurrencyLimit adaptive;
    private final double shedAt;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentMap<String, State> states = new ConcurrentHashMap<>();

    /**
     * @param maxInFlight the most inference requests this router runs at once; 0 for no limit
     * @param shedAt      the fraction of {@code maxInFlight} above which namespaces below the highest priority are refused
     */
    public TenantAdmission(int maxInFlight, double shedAt) {
        this(maxInFlight, shedAt, null);
    }

    /** With {@code adaptive}, a router without a fixed {@code maxInFlight} caps its requests at that limit as it moves. */
    public TenantAdmission(int maxInFlight, double shedAt, dev.meshwork.placement.overload.ConcurrencyLimit adaptive) {
        if (maxInFlight < 0 || !(shedAt > 0 && shedAt <= 1)) {
            throw new IllegalArgumentException("maxInFlight >= 0 and 0 < shedAt <= 1");
        }
        this.maxInFlight = maxInFlight;
        this.shedAt = shedAt;
        this.adaptive = maxInFlight > 0 ? null : adaptive;
    }

    /** Whether the router's cap is the adaptive one. */
    public boolean adaptive() {
        return adaptive != null;
    }

    /**
     * Admits a request of {@code policy}'s namespace or says why not; an admitted request must be
     * {@link #release released} once its answer is done.
     *
     * @param highestPriority the highest priority any namespace has
     * @param routers         the routers sharing the namespace's limits (at least 1)
     */
    public Verdict admit(TenantPolicy policy, int highestPriority, int routers, long nowNanos) {
        return admit(policy, highestPriority, routers, nowNanos, true);
    }

    /** {@link #admit(TenantPolicy, int, int, long)}; a request that is not {@code capped} (its model batches) passes the adaptive cap. */
    public Verdict admit(TenantPolicy policy, int highestPriority, int routers, long nowNanos, boolean capped) {
        int share = Math.max(1, routers);
        State s = states.computeIfAbsent(policy.namespace(), k -> new State());
        // counted first and given back on a refusal: two requests at once can never both take the last place
        int all = inFlight.incrementAndGet();
        int limit = adaptive == null ? maxInFlight : capped ? adaptive.limit() : 0;
        if (limit > 0) {
            int cap = policy.priority() >= highestPriority ? limit : Math.max(1, (int) (limit * shedAt));
            if (all > cap) {
                inFlight.decrementAndGet();
                return new Verdict(Outcome.OVERLOAD, 0, cap);
            }
        }
        int mine = s.inFlight.incrementAndGet();
        int nsCap = policy.maxInFlight() == 0 ? 0 : Math.max(1, (int) Math.ceil(policy.maxInFlight() / (double) share));
        if (nsCap > 0 && mine > nsCap) {
            s.inFlight.decrementAndGet();
            inFlight.decrementAndGet();
            return new Verdict(Outcome.IN_FLIGHT, 0, nsCap);
        }
        if (policy.requestsPerSecond() > 0) {
            double rate = policy.requestsPerSecond() / share;
            double size = Math.max(1, policy.effectiveBurst() / (double) share);
            TokenBucket b = s.bucket;
            if (b == null || s.bucketRate != rate || s.bucketSize != size) {
                synchronized (s) {
                    b = s.bucket;
                    if (b == null || s.bucketRate != rate || s.bucketSize != size) {
                        b = new TokenBucket(rate, size, nowNanos);
                        s.bucketRate = rate;
                        s.bucketSize = size;
                        s.bucket = b;
                    }
                }
            }
            long wait = b.tryTake(nowNanos);
            if (wait > 0) {
                s.inFlight.decrementAndGet();
                inFlight.decrementAndGet();
                return new Verdict(Outcome.RATE, wait, rate);
            }
        }
        return new Verdict(Outcome.ADMITTED, 0, 0);
    }

    /** An admitted request of the namespace finished. */
    public void release(String namespace) {
        State s = states.get(namespace);
        if (s != null) {
            s.inFlight.decrementAndGet();
        }
        inFlight.decrementAndGet();
    }

    /** Requests of the namespace running at this router now. */
    public int inFlight(String namespace) {
        State s = states.get(namespace);
        return s == null ? 0 : s.inFlight.get();
    }

    /** Requests running at this router now. */
    public int inFlight() {
        return inFlight.get();
    }
}
