package dev.meshwork.perf.meshsim;

import dev.meshwork.placement.eviction.EvictionPolicies;
import java.util.List;

/**
 * The day of {@code ./meshwork bench autoscale-sim} (flags {@code --models=100000}, ...): a diurnal
 * request rate with bursts and drifting popularity, served once by a node pool that follows the
 * routers' autoscale policy and once by a fixed pool sized for the autoscaled pool's peak.
 *
 * @param root              the repository root (results go under perf/results/)
 * @param models            registered models
 * @param zipf              the popularity exponent
 * @param medianSizeMb      median model size (log-normal)
 * @param sizeSigma         log-normal sigma of the sizes
 * @param nodeGb            one node's slot memory
 * @param peakRate          requests per second at the day's peak, bursts aside
 * @param troughShare       the night's rate as a share of the peak
 * @param hours             simulated hours (the rate's period is a day however long the run)
 * @param bursts            bursts in the day, evenly spread, each {@code burstMinutes} at {@code burstFactor} times the rate
 * @param burstMinutes      how long a burst lasts
 * @param burstFactor       a burst's rate over the day's rate at that time
 * @param driftPerHour      popularity ranks the ranking rotates by each simulated hour (today's hot models cool down)
 * @param serviceMs         one inference's time on an idle node
 * @param cores             inferences a node runs at once before requests queue
 * @param startSeconds      from asking for a node to its being ready (pod scheduling, image, JVM)
 * @param minNodes          the autoscaled pool's fewest nodes
 * @param maxNodes          its most
 * @param targetMemoryUtilization the share of the ready nodes' memory the working set may fill ({@code autoscale.targetMemoryUtilization})
 * @param intervalSeconds   how often the autoscaler decides ({@code autoscale.intervalMs})
 * @param windowSeconds     the working set's window ({@code autoscale.windowMs})
 * @param removeEverySeconds at most one node is removed this often (the manifests' scale-down policy: one a minute)
 * @param sampleNodes       nodes a placement weighs
 * @param evictionPolicy    the slots' eviction policy, as {@code node.evictionPolicy}
 * @param seed              random seed of the first day
 * @param days              simulated days, each its own draw of the same shape (seeds {@code seed}, {@code seed + 1}, ...); the
 *                          saving is quoted as their median, since one day's figure moves by a point with one fixed node
 */
public record PoolSim(String root, int models, double zipf, int medianSizeMb, double sizeSigma, int nodeGb, double peakRate,
                      double troughShare, double hours, int bursts, double burstMinutes, double burstFactor, int driftPerHour, double serviceMs,
                      int cores, double startSeconds, int minNodes, int maxNodes, double targetMemoryUtilization, int intervalSeconds, int windowSeconds, int removeEverySeconds, int sampleNodes,
                      String evictionPolicy, long seed, int days) {
    public static PoolSim defaults() {
        return new PoolSim(".", 100_000, 1.1, 20, 1.0, 16, 400, 0.1, 24, 4, 10, 1.6, 2_000, 10, 4, 30, 1, 128, 0.8, 5, 300, 60, 64, EvictionPolicies.DEFAULT, 1, 3);
    }

    public static PoolSim load(List<String> args) {
        List<String> flags = args.stream().filter(a -> a.startsWith("--")).toList();
        PoolSim s = dev.meshwork.config.ConfigLoader.load(PoolSim.class, defaults(), "MESHWORK_AUTOSCALE_SIM_", java.util.Map.of(), flags)
                .config();
        if (s.models() < 1 || s.peakRate() <= 0 || s.troughShare() <= 0 || s.troughShare() > 1 || s.hours() <= 0 || s.nodeGb() < 1
                || s.maxNodes() < Math.max(1, s.minNodes()) || s.days() < 1 || s.intervalSeconds() < 1 || s.windowSeconds() < 1 || s.cores() < 1 || s.serviceMs() <= 0) {
            throw new IllegalArgumentException("autoscale-sim: need models >= 1, peakRate > 0, troughShare in (0, 1], hours > 0, nodeGb >= 1,"
                    + " 1 <= maxNodes >= minNodes, days >= 1, intervalSeconds >= 1, cores >= 1 and serviceMs > 0");
        }
        return s;
    }

    /** The day's request rate at {@code second}: a cosine from the night's trough to the afternoon's peak, times a burst's factor. */
    public double rate(double second) {
        double day = 86_400;
        double phase = (second % day) / day; // 0 at midnight, the peak at 15:00
        double diurnal = troughShare + (1 - troughShare) * (0.5 - 0.5 * Math.cos(2 * Math.PI * (phase - 0.125)));
        return peakRate * diurnal * (inBurst(second) ? burstFactor : 1);
    }

    /** Whether {@code second} falls in one of the day's bursts (evenly spread, the first at 3 hours in). */
    public boolean inBurst(double second) {
        if (bursts <= 0) {
            return false;
        }
        double every = 86_400.0 / bursts;
        double into = (second - 3 * 3600 + 86_400) % every;
        return into < burstMinutes * 60;
    }

    /** The same day's shape with another seed: another draw of sizes, popularity and arrivals. */
    public PoolSim withSeed(long other) {
        return new PoolSim(root, models, zipf, medianSizeMb, sizeSigma, nodeGb, peakRate, troughShare, hours, bursts, burstMinutes, burstFactor,
                driftPerHour, serviceMs, cores, startSeconds, minNodes, maxNodes, targetMemoryUtilization, intervalSeconds, windowSeconds,
                removeEverySeconds, sampleNodes, evictionPolicy, other, days);
    }

    public String command() {
        return "./meshwork bench autoscale-sim --models=" + models + " --zipf=" + zipf + " --medianSizeMb=" + medianSizeMb + " --sizeSigma="
                + sizeSigma + " --nodeGb=" + nodeGb + " --peakRate=" + peakRate + " --troughShare=" + troughShare + " --hours=" + hours
                + " --bursts=" + bursts + " --burstMinutes=" + burstMinutes + " --burstFactor=" + burstFactor + " --driftPerHour=" + driftPerHour
                + " --serviceMs=" + serviceMs + " --cores=" + cores + " --startSeconds=" + startSeconds + " --minNodes=" + minNodes
                + " --maxNodes=" + maxNodes + " --targetMemoryUtilization=" + targetMemoryUtilization + " --windowSeconds=" + windowSeconds + " --seed=" + seed + " --days=" + days;
    }
}
