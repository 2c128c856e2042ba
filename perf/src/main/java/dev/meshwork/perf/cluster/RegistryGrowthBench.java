package dev.meshwork.perf.cluster;

import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.chart.LineChart;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.state.cluster.ClusterConfig;
import dev.meshwork.state.cluster.ClusterMember;
import dev.meshwork.state.cluster.HazelcastModelRegistry;
import dev.meshwork.state.cluster.HazelcastPlacementTable;
import dev.meshwork.state.cluster.HazelcastVModelRegistry;
import dev.meshwork.state.cluster.RouteMemo;
import dev.meshwork.state.cluster.RowSigner;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.HdrHistogram.Histogram;

/**
 * {@code ./meshwork bench registry-growth}: a router's memory per registered model and the time of
 * the lookup every request makes (is the name a vmodel, the registration, then the model's copies), on the real
 * Hazelcast tables of a router member, as the registry grows from 10^3 to 10^6 models (a fifth of
 * them with a copy in the placement table), every model looked up once, so the route memo holds all of them. One thread; the
 * member is this JVM's.
 */
public final class RegistryGrowthBench {
    static final int[] SIZES = {1_000, 10_000, 100_000, 1_000_000};
    static final int LOOKUPS = 200_000;
    private final BenchConfig config;

    public RegistryGrowthBench(BenchConfig config) {
        this.config = config;
    }

    /** One size: heap per model after a full GC, and lookup latency over random registered ids. */
    public record Step(int models, long heapBytes, double bytesPerModel, double lookupP50ns, double lookupP99ns,
                       double lookupMeanNs, double registerSeconds, int memoEntries) {
    }

