package dev.meshwork.perf.meshsim;

import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.Median;
import dev.meshwork.perf.chart.LineChart;
import dev.meshwork.router.autoscale.AutoscaleConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ./meshwork bench autoscale-sim}: a simulated day served by the autoscaled node pool, then by
 * a fixed pool sized for the autoscaled pool's peak, the same requests for both: node-hours, the
 * modelled latency, and the nodes over the day; with {@code --days} above 1, as many days of the same
 * shape drawn from successive seeds, and the median saving at the same p99. The main thread, and
 * one thread per day being simulated (as many at once as there are cores), each with its own simulators.
 */
public final class PoolSimBench {
    private final PoolSim config;

    public PoolSimBench(PoolSim config) {
        this.config = config;
    }

    /** The routers' autoscale defaults, with the run's bounds, target, window, one node's memory and decision interval. */
    static AutoscaleConfig autoscale(PoolSim sim) {
        AutoscaleConfig d = AutoscaleConfig.defaults();
        return new AutoscaleConfig(sim.minNodes(), sim.maxNodes(), sim.targetMemoryUtilization(), d.inFlightPerNode(),
                d.thrashEvictionsPerNodeSecond(), (long) sim.nodeGb() << 30, sim.windowSeconds() * 1000L, 0, d.upCooldownMs(), d.downStabilizationMs(),
                sim.intervalSeconds() * 1000L);
    }

    /**
     * One simulated day's comparison: the autoscaled pool, a fixed pool of its peak, and the fewest fixed
     * nodes whose day's p99 is no worse than the autoscaled pool's.
     */
    record Day(long seed, PoolSimulator.Result scaled, PoolSimulator.Result fixed, PoolSimulator.Result samePercentile) {
        /** Node-hours the autoscaled pool saves against the fixed pool of the same p99, 0 to 1. */
        double savedAtSameP99() {
            return 1 - scaled.nodeHours() / samePercentile.nodeHours();
        }
    }

