package dev.meshwork.placement.registry;

import dev.meshwork.protocol.error.MeshError;

/**
 * How a node batches a model's requests (KServe's {@code batcher}): requests whose inputs agree on
 * everything but the first dimension are run together, up to {@code maxBatchSize} rows, a request
 * waiting at most {@code maxLatencyMicros} for the batch it joins. Immutable.
 *
 * @param maxBatchSize     rows in one batch; 0 turns batching off
 * @param maxLatencyMicros how long a request may wait for others while a batch runs ahead of it
 */
public record Batching(int maxBatchSize, long maxLatencyMicros) implements java.io.Serializable {
    /** No batching. */
    public static final Batching NONE = new Batching(0, 0);
    /** The longest wait a setting may ask for: a batcher holds requests, it is not a queue. */
    public static final long MAX_LATENCY_MICROS = 10_000_000;

    public Batching {
        if (maxBatchSize < 0 || maxBatchSize > 65_536) {
            throw MeshError.invalid("maxBatchSize must be from 0 (off) to 65536 rows, got %d", maxBatchSize);
        }
        if (maxLatencyMicros < 0 || maxLatencyMicros > MAX_LATENCY_MICROS) {
            throw MeshError.invalid("maxLatency must be from 0 to 10000 ms, got %d µs", maxLatencyMicros);
        }
    }

    public boolean enabled() {
        return maxBatchSize > 1;
    }

    /** From KServe's {@code maxBatchSize} and {@code maxLatency} in milliseconds (fractions allowed). */
    public static Batching ofMillis(int maxBatchSize, double maxLatencyMs) {
        if (!(maxLatencyMs >= 0)) {
            throw MeshError.invalid("maxLatency must be 0 or more milliseconds, got %s", maxLatencyMs);
        }
        return new Batching(maxBatchSize, Math.round(Math.min(maxLatencyMs, MAX_LATENCY_MICROS / 1000.0 + 1) * 1000));
    }
}
