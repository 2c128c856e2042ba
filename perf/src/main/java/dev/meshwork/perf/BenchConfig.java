package dev.meshwork.perf;

import dev.meshwork.placement.eviction.EvictionPolicies;
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
 * @param sim           the placement simulator's cluster and workload ({@code --sim.nodes=100 ...})
 */
public record BenchConfig(String root, double warmupSeconds, double seconds, List<String> concurrency, String model, int requestThreads,
                          int cycles, int rounds, Sim sim) {
    /** What a closed-loop scenario records about its run, with the command that repeats it. */
    public java.util.Map<String, Object> closedLoopSettings(String scenario) {
        java.util.Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("model", model);
        s.put("warmupSeconds", warmupSeconds);
        s.put("seconds", seconds);
        s.put("concurrency", concurrency);
        s.put("requestThreads", requestThreads);
        s.put("command", "./meshwork bench " + scenario + " --model=" + model + " --seconds=" + seconds + " --warmupSeconds=" + warmupSeconds
                + " --concurrency=" + String.join(",", concurrency) + " --requestThreads=" + requestThreads);
        return s;
    }

    public static BenchConfig defaults() {
        return new BenchConfig(".", 3, 10, List.of("1", "8"), "add-vectors", 0, 1000, 5, Sim.defaults());
    }

    /**
     * The simulated mesh of {@code ./meshwork bench mesh-sim}.
     *
     * @param nodes           nodes, one slot each
     * @param models          registered models
     * @param requests        requests in the trace
     * @param zipf            popularity exponent (0: uniform)
     * @param medianSizeMb    median model size in MiB (sizes are log-normal)
     * @param sizeSigma       log-normal sigma of the sizes (0: all the median)
     * @param capacityShare   the cluster's memory as a share of all the models' bytes
     * @param ratePerSecond   mean request rate (Poisson arrivals)
     * @param shiftEvery      rotate popularity by {@code shiftBy} ranks every this many requests (0: never)
     * @param shiftBy         ranks per rotation
     * @param failAt          share of the trace after which one node dies (0: none)
     * @param evictionPolicy  the nodes' eviction policy, as {@code node.evictionPolicy}
     * @param sampleNodes     nodes a placement weighs (the router's default is 64)
     * @param optimal         whether to compute the offline baselines (Belady and the bound) on the same trace
     * @param seed            random seed of the trace and the simulation
     * @param zones           failure zones the nodes are spread over (node i in zone i mod zones); with {@code failAt},
     *                        a whole zone dies instead of one node (0: no zones)
     * @param zoneAware       whether the nodes report their zone, so placement spreads copies across zones; false shows
     *                        what a zone loss costs without it
     */
    public record Sim(int nodes, int models, int requests, double zipf, long medianSizeMb, double sizeSigma, double capacityShare,
                      double ratePerSecond, int shiftEvery, int shiftBy, double failAt, String evictionPolicy, int sampleNodes,
                      boolean optimal, long seed, int zones, boolean zoneAware) {
        public Sim(int nodes, int models, int requests, double zipf, long medianSizeMb, double sizeSigma, double capacityShare,
                   double ratePerSecond, int shiftEvery, int shiftBy, double failAt, String evictionPolicy, int sampleNodes,
                   boolean optimal, long seed) {
            this(nodes, models, requests, zipf, medianSizeMb, sizeSigma, capacityShare, ratePerSecond, shiftEvery, shiftBy, failAt,
                    evictionPolicy, sampleNodes, optimal, seed, 0, true);
        }

        public static Sim defaults() {
            return new Sim(1000, 1_000_000, 100_000_000, 1.0, 100, 1.0, 0.2, 100_000, 0, 0, 0.5, EvictionPolicies.DEFAULT, 64, true, 1, 0, true);
        }
    }
}
