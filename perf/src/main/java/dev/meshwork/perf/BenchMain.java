package dev.meshwork.perf;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.perf.sim.CacheSimBench;
import java.util.List;

/** {@code ./meshwork bench SCENARIO [--seconds=..]}: runs one benchmark scenario and writes its results. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        ConfigLoader.Loaded<BenchConfig> loaded = ConfigLoader.loadOrExit("meshwork bench", BenchConfig.class, BenchConfig.defaults(), "MESHWORK_BENCH_", args);
        List<String> words = loaded.positional();
        String scenario = words.isEmpty() ? "" : words.get(0);
        switch (scenario) {
            case "standalone" -> System.out.println(new StandaloneBench(loaded.config()).run());
            case "churn" -> System.out.println(new ChurnBench(loaded.config()).run());
            case "runtimes" -> System.out.println(new RuntimesBench(loaded.config()).run());
            case "cache-sim" -> System.out.println(cacheSim(loaded.config()));
            case "forward" -> System.out.println(new dev.meshwork.perf.cluster.ForwardBench(loaded.config()).run());
            case "failure" -> System.out.println(new dev.meshwork.perf.cluster.FailureBench(loaded.config()).run());
            case "zipf" -> System.out.println(new dev.meshwork.perf.cluster.ZipfBench(loaded.config()).run());
            default -> {
                System.err.println("meshwork bench: unknown scenario '" + scenario + "'; scenarios: standalone, churn, runtimes, cache-sim, forward, failure, zipf");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    /** The eviction-quality scenario: pure simulation, so it takes a fixed trace length rather than seconds. */
    static String cacheSim(BenchConfig config) throws java.io.IOException {
        int requests = 1_000_000;
        var rows = CacheSimBench.run(requests);
        String summary = CacheSimBench.summary(rows, requests);
        java.nio.file.Path dir = ResultWriter.write(java.nio.file.Path.of(config.root()).toAbsolutePath().normalize(), "cache-sim",
                CacheSimBench.settings(requests), rows, summary);
        return summary + "\nresults: " + dir;
    }
}