    public String run() throws Exception {
        AutoscaleConfig a = autoscale(config);
        // the days are independent and each is single-threaded: one per core at once, the same figures as one after another
        List<Day> days = new ArrayList<>();
        try (ExecutorService runs = Executors.newFixedThreadPool(Math.min(config.days(), Runtime.getRuntime().availableProcessors()))) {
            List<Future<Day>> started = new ArrayList<>();
            for (int d = 0; d < config.days(); d++) {
                PoolSim sim = config.withSeed(config.seed() + d);
                started.add(runs.submit(() -> day(sim, a)));
            }
            for (Future<Day> f : started) {
                days.add(f.get());
            }
        }
        Day first = days.getFirst();
        List<PoolSimulator.Result> results = List.of(first.scaled(), first.fixed(), first.samePercentile());
        String summary = summary(a, results) + days(days);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sim", config);
        settings.put("autoscale", a);
        settings.put("command", config.command());
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path dir = ResultWriter.write(root, "autoscale-sim", settings, days, summary);
        PoolSimulator.Result scaled = first.scaled();
        LineChart nodes = new LineChart("Nodes over the simulated day", "hour", "nodes");
        for (PoolSimulator.Result r : results) {
            nodes.add(r.pool(), r.nodesOverTime().stream().mapToDouble(p -> p[0]).toArray(), r.nodesOverTime().stream().mapToDouble(p -> p[1]).toArray());
        }
        double[] hours = scaled.hours().stream().mapToDouble(h -> h.hour() + 0.5).toArray();
        double peak = scaled.hours().stream().mapToDouble(PoolSimulator.Hour::requestsPerSecond).max().orElse(1);
        nodes.reference("request rate (scaled: peak hour = " + scaled.peakNodes() + ")", hours,
                scaled.hours().stream().mapToDouble(h -> h.requestsPerSecond() / peak * scaled.peakNodes()).toArray());
        nodes.write(dir.resolve("nodes.png"));
        LineChart p99 = new LineChart("Modelled p99 latency per simulated hour", "hour", "p99 ms");
        for (PoolSimulator.Result r : results) {
            p99.add(r.pool(), r.hours().stream().mapToDouble(h -> h.hour() + 0.5).toArray(),
                    r.hours().stream().mapToDouble(PoolSimulator.Hour::p99Ms).toArray());
        }
        p99.write(dir.resolve("p99.png"));
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static Day day(PoolSim sim, AutoscaleConfig a) {
        System.err.printf("autoscale-sim: day of seed %d, the autoscaled pool...%n", sim.seed());
        PoolSimulator.Result scaled = new PoolSimulator(sim, 0, a.settings(), a.windowMs()).run();
        System.err.printf("autoscale-sim: day of seed %d, a fixed pool of %d nodes (the autoscaled pool's peak)...%n", sim.seed(), scaled.peakNodes());
        PoolSimulator.Result fixed = new PoolSimulator(sim, scaled.peakNodes(), a.settings(), a.windowMs()).run();
        // a fixed pool sized for the peak serves the quiet hours better than it needs to: the fewest fixed nodes
        // whose day's p99 is no worse than the autoscaled pool's compare at the same p99
        PoolSimulator.Result samePercentile = fixed;
        int low = 1;
        int high = scaled.peakNodes();
        while (low < high) {
            int mid = (low + high) / 2;
            System.err.printf("autoscale-sim: day of seed %d, a fixed pool of %d nodes...%n", sim.seed(), mid);
            PoolSimulator.Result r = new PoolSimulator(sim, mid, a.settings(), a.windowMs()).run();
            if (r.p99Ms() <= scaled.p99Ms() && r.failed() == 0) {
                high = mid;
                samePercentile = r;
            } else {
                low = mid + 1;
            }
        }
        if (samePercentile.peakNodes() != low) {
            samePercentile = new PoolSimulator(sim, low, a.settings(), a.windowMs()).run();
        }
        return new Day(sim.seed(), scaled, fixed, samePercentile);
    }

    /** Each day's saving and their median; empty for one day (the tables above say it). */
    static String days(List<Day> days) {
        if (days.size() < 2) {
            return "";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%n## %d simulated days (the tables above are the first)%n%n", days.size()));
        b.append("| seed | autoscaled node-hours | autoscaled p99 ms | fewest fixed nodes, same p99 | their p99 ms | saved at the same p99"
                + " | saved against the peak's pool | requests failed |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Day d : days) {
            b.append(String.format(Locale.ROOT, "| %d | %,.1f | %.1f | %d | %.1f | %.1f%% | %.1f%% | %,d |%n", d.seed(), d.scaled().nodeHours(),
                    d.scaled().p99Ms(), d.samePercentile().peakNodes(), d.samePercentile().p99Ms(), 100 * d.savedAtSameP99(),
                    100 * (1 - d.scaled().nodeHours() / d.fixed().nodeHours()), d.scaled().failed()));
        }
        b.append(String.format(Locale.ROOT, "%nMedian over the %d days: the autoscaled pool used **%.1f%% fewer node-hours at the same p99**.%n",
                days.size(), 100 * Median.of(days.stream().mapToDouble(Day::savedAtSameP99).toArray())));
        return b.toString();
    }

    private String summary(AutoscaleConfig a, List<PoolSimulator.Result> results) {
        PoolSimulator.Result scaled = results.get(0);
        PoolSimulator.Result fixed = results.get(1);
        PoolSimulator.Result same = results.get(2);
        StringBuilder b = new StringBuilder("# autoscale-sim\n\n");
        b.append(String.format(Locale.ROOT, "%,d models (median %d MiB, log-normal sigma %.1f), Zipf(%.2f) drifting %,d ranks an hour; %.0f simulated"
                        + " hours; %.0f req/s at the peak, %.0f%% of it at night, %d bursts of %.0f min at %.1fx; nodes of %d GiB, %d inferences of"
                        + " %.0f ms at once; a node is ready %.0f s after it is asked for. Autoscaler: the routers' policy (%d to %d nodes, target"
                        + " memory %.0f%%, window %d s, up cool-down %d s, down stabilisation %d s), decisions every %d s, one node removed a minute"
                        + " at most (the cheapest by removal cost, which drains first).%n%n",
                config.models(), config.medianSizeMb(), config.sizeSigma(), config.zipf(), config.driftPerHour(), config.hours(), config.peakRate(),
                100 * config.troughShare(), config.bursts(), config.burstMinutes(), config.burstFactor(), config.nodeGb(), config.cores(),
                config.serviceMs(), config.startSeconds(), a.minNodes(), a.maxNodes(), 100 * a.targetMemoryUtilization(), a.windowMs() / 1000,
                a.upCooldownMs() / 1000, a.downStabilizationMs() / 1000, config.intervalSeconds()));
        b.append("| pool | node-hours | nodes (fewest, most) | p50 ms | p99 ms | p99.9 ms | hit ratio | loads | evictions | requests failed"
                + " | nodes started / removed | hand-overs | wall s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PoolSimulator.Result r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %,.1f | %d, %d | %.1f | %.1f | %.1f | %.4f | %,d | %,d | %,d | %d / %d | %,d | %.1f |%n",
                    r.pool(), r.nodeHours(), r.fewestNodes(), r.peakNodes(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.hitRatio(), r.loads(), r.evictions(),
                    r.failed(), r.nodesStarted(), r.nodesRemoved(), r.handovers(), r.wallSeconds()));
        }
        b.append(String.format(Locale.ROOT, "%nThe autoscaled pool used %.1f%% fewer node-hours than the fixed pool; p99 %.1f against %.1f ms (%.2fx);"
                        + " %,d of %,d requests found no node with room.%n", 100 * (1 - scaled.nodeHours() / fixed.nodeHours()), scaled.p99Ms(),
                fixed.p99Ms(), scaled.p99Ms() / fixed.p99Ms(), scaled.failed(), scaled.requests()));
        b.append(String.format(Locale.ROOT, "The fewest fixed nodes whose p99 is no worse than the autoscaled pool's: %d (p99 %.1f ms, %,.1f node-hours);"
                        + " the autoscaled pool used %.1f%% fewer node-hours at the same p99.%n", same.peakNodes(), same.p99Ms(), same.nodeHours(),
                100 * (1 - scaled.nodeHours() / same.nodeHours())));
        b.append("\n| hour | req/s | nodes, autoscaled | p99 ms, autoscaled | p99 ms, fixed | hit ratio, autoscaled | hit ratio, fixed |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < scaled.hours().size(); i++) {
            PoolSimulator.Hour s = scaled.hours().get(i);
            PoolSimulator.Hour f = fixed.hours().get(i);
            b.append(String.format(Locale.ROOT, "| %d | %,.0f | %.1f | %.1f | %.1f | %.4f | %.4f |%n", s.hour(), s.requestsPerSecond(), s.meanNodes(),
                    s.p99Ms(), f.p99Ms(), s.hitRatio(), f.hitRatio()));
        }
        b.append("\nCommand: `").append(config.command()).append("`\n");
        return b.toString();
    }
}
