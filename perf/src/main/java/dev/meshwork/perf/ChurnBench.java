package dev.meshwork.perf;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.eviction.EvictionPolicies;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code ./meshwork bench churn}: a node whose slot holds one model at a time, driven with
 * requests that alternate between two models so every request misses (load, evict, infer), and
 * the process's resident memory across many load/unload cycles, which shows whether an unload
 * really frees native memory.
 */
final class ChurnBench {
    private final BenchConfig config;

    ChurnBench(BenchConfig config) {
        this.config = config;
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path examples = root.resolve("examples/onnx");
        NodeConfig defaults = NodeConfig.defaults();
        // one example model is predicted at about 1.05 MB: a 1.5 MB slot holds one at a time
        NodeConfig nc = new NodeConfig("bench", 1_500_000, 1, defaults.loadTimeoutMs(), defaults.failedLoadBackoffMs(), 0,
                defaults.queueTimeoutMs(), defaults.storage().withRoots(List.of(examples.toString())), defaults.onnx(), List.of(), List.of(), EvictionPolicies.DEFAULT);
        ModelSpec mlp = spec("mlp-classifier", examples);
        ModelSpec add = spec("add-vectors", examples);
        InferenceRequest mlpReq = request("mlp-classifier", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}");
        InferenceRequest addReq = request("add-vectors", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
                + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}");
        Map<String, Object> figures = new LinkedHashMap<>();
        StringBuilder summary = new StringBuilder();
        try (NodeAgent node = new NodeAgent(nc)) {
            // thrash: every request misses
            Histogram miss = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long warmEnd = System.nanoTime() + (long) (config.warmupSeconds() * 1e9);
            long end = warmEnd + (long) (config.seconds() * 1e9);
            long requests = 0;
            for (int i = 0; System.nanoTime() < end; i++) {
                long t0 = System.nanoTime();
                if (i % 2 == 0) {
                    node.infer(mlp, mlpReq);
                } else {
                    node.infer(add, addReq);
                }
                if (t0 >= warmEnd) {
                    miss.recordValue(System.nanoTime() - t0);
                    requests++;
                }
            }
            long evictions = node.slots().get(0).evictions();
            double perSecond = requests / config.seconds();
            figures.put("missesPerSecond", perSecond);
            figures.put("missP50us", miss.getValueAtPercentile(50) / 1e3);
            figures.put("missP99us", miss.getValueAtPercentile(99) / 1e3);
            figures.put("evictions", evictions);
            summary.append(String.format(Locale.ROOT, "Thrash (slot holds one of two models, every request loads, evicts and infers):%n"
                    + "  %.0f loads/s, miss latency p50 %.0f µs, p99 %.0f µs, %d evictions in all%n",
                    perSecond, miss.getValueAtPercentile(50) / 1e3, miss.getValueAtPercentile(99) / 1e3, evictions));

            // memory: load and unload one model many times
            for (int i = 0; i < 50; i++) {
                cycle(node, mlp, mlpReq);
            }
            long before = RuntimesBench.rssAfterGc();
            List<Long> samples = new ArrayList<>();
            for (int i = 1; i <= config.cycles(); i++) {
                cycle(node, mlp, mlpReq);
                if (i % Math.max(1, config.cycles() / 10) == 0) {
                    samples.add(RuntimesBench.rssAfterGc());
                }
            }
            long after = RuntimesBench.rssAfterGc();
            double growth = 100.0 * (after - before) / before;
            figures.put("cycles", config.cycles());
            figures.put("rssBeforeBytes", before);
            figures.put("rssAfterBytes", after);
            figures.put("rssGrowthPercent", growth);
            figures.put("rssSamplesBytes", samples);
            summary.append(String.format(Locale.ROOT, "Load/unload cycles of mlp-classifier (ONNX Runtime): %d%n"
                    + "  RSS before %.1f MiB, after %.1f MiB, growth %.2f%% (samples every %d cycles: %s MiB)%n",
                    config.cycles(), before / 1048576.0, after / 1048576.0, growth, Math.max(1, config.cycles() / 10),
                    samples.stream().map(v -> String.format(Locale.ROOT, "%.1f", v / 1048576.0)).toList()));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("warmupSeconds", config.warmupSeconds());
        settings.put("seconds", config.seconds());
        settings.put("cycles", config.cycles());
        settings.put("figures", figures);
        settings.put("command", "./meshwork bench churn --seconds=" + config.seconds() + " --cycles=" + config.cycles());
        Path dir = ResultWriter.write(root, "churn", settings, List.of(), summary.toString());
        return summary + "results: " + root.relativize(dir) + "\n";
    }

    private static void cycle(NodeAgent node, ModelSpec spec, InferenceRequest req) {
        node.infer(spec, req);
        node.unload(spec.id()).join();
    }

    private static ModelSpec spec(String name, Path examples) {
        return new ModelSpec(name, new ModelFormat("onnx", ""), examples.resolve(name).resolve("model.onnx").toString(), "", 0);
    }

    private static InferenceRequest request(String model, String json) {
        return JsonTensorCodec.decodeV2(json.getBytes(), model, "");
    }
}
