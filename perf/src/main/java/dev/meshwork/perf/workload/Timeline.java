package dev.meshwork.perf.workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latencies and errors of a run, per second of the run and in total for the recorded part (after
 * the warm-up), per protocol. Written by the completion callbacks of gRPC and HTTP client threads,
 * read once the run is over; every method is synchronized (a few thousand calls a second).
 */
final class Timeline {
    private static final long HIGHEST = TimeUnit.SECONDS.toNanos(120);
    private final long startNanos;
    private final double warmupSeconds;
    private final List<Histogram> perSecond = new ArrayList<>();
    private final List<long[]> errorsPerSecond = new ArrayList<>();
    private final Map<String, Histogram> recorded = new LinkedHashMap<>();
    private final Map<String, Long> recordedErrors = new LinkedHashMap<>();
    private final Map<String, Long> errorKinds = new LinkedHashMap<>();
    private final Map<String, String> errorExamples = new LinkedHashMap<>();
    private long tooHigh;

    Timeline(long startNanos, double warmupSeconds) {
        this.startNanos = startNanos;
        this.warmupSeconds = warmupSeconds;
    }

    /** A request meant to start at {@code intendedNanos} answered at {@code doneNanos}. */
    synchronized void ok(String protocol, long intendedNanos, long doneNanos) {
        long latency = Math.max(1, doneNanos - intendedNanos);
        if (latency > HIGHEST) {
            tooHigh++;
            latency = HIGHEST;
        }
        second(intendedNanos).recordValue(latency);
        if (recording(intendedNanos)) {
            recorded.computeIfAbsent(protocol, p -> new Histogram(HIGHEST, 3)).recordValue(latency);
        }
    }

    /** A request meant to start at {@code intendedNanos} failed with an error of {@code kind}. */
    synchronized void error(String protocol, long intendedNanos, String kind, String message) {
        errorExamples.putIfAbsent(kind, message.length() > 300 ? message.substring(0, 300) + "..." : message);
        second(intendedNanos);
        errorsPerSecond.get(index(intendedNanos))[0]++;
        if (recording(intendedNanos)) {
            recordedErrors.merge(protocol, 1L, Long::sum);
        }
        errorKinds.merge(kind, 1L, Long::sum);
    }

    private boolean recording(long nanos) {
        return (nanos - startNanos) / 1e9 >= warmupSeconds;
    }

    private int index(long nanos) {
        return (int) Math.max(0, (nanos - startNanos) / 1_000_000_000L);
    }

    private Histogram second(long nanos) {
        int i = index(nanos);
        while (perSecond.size() <= i) {
            perSecond.add(new Histogram(HIGHEST, 2));
            errorsPerSecond.add(new long[1]);
        }
        return perSecond.get(i);
    }

    /** One second of the run: answers, errors and latency percentiles in ms. */
    record Second(int second, long answers, long errors, double p50ms, double p90ms, double p99ms, double p999ms, double maxMs) {
    }

    synchronized List<Second> seconds() {
        List<Second> out = new ArrayList<>();
        for (int i = 0; i < perSecond.size(); i++) {
            Histogram h = perSecond.get(i);
            out.add(new Second(i, h.getTotalCount(), errorsPerSecond.get(i)[0], ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9),
                    h.getMaxValue() / 1e6));
        }
        return out;
    }

    /** The recorded part's figures, per protocol and for all protocols together. */
    record Totals(String protocol, long answers, long errors, double p50ms, double p90ms, double p99ms, double p999ms, double maxMs) {
    }

    synchronized List<Totals> totals() {
        List<Totals> out = new ArrayList<>();
        Histogram all = new Histogram(HIGHEST, 3);
        long allErrors = 0;
        for (Map.Entry<String, Histogram> e : recorded.entrySet()) {
            all.add(e.getValue());
            out.add(totals(e.getKey(), e.getValue(), recordedErrors.getOrDefault(e.getKey(), 0L)));
        }
        for (Map.Entry<String, Long> e : recordedErrors.entrySet()) {
            allErrors += e.getValue();
            if (!recorded.containsKey(e.getKey())) {
                out.add(totals(e.getKey(), new Histogram(HIGHEST, 3), e.getValue()));
            }
        }
        out.add(totals("all", all, allErrors));
        return out;
    }

    synchronized Map<String, Long> errorKinds() {
        return new LinkedHashMap<>(errorKinds);
    }

    /** The first message seen of each kind of error. */
    synchronized Map<String, String> errorExamples() {
        return new LinkedHashMap<>(errorExamples);
    }

    /** Answers slower than the histograms' 120 s range (recorded as 120 s). */
    synchronized long tooHigh() {
        return tooHigh;
    }

    private static Totals totals(String protocol, Histogram h, long errors) {
        return new Totals(protocol, h.getTotalCount(), errors, ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
    }
}
