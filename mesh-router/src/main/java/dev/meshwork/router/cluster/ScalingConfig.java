package dev.meshwork.router.cluster;

import dev.meshwork.config.ConfigCheck;
import dev.meshwork.placement.policy.ScalingPolicy;

/**
 * When a router adds copies of a busy model and lets idle extra copies go (YAML section
 * {@code scaling}). Rates and queues are what this router sees: behind a load balancer that
 * spreads clients over N routers, each sees about 1/N of a model's traffic.
 *
 * @param enabled          whether the router scales copies at all
 * @param requestsPerCopy  requests per second per LOADED copy above which another copy is added
 * @param inFlightPerCopy  requests in flight per LOADED copy (queueing) above which another copy is added
 * @param maxCopies        the most copies of one model
 * @param idleMs           an extra copy with no request for this long is unloaded (keep it above
 *                         10 s with several routers: nodes report last use that coarsely)
 * @param intervalMs       how often rates are measured and decisions made
 */
public record ScalingConfig(boolean enabled, double requestsPerCopy, int inFlightPerCopy, int maxCopies, long idleMs, long intervalMs) {
    public ScalingConfig {
        ConfigCheck.positive("scaling.requestsPerCopy", requestsPerCopy);
        ConfigCheck.atLeast("scaling.inFlightPerCopy", inFlightPerCopy, 1);
        ConfigCheck.atLeast("scaling.maxCopies", maxCopies, 1);
        ConfigCheck.atLeast("scaling.idleMs", idleMs, 0);
        ConfigCheck.atLeast("scaling.intervalMs", intervalMs, 10);
    }

    public static ScalingConfig defaults() {
        return new ScalingConfig(true, 200, 16, 4, 60_000, 1_000);
    }

    public ScalingPolicy.Thresholds thresholds() {
        return new ScalingPolicy.Thresholds(requestsPerCopy, inFlightPerCopy, maxCopies, idleMs);
    }
}
