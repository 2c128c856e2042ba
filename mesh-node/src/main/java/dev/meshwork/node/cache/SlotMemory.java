package dev.meshwork.node.cache;

import java.util.HashMap;
import java.util.Map;

/**
 * A slot's memory ledger: the budget and the bytes reserved by copies that are loading, loaded or
 * unloading, in all and per namespace (what fair eviction weighs). A reservation only succeeds
 * when it fits, so the total never passes the budget. Thread-safe; its monitor is held for a few
 * arithmetic steps and nothing else is locked under it.
 */
final class SlotMemory {
    private final long capacity;
    private long used;
    private final Map<String, Long> byNamespace = new HashMap<>();

    SlotMemory(long capacity) {
        this.capacity = capacity;
    }

    synchronized boolean tryReserve(String namespace, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative reservation " + bytes);
        }
        if (used + bytes > capacity) {
            return false;
        }
        used += bytes;
        byNamespace.merge(namespace, bytes, Long::sum);
        return true;
    }

    synchronized void free(String namespace, long bytes) {
        used -= bytes;
        if (used < 0) {
            throw new IllegalStateException("slot memory ledger went negative: " + used);
        }
        byNamespace.compute(namespace, (k, v) -> v == null || v - bytes <= 0 ? null : v - bytes);
    }

    synchronized long used() {
        return used;
    }

    /** The bytes the namespace's copies hold here. */
    synchronized long used(String namespace) {
        return byNamespace.getOrDefault(namespace, 0L);
    }

    /** Bytes per namespace, a copy. */
    synchronized Map<String, Long> byNamespace() {
        return Map.copyOf(byNamespace);
    }

    long capacity() {
        return capacity;
    }
}
