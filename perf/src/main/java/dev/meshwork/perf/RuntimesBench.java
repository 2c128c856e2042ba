package dev.meshwork.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code ./meshwork bench runtimes}: for one example model of every runtime, the time to load it
 * from a local file, inference latency through the node next to the runtime library called
 * directly (one user each, same run), and resident memory across 200 load/unload cycles.
 */
final class RuntimesBench {
    record Target(String format, String model) {
    }

    static final List<Target> TARGETS = List.of(new Target("onnx", "mlp-classifier"), new Target("xgboost", "xgb-binary"),
            new Target("lightgbm", "lgbm-binary"), new Target("tensorflow", "tf-linear"), new Target("pytorch", "torch-mlp"));
    static final int LOADS = 20;
    static final int CYCLES = 200;
    static final int WARM_CYCLES = 50;
    private final BenchConfig config;

    RuntimesBench(BenchConfig config) {
        this.config = config;
    }

    String run() throws Exception {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path examples = root.resolve("examples");
        NodeConfig d = NodeConfig.defaults();
        NodeConfig nc = d.withStorage(d.storage().withRoots(List.of(examples.toString())));
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        List<Map<String, Object>> rows = new ArrayList<>();
        List<ClosedLoop.Result> results = new ArrayList<>();
        StringBuilder md = new StringBuilder("| runtime | model | load p50 ms | load p90 ms | node p50 µs | node p99 µs | direct p50 µs | direct p99 µs | node/direct p50 | RSS growth over " + CYCLES + " load/unload |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        try (NodeAgent node = new NodeAgent(nc)) {
            for (Target t : TARGETS) {
                System.err.println("runtime " + t.format() + " (" + t.model() + ")...");
                Path dir = examples.resolve(t.format()).resolve(t.model());
                JsonNode input = new ObjectMapper().readTree(dir.resolve("expected.json").toFile()).get("cases").get(0).get("inputs").get(0);
                InferenceRequest req = JsonTensorCodec.decodeV2(("{\"inputs\":[" + input + "]}").getBytes(), t.model(), "");
                ModelSpec spec = new ModelSpec(t.model(), new ModelFormat(t.format(), ""), dir.toString(), "", 0);

                for (int i = 0; i < 3; i++) { // warm: native libraries, class loading
                    node.ensureLoaded(spec);
                    node.unload(spec.id()).join();
                }
                Histogram loads = new Histogram(TimeUnit.SECONDS.toNanos(600), 3);
                for (int i = 0; i < LOADS; i++) {
                    long t0 = System.nanoTime();
                    node.ensureLoaded(spec);
                    loads.recordValue(System.nanoTime() - t0);
                    node.unload(spec.id()).join();
                }
                for (int i = 0; i < WARM_CYCLES; i++) { // allocator arenas and JIT settle before the first sample
                    node.infer(spec, req);
                    node.unload(spec.id()).join();
                }
                long before = rssAfterGc();
                for (int i = 0; i < CYCLES; i++) {
                    node.infer(spec, req);
                    node.unload(spec.id()).join();
                }
                long after = rssAfterGc();

                node.ensureLoaded(spec);
                ClosedLoop.Result viaNode = loop.runBlocking(t.format() + "-node", 1, () -> node.infer(spec, req));
                node.unload(spec.id()).join();
                float[] data = new float[(int) req.inputs().get(0).elementCount()];
                req.inputs().get(0).buffer().asFloatBuffer().get(data);
                ClosedLoop.Result direct;
                try (DirectCalls.Direct call = DirectCalls.open(t.format(), dir, input.get("name").asText(), data, req.inputs().get(0).shape())) {
                    direct = loop.runBlocking(t.format() + "-direct", 1, call::call);
                }
                results.add(viaNode);
                results.add(direct);
                double growth = 100.0 * (after - before) / before;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("runtime", t.format());
                row.put("model", t.model());
                row.put("loadP50ms", loads.getValueAtPercentile(50) / 1e6);
                row.put("loadP90ms", loads.getValueAtPercentile(90) / 1e6);
                row.put("rssBeforeBytes", before);
                row.put("rssAfterBytes", after);
                row.put("rssGrowthPercent", growth);
                rows.add(row);
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2fx | %+.2f%% (%.0f -> %.0f MiB) |%n",
                        t.format(), t.model(), loads.getValueAtPercentile(50) / 1e6, loads.getValueAtPercentile(90) / 1e6,
                        viaNode.p50us(), viaNode.p99us(), direct.p50us(), direct.p99us(), viaNode.p50us() / direct.p50us(),
                        growth, before / 1048576.0, after / 1048576.0));
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("warmupSeconds", config.warmupSeconds());
        settings.put("seconds", config.seconds());
        settings.put("loads", LOADS);
        settings.put("cycles", CYCLES);
        settings.put("runtimes", rows);
        settings.put("command", "./meshwork bench runtimes --seconds=" + config.seconds() + " --warmupSeconds=" + config.warmupSeconds());
        Path out = ResultWriter.write(root, "runtimes", settings, results, md.toString());
        return md + "\nresults: " + root.relativize(out) + "\n";
    }

    /** Resident set size after a GC (Linux), so the Java heap's garbage does not count. */
    static long rssAfterGc() throws IOException, InterruptedException {
        System.gc();
        Thread.sleep(50);
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status (Linux only)");
    }
}
