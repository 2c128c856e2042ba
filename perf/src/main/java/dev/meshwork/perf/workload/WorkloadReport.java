package dev.meshwork.perf.workload;

import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.chart.LineChart;
import dev.meshwork.perf.sim.CacheSimulator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a scenario run measured, as results.json's content, a Markdown summary and four PNG charts
 * (latency percentiles, hit ratio, loads and evictions, memory per node, each over time). Built
 * once after the run; one thread.
 */
record WorkloadReport(Scenario scenario, ModelSet models, Timeline timeline, List<MeshProbe.Sample> samples, int issued,
                      long capacityBytes, CacheSimulator.Result belady, double bound, CacheSimulator.Result lru, CacheSimulator.Result gdsf,
                      CacheSimulator.Result lfu, String probeError) {

    private MeshProbe.Sample first() {
        return samples.getFirst();
    }

    private MeshProbe.Sample last() {
        return samples.getLast();
    }

    /** Requests that found a LOADED copy, over all requests the mesh counted, from the cold start. */
    double hitRatio() {
        double hits = last().hits() - first().hits();
        double misses = last().misses() - first().misses();
        return hits + misses == 0 ? 0 : hits / (hits + misses);
    }

    /** 1 - loads per request issued: the figure a cache simulation calls its hit ratio. */
    double causedNoLoad() {
        return issued == 0 ? 0 : 1 - (last().loads() - first().loads()) / issued;
    }

    double runSeconds() {
        return last().seconds() - first().seconds();
    }

    Map<String, Object> results() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("issued", issued);
        r.put("totals", timeline.totals());
        r.put("errorKinds", timeline.errorKinds());
        r.put("errorExamples", timeline.errorExamples());
        r.put("answersAbove120s", timeline.tooHigh());
        Map<String, Object> cache = new LinkedHashMap<>();
        cache.put("hitRatio", hitRatio());
        cache.put("causedNoLoad", causedNoLoad());
        cache.put("loads", last().loads() - first().loads());
        cache.put("evictions", last().evictions() - first().evictions());
        cache.put("capacityBytes", capacityBytes);
        cache.put("modelBytes", models.totalMemoryBytes());
        cache.put("beladyHitRatio", belady.hitRatio());
        cache.put("upperBound", bound);
        cache.put("lruOneCacheHitRatio", lru.hitRatio());
        cache.put("gdsfOneCacheHitRatio", gdsf.hitRatio());
        cache.put("lfuOneCacheHitRatio", lfu.hitRatio());
        r.put("cache", cache);
        LoadBreakdown cold = coldLoads();
        if (cold != null) {
            r.put("coldLoads", cold);
        }
        r.put("seconds", timeline.seconds());
        r.put("samples", samples);
        r.put("probeError", probeError);
        return r;
    }

    String summary() {
        StringBuilder b = new StringBuilder();
        Scenario s = scenario;
        b.append("# ").append(s.name()).append("\n\n").append(s.description()).append("\n\n");
        String mesh = s.mesh().external() ? "the mesh at " + s.mesh().rest() + " / " + s.mesh().grpc()
                : s.mesh().nodes() == 0 ? "a standalone mesh" : "a router and " + s.mesh().nodes() + " node processes";
        if (!s.mesh().routerFlags().isEmpty() || !s.mesh().nodeFlags().isEmpty()) {
            mesh += " (flags: " + String.join(" ", s.mesh().routerFlags()) + (s.mesh().routerFlags().isEmpty() ? "" : " ")
                    + String.join(" ", s.mesh().nodeFlags()) + ")";
        }
        String load = s.loop().open() ? String.format(Locale.ROOT, "open loop, Poisson %.0f req/s%s", s.arrivals().rate(),
                s.arrivals().bursts().isEmpty() ? "" : " with " + s.arrivals().bursts().size() + " burst(s)")
                : "closed loop, " + s.loop().users() + " users";
        b.append(String.format(Locale.ROOT, "%,d models (%.1f MiB, median %.1f MiB, sigma %.1f), Zipf(%.2f)%s, %s, %.0f%% gRPC / %.0f%% REST v2,"
                        + " %.0f s warm-up + %.0f s recorded, against %s with %.1f MiB of model memory (%.0f%% of the model bytes).%n%n",
                models.count(), models.totalMemoryBytes() / 1048576.0, s.models().medianMb(), s.models().sizeSigma(), s.popularity().zipf(),
                s.popularity().shiftEvery() > 0 ? String.format(Locale.ROOT, " shifting %d ranks every %,d requests", s.popularity().shiftBy(),
                        s.popularity().shiftEvery()) : "", load, s.grpcShare() * 100, (1 - s.grpcShare()) * 100, s.warmupSeconds(), s.seconds(), mesh,
                capacityBytes / 1048576.0, 100.0 * capacityBytes / models.totalMemoryBytes()));
        b.append("| protocol | answers | errors | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Timeline.Totals t : timeline.totals()) {
            b.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,.0f | %.2f | %.2f | %.2f | %.2f | %.1f |%n", t.protocol(), t.answers(), t.errors(),
                    t.answers() / s.seconds(), t.p50ms(), t.p90ms(), t.p99ms(), t.p999ms(), t.maxMs()));
        }
        b.append(s.loop().open() ? "\nOpen loop: latency counts from each request's scheduled arrival, so time spent queued behind a slow answer is in it.\n"
                : "\nClosed loop: latency counts from the send; the req/s is the mesh's throughput at this concurrency.\n");
        if (!timeline.errorKinds().isEmpty()) {
            b.append("\n| error (whole run) | count | first message |\n|---|---:|---|\n");
            Map<String, String> examples = timeline.errorExamples();
            timeline.errorKinds().forEach((kind, count) -> b.append(String.format(Locale.ROOT, "| %s | %,d | %s |%n", kind, count,
                    examples.getOrDefault(kind, "").replace("|", "\\|").replace("\n", " "))));
        }
        b.append("\n| cache, whole run from a cold start | value |\n|---|---:|\n");
        b.append(String.format(Locale.ROOT, "| hit ratio: requests that found a LOADED copy | %.4f |%n", hitRatio()));
        b.append(String.format(Locale.ROOT, "| 1 - loads per request (what a cache simulation calls its hit ratio) | %.4f |%n", causedNoLoad()));
        b.append(String.format(Locale.ROOT, "| Belady%s on the same %,d requests, one cache of the mesh's memory | %.4f |%n",
                equalSizes() ? "" : "-size", issued, belady.hitRatio()));
        b.append(String.format(Locale.ROOT, "| upper bound at that memory (byte-time) | %.4f |%n", bound));
        b.append(String.format(Locale.ROOT, "| LRU, one cache of that memory, same requests | %.4f |%n", lru.hitRatio()));
        b.append(String.format(Locale.ROOT, "| GDSF, one cache of that memory, same requests | %.4f |%n", gdsf.hitRatio()));
        b.append(String.format(Locale.ROOT, "| LFU, one cache of that memory, same requests | %.4f |%n", lfu.hitRatio()));
        b.append(String.format(Locale.ROOT, "| **eviction quality: (1 - loads/request) / Belady** | **%.3f** |%n", causedNoLoad() / belady.hitRatio()));
        b.append(String.format(Locale.ROOT, "| loads / evictions per second | %.1f / %.1f |%n", (last().loads() - first().loads()) / runSeconds(),
                (last().evictions() - first().evictions()) / runSeconds()));
        LoadBreakdown cold = coldLoads();
        if (cold != null) {
            double allP99 = timeline.totals().stream().filter(t -> t.protocol().equals("all")).mapToDouble(Timeline.Totals::p99ms).findFirst()
                    .orElse(Double.NaN);
            b.append(cold.markdown(allP99));
        }
        if (!probeError.isEmpty()) {
            b.append("\nThe probe could not read the mesh at least once: ").append(probeError).append('\n');
        }
        b.append("\n![latency](latency.png)\n![hit ratio](hit-ratio.png)\n![loads and evictions](loads.png)\n![memory](memory.png)\n");
        Map<String, Object> machine = ResultWriter.machine();
        b.append(String.format(Locale.ROOT, "%nMachine: %s cores, %s, %s. Command: `./meshwork bench %s`.%n", machine.get("cores"), machine.get("jvm"),
                machine.get("os"), s.name()));
        return b.toString();
    }

    /** The cold requests' breakdown over the recorded window; null against a mesh without the wait histogram. */
    LoadBreakdown coldLoads() {
        return LoadBreakdown.between(LoadBreakdown.windowStart(samples, scenario.warmupSeconds()), last());
    }

    private boolean equalSizes() {
        long[] b = models.memoryBytes();
        for (long x : b) {
            if (x != b[0]) {
                return false;
            }
        }
        return true;
    }

    void charts(Path dir) throws IOException {
        List<Timeline.Second> secs = timeline.seconds();
        int n = secs.size();
        double[] t = new double[n];
        double[][] p = new double[4][n];
        for (int i = 0; i < n; i++) {
            Timeline.Second s = secs.get(i);
            t[i] = s.second() + 0.5;
            p[0][i] = s.answers() == 0 ? Double.NaN : s.p50ms();
            p[1][i] = s.answers() == 0 ? Double.NaN : s.p90ms();
            p[2][i] = s.answers() == 0 ? Double.NaN : s.p99ms();
            p[3][i] = s.answers() == 0 ? Double.NaN : s.p999ms();
        }
        double warm = scenario.warmupSeconds();
        new LineChart(scenario.name() + ": latency by second of arrival", "seconds", "ms (log)").logY().shade(0, warm, "warm-up")
                .add("p50", t, p[0]).add("p90", t, p[1]).add("p99", t, p[2]).add("p99.9", t, p[3]).write(dir.resolve("latency.png"));
        int k = samples.size() - 1;
        double[] st = new double[k];
        double[] hit = new double[k];
        double[] loads = new double[k];
        double[] evictions = new double[k];
        double[] answers = new double[k];
        for (int i = 0; i < k; i++) {
            MeshProbe.Sample a = samples.get(i);
            MeshProbe.Sample b = samples.get(i + 1);
            double dt = Math.max(1e-3, b.seconds() - a.seconds());
            st[i] = b.seconds();
            double h = b.hits() - a.hits();
            double m = b.misses() - a.misses();
            hit[i] = h + m == 0 ? Double.NaN : h / (h + m);
            loads[i] = (b.loads() - a.loads()) / dt;
            evictions[i] = (b.evictions() - a.evictions()) / dt;
            answers[i] = (h + m) / dt;
        }
        double[] ends = {0, Math.max(1, last().seconds())};
        new LineChart(scenario.name() + ": hit ratio per second", "seconds", "hit ratio").shade(0, warm, "warm-up")
                .add("mesh: found a LOADED copy", st, hit)
                .reference(String.format(Locale.ROOT, "Belady, whole run %.3f", belady.hitRatio()), ends, new double[]{belady.hitRatio(), belady.hitRatio()})
                .reference(String.format(Locale.ROOT, "mesh, whole run %.3f", hitRatio()), ends, new double[]{hitRatio(), hitRatio()})
                .write(dir.resolve("hit-ratio.png"));
        new LineChart(scenario.name() + ": loads, evictions and requests per second", "seconds", "per second (log)").logY().shade(0, warm, "warm-up")
                .add("requests", st, answers).add("loads", st, loads).add("evictions", st, evictions).write(dir.resolve("loads.png"));
        LineChart memory = new LineChart(scenario.name() + ": model memory used per node", "seconds", "MiB").shade(0, warm, "warm-up");
        TreeSet<String> nodes = new TreeSet<>();
        samples.forEach(s -> nodes.addAll(s.usedBytes().keySet()));
        double[] all = samples.stream().mapToDouble(MeshProbe.Sample::seconds).toArray();
        for (String node : nodes) {
            memory.add(node, all, samples.stream().mapToDouble(s -> s.usedBytes().getOrDefault(node, 0L) / 1048576.0).toArray());
        }
        double perNode = nodes.isEmpty() ? 0 : capacityBytes / (double) nodes.size() / 1048576.0;
        memory.reference("capacity per node", ends, new double[]{perNode, perNode}).write(dir.resolve("memory.png"));
    }
}
