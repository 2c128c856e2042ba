package dev.meshwork.node.cache;

/**
 * A slot's memory ledger: the budget and the bytes reserved by copies that are loading, loaded or
 * unloading. A reservation only succeeds when it fits, so the total never passes the budget.
 * Thread-safe; its monitor is held for a few arithmetic steps and nothing else is locked under it.
 */
final class SlotMemory {
    private final long capacity;
    private long used;

    SlotMemory(long capacity) {
        this.capacity = capacity;
    }

    synchronized boolean tryReserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative reservation " + bytes);
        }
        if (used + bytes > capacity) {
            return false;
        }
        used += bytes;
        return true;
    }

    synchronized void free(long bytes) {
        used -= bytes;
        if (used < 0) {
            throw new IllegalStateException("slot memory ledger went negative: " + used);
        }
    }

    synchronized long used() {
        return used;
    }

    long capacity() {
        return capacity;
    }
}
