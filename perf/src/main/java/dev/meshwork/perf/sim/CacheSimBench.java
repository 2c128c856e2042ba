package dev.meshwork.perf.sim;

import dev.meshwork.placement.eviction.FrequencyEvictionPolicy;
import dev.meshwork.placement.eviction.GdsfEvictionPolicy;
import dev.meshwork.placement.eviction.LruEvictionPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./meshwork bench cache-sim}: the node's eviction policies (LRU, GDSF and LFU, the real classes) against
 * Belady's offline optimum on generated traces, as capacity goes from 5% to 50% of the models'
 * bytes. Pure computation: no mesh is started, and the figures do not depend on the machine.
 */
public final class CacheSimBench {
    static final double[] CAPACITY_SHARES = {0.05, 0.10, 0.20, 0.30, 0.40, 0.50};

    /** One trace family of the scenario. */
    record Workload(String name, TraceGenerator generator, boolean exactOptimum) {
    }

    /** One row of the results. */
    public record Row(String workload, double capacityShare, double lruHitRatio, double gdsfHitRatio, double lfuHitRatio, double optimalHitRatio,
                      double upperBound, double lruToOptimal, double gdsfToOptimal, double lfuToOptimal, long lruLoadSeconds, long gdsfLoadSeconds,
                      long lfuLoadSeconds, long optimalLoadSeconds) {
    }

    private CacheSimBench() {
    }

    static List<Workload> workloads(int requests) {
        return List.of(
                new Workload("Zipf(1.0), 200 equal models", new TraceGenerator(200, 1.0, requests, 100 << 20, 0, 0, 0, 1), true),
                new Workload("zipf-1.0, 200 equal models, popularity drifting", new TraceGenerator(200, 1.0, requests, 100 << 20, 0,
                        requests / 20, 10, 2), true),
                new Workload("zipf-1.0, 200 equal models, popularity shifting fast", new TraceGenerator(200, 1.0, requests, 100 << 20, 0,
                        requests / 100, 5, 5), true),
                new Workload("zipf-0.8, 1000 equal models", new TraceGenerator(1000, 0.8, requests, 100 << 20, 0, 0, 0, 3), true),
                new Workload("zipf-1.0, 200 log-normal sizes (sigma 1)", new TraceGenerator(200, 1.0, requests, 100 << 20, 1.0, 0, 0, 4), false));
    }

    public static List<Row> run(int requests) {
        List<Row> rows = new ArrayList<>();
        for (Workload w : workloads(requests)) {
            Trace trace = w.generator().generate();
            for (double share : CAPACITY_SHARES) {
                long capacity = (long) (trace.totalBytes() * share);
                CacheSimulator.Result lru = CacheSimulator.run(trace, capacity, new LruEvictionPolicy());
                CacheSimulator.Result gdsf = CacheSimulator.run(trace, capacity, new GdsfEvictionPolicy());
                CacheSimulator.Result lfu = CacheSimulator.run(trace, capacity, new FrequencyEvictionPolicy());
                CacheSimulator.Result opt = BeladyOptimal.run(trace, capacity);
                rows.add(new Row(w.name() + (w.exactOptimum() ? "" : " [Belady-size heuristic]"), share, lru.hitRatio(), gdsf.hitRatio(),
                        lfu.hitRatio(), opt.hitRatio(), HitRatioBound.upper(trace, capacity), ratio(lru, opt), ratio(gdsf, opt), ratio(lfu, opt),
                        lru.loadMillis() / 1000, gdsf.loadMillis() / 1000, lfu.loadMillis() / 1000, opt.loadMillis() / 1000));
            }
        }
        return rows;
    }

    private static double ratio(CacheSimulator.Result r, CacheSimulator.Result opt) {
        return opt.hitRatio() == 0 ? 0 : r.hitRatio() / opt.hitRatio();
    }

    public static String summary(List<Row> rows, int requests) {
        StringBuilder md = new StringBuilder("The node's policies, LRU (default), GDSF (node.evictionPolicy=gdsf) and LFU (node.evictionPolicy=lfu),"
                + " against Belady's offline optimum, "
                + requests + " requests per trace. Optimal is exact for equal sizes; with unequal sizes the reference is the Belady-size"
                + " heuristic (achievable, not a bound), and the upper bound column is the byte-time relaxation of HitRatioBound, which no policy"
                + " can pass. Load time is simulated: 50 ms + size at 200 MB/s per load.\n\n");
        md.append("| workload | capacity (share of model bytes) | LRU hit ratio | GDSF hit ratio | LFU hit ratio | optimal hit ratio | upper bound"
                + " | LRU / optimal | GDSF / optimal | LFU / optimal | LRU load time s | GDSF load time s | LFU load time s | optimal load time s |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(java.util.Locale.ROOT, "| %s | %.0f%% | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f | %d | %d | %d | %d |%n",
                    r.workload(), r.capacityShare() * 100, r.lruHitRatio(), r.gdsfHitRatio(), r.lfuHitRatio(), r.optimalHitRatio(), r.upperBound(),
                    r.lruToOptimal(), r.gdsfToOptimal(), r.lfuToOptimal(), r.lruLoadSeconds(), r.gdsfLoadSeconds(), r.lfuLoadSeconds(),
                    r.optimalLoadSeconds()));
        }
        return md.toString();
    }

    /** hit-ratio-vs-capacity.png: each policy and the references against the cache's share of the model bytes, first workload. */
    public static void chart(List<Row> rows, java.nio.file.Path dir) throws java.io.IOException {
        String first = rows.get(0).workload();
        List<Row> w = rows.stream().filter(r -> r.workload().equals(first)).toList();
        double[] x = w.stream().mapToDouble(r -> r.capacityShare() * 100).toArray();
        new dev.meshwork.perf.chart.LineChart("hit ratio by capacity: " + first, "capacity, % of the model bytes", "hit ratio")
                .add("LRU (default)", x, w.stream().mapToDouble(Row::lruHitRatio).toArray())
                .add("GDSF", x, w.stream().mapToDouble(Row::gdsfHitRatio).toArray())
                .add("LFU", x, w.stream().mapToDouble(Row::lfuHitRatio).toArray())
                .reference("Belady (optimal)", x, w.stream().mapToDouble(Row::optimalHitRatio).toArray())
                .reference("upper bound", x, w.stream().mapToDouble(Row::upperBound).toArray())
                .write(dir.resolve("hit-ratio-vs-capacity.png"));
    }

    public static Map<String, Object> settings(int requests) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("requests", requests);
        s.put("capacityShares", CAPACITY_SHARES);
        s.put("workloads", workloads(requests).stream().map(w -> Map.of("name", w.name(), "generator", w.generator())).toList());
        return s;
    }
}
