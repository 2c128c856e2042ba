package dev.meshwork.perf.cluster;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.chart.LineChart;
import dev.meshwork.testing.chaos.ChaosPlan;
import dev.meshwork.testing.chaos.ChaosResult;
import dev.meshwork.testing.chaos.ChaosRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chaos run ({@link ChaosRun}): 2 routers and 4 nodes as processes, checked open-loop traffic,
 * {@code --rounds} faults of every kind in random order; the per-kind table, the invariants, and
 * charts of the traffic over time with the faults shaded. {@code ChaosTest} runs the short version
 * in the test suite.
 */
public final class ChaosBench {
    private final BenchConfig config;

    public ChaosBench(BenchConfig config) {
        this.config = config;
    }

    public String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        ChaosPlan plan = ChaosPlan.of(config.rounds(), 20261127);
        Path work = Files.createTempDirectory("meshwork-chaos");
        ChaosResult result = new ChaosRun(plan, work, System.err::println).run();
        String summary = "# chaos: " + plan.routers() + " routers, " + plan.nodes() + " nodes, " + plan.models() + " models and "
                + plan.vmodels() + " vmodels, " + (int) plan.ratePerSecond() + " requests/s open loop (Zipf, REST and gRPC alternating)\n\n"
                + result.summary() + "\nviolations: " + result.violations(plan.recoveryBoundMs()) + "\n";
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("plan", plan);
        settings.put("command", "./meshwork bench chaos --rounds=" + config.rounds());
        Path dir = ResultWriter.write(root, "chaos", settings, result, summary);
        charts(result, dir);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static void charts(ChaosResult result, Path dir) throws java.io.IOException {
        List<ChaosResult.Second> t = result.timeline();
        double[] x = t.stream().mapToDouble(ChaosResult.Second::second).toArray();
        LineChart traffic = new LineChart("Chaos: answers per second, faults shaded", "seconds", "requests per second")
                .add("answered right", x, t.stream().mapToDouble(ChaosResult.Second::ok).toArray())
                .add("errors", x, t.stream().mapToDouble(ChaosResult.Second::errors).toArray())
                .add("wrong answers", x, t.stream().mapToDouble(ChaosResult.Second::wrong).toArray());
        LineChart latency = new LineChart("Chaos: latency of right answers, faults shaded", "seconds", "milliseconds (log)")
                .add("p50", x, t.stream().mapToDouble(ChaosResult.Second::p50Ms).toArray())
                .add("p99", x, t.stream().mapToDouble(ChaosResult.Second::p99Ms).toArray()).logY();
        for (ChaosResult.FaultRecord f : result.faults()) {
            String label = f.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + f.target();
            traffic.shade(f.atMs() / 1000.0, (f.atMs() + f.spanMs()) / 1000.0, label);
            latency.shade(f.atMs() / 1000.0, (f.atMs() + f.spanMs()) / 1000.0, label);
        }
        traffic.write(dir.resolve("chaos-traffic.png"));
        latency.write(dir.resolve("chaos-latency.png"));
    }
}
