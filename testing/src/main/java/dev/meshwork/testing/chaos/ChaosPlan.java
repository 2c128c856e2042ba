package dev.meshwork.testing.chaos;

import java.util.List;

/**
 * What a chaos run does.
 *
 * @param routers         router processes
 * @param nodes           node processes
 * @param models          registered models (copies of the example adder, each its own registration)
 * @param vmodels         vmodels, each over one of the models
 * @param ratePerSecond   open-loop requests per second, Zipf over the models, half REST half gRPC
 * @param faults          faults injected, one after another
 * @param gapMs           quiet time after a fault's recovery before the next fault
 * @param hangMinMs       shortest SIGSTOP
 * @param hangMaxMs       longest SIGSTOP
 * @param restartAfterMs  how long a killed process stays down before it is started again (an orchestrator's delay)
 * @param recoveryBoundMs the longest a fault may take to recover (every model servable, the cluster whole again)
 * @param seed            the random choices (fault order, targets, traffic)
 * @param kinds           the faults to choose from
 * @param routerFlags     flags of every router
 * @param nodeFlags       flags of every node
 */
public record ChaosPlan(int routers, int nodes, int models, int vmodels, double ratePerSecond, int faults, long gapMs, long hangMinMs,
                        long hangMaxMs, long restartAfterMs, long recoveryBoundMs, long seed, List<Fault> kinds, List<String> routerFlags,
                        List<String> nodeFlags) {
    public ChaosPlan {
        if (routers < 2 || nodes < 2) {
            throw new IllegalArgumentException("a chaos run needs at least 2 routers and 2 nodes, so one of each can fail");
        }
        kinds = List.copyOf(kinds);
        routerFlags = List.copyOf(routerFlags);
        nodeFlags = List.copyOf(nodeFlags);
    }

    /**
     * The cluster (2 routers, 4 nodes) with {@code faults} faults of every kind; copies are
     * added from 2 requests per second per copy, so the popular models run on two or more nodes.
     */
    public static ChaosPlan of(int faults, long seed) {
        return new ChaosPlan(2, 4, 12, 2, 40, faults, 3_000, 10_000, 30_000, 3_000, 120_000, seed, List.of(Fault.values()),
                List.of("--scaling.requestsPerCopy=2", "--scaling.idleMs=600000"), List.of());
    }

    /** The same with shorter hangs, for a run that must fit a test suite. */
    public ChaosPlan quick() {
        return new ChaosPlan(routers, nodes, models, vmodels, ratePerSecond, faults, 2_000, 10_000, 12_000, 2_000, recoveryBoundMs, seed,
                kinds, routerFlags, nodeFlags);
    }

    public ChaosPlan withKinds(List<Fault> only) {
        return new ChaosPlan(routers, nodes, models, vmodels, ratePerSecond, faults, gapMs, hangMinMs, hangMaxMs, restartAfterMs,
                recoveryBoundMs, seed, only, routerFlags, nodeFlags);
    }
}
