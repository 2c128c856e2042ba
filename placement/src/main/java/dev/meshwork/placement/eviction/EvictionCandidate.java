package dev.meshwork.placement.eviction;

/**
 * A loaded copy that could be evicted (not pinned by a request or a load).
 *
 * @param modelId        the model
 * @param sizeBytes      the memory it holds
 * @param lastUsed       a monotonic stamp of its last use: larger is more recent
 * @param loadMillis     how long its load took (what evicting it would cost to undo)
 * @param uses           requests it served since it was loaded (at least 1: the one that loaded it)
 */
public record EvictionCandidate(String modelId, long sizeBytes, long lastUsed, long loadMillis, long uses) {
    public EvictionCandidate {
        uses = Math.max(1, uses);
    }

    /** A candidate used once since its load. */
    public EvictionCandidate(String modelId, long sizeBytes, long lastUsed, long loadMillis) {
        this(modelId, sizeBytes, lastUsed, loadMillis, 1);
    }
}
