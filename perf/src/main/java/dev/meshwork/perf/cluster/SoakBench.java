package dev.meshwork.perf.cluster;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.chart.LineChart;
import dev.meshwork.testing.chaos.SoakResult;
import dev.meshwork.testing.chaos.SoakRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The soak ({@link SoakRun}) for {@code --seconds} (30 minutes in the issue): slopes per process and
 * charts of resident memory, heap, threads and open files over time. {@code SoakTest} runs two
 * minutes of it in the test suite.
 */
public final class SoakBench {
    private final BenchConfig config;

    public SoakBench(BenchConfig config) {
        this.config = config;
    }

    public String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        SoakRun.Plan plan = SoakRun.Plan.of((long) config.seconds());
        SoakResult result = new SoakRun(plan, Files.createTempDirectory("meshwork-soak"), System.err::println).run();
        String summary = "# soak: " + plan.routers() + " routers, " + plan.nodes() + " nodes, " + plan.models() + " models over slots that hold "
                + "about a third of them, " + (int) plan.ratePerSecond() + " requests/s for " + plan.seconds() + " s\n\n" + result.summary()
                + "\nbounds broken: " + result.violations() + "\n";
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("plan", plan);
        settings.put("command", "./meshwork bench soak --seconds=" + plan.seconds());
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("trends", result.trends());
        results.put("maps", result.maps());
        results.put("requests", result.requests());
        results.put("errors", result.errors());
        results.put("wrong", result.wrong());
        results.put("errorSamples", result.errorSamples());
        results.put("loadsPerSecond", result.loadsPerSecond());
        results.put("evictionsPerSecond", result.evictionsPerSecond());
        results.put("samples", result.samples());
        Path dir = ResultWriter.write(root, "soak", settings, results, summary);
        chart(result, "RSS", "MiB", s -> s.rssBytes() / 1048576.0, dir.resolve("soak-rss.png"));
        chart(result, "heap in use", "MiB", s -> s.heapBytes() / 1048576.0, dir.resolve("soak-heap.png"));
        chart(result, "threads", "threads", SoakResult.Sample::threads, dir.resolve("soak-threads.png"));
        chart(result, "open file descriptors", "descriptors", SoakResult.Sample::fds, dir.resolve("soak-fds.png"));
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static void chart(SoakResult result, String what, String unit, ToDoubleFunction<SoakResult.Sample> y, Path png) throws java.io.IOException {
        Set<String> processes = new LinkedHashSet<>();
        result.samples().forEach(s -> processes.add(s.process()));
        LineChart chart = new LineChart("Soak: " + what + " per process", "minutes", unit);
        for (String p : processes) {
            List<SoakResult.Sample> of = result.samples().stream().filter(s -> s.process().equals(p)).toList();
            chart.add(p, of.stream().mapToDouble(s -> s.atMs() / 60_000.0).toArray(), of.stream().mapToDouble(y).toArray());
        }
        chart.shade(0, result.plan().seconds() / 240.0, "warm-up");
        chart.write(png);
    }
}
