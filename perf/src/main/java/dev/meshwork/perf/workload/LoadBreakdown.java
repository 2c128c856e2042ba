package dev.meshwork.perf.workload;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where cold requests' time went over the recorded window, from two probe samples: the router's
 * histogram of requests' waits for loads (median, tail) and the nodes' load phases (mean each).
 * Immutable.
 *
 * @param waits     requests that waited for a load in the window
 * @param waitP50ms median wait, interpolated in its bucket
 * @param waitP90ms 90th percentile wait
 * @param waitP99ms 99th percentile wait
 * @param phases    phase to {@code [loads, mean ms]}, in the order the phases happen, then each node's queued phase
 *                  ({@code queued@<node's index>})
 */
record LoadBreakdown(double waits, double waitP50ms, double waitP90ms, double waitP99ms, Map<String, double[]> phases) {

    /** The window between {@code from} and {@code to}; null when the mesh does not publish the wait histogram. */
    static LoadBreakdown between(MeshProbe.Sample from, MeshProbe.Sample to) {
        if (to.loadWaits().isEmpty()) {
            return null;
        }
        double waits = to.loadWaits().getOrDefault(Double.POSITIVE_INFINITY, 0.0) - from.loadWaits().getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        Map<String, double[]> phases = new LinkedHashMap<>();
        List<String> keys = new java.util.ArrayList<>(MeshProbe.PHASES);
        to.loadPhases().keySet().stream().filter(k -> k.contains("@")).sorted().forEach(keys::add);
        for (String phase : keys) {
            double[] a = from.loadPhases().getOrDefault(phase, new double[2]);
            double[] b = to.loadPhases().get(phase);
            if (b != null && b[1] > a[1]) {
                phases.put(phase, new double[] {b[1] - a[1], (b[0] - a[0]) / (b[1] - a[1]) * 1000});
            }
        }
        return new LoadBreakdown(waits, ms(from, to, 0.5), ms(from, to, 0.9), ms(from, to, 0.99), phases);
    }

    private static double ms(MeshProbe.Sample from, MeshProbe.Sample to, double q) {
        return PrometheusText.quantile(from.loadWaits(), to.loadWaits(), q) * 1000;
    }

    /** Requests that arrived in the warm-up and still wait for a load when it ends are over within this. */
    static final double STRAGGLER_SECONDS = 2;

    /**
     * The sample the recorded window starts at: the first one taken {@link #STRAGGLER_SECONDS} after
     * the warm-up (a cold start's waits end in the first seconds after it, and a scrape may hang
     * through the cold start), else the last.
     */
    static MeshProbe.Sample windowStart(List<MeshProbe.Sample> samples, double warmupSeconds) {
        return samples.stream().filter(s -> s.seconds() >= warmupSeconds + STRAGGLER_SECONDS).findFirst().orElse(samples.getLast());
    }

    /** The summary's section, with the tail of all requests against the median cold wait. */
    String markdown(double allP99ms) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%n| cold requests, recorded window from %.0f s after the warm-up"
                + " (router: waits for a load) | value |%n|---|---:|%n", STRAGGLER_SECONDS));
        b.append(String.format(Locale.ROOT, "| requests that waited for a load | %,.0f |%n", waits));
        b.append(String.format(Locale.ROOT, "| wait p50 / p90 / p99 ms | %.1f / %.1f / %.1f |%n", waitP50ms, waitP90ms, waitP99ms));
        b.append(String.format(Locale.ROOT, "| **p99 of all requests / median cold wait** | **%.1fx** |%n", allP99ms / waitP50ms));
        if (!phases.isEmpty()) {
            b.append("\n| load phase (nodes, recorded window) | loads | mean ms |\n|---|---:|---:|\n");
            phases.forEach((phase, v) -> b.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f |%n",
                    phase.replace("@", ", node "), v[0], v[1])));
        }
        return b.toString();
    }
}
