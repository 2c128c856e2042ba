package dev.meshwork.router.autoscale;

import dev.meshwork.config.ConfigCheck;
import dev.meshwork.placement.autoscale.NodePoolPolicy;

/**
 * How many nodes a router says the mesh wants ({@code meshwork_desired_nodes}, YAML section
 * {@code autoscale}), for an autoscaler (KEDA, an HPA on the external metric, or
 * {@code ./meshwork up --nodes auto}) to follow. Each router computes it from what it sees; behind a
 * load balancer, take the highest of the routers' values.
 *
 * @param minNodes                 the fewest nodes it asks for (0 allows scale to zero, with {@code idleMs})
 * @param maxNodes                 the most nodes it asks for
 * @param targetMemoryUtilization  the share of the nodes' slot memory the working set should fill, (0, 1]
 * @param inFlightPerNode          requests running per node above which it asks for another node
 * @param thrashEvictionsPerNodeSecond evictions per node per second that, while requests wait for loads, ask for one more node
 * @param nodeBytes                one node's slot memory when no node is up to measure it from (scale from zero); 0: the
 *                                 memory rule waits until a node is up
 * @param windowMs                 the working set is the models requested within this long
 * @param idleMs                   with no request for this long, it asks for {@code minNodes}; 0: never idle
 * @param upCooldownMs             after asking for more, it waits this long before asking for more again (the new nodes' start)
 * @param downStabilizationMs      it asks for fewer only when no count of this long was higher
 * @param intervalMs               how often it measures and decides
 * @param local                    a pool of node processes on this machine that the router itself grows and shrinks
 *                                 ({@code ./meshwork up --nodes auto})
 */
public record AutoscaleConfig(int minNodes, int maxNodes, double targetMemoryUtilization, int inFlightPerNode,
                              double thrashEvictionsPerNodeSecond, long nodeBytes, long windowMs, long idleMs, long upCooldownMs,
                              long downStabilizationMs, long intervalMs, Local local) {
    public AutoscaleConfig(int minNodes, int maxNodes, double targetMemoryUtilization, int inFlightPerNode,
                           double thrashEvictionsPerNodeSecond, long nodeBytes, long windowMs, long idleMs, long upCooldownMs,
                           long downStabilizationMs, long intervalMs) {
        this(minNodes, maxNodes, targetMemoryUtilization, inFlightPerNode, thrashEvictionsPerNodeSecond, nodeBytes, windowMs, idleMs,
                upCooldownMs, downStabilizationMs, intervalMs, Local.OFF);
    }

    public AutoscaleConfig {
        local = local == null ? Local.OFF : local;
        ConfigCheck.range("autoscale.minNodes", minNodes, 0, 100_000, "a number of nodes");
        ConfigCheck.range("autoscale.maxNodes", maxNodes, Math.max(1, minNodes), 100_000, "a number of nodes, at least 1 and minNodes");
        ConfigCheck.require(targetMemoryUtilization > 0 && targetMemoryUtilization <= 1,
                "autoscale.targetMemoryUtilization must be in (0, 1], got %s", targetMemoryUtilization);
        ConfigCheck.atLeast("autoscale.inFlightPerNode", inFlightPerNode, 1);
        ConfigCheck.positive("autoscale.thrashEvictionsPerNodeSecond", thrashEvictionsPerNodeSecond);
        ConfigCheck.atLeast("autoscale.nodeBytes", nodeBytes, 0);
        ConfigCheck.atLeast("autoscale.windowMs", windowMs, 1_000);
        ConfigCheck.atLeast("autoscale.idleMs", idleMs, 0);
        ConfigCheck.atLeast("autoscale.upCooldownMs", upCooldownMs, 0);
        ConfigCheck.atLeast("autoscale.downStabilizationMs", downStabilizationMs, 0);
        ConfigCheck.range("autoscale.intervalMs", intervalMs, 100, 600_000, "a time in milliseconds");
    }

    /** 1 to 10 nodes, 80% of slot memory, 32 requests in flight a node, 5 evictions a node-second, a 5-minute window, never idle. */
    public static AutoscaleConfig defaults() {
        // a 5-minute working set: over a simulated day (./meshwork bench autoscale-sim) a 1-minute one shed the copies
        // that the quiet hours reuse, and needed 17% fewer node-hours than a fixed pool of the same p99, against 39%
        return new AutoscaleConfig(1, 10, 0.8, 32, 5, 0, 300_000, 0, 30_000, 300_000, 5_000, Local.OFF);
    }

    /**
     * The node processes of {@code ./meshwork up --nodes auto}, which the router starts and stops on
     * this machine to follow its own {@code meshwork_desired_nodes} (see {@link LocalNodePool}).
     *
     * @param enabled        whether the router runs them (a cluster router only)
     * @param nodeConfig     the node configuration file each one reads ({@code --config}); empty: the node's defaults
     * @param logDir         where each node's output goes ({@code <node id>.log}); empty: a new temporary directory
     * @param startTimeoutMs a node that has not joined the mesh this long after its start is stopped, and another started
     */
    public record Local(boolean enabled, String nodeConfig, String logDir, long startTimeoutMs) {
        public static final Local OFF = new Local(false, "", "", 120_000);

        public Local {
            nodeConfig = nodeConfig == null ? "" : nodeConfig;
            logDir = logDir == null ? "" : logDir;
            ConfigCheck.fileOrEmpty("autoscale.local.nodeConfig", nodeConfig, "file");
            ConfigCheck.atLeast("autoscale.local.startTimeoutMs", startTimeoutMs, 1_000);
        }
    }

    /** The rules as the policy takes them. */
    public NodePoolPolicy.Settings settings() {
        return new NodePoolPolicy.Settings(minNodes, maxNodes, targetMemoryUtilization, inFlightPerNode, thrashEvictionsPerNodeSecond,
                nodeBytes, idleMs, upCooldownMs, downStabilizationMs);
    }
}
