package dev.meshwork.placement.overload;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many requests a node runs at once, found as it goes so that admitted requests stay fast: a
 * request past the limit is refused at once (the caller answers 503 with Retry-After) instead of
 * queueing behind the others. The limit moves by AIMD on latency inflation: each finished request
 * is compared with its own model's unloaded latency, so a node that serves cheap and costly models
 * judges each against itself. A model's unloaded latency is the least latency, over the last two
 * baseline windows, of its requests that started while at most {@code minLimit} requests ran (so
 * it does not drift up while the node stays overloaded; until such a request comes, the least of
 * any). Every
 * {@code window} finished requests, a mean inflation above {@code tolerance} cuts the limit by a
 * quarter, and a window in which the limit was reached without inflation raises it by its square
 * root. It never goes below {@code minLimit} (the requests a node can run without queueing, such
 * as one per core) or above {@code maxLimit}. Pure: time comes in with each sample. Thread-safe:
 * request threads call it, each call a few field updates under the monitor.
 */
public final class ConcurrencyLimit {
    /** How long a model's baseline window lasts; its baseline is the least of this window and the last. */
    public static final long BASELINE_WINDOW_NANOS = 10_000_000_000L;
    /** The models whose baselines are kept; the least recently used go first. */
    static final int MAX_MODELS = 10_000;

    private final Settings settings;
    private double limit;
    private int inFlight;
    private int peakInFlight;
    private int samples;
    private double inflationSum;
    private final Map<String, Baseline> baselines = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Baseline> eldest) {
            return size() > MAX_MODELS;
        }
    };

    /**
     * @param tolerance    the mean latency inflation (latency over the model's unloaded latency) the limit keeps below
     * @param minLimit     the limit never goes below this
     * @param maxLimit     nor above this
     * @param initialLimit where it starts
     * @param window       finished requests between two adjustments
     */
    public record Settings(double tolerance, int minLimit, int maxLimit, int initialLimit, int window) {
        public Settings {
            if (tolerance <= 1 || minLimit < 1 || maxLimit < minLimit || initialLimit < minLimit || initialLimit > maxLimit || window < 1) {
                throw new IllegalArgumentException("overload settings need tolerance > 1, 1 <= minLimit <= initialLimit <= maxLimit and"
                        + " window >= 1, got " + tolerance + ", " + minLimit + ", " + initialLimit + ", " + maxLimit + ", " + window);
            }
        }
    }

    /** One model's least latency in the current and the previous baseline window: of quiet requests, and of any. */
    private static final class Baseline {
        final Window quiet = new Window();
        final Window any = new Window();

        long update(long nanos, long now, boolean wasQuiet) {
            if (wasQuiet) {
                quiet.add(nanos, now);
            }
            any.add(nanos, now);
            long base = quiet.least();
            return Math.max(1_000, base == Long.MAX_VALUE ? any.least() : base);
        }
    }

    /** The least of the samples in the current and the previous window. */
    private static final class Window {
        long start;
        long current = Long.MAX_VALUE;
        long previous = Long.MAX_VALUE;

        void add(long nanos, long now) {
            if (now - start >= BASELINE_WINDOW_NANOS) {
                previous = now - start >= 2 * BASELINE_WINDOW_NANOS ? Long.MAX_VALUE : current;
                current = Long.MAX_VALUE;
                start = now;
            }
            current = Math.min(current, nanos);
        }

        long least() {
            return Math.min(current, previous);
        }
    }

    public ConcurrencyLimit(Settings settings) {
        this.settings = settings;
        this.limit = settings.initialLimit();
    }

    /** Takes a place for one request: the requests running with it, or 0 when the node already runs its limit. */
    public synchronized int tryAcquire() {
        if (inFlight >= (int) limit) {
            return 0;
        }
        inFlight++;
        observe(inFlight);
        return inFlight;
    }

    /**
     * Gives back a place whose request ran on {@code model} for {@code nanos}, finishing at {@code now}
     * (System.nanoTime); {@code running} is what {@link #tryAcquire} answered for it.
     */
    public synchronized void release(String model, long nanos, long now, int running) {
        inFlight--;
        sample(model, nanos, now, running);
    }

    /** For a caller that counts its requests itself: {@code running} requests run now, this one included. */
    public synchronized void observe(int running) {
        peakInFlight = Math.max(peakInFlight, running);
    }

    /**
     * For a caller that counts its requests itself: one ran on {@code model} for {@code nanos}, finishing at
     * {@code now}, having started with {@code running} requests running (itself included).
     */
    public synchronized void sample(String model, long nanos, long now, int running) {
        long base = baselines.computeIfAbsent(model, m -> new Baseline()).update(Math.max(1, nanos), now, running <= settings.minLimit());
        inflationSum += (double) Math.max(1, nanos) / base;
        if (++samples >= settings.window()) {
            adjust();
        }
    }

    /** Gives back a place whose request failed: a failure's time says nothing of the node's load. */
    public synchronized void abandon() {
        inFlight--;
    }

    private void adjust() {
        double inflation = inflationSum / samples;
        if (inflation > settings.tolerance()) {
            limit = Math.max(settings.minLimit(), limit * 0.75);
        } else if (peakInFlight >= (int) limit) {
            limit = Math.min(settings.maxLimit(), limit + Math.max(1, Math.sqrt(limit)));
        }
        samples = 0;
        inflationSum = 0;
        peakInFlight = inFlight;
    }

    /** The limit now (requests at once). */
    public synchronized int limit() {
        return (int) limit;
    }

    /** Requests running now. */
    public synchronized int inFlight() {
        return inFlight;
    }
}