    public String run() throws Exception {
        int max = Math.min(config.sim().models(), SIZES[SIZES.length - 1]);
        int port = dev.meshwork.testing.MeshProcess.freePort();
        ClusterConfig cluster = new ClusterConfig("growth-" + UUID.randomUUID().toString().substring(0, 8), "127.0.0.1", port,
                List.of("127.0.0.1:" + port), 1, 5, ClusterConfig.Kubernetes.disabled());
        HazelcastInstance hz = ClusterMember.start(cluster, ClusterMember.Role.ROUTER, "router", RegistryStore.NONE);
        List<Step> steps = new ArrayList<>();
        try {
            RouteMemo memo = new RouteMemo(hz, RowSigner.NONE); // as a router reads them
            HazelcastModelRegistry registry = new HazelcastModelRegistry(hz, RowSigner.NONE, memo);
            HazelcastVModelRegistry vmodels = new HazelcastVModelRegistry(hz);
            HazelcastPlacementTable placement = new HazelcastPlacementTable(hz, RowSigner.NONE, memo);
            long baseline = heapAfterGc();
            int registered = 0;
            for (int size : SIZES) {
                if (size > max) {
                    break;
                }
                long t0 = System.nanoTime();
                for (; registered < size; registered++) {
                    String id = id(registered);
                    registry.put(new ModelSpec(id, new ModelFormat("onnx", ""), "s3://models/tenant-" + (registered % 1000) + "/" + id + "/model.onnx", "", 0));
                    if (registered % 5 == 0) {
                        placement.putCopy(id, new CopyRecord("node-" + (registered % 1000), "onnx-0", CopyState.LOADED, 100L << 20,
                                System.currentTimeMillis(), ""));
                    }
                }
                double registerSeconds = (System.nanoTime() - t0) / 1e9;
                Histogram h = lookups(vmodels, registry, placement, size);
                long heap = heapAfterGc() - baseline;
                Step s = new Step(size, heap, heap / (double) size, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMean(),
                        registerSeconds, memo.size());
                steps.add(s);
                System.err.printf(Locale.ROOT, "%,d models: %.0f bytes/model, lookup p50 %.0f ns p99 %.0f ns, %,d in the route memo%n", size,
                        s.bytesPerModel(), s.lookupP50ns(), s.lookupP99ns(), s.memoEntries());
            }
        } finally {
            hz.shutdown();
        }
        String summary = summary(steps);
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sizes", SIZES);
        settings.put("lookupsPerSize", LOOKUPS);
        settings.put("loadedShare", 0.2);
        settings.put("command", "./meshwork bench registry-growth");
        Path dir = ResultWriter.write(root, "registry-growth", settings, steps, summary);
        charts(steps, dir);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    static String id(int i) {
        return String.format("tenant-%04d-model-%07d", i % 1000, i);
    }

    /** A pass over every registered id, which fills the route memo, then a timed pass over random ones. */
    private static Histogram lookups(HazelcastVModelRegistry vmodels, HazelcastModelRegistry registry, HazelcastPlacementTable placement,
                                     int size) {
        SplittableRandom random = new SplittableRandom(size);
        int[] ids = new int[LOOKUPS];
        for (int i = 0; i < LOOKUPS; i++) {
            ids[i] = random.nextInt(size);
        }
        String[] names = new String[LOOKUPS];
        for (int i = 0; i < LOOKUPS; i++) {
            names[i] = id(ids[i]);
        }
        long sink = 0;
        for (int i = 0; i < size; i++) { // every model once: the memo holds them all, the heap figure is the worst case
            String n = id(i);
            sink += lookup(vmodels, registry, placement, n);
        }
        Histogram h = new Histogram(10_000_000_000L, 3);
        for (String n : names) {
            long t0 = System.nanoTime();
            int found = lookup(vmodels, registry, placement, n);
            h.recordValue(Math.max(1, System.nanoTime() - t0));
            sink += found;
            if (found < 0) {
                throw new IllegalStateException("model " + n + " is registered but the lookup did not find it");
            }
        }
        if (sink < 0) {
            System.err.println(sink);
        }
        return h;
    }

    /** What a router's route() reads for a request: is the name a vmodel, the registration, then its copies; -1 when not registered. */
    private static int lookup(HazelcastVModelRegistry vmodels, HazelcastModelRegistry registry, HazelcastPlacementTable placement, String name) {
        if (vmodels.find(name).isPresent()) {
            throw new IllegalStateException(name + " is no vmodel");
        }
        return registry.get(name).map(spec -> placement.copies(spec.id()).size()).orElse(-1);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static String summary(List<Step> steps) {
        StringBuilder b = new StringBuilder("A router member's heap per registered model (after a full GC, a fifth of the models with a copy in"
                + " the placement table, every model looked up once) and the request path's lookup (the vmodel check, the registration, then its"
                + " copies, as a router's route() does), on the real Hazelcast tables, read through a router's route memo (one entry per registered model)."
                + " In the memo: its entries after the lookups.\n\n"
                + "| models | heap MiB | bytes per model | lookup p50 ns | lookup p99 ns | lookup mean ns | registering s | in the memo |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Step s : steps) {
            b.append(String.format(Locale.ROOT, "| %,d | %.1f | %,.0f | %,.0f | %,.0f | %,.0f | %.1f | %,d |%n", s.models(),
                    s.heapBytes() / 1048576.0, s.bytesPerModel(), s.lookupP50ns(), s.lookupP99ns(), s.lookupMeanNs(), s.registerSeconds(),
                    s.memoEntries()));
        }
        b.append("\n![memory per model](memory-per-model.png)\n![lookup time](lookup-time.png)\n");
        return b.toString();
    }

    private static void charts(List<Step> steps, Path dir) throws java.io.IOException {
        double[] x = steps.stream().mapToDouble(Step::models).toArray();
        new LineChart("router heap per registered model", "registered models (log)", "bytes per model").logX()
                .add("bytes per model", x, steps.stream().mapToDouble(Step::bytesPerModel).toArray()).write(dir.resolve("memory-per-model.png"));
        new LineChart("lookup on the request path (vmodel check + registration + copies)", "registered models (log)", "ns (log)").logX().logY()
                .add("p50", x, steps.stream().mapToDouble(Step::lookupP50ns).toArray())
                .add("p99", x, steps.stream().mapToDouble(Step::lookupP99ns).toArray()).write(dir.resolve("lookup-time.png"));
    }
}
