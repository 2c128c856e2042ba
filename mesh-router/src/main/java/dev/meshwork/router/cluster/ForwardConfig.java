package dev.meshwork.router.cluster;

import dev.meshwork.config.ConfigCheck;
/**
 * How a router forwards requests to nodes and loads models on a miss (YAML section {@code forward}).
 *
 * @param timeoutMs          the deadline of a forwarded request when the client set none (a client's
 *                           gRPC deadline, when shorter, wins)
 * @param loadTimeoutMs      how long requests wait for a model to load on a miss before they fail
 * @param claimLeaseMs       how long a load claim lasts if its router dies without releasing it
 * @param maxWaitingPerModel requests that may wait for one model's load at a time; more are refused at once
 * @param suspectMs          how long a node that failed a forward is passed over when another copy exists
 * @param failureMemoryMs    how long a failed load steers the model's next load to other nodes
 * @param maxMessageBytes    the largest answer a node may send
 * @param retryRatio         the retry budget: forwards tried again after a node could not be reached or said it was
 *                           busy may add at most this share of the requests, plus {@link RetryBudget#MIN_PER_SECOND} a second, so that a failing
 *                           node or link does not multiply the load on the rest; a request over budget gets the error
 * @param nodeWaitMs         with no node in the mesh (the pool scaled to zero, or none started yet), how long a request
 *                           waits at the router for one to join, within {@code loadTimeoutMs}, as Knative's activator
 *                           holds requests; it counts among the requests waiting for loads, which the autoscale signal
 *                           answers with a node. 0: it fails at once, saying no node has joined
 */
public record ForwardConfig(long timeoutMs, long loadTimeoutMs, long claimLeaseMs, int maxWaitingPerModel, long suspectMs,
                            long failureMemoryMs, int maxMessageBytes, double retryRatio, long nodeWaitMs) {
    public ForwardConfig {
        ConfigCheck.atLeast("forward.timeoutMs", timeoutMs, 1);
        ConfigCheck.atLeast("forward.loadTimeoutMs", loadTimeoutMs, 1);
        ConfigCheck.atLeast("forward.claimLeaseMs", claimLeaseMs, 1);
        ConfigCheck.atLeast("forward.maxWaitingPerModel", maxWaitingPerModel, 1);
        ConfigCheck.atLeast("forward.suspectMs", suspectMs, 0);
        ConfigCheck.atLeast("forward.failureMemoryMs", failureMemoryMs, 0);
        ConfigCheck.atLeast("forward.maxMessageBytes", maxMessageBytes, 1024);
        ConfigCheck.require(retryRatio >= 0 && retryRatio <= 1, "forward.retryRatio must be between 0 and 1, got %s", retryRatio);
        ConfigCheck.atLeast("forward.nodeWaitMs", nodeWaitMs, 0);
    }

    public ForwardConfig(long timeoutMs, long loadTimeoutMs, long claimLeaseMs, int maxWaitingPerModel, long suspectMs, long failureMemoryMs,
                         int maxMessageBytes, double retryRatio) {
        this(timeoutMs, loadTimeoutMs, claimLeaseMs, maxWaitingPerModel, suspectMs, failureMemoryMs, maxMessageBytes, retryRatio, 0);
    }

    public ForwardConfig(long timeoutMs, long loadTimeoutMs, long claimLeaseMs, int maxWaitingPerModel, long suspectMs, long failureMemoryMs,
                         int maxMessageBytes) {
        this(timeoutMs, loadTimeoutMs, claimLeaseMs, maxWaitingPerModel, suspectMs, failureMemoryMs, maxMessageBytes, 0.2, 0);
    }

    public static ForwardConfig defaults() {
        return new ForwardConfig(60_000, 120_000, 130_000, 1_000, 5_000, 30_000, 64 << 20, 0.2, 0);
    }
}
