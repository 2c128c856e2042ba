package dev.meshwork.router.payload;

import dev.meshwork.config.ConfigCheck;
import java.util.List;

/**
 * How a router sends models' payload logs (KServe's logger) to their sinks.
 *
 * @param queueSize      events waiting to be sent to one sink (url), at most; beyond, new events are dropped and counted
 * @param maxQueueBytes  bytes of request and answer bodies waiting to be sent, to all sinks together, at most; beyond, new events are dropped
 * @param concurrency    events being sent to one sink at once, at most
 * @param timeoutMs      how long one POST (connect and answer) may take before it counts as failed
 * @param retries        how many times a failed POST (no answer, 408, 429, 5xx) is tried again, with doubling back-off
 * @param retryBackoffMs the first back-off
 * @param allowedUrls    URL prefixes a registration's logger url must start with; empty allows any http(s) url
 *                       but link-local addresses (cloud metadata services), which are always refused
 */
public record PayloadLogConfig(int queueSize, long maxQueueBytes, int concurrency, long timeoutMs, int retries, long retryBackoffMs,
                               List<String> allowedUrls) {
    public PayloadLogConfig {
        ConfigCheck.range("payloadLog.queueSize", queueSize, 1, 10_000_000, "a number of events");
        ConfigCheck.atLeast("payloadLog.maxQueueBytes", maxQueueBytes, 1024);
        ConfigCheck.range("payloadLog.concurrency", concurrency, 1, 1024, "a number of posts");
        ConfigCheck.range("payloadLog.timeoutMs", timeoutMs, 10, 600_000, "a time in milliseconds");
        ConfigCheck.range("payloadLog.retries", retries, 0, 10, "a number of retries");
        ConfigCheck.range("payloadLog.retryBackoffMs", retryBackoffMs, 1, 60_000, "a time in milliseconds");
        allowedUrls = allowedUrls == null ? List.of() : List.copyOf(allowedUrls);
    }

    public static PayloadLogConfig defaults() {
        return new PayloadLogConfig(10_000, 64L << 20, 16, 2_000, 2, 100, List.of());
    }
}
