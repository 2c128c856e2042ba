package dev.meshwork.perf;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.perf.sim.CacheSimBench;
import dev.meshwork.perf.workload.Scenario;
import dev.meshwork.perf.workload.WorkloadBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code ./meshwork bench SCENARIO [--seconds=..]}: runs one benchmark scenario and writes its results. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (List.of(args).contains("noisy-neighbour")) {
            System.out.println(new dev.meshwork.perf.workload.NoisyNeighbourBench(noisy(args)).run());
            System.exit(0);
        }
        if (List.of(args).contains("tenant-limits")) {
            String root = flag(args, "root", ".");
            System.out.println(new dev.meshwork.perf.workload.TenantLimitsBench(Path.of(root), Double.parseDouble(flag(args, "rate", "100")),
                    Double.parseDouble(flag(args, "seconds", "20"))).run());
            System.exit(0);
        }
        if (List.of(args).contains("autoscale-sim")) {
            System.out.println(new dev.meshwork.perf.meshsim.PoolSimBench(dev.meshwork.perf.meshsim.PoolSim.load(List.of(args))).run());
            System.exit(0);
        }
        if (List.of(args).contains("tenant-sim")) {
            System.out.println(new dev.meshwork.perf.meshsim.TenantSimBench(dev.meshwork.perf.meshsim.TenantSim.load(List.of(args))).run());
            System.exit(0);
        }
        java.util.Optional<Path> scenarioFile = scenarioFile(args);
        if (scenarioFile.isPresent()) {
            System.out.println(new WorkloadBench(scenario(scenarioFile.get(), args)).run());
            System.exit(0);
        }
        ConfigLoader.Loaded<BenchConfig> loaded = ConfigLoader.loadOrExit("meshwork bench", BenchConfig.class, BenchConfig.defaults(), "MESHWORK_BENCH_", args);
        List<String> words = loaded.positional();
        String scenario = words.isEmpty() ? "" : words.get(0);
        switch (scenario) {
            case "standalone" -> System.out.println(new StandaloneBench(loaded.config()).run());
            case "codec" -> System.out.println(new CodecBench(loaded.config()).run());
            case "cluster-trust" -> System.out.println(new dev.meshwork.perf.cluster.ClusterTrustBench(loaded.config()).run());
            case "security" -> System.out.println(new SecurityBench(loaded.config()).run());
            case "isolation" -> System.out.println(new IsolationBench(loaded.config()).run());
            case "overload" -> System.out.println(new OverloadBench(loaded.config()).run());
            case "startup" -> System.out.println(new StartupBench(loaded.config()).run());
            case "python" -> System.out.println(new PythonBench(loaded.config()).run());
            case "churn" -> System.out.println(new ChurnBench(loaded.config()).run());
            case "batching" -> System.out.println(new BatchingBench(loaded.config()).run());
            case "autoscale" -> System.out.println(new AutoscaleBench(loaded.config()).run());
            case "payload-log" -> System.out.println(new PayloadLogBench(loaded.config()).run());
            case "tracing" -> System.out.println(new TracingBench(loaded.config()).run());
            case "runtimes" -> System.out.println(new RuntimesBench(loaded.config()).run());
            case "cache-sim" -> System.out.println(cacheSim(loaded.config()));
            case "forward" -> System.out.println(new dev.meshwork.perf.cluster.ForwardBench(loaded.config()).run());
            case "failure" -> System.out.println(new dev.meshwork.perf.cluster.FailureBench(loaded.config()).run());
            case "chaos" -> System.out.println(new dev.meshwork.perf.cluster.ChaosBench(loaded.config()).run());
            case "soak" -> System.out.println(new dev.meshwork.perf.cluster.SoakBench(loaded.config()).run());
            case "zipf" -> System.out.println(new dev.meshwork.perf.cluster.ZipfBench(loaded.config()).run());
            case "mesh-sim" -> System.out.println(new dev.meshwork.perf.meshsim.MeshSimBench(loaded.config()).run());
            case "registry-growth" -> System.out.println(new dev.meshwork.perf.cluster.RegistryGrowthBench(loaded.config()).run());
            default -> {
                System.err.println("meshwork bench: unknown scenario '" + scenario + "'; scenarios: standalone, batching, payload-log, tracing, security, isolation, overload, python, cluster-trust, churn, runtimes, cache-sim, forward,"
                        + " failure, chaos, soak, zipf, mesh-sim, registry-growth, noisy-neighbour, tenant-sim, tenant-limits, autoscale, autoscale-sim, and the files of perf/scenarios/: " + scenarioNames(Path.of(loaded.config().root())));
                System.exit(2);
            }
        }
        System.exit(0);
    }

    /** The value of {@code --name=value}, or the default. */
    private static String flag(String[] args, String name, String otherwise) {
        return List.of(args).stream().filter(a -> a.startsWith("--" + name + "=")).map(a -> a.substring(name.length() + 3)).findFirst()
                .orElse(otherwise);
    }

    /** The noisy-neighbour scenario from its file and the flags; a bad value prints what was wrong and exits with 2. */
    private static dev.meshwork.perf.workload.NoisyNeighbour noisy(String[] args) {
        try {
            return dev.meshwork.perf.workload.NoisyNeighbour.load(Path.of(flag(args, "root", ".")), List.of(args));
        } catch (RuntimeException e) {
            System.err.println("meshwork bench noisy-neighbour: " + e.getMessage());
            System.exit(2);
            return null;
        }
    }

    /** The scenario file {@code perf/scenarios/NAME.yaml} the first positional word names, if there is one. */
    private static java.util.Optional<Path> scenarioFile(String[] args) {
        String root = ".";
        String name = null;
        for (String a : args) {
            if (a.startsWith("--root=")) {
                root = a.substring("--root=".length());
            } else if (!a.startsWith("--") && name == null) {
                name = a;
            }
        }
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            return java.util.Optional.empty();
        }
        Path file = Path.of(root).resolve("perf/scenarios").resolve(name + ".yaml");
        return Files.isRegularFile(file) ? java.util.Optional.of(file) : java.util.Optional.empty();
    }

    private static List<String> scenarioNames(Path root) throws IOException {
        try (var files = Files.list(root.resolve("perf/scenarios"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        }
    }

    /** The scenario from its file and the flags; a bad value prints what was wrong and exits with 2. */
    static Scenario scenario(Path file, String[] args) {
        try {
            return Scenario.load(file, List.of(args));
        } catch (RuntimeException e) {
            System.err.println("meshwork bench " + file.getFileName() + ": " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    /** The eviction-quality scenario: pure simulation, so it takes a fixed trace length rather than seconds. */
    static String cacheSim(BenchConfig config) throws java.io.IOException {
        int requests = 1_000_000;
        var rows = CacheSimBench.run(requests);
        String summary = CacheSimBench.summary(rows, requests);
        java.nio.file.Path dir = ResultWriter.write(java.nio.file.Path.of(config.root()).toAbsolutePath().normalize(), "cache-sim",
                CacheSimBench.settings(requests), rows, summary);
        CacheSimBench.chart(rows, dir);
        return summary + "\nresults: " + dir;
    }
}
