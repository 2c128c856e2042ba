package dev.meshwork.placement.registry;

import dev.meshwork.protocol.error.MeshError;
import java.util.List;

/**
 * How a node batches a model's requests (KServe's {@code batcher}): requests whose inputs agree on
 * everything but the first dimension are run together, up to {@code maxBatchSize} rows, a request
 * waiting at most {@code maxLatencyMicros} for the batch it joins. Immutable.
 *
 * @param maxBatchSize     rows in one batch; 0 turns batching off
 * @param maxLatencyMicros how long a request may wait for others while a batch runs ahead of it
 * @param preferredSizes   batch sizes (rows) the runtime runs best, ascending (Triton's {@code preferred_batch_size}): a
 *                         batch takes the largest of them that the queue can fill and leaves the rest to the next one;
 *                         empty: as many rows as are queued, up to {@code maxBatchSize}
 */
public record Batching(int maxBatchSize, long maxLatencyMicros, List<Integer> preferredSizes) implements java.io.Serializable {
    /** No batching. */
    public static final Batching NONE = new Batching(0, 0);

    /** Batching without preferred sizes. */
    public Batching(int maxBatchSize, long maxLatencyMicros) {
        this(maxBatchSize, maxLatencyMicros, List.of());
    }
    /** The longest wait a setting may ask for: a batcher holds requests, it is not a queue. */
    public static final long MAX_LATENCY_MICROS = 10_000_000;

    public Batching {
        if (maxBatchSize < 0 || maxBatchSize > 65_536) {
            throw MeshError.invalid("maxBatchSize must be from 0 (off) to 65536 rows, got %d", maxBatchSize);
        }
        if (maxLatencyMicros < 0 || maxLatencyMicros > MAX_LATENCY_MICROS) {
            throw MeshError.invalid("maxLatency must be from 0 to 10000 ms, got %d µs", maxLatencyMicros);
        }
        preferredSizes = preferredSizes == null ? List.of() : List.copyOf(new java.util.TreeSet<>(preferredSizes)); // rows written before: none
        if (preferredSizes.size() > 32) {
            throw MeshError.invalid("at most 32 preferred batch sizes, got %d", preferredSizes.size());
        }
        for (int size : preferredSizes) {
            if (size < 1 || size > maxBatchSize) {
                throw MeshError.invalid("a preferred batch size must be from 1 to maxBatchSize (%d), got %d", maxBatchSize, size);
            }
        }
    }

    /**
     * How many rows a batch takes when {@code available} rows of like requests are at hand: the
     * largest preferred size they fill, else all of them (a batch never waits for a preferred size).
     */
    public int rowsFor(int available) {
        int best = 0;
        for (int size : preferredSizes) {
            if (size <= available) {
                best = size;
            }
        }
        return best > 0 ? best : Math.min(available, maxBatchSize);
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
