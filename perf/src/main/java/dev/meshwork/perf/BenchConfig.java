package dev.meshwork.perf;

import java.util.List;

/**
 * Settings of a benchmark run ({@code --seconds=10 --concurrency=1,8 ...}).
 *
 * @param root          the repository root (results go under perf/results/)
 * @param warmupSeconds unrecorded warm-up per phase
 * @param seconds       recorded time per phase
 * @param concurrency   closed-loop users, one phase set per value
 * @param model         the example model to drive
 * @param requestThreads the router's request executor (0: virtual threads, N: N platform threads)
 * @param cycles        load/unload cycles of the churn scenario's memory check
 * @param rounds        repetitions of the node-failure scenario
 */
public record BenchConfig(String root, double warmupSeconds, double seconds, List<String> concurrency, String model, int requestThreads,
                          int cycles, int rounds) {
    public static BenchConfig defaults() {
        return new BenchConfig(".", 3, 10, List.of("1", "8"), "add-vectors", 0, 1000, 5);
    }
}
