package dev.meshwork.testing.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * What a soak saw: the samples, and per process the slopes after warm-up (the first quarter of the
 * run) of resident memory, heap (the lowest reading of each stretch of samples, which follows the
 * live heap rather than the collector's saw-tooth), threads and open file descriptors, with the
 * shared maps' sizes and the traffic's outcome. Immutable.
 */
public record SoakResult(SoakRun.Plan plan, List<Sample> samples, List<Trend> trends, Map<String, long[]> maps, long requests, long ok,
                         long errors, long wrong, List<String> errorSamples, long lost, long overBudget, long dropped, double loadsPerSecond,
                         double evictionsPerSecond) {
    /** One process at one moment. */
    public record Sample(long atMs, String process, long rssBytes, long heapBytes, long threads, long fds, long loads, long evictions,
                         Map<String, Long> mapEntries) {
    }

    /**
     * One process's measures after warm-up: slopes per minute (least squares), and the change from the
     * start of the second half to the end.
     */
    public record Trend(String process, double rssMibPerMin, double heapMibPerMin, double threadsPerMin, double fdsPerMin, double rssMibSecondHalf,
                        double heapMibSecondHalf, long threadsSecondHalf, long fdsSecondHalf, long rssMibEnd, long threadsEnd, long fdsEnd) {
    }

    private static final double MIB = 1024.0 * 1024;

    static SoakResult of(SoakRun.Plan plan, List<Sample> samples, List<ChaosTraffic.Outcome> outcomes, long lost, long overBudget, long dropped) {
        Set<String> processes = new LinkedHashSet<>();
        samples.forEach(s -> processes.add(s.process()));
        long warm = plan.seconds() * 1000 / 4;
        long half = plan.seconds() * 1000 / 2;
        List<Trend> trends = new ArrayList<>();
        double loads = 0;
        double evictions = 0;
        for (String p : processes) {
            List<Sample> of = samples.stream().filter(s -> s.process().equals(p) && s.atMs() >= warm).toList();
            if (of.size() < 2) {
                continue;
            }
            List<Sample> troughs = troughs(of, 6);
            Sample mid = of.stream().filter(s -> s.atMs() >= half).findFirst().orElse(of.get(0));
            Sample last = of.get(of.size() - 1);
            List<Sample> secondHalfTroughs = troughs.stream().filter(s -> s.atMs() >= half).toList();
            double heapHalf = secondHalfTroughs.size() < 2 ? 0
                    : (secondHalfTroughs.get(secondHalfTroughs.size() - 1).heapBytes() - secondHalfTroughs.get(0).heapBytes()) / MIB;
            trends.add(new Trend(p, slope(of, s -> s.rssBytes() / MIB), slope(troughs, s -> s.heapBytes() / MIB), slope(of, Sample::threads),
                    slope(of, Sample::fds), (last.rssBytes() - mid.rssBytes()) / MIB, heapHalf, last.threads() - mid.threads(),
                    last.fds() - mid.fds(), Math.round(last.rssBytes() / MIB), last.threads(), last.fds()));
            List<Sample> all = samples.stream().filter(s -> s.process().equals(p)).toList();
            double seconds = (all.get(all.size() - 1).atMs() - all.get(0).atMs()) / 1000.0;
            if (seconds > 0) {
                loads += (all.get(all.size() - 1).loads() - all.get(0).loads()) / seconds;
                evictions += (all.get(all.size() - 1).evictions() - all.get(0).evictions()) / seconds;
            }
        }
        Map<String, long[]> maps = new LinkedHashMap<>(); // map -> {first, last, max} of the sum over routers
        // per sampling period, each router's latest sample: a slow round can put two samples of one router in one period,
        // and summing both would count its entries twice
        Map<Long, Map<String, Map<String, Long>>> byTime = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (!s.mapEntries().isEmpty()) {
                byTime.computeIfAbsent(s.atMs() / plan.sampleMs(), t -> new LinkedHashMap<>()).put(s.process(), s.mapEntries());
            }
        }
        for (Map<String, Map<String, Long>> byProcess : byTime.values()) {
            Map<String, Long> at = new LinkedHashMap<>();
            byProcess.values().forEach(entries -> entries.forEach((map, n) -> at.merge(map, n, Long::sum)));
            at.forEach((map, n) -> {
                long[] v = maps.computeIfAbsent(map, k -> new long[] {n, n, n});
                v[1] = n;
                v[2] = Math.max(v[2], n);
            });
        }
        long ok = outcomes.stream().filter(o -> o.kind() == ChaosTraffic.Kind.OK).count();
        long wrong = outcomes.stream().filter(o -> o.kind() == ChaosTraffic.Kind.WRONG).count();
        List<String> errorSamples = outcomes.stream().filter(o -> o.kind() != ChaosTraffic.Kind.OK).limit(5)
                .map(o -> "at " + o.sentMs() + " ms " + o.model() + ": " + o.detail()).toList();
        return new SoakResult(plan, List.copyOf(samples), trends, maps, outcomes.size(), ok, outcomes.size() - ok - wrong, wrong, errorSamples,
                lost, overBudget, dropped, loads, evictions);
    }

    /** The lowest heap reading of each run of {@code n} samples. */
    private static List<Sample> troughs(List<Sample> of, int n) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i + n <= of.size(); i += n) {
            Sample low = of.get(i);
            for (int j = i; j < i + n; j++) {
                if (of.get(j).heapBytes() < low.heapBytes()) {
                    low = of.get(j);
                }
            }
            out.add(low);
        }
        return out;
    }

    /** The least-squares slope of {@code y} over time, per minute. */
    static double slope(List<Sample> of, ToDoubleFunction<Sample> y) {
        if (of.size() < 2) {
            return 0;
        }
        double n = of.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Sample s : of) {
            double x = s.atMs() / 60_000.0;
            double v = y.applyAsDouble(s);
            sx += x;
            sy += v;
            sxx += x * x;
            sxy += x * v;
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? 0 : (n * sxy - sx * sy) / d;
    }

    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%d requests over %d s: %d right, %d errors, %d wrong; %.1f loads/s and %.1f evictions/s across the nodes; "
                + "%d registrations missing from a list, %d slot reports over budget%n%n", requests, plan.seconds(), ok, errors, wrong, loadsPerSecond,
                evictionsPerSecond, lost, overBudget));
        if (!errorSamples.isEmpty()) {
            s.append("first errors and wrong answers: ").append(errorSamples).append("\n\n");
        }
        s.append("| process | RSS MiB/min | heap (troughs) MiB/min | threads/min | fds/min | RSS MiB, 2nd half | heap MiB, 2nd half | threads, 2nd half "
                + "| fds, 2nd half | RSS MiB at end | threads at end | fds at end |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Trend t : trends) {
            s.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %+.1f | %+.1f | %+d | %+d | %d | %d | %d |%n", t.process(),
                    t.rssMibPerMin(), t.heapMibPerMin(), t.threadsPerMin(), t.fdsPerMin(), t.rssMibSecondHalf(), t.heapMibSecondHalf(),
                    t.threadsSecondHalf(), t.fdsSecondHalf(), t.rssMibEnd(), t.threadsEnd(), t.fdsEnd()));
        }
        s.append("\n| shared map | entries at start | at end | most |\n|---|---:|---:|---:|\n");
        maps.forEach((m, v) -> s.append(String.format(Locale.ROOT, "| %s | %d | %d | %d |%n", m, v[0], v[1], v[2])));
        return s.toString();
    }

    /** What breaks the soak's bounds (see the README's reliability section), one line each. */
    public List<String> violations() {
        List<String> out = new ArrayList<>();
        if (wrong > 0) {
            out.add(wrong + " wrong answers");
        }
        if (lost > 0) {
            out.add(lost + " registrations found missing");
        }
        if (overBudget > 0) {
            out.add(overBudget + " slot reports over budget");
        }
        if (errors > requests / 100) {
            out.add(errors + " errors of " + requests + " requests (over 1%): " + errorSamples);
        }
        for (Trend t : trends) {
            if (t.threadsSecondHalf() > 8) {
                out.add(t.process() + ": " + t.threadsSecondHalf() + " more threads over the second half");
            }
            if (t.fdsSecondHalf() > 16) {
                out.add(t.process() + ": " + t.fdsSecondHalf() + " more open files over the second half");
            }
            if (t.heapMibSecondHalf() > 48) {
                out.add(t.process() + String.format(Locale.ROOT, ": the heap's troughs grew %.1f MiB over the second half", t.heapMibSecondHalf()));
            }
        }
        maps.forEach((m, v) -> {
            long bound = m.endsWith("nodes") ? plan.nodes() : m.endsWith("tenants") ? 0 : plan.models();
            if (v[2] > bound) {
                out.add("shared map " + m + " reached " + v[2] + " entries, more than the " + bound + " it can rightly hold");
            }
        });
        return out;
    }
}
