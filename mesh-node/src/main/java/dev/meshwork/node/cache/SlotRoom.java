package dev.meshwork.node.cache;

import dev.meshwork.placement.eviction.EvictionCandidate;
import dev.meshwork.placement.eviction.EvictionPolicy;
import dev.meshwork.placement.tenant.FairShareEviction;
import dev.meshwork.placement.tenant.TenantShares;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Makes room in one slot for a load: reserves its bytes in the slot's ledger, evicting unpinned
 * copies in the eviction policy's order among those fair share lets the load take
 * ({@link FairShareEviction}), and waits (bounded) while every such copy is pinned. Load threads
 * call {@link #reserve}; request threads call {@link #mayHaveChanged} as they release a pin.
 * Thread-safe.
 */
final class SlotRoom {
    private final String slot;
    private final SlotMemory memory;
    private final ConcurrentMap<String, ModelEntry> entries;
    private final EvictionPolicy policy;
    private final long queueTimeoutMs;
    /** Told each copy evicted here, after it left the entries (counts, metrics, the change feed). */
    private final Consumer<ModelEntry> evicted;
    /** Loads waiting for room wait on this; released pins notify it while {@link #waitingForRoom} is above 0. */
    private final Object room = new Object();
    /** Loads in {@link #awaitRoom}: a request's release, the hot path, signals only when one waits. */
    private final AtomicInteger waitingForRoom = new AtomicInteger();
    private volatile Tenancy tenancy = Tenancy.NONE;

    SlotRoom(String slot, SlotMemory memory, ConcurrentMap<String, ModelEntry> entries, EvictionPolicy policy, long queueTimeoutMs,
             Consumer<ModelEntry> evicted) {
        this.slot = slot;
        this.memory = memory;
        this.entries = entries;
        this.policy = policy;
        this.queueTimeoutMs = queueTimeoutMs;
        this.evicted = evicted;
    }

    void tenancy(Tenancy shares) {
        this.tenancy = shares;
    }

    /** A pin was released or memory freed: loads waiting for room look again. */
    void mayHaveChanged() {
        if (waitingForRoom.get() > 0) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    /** Waits for {@link #mayHaveChanged} (or 20 ms, for changes nobody signals); false if interrupted. */
    private boolean awaitRoom(long deadline) {
        waitingForRoom.incrementAndGet();
        try {
            synchronized (room) {
                room.wait(Math.max(1, Math.min(20, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            }
            return true;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            waitingForRoom.decrementAndGet();
        }
    }

    /**
     * Reserves bytes for {@code e}, evicting unpinned copies until they fit, in the policy's order
     * among the copies fair share lets this load take; waits while all of those are pinned.
     */
    void reserve(ModelEntry e, long bytes) {
        if (bytes > memory.capacity()) {
            throw new MeshError(ErrorCode.CAPACITY_EXHAUSTED, "model '" + e.spec.id() + "' needs " + bytes
                    + " bytes, more than the whole budget of slot " + slot + " (" + memory.capacity()
                    + " bytes); raise node.slotMemoryBytes");
        }
        String namespace = e.spec.namespace();
        int limit = 2 * entries.size() + 4;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(queueTimeoutMs);
        boolean ceilingBound = false;
        for (int round = 0; round < limit; round++) {
            TenantShares shares = tenancy.shares();
            ceilingBound = shares.passesCeiling(namespace, bytes);
            if (!ceilingBound && memory.tryReserve(namespace, bytes)) {
                e.addReserved(bytes);
                return;
            }
            List<EvictionCandidate> candidates = entries.values().stream().filter(x -> x != e)
                    .map(ModelEntry::candidate).filter(Objects::nonNull).toList();
            FairShareEviction.Decision decision = FairShareEviction.victim(namespace, bytes, candidates, shares, policy);
            ceilingBound = decision.ceilingBound();
            if (decision.victim().isEmpty() && policy instanceof dev.meshwork.placement.eviction.NoEviction) {
                throw new MeshError(ErrorCode.CAPACITY_EXHAUSTED, "model '" + e.spec.id() + "' needs " + bytes + " bytes but slot " + slot
                        + " has " + (memory.capacity() - memory.used()) + " of " + memory.capacity() + " bytes free, and this runtime "
                        + "evicts nothing by itself (its caller, ModelMesh or a node, unloads models to make room): unload one first");
            }
            if (decision.victim().isEmpty()) {
                // every copy this load may take is in use or loading: wait (bounded) for one to be released, as a
                // request waits for its turn, rather than fail a load that a moment later would fit
                if (System.nanoTime() >= deadline || !awaitRoom(deadline)) {
                    break;
                }
                round--;
                continue;
            }
            ModelEntry v = entries.get(decision.victim().get().modelId());
            if (v != null && v.tryEvict()) {
                entries.remove(v.spec.id(), v);
                evicted.accept(v);
            }
        }
        if (ceilingBound) {
            TenantShares shares = tenancy.shares();
            throw new MeshError(ErrorCode.CAPACITY_EXHAUSTED, "model '" + e.spec.id() + "' needs " + bytes + " bytes, but namespace '"
                    + namespace + "' holds " + shares.usage(namespace) + " bytes of slot memory across the mesh and may hold at most "
                    + shares.ceiling(namespace) + " (its maxMemory), and no copy of its own on slot " + slot
                    + " could be evicted for it; unload some of its models or raise its maxMemory");
        }
        throw new MeshError(ErrorCode.CAPACITY_EXHAUSTED, "model '" + e.spec.id() + "' needs " + bytes + " bytes but slot "
                + slot + " has " + (memory.capacity() - memory.used()) + " of " + memory.capacity()
                + " bytes free and every copy it could evict stayed in use or loading for " + queueTimeoutMs
                + " ms (node.queueTimeoutMs), or belongs to a namespace within its guaranteed share (memoryShare);"
                + " retry when requests finish, or raise node.slotMemoryBytes");
    }
}
