package dev.meshwork.router.mesh;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The last minutes of each model's requests at this router, for the console's charts: every
 * {@link #INTERVAL_SECONDS} seconds it reads the cumulative {@code meshwork.request} timers that
 * {@link RequestMetrics} keeps and stores per model the requests, errors and p50/p99 of that
 * interval. Reading the timers costs the request path nothing; a model without requests for the
 * whole window is forgotten, so memory follows the models in use, not the registered ones.
 * {@link #sample} runs on one scheduled thread; {@link #of} on request threads (both synchronized).
 */
public final class RequestHistory {
    public static final int INTERVAL_SECONDS = 5;
    /** Ten minutes of samples. */
    static final int SAMPLES = 120;

    private final MeterRegistry registry;
    /** The cumulative totals at the last sample, per model. */
    private final Map<String, Totals> last = new HashMap<>();
    private final Map<String, ArrayDeque<Sample>> samples = new HashMap<>();

    /** One interval of one model: when it ended (ISO-8601), how many requests and errors, and latency quantiles in milliseconds (0 without requests). */
    public record Sample(String at, long requests, long errors, double p50Ms, double p99Ms) {
    }

    /** Cumulative counts: requests, errors, and requests at or under each bucket's bound (the bounds in milliseconds). */
    record Totals(long requests, long errors, double[] boundsMs, long[] atOrUnder) {
    }

    public RequestHistory(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Takes one sample of every model with requests; called every {@link #INTERVAL_SECONDS} seconds. */
    public synchronized void sample(Instant now) {
        Map<String, Totals> current = totals();
        for (Map.Entry<String, Totals> e : current.entrySet()) {
            Totals before = last.get(e.getKey());
            Totals after = e.getValue();
            Sample s = before == null ? between(now, new Totals(0, 0, after.boundsMs(), new long[after.atOrUnder().length]), after)
                    : between(now, before, after);
            ArrayDeque<Sample> ring = samples.computeIfAbsent(e.getKey(), k -> new ArrayDeque<>());
            ring.addLast(s);
            while (ring.size() > SAMPLES) {
                ring.removeFirst();
            }
        }
        last.clear();
        last.putAll(current);
        samples.entrySet().removeIf(e -> e.getValue().stream().allMatch(s -> s.requests() == 0));
    }

    /** The samples of model {@code id} (registry id, or a vmodel's), oldest first; empty when it had no requests lately. */
    public synchronized List<Sample> of(String id) {
        ArrayDeque<Sample> ring = samples.get(id);
        return ring == null ? List.of() : List.copyOf(ring);
    }

    private Map<String, Totals> totals() {
        Map<String, List<Timer>> byModel = new HashMap<>();
        for (Timer t : registry.find("meshwork.request").timers()) {
            String model = t.getId().getTag("model");
            if (model != null && !model.equals("unknown") && !model.isEmpty()) {
                byModel.computeIfAbsent(model, k -> new ArrayList<>()).add(t);
            }
        }
        Map<String, Totals> out = new HashMap<>();
        byModel.forEach((model, timers) -> out.put(model, sum(timers)));
        return out;
    }

    private static Totals sum(List<Timer> timers) {
        long requests = 0;
        long errors = 0;
        double[] bounds = null;
        long[] counts = null;
        for (Timer t : timers) {
            CountAtBucket[] buckets = t.takeSnapshot().histogramCounts();
            if (bounds == null) {
                bounds = new double[buckets.length];
                counts = new long[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                    bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
                }
            }
            for (int i = 0; i < Math.min(buckets.length, counts.length); i++) {
                counts[i] += (long) buckets[i].count();
            }
            long n = t.count();
            requests += n;
            if (!"ok".equals(t.getId().getTag("outcome"))) {
                errors += n;
            }
        }
        return new Totals(requests, errors, bounds == null ? new double[0] : bounds, counts == null ? new long[0] : counts);
    }

    /** The interval between two totals, its quantiles interpolated inside the histogram's buckets. */
    static Sample between(Instant at, Totals before, Totals after) {
        long requests = Math.max(0, after.requests() - before.requests());
        long errors = Math.max(0, after.errors() - before.errors());
        long[] delta = new long[after.atOrUnder().length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = Math.max(0, after.atOrUnder()[i] - (i < before.atOrUnder().length ? before.atOrUnder()[i] : 0));
        }
        return new Sample(at.toString(), requests, errors, quantile(0.5, requests, after.boundsMs(), delta),
                quantile(0.99, requests, after.boundsMs(), delta));
    }

    /** The q-quantile of {@code n} values from cumulative bucket counts; values past the last bound count as the last bound. */
    public static double quantile(double q, long n, double[] boundsMs, long[] atOrUnder) {
        if (n == 0 || boundsMs.length == 0) {
            return 0;
        }
        double rank = q * n;
        long below = 0;
        double lower = 0;
        for (int i = 0; i < boundsMs.length; i++) {
            if (atOrUnder[i] >= rank) {
                long inBucket = atOrUnder[i] - below;
                double fraction = inBucket == 0 ? 1 : (rank - below) / inBucket;
                return lower + fraction * (boundsMs[i] - lower);
            }
            below = atOrUnder[i];
            lower = boundsMs[i];
        }
        return boundsMs[boundsMs.length - 1];
    }
}
