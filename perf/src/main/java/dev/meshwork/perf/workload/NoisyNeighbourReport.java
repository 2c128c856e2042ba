package dev.meshwork.perf.workload;

import dev.meshwork.perf.Median;
import dev.meshwork.perf.chart.LineChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The noisy-neighbour runs as figures: per mode (fair eviction off, on) and phase (the victim
 * alone, the storm), the victim's p50/p99 and hit ratio, the aggressor's answers, throttling and
 * hit ratio; medians over rounds; charts over time with the storm shaded. Built once after the runs.
 */
final class NoisyNeighbourReport {
    /** One tenant in one phase of one run. */
    record Phase(long requests, long ok, long throttled, long otherErrors, double p50Ms, double p99Ms, double hitRatio) {
    }

    /** One run's figures. */
    record Figures(String mode, int round, Phase victimAlone, Phase victimStorm, Phase aggressorStorm) {
        double p99Ratio() {
            return victimStorm.p99Ms() / victimAlone.p99Ms();
        }

        double hitPointsLost() {
            return 100 * (victimAlone.hitRatio() - victimStorm.hitRatio());
        }
    }

    private final NoisyNeighbour scenario;
    private final List<NoisyNeighbourBench.Run> runs;
    private final List<Figures> figures = new ArrayList<>();

    NoisyNeighbourReport(NoisyNeighbour scenario, List<NoisyNeighbourBench.Run> runs) {
        this.scenario = scenario;
        this.runs = runs;
        double alone = scenario.aloneSeconds();
        double end = alone + scenario.stormSeconds();
        for (NoisyNeighbourBench.Run r : runs) {
            figures.add(new Figures(r.mode(), r.round(),
                    phase(r, s -> s.victim() && s.at() < alone, true, 0, alone),
                    phase(r, s -> s.victim() && s.at() >= alone, true, alone, end),
                    phase(r, s -> !s.victim() && s.at() >= alone, false, alone, end)));
        }
    }

    private static Phase phase(NoisyNeighbourBench.Run run, Predicate<NoisyNeighbourBench.Sample> in, boolean victim, double from, double to) {
        List<NoisyNeighbourBench.Sample> s = run.samples().stream().filter(in).toList();
        double[] latencies = s.stream().filter(NoisyNeighbourBench.Sample::ok).mapToDouble(NoisyNeighbourBench.Sample::latencyMs).sorted().toArray();
        long throttled = s.stream().filter(NoisyNeighbourBench.Sample::throttled).count();
        return new Phase(s.size(), latencies.length, throttled, s.size() - latencies.length - throttled, percentile(latencies, 0.5),
                percentile(latencies, 0.99), hitRatio(run.hits(), victim, from, to));
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    /** The tenant's hit ratio between the router's two snapshots nearest {@code from} and {@code to}. */
    static double hitRatio(List<NoisyNeighbourBench.Hits> hits, boolean victim, double from, double to) {
        NoisyNeighbourBench.Hits a = nearest(hits, from);
        NoisyNeighbourBench.Hits b = nearest(hits, to);
        if (a == null || b == null || a.victimHits() < 0 || b.victimHits() < 0) {
            return Double.NaN;
        }
        long h = victim ? b.victimHits() - a.victimHits() : b.aggressorHits() - a.aggressorHits();
        long m = victim ? b.victimMisses() - a.victimMisses() : b.aggressorMisses() - a.aggressorMisses();
        return h + m == 0 ? Double.NaN : h / (double) (h + m);
    }

    private static NoisyNeighbourBench.Hits nearest(List<NoisyNeighbourBench.Hits> hits, double at) {
        NoisyNeighbourBench.Hits best = null;
        for (NoisyNeighbourBench.Hits h : hits) {
            if (best == null || Math.abs(h.at() - at) < Math.abs(best.at() - at)) {
                best = h;
            }
        }
        return best;
    }

    List<Figures> figures() {
        return figures;
    }

    Map<String, Object> results() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", figures);
        out.put("medians", Map.of("off", medians("off"), "on", medians("on")));
        return out;
    }

    private Map<String, Double> medians(String mode) {
        List<Figures> f = figures.stream().filter(x -> x.mode().equals(mode)).toList();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("victimAloneP99Ms", median(f.stream().mapToDouble(x -> x.victimAlone().p99Ms()).toArray()));
        m.put("victimStormP99Ms", median(f.stream().mapToDouble(x -> x.victimStorm().p99Ms()).toArray()));
        m.put("p99Ratio", median(f.stream().mapToDouble(Figures::p99Ratio).toArray()));
        m.put("victimAloneHitRatio", median(f.stream().mapToDouble(x -> x.victimAlone().hitRatio()).toArray()));
        m.put("victimStormHitRatio", median(f.stream().mapToDouble(x -> x.victimStorm().hitRatio()).toArray()));
        m.put("hitPointsLost", median(f.stream().mapToDouble(Figures::hitPointsLost).toArray()));
        m.put("aggressorThrottledShare", median(f.stream().mapToDouble(x -> x.aggressorStorm().throttled()
                / (double) Math.max(1, x.aggressorStorm().requests())).toArray()));
        m.put("aggressorHitRatio", median(f.stream().mapToDouble(x -> x.aggressorStorm().hitRatio()).toArray()));
        return m;
    }

