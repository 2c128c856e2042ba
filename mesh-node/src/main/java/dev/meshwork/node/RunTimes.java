package dev.meshwork.node;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * How long each model's in-process copy took to run lately, and how large its requests were: moving
 * averages over the last runs (each run weighs an eighth), which say whether a request may run on
 * the thread that received it. Request threads and transport threads record and ask concurrently;
 * a lost update only ages an average by one run.
 */
final class RunTimes {
    /** A run weighs 1/2^SHIFT in the averages. */
    private static final int SHIFT = 3;
    /** Slack on the size bound, so that small requests of a model with tiny tensors still pass. */
    private static final long SLACK_BYTES = 1024;
    private final ConcurrentMap<String, Recent> recent = new ConcurrentHashMap<>();

    private static final class Recent {
        volatile long nanos;
        volatile long bytes;

        Recent(long nanos, long bytes) {
            this.nanos = nanos;
            this.bytes = bytes;
        }
    }

    void ran(String modelId, long nanos, long requestBytes) {
        Recent r = recent.get(modelId);
        if (r == null) {
            recent.putIfAbsent(modelId, new Recent(nanos, requestBytes));
            return;
        }
        r.nanos += (nanos - r.nanos) >> SHIFT;
        r.bytes += (requestBytes - r.bytes) >> SHIFT;
    }

    /**
     * Whether a request of about {@code requestBytes} should take no longer than {@code limitNanos}: the
     * model's recent runs took no longer, and the request is at most four times their size (a model
     * that is quick on one row is not on ten thousand). A model that has not run here yet is not.
     */
    boolean quick(String modelId, long requestBytes, long limitNanos) {
        Recent r = recent.get(modelId);
        return r != null && r.nanos <= limitNanos && requestBytes <= 4 * r.bytes + SLACK_BYTES;
    }

    void forget(String modelId) {
        recent.remove(modelId);
    }
}
