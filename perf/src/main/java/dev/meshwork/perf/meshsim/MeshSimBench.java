package dev.meshwork.perf.meshsim;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.sim.BeladyOptimal;
import dev.meshwork.perf.sim.HitRatioBound;
import dev.meshwork.perf.sim.Trace;
import dev.meshwork.perf.sim.TraceGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./meshwork bench mesh-sim}: the placement simulator at a configured scale (by default
 * 1,000 nodes, a million models, a hundred million requests), with the offline baselines of the
 * same trace at the cluster's total capacity beside it.
 */
public final class MeshSimBench {
    private final BenchConfig config;

    public MeshSimBench(BenchConfig config) {
        this.config = config;
    }

    public String run() throws IOException {
        BenchConfig.Sim sim = config.sim();
        long t0 = System.nanoTime();
        Trace trace = new TraceGenerator(sim.models(), sim.zipf(), sim.requests(), sim.medianSizeMb() << 20, sim.sizeSigma(),
                sim.shiftEvery(), sim.shiftBy(), sim.seed()).generate();
        double traceSeconds = (System.nanoTime() - t0) / 1e9;
        MeshSimulator simulator = new MeshSimulator(sim, trace);
        MeshSimulator.Result result = simulator.run();
        Map<String, Object> baselines = new LinkedHashMap<>();
        if (sim.optimal()) {
            long t1 = System.nanoTime();
            baselines.put("beladyHitRatio", BeladyOptimal.run(trace, simulator.capacityBytes()).hitRatio());
            baselines.put("upperBound", HitRatioBound.upper(trace, simulator.capacityBytes()));
            baselines.put("seconds", (System.nanoTime() - t1) / 1e9);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("traceSeconds", traceSeconds);
        results.put("hitRatio", result.hitRatio());
        results.put("baselines", baselines);
        results.put("heapUsedBytes", Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        results.put("run", result);
        String summary = summary(sim, trace, simulator.capacityBytes(), result, baselines, traceSeconds);
        Path dir = ResultWriter.write(Path.of(config.root()).toAbsolutePath().normalize(), "mesh-sim", Map.of("sim", sim), results, summary);
        return summary + "\nresults: " + dir;
    }

    static String summary(BenchConfig.Sim sim, Trace trace, long capacity, MeshSimulator.Result r, Map<String, Object> baselines,
                          double traceSeconds) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%,d nodes, %,d models (%.1f TiB, median %d MiB, log-normal sigma %.1f), Zipf(%.2f), %,d requests"
                        + " at %,.0f req/s (%.0f simulated seconds); cluster memory %.0f%% of the model bytes (%.1f GiB per node); eviction %s;"
                        + " placement weighs %d nodes%s.%n%n",
                sim.nodes(), sim.models(), trace.totalBytes() / Math.pow(2, 40), sim.medianSizeMb(), sim.sizeSigma(), sim.zipf(),
                sim.requests(), sim.ratePerSecond(), r.simulatedSeconds(), sim.capacityShare() * 100, capacity / (double) sim.nodes() / (1L << 30),
                sim.evictionPolicy(), sim.sampleNodes(), sim.zones() == 0 ? ""
                        : String.format(Locale.ROOT, "; %d zones, %s; the failure takes a whole zone", sim.zones(),
                        sim.zoneAware() ? "placement spreads copies across them" : "placement does not know them")));
        b.append("| measure | value |\n|---|---:|\n");
        row(b, "hit ratio (a LOADED copy was there)", "%.4f", r.hitRatio());
        if (baselines.containsKey("beladyHitRatio")) {
            row(b, "Belady-size at the same total memory, one cache (reference)", "%.4f", baselines.get("beladyHitRatio"));
            row(b, "upper bound at the same total memory (HitRatioBound)", "%.4f", baselines.get("upperBound"));
            row(b, "hit ratio / Belady-size", "%.3f", r.hitRatio() / (double) baselines.get("beladyHitRatio"));
        }
        row(b, "requests that waited for a load under way", "%,d", r.waitedForALoad());
        row(b, "loads per simulated second", "%,.1f", r.loads() / r.simulatedSeconds());
        row(b, "evictions per simulated second", "%,.1f", r.evictions() / r.simulatedSeconds());
        row(b, "copies added / released by copy scaling", "%s", r.scaledUp() + " / " + r.scaledDown());
        row(b, "requests with no room anywhere", "%,d", r.unplaceable());
        row(b, "placement-table entries (mean, max)", "%s", String.format(Locale.ROOT, "%,.0f, %,d", r.meanTableEntries(), r.maxTableEntries()));
        row(b, "placement-table updates per simulated second", "%,.1f", r.tableUpdates() / r.simulatedSeconds());
        row(b, "balance before the node loss: max/mean used memory", "%.3f", r.balance().maxToMeanUsedBytes());
        row(b, "balance: max/mean requests per node", "%.3f", r.balance().maxToMeanRequests());
        row(b, "balance: max/mean loads per node", "%.3f", r.balance().maxToMeanLoads());
        MeshSimulator.Recovery rec = r.recovery();
        if (rec != null) {
            row(b, "node lost at (simulated s)", "%s", rec.node() + String.format(Locale.ROOT, " at %.1f s", rec.atMillis() / 1000.0));
            row(b, "copies lost (GiB)", "%s", String.format(Locale.ROOT, "%,d (%.1f)", rec.copiesLost(), rec.bytesLost() / (double) (1L << 30)));
            row(b, "models with 2+ copies before / left with none after", "%s",
                    String.format(Locale.ROOT, "%,d / %,d", rec.multiCopyModels(), rec.multiCopyModelsLeftWithoutACopy()));
            row(b, "hit ratio in the 30 s before / lowest 1-s window after", "%s",
                    String.format(Locale.ROOT, "%.4f / %.4f", rec.hitRatioBefore(), rec.lowestHitRatio()));
            row(b, "back within 0.5 points of the hit ratio before after (ms)", "%,d", rec.recoveredAfterMillis());
            row(b, "loads in the minute before / after", "%s", String.format(Locale.ROOT, "%,d / %,d", rec.loadsInTheMinuteBefore(),
                    rec.loadsInTheMinuteAfter()));
        }
        row(b, "wall time: trace / simulation", "%s", String.format(Locale.ROOT, "%.1f s / %.1f s", traceSeconds, r.wallSeconds()));
        if (baselines.containsKey("seconds")) {
            row(b, "wall time: baselines", "%.1f s", baselines.get("seconds"));
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String name, String format, Object value) {
        b.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, format, value)).append(" |\n");
    }
}