    /** The median of the values that are numbers (a round with no request of a kind has NaN there). */
    static double median(double[] values) {
        return Median.of(Arrays.stream(values).filter(d -> !Double.isNaN(d)).toArray());
    }

    String summary() {
        StringBuilder b = new StringBuilder();
        b.append("# noisy-neighbour\n\n").append(scenario.description()).append("\n\n");
        b.append(String.format(Locale.ROOT, "%d nodes of %.0f MiB, models of %.1f MiB: the victim's %d models take %.0f%% of the mesh,"
                        + " the aggressor's %d would take %.0f%%. Victim %.0f req/s alone for %.0f s, then the aggressor at %.0f req/s"
                        + " (limit %.0f req/s in both modes) for %.0f s. %d round(s), off and on alternating, each on a fresh mesh.%n%n",
                scenario.nodes(), scenario.slotMb(), scenario.modelMb(), scenario.victim().models(),
                100 * scenario.victim().models() * scenario.modelMb() / (scenario.nodes() * scenario.slotMb()), scenario.aggressor().models(),
                100 * scenario.aggressor().models() * scenario.modelMb() / (scenario.nodes() * scenario.slotMb()), scenario.victim().rate(),
                scenario.aloneSeconds(), scenario.aggressor().rate(), scenario.aggressor().requestsPerSecond(), scenario.stormSeconds(),
                scenario.rounds()));
        b.append("| fair eviction | round | victim alone p50 / p99 ms | victim in the storm p50 / p99 ms | p99 storm / alone | victim hit ratio"
                + " alone / storm | aggressor sent / ok / throttled | aggressor hit ratio |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Figures f : figures) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.1f / %.1f | %.1f / %.1f | %.2f | %.3f / %.3f | %d / %d / %d | %.3f |%n", f.mode(),
                    f.round() + 1, f.victimAlone().p50Ms(), f.victimAlone().p99Ms(), f.victimStorm().p50Ms(), f.victimStorm().p99Ms(),
                    f.p99Ratio(), f.victimAlone().hitRatio(), f.victimStorm().hitRatio(), f.aggressorStorm().requests(),
                    f.aggressorStorm().ok(), f.aggressorStorm().throttled(), f.aggressorStorm().hitRatio()));
        }
        Map<String, Double> on = medians("on");
        Map<String, Double> off = medians("off");
        b.append(String.format(Locale.ROOT, "%nMedians over rounds. Fair eviction on: the victim's p99 in the storm is %.2fx its p99 alone"
                        + " (goal: at most 1.2x) and its hit ratio lost %.1f points (goal: at most 2). Off: %.2fx and %.1f points.%n",
                on.get("p99Ratio"), on.get("hitPointsLost"), off.get("p99Ratio"), off.get("hitPointsLost")));
        long victimErrors = figures.stream().mapToLong(f -> f.victimAlone().otherErrors() + f.victimStorm().otherErrors()
                + f.victimAlone().throttled() + f.victimStorm().throttled()).sum();
        b.append(String.format(Locale.ROOT, "Victim requests that failed in all runs: %d. Command: `%s`%n", victimErrors, scenario.command()));
        return b.toString();
    }

    void charts(Path dir) throws IOException {
        double alone = scenario.aloneSeconds();
        double end = alone + scenario.stormSeconds();
        double w = scenario.windowSeconds();
        int windows = (int) Math.ceil(end / w);
        LineChart p99 = new LineChart("The victim's p99 latency, fair eviction off and on", "seconds", "p99 ms").logY();
        LineChart hit = new LineChart("The victim's hit ratio at the router, fair eviction off and on", "seconds", "hit ratio");
        for (NoisyNeighbourBench.Run r : runs) {
            double[] x = new double[windows];
            double[] y = new double[windows];
            for (int i = 0; i < windows; i++) {
                double from = i * w;
                double to = from + w;
                x[i] = to;
                y[i] = percentile(r.samples().stream().filter(s -> s.victim() && s.ok() && s.at() >= from && s.at() < to)
                        .mapToDouble(NoisyNeighbourBench.Sample::latencyMs).sorted().toArray(), 0.99);
            }
            String name = "fair " + r.mode() + (scenario.rounds() > 1 ? " #" + (r.round() + 1) : "");
            p99.add(name, x, y);
            double[] hx = new double[Math.max(0, r.hits().size() - 1)];
            double[] hy = new double[hx.length];
            for (int i = 0; i < hx.length; i++) {
                hx[i] = r.hits().get(i + 1).at();
                hy[i] = hitRatio(r.hits().subList(i, i + 2), true, r.hits().get(i).at(), r.hits().get(i + 1).at());
            }
            hit.add(name, hx, hy);
        }
        p99.shade(alone, end, "aggressor's storm").write(dir.resolve("victim-p99.png"));
        hit.shade(alone, end, "aggressor's storm").write(dir.resolve("victim-hit-ratio.png"));
    }
}
