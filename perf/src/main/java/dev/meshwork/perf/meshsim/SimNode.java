package dev.meshwork.perf.meshsim;

import dev.meshwork.perf.sim.CacheSimulator;
import dev.meshwork.placement.eviction.EvictionCandidate;
import dev.meshwork.placement.eviction.EvictionPolicy;
import dev.meshwork.placement.tenant.FairShareEviction;
import dev.meshwork.placement.tenant.TenantShares;
import java.util.Optional;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated node with one slot: its memory ledger and its loaded copies, whose evictions the
 * real {@link EvictionPolicy} decides from the same candidate list a node's model cache builds.
 * The candidates are kept beside the residents (same positions) rather than rebuilt per eviction,
 * which is what lets a million models run. Single-threaded.
 */
final class SimNode {
    static final List<String> FORMATS = List.of("onnx");

    final int id;
    final String name;
    final long capacityBytes;
    final EvictionPolicy policy;
    private final List<SimCopy> residents = new ArrayList<>();
    private final List<EvictionCandidate> candidates = new ArrayList<>();
    /** Bytes of loaded copies plus bytes reserved by loads in progress. */
    long usedBytes;
    int loading;
    boolean alive = true;
    long requests;
    long loads;
    long evictions;

    /** Told each copy evicted, as it goes (the tenant simulator keeps its usage per namespace live with it). */
    java.util.function.Consumer<SimCopy> onEvicted;

    /** The zone the node reports ({@code zone-k}), or empty when it reports none. */
    final String zone;

    SimNode(int id, long capacityBytes, EvictionPolicy policy, String zone) {
        this.id = id;
        this.zone = zone;
        this.name = String.format("node-%04d", id);
        this.capacityBytes = capacityBytes;
        this.policy = policy;
    }

    /** The node as the node table shows it to the placement policy. */
    NodeRecord record() {
        SlotRecord slot = new SlotRecord("sim-0", "sim", "cpu", FORMATS, true, capacityBytes, usedBytes, evictions, List.of());
        return new NodeRecord(name, name, name, List.of(slot), loading, false, 0,
                zone.isEmpty() ? java.util.Map.of() : java.util.Map.of(NodeRecord.ZONE, zone));
    }

    int residentCount() {
        return residents.size();
    }

    List<SimCopy> residents() {
        return residents;
    }

    /**
     * Evicts copies as the policy chooses until {@code bytes} more fit; false when they cannot
     * (bigger than the slot, or the rest is loading). Evicted copies are returned in {@code out}.
     */
    boolean makeRoom(long bytes, List<SimCopy> out) {
        return makeRoom(bytes, out, null, null);
    }

    /**
     * As {@link #makeRoom(long, List)}, choosing among the copies fair share lets a load of
     * {@code namespace} take ({@link FairShareEviction}, as a node's slot does); {@code shares} null:
     * the plain policy. {@code evicted} is told each copy as it goes, so the shares' usage stays live.
     */
    boolean makeRoom(long bytes, List<SimCopy> out, String namespace, TenantShares shares) {
        while (usedBytes + bytes > capacityBytes || (shares != null && shares.passesCeiling(namespace, bytes))) {
            if (candidates.isEmpty()) {
                return false;
            }
            Optional<EvictionCandidate> chosen = shares == null ? policy.victim(candidates)
                    : FairShareEviction.victim(namespace, bytes, candidates, shares, policy).victim();
            if (chosen.isEmpty()) {
                return false; // every copy here belongs to a namespace within its share
            }
            EvictionCandidate victim = chosen.get();
            int at = indexOf(victim);
            SimCopy gone = residents.get(at);
            removeAt(at);
            gone.live = false;
            usedBytes -= gone.sizeBytes;
            evictions++;
            out.add(gone);
            if (onEvicted != null) {
                onEvicted.accept(gone);
            }
        }
        return true;
    }

    private int indexOf(EvictionCandidate victim) {
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i) == victim) {
                return i;
            }
        }
        throw new IllegalStateException("the policy chose " + victim.modelId() + ", which is not a candidate");
    }

    void reserve(long bytes) {
        usedBytes += bytes;
        loading++;
        loads++;
    }

    void loaded(SimCopy c, String id) {
        loading--;
        c.loaded = true;
        c.index = residents.size();
        c.uses = 1;
        residents.add(c);
        candidates.add(new EvictionCandidate(id, c.sizeBytes, c.lastUsedMillis, CacheSimulator.loadMillis(c.sizeBytes), 1));
    }

    void touch(SimCopy c, String id, long now) {
        c.lastUsedMillis = now;
        c.uses++;
        requests++;
        candidates.set(c.index, new EvictionCandidate(id, c.sizeBytes, now, CacheSimulator.loadMillis(c.sizeBytes), c.uses));
    }

    /** Drops a loaded copy (released by copy scaling). */
    void release(SimCopy c) {
        removeAt(c.index);
        c.live = false;
        usedBytes -= c.sizeBytes;
    }

    private void removeAt(int at) {
        int last = residents.size() - 1;
        SimCopy moved = residents.get(last);
        residents.set(at, moved);
        candidates.set(at, candidates.get(last));
        moved.index = at;
        residents.remove(last);
        candidates.remove(last);
    }
}
