package dev.meshwork.state.cluster;

import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryLoadedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys of a small shared map (the vmodels, the nodes), held on this member, so that the request
 * path asks "is this name one of them?" of a local set instead of a near cache that would keep a
 * negative entry for every model name ever requested, and lists the rows by reading these keys
 * through the near cache instead of querying every partition. Kept by the map's entry events and by this member's
 * own writes, and repaired from the map's key set at most once a period (on the common pool,
 * started by a reader), so that a lost event costs at most a period. A key it holds that the map no
 * longer has only costs the caller a near-cache read; a key it misses is what the repair bounds.
 * Hazelcast's event threads, request threads and the repair touch it; all of its state is
 * concurrent.
 */
final class KeyIndex {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeyIndex.class);
    private final IMap<String, ?> map;
    private final long periodNanos;
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    /** When each key was last added here, so that a repair does not drop a key added after its snapshot. */
    private final Map<String, Long> addedAt = new ConcurrentHashMap<>();
    private final AtomicLong nextRepair = new AtomicLong();

    KeyIndex(IMap<String, ?> map, long periodMillis) {
        this.map = map;
        this.periodNanos = periodMillis * 1_000_000L;
        map.addEntryListener(new Events(), false);
        repair();
        nextRepair.set(System.nanoTime() + periodNanos);
    }

    boolean contains(String key) {
        repairWhenDue();
        return keys.contains(key);
    }

    /** The keys held now, a snapshot. */
    Set<String> keys() {
        repairWhenDue();
        return Set.copyOf(keys);
    }

    private void repairWhenDue() {
        long now = System.nanoTime();
        long next = nextRepair.get();
        if (now - next >= 0 && nextRepair.compareAndSet(next, now + periodNanos)) {
            CompletableFuture.runAsync(this::repair);
        }
    }

    void added(String key) {
        addedAt.put(key, System.nanoTime());
        keys.add(key);
    }

    void removed(String key) {
        keys.remove(key);
        addedAt.remove(key);
    }

    /** The map's keys now: those it has are added, those it lacks and that were not added since the snapshot began are dropped. */
    void repair() {
        long start = System.nanoTime();
        Set<String> now;
        try {
            now = map.keySet();
        } catch (RuntimeException e) { // a member shutting down; the next reader's repair tries again
            LOG.debug("the key index of {} could not be repaired: {}", map.getName(), e.toString());
            return;
        }
        keys.addAll(now);
        keys.removeIf(k -> !now.contains(k) && addedAt.getOrDefault(k, start) - start <= 0);
        addedAt.values().removeIf(t -> start - t > 2 * periodNanos);
    }

    /** The map's entry events, on Hazelcast's event threads. */
    private final class Events implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object>,
            EntryRemovedListener<String, Object>, EntryLoadedListener<String, Object>, EntryMergedListener<String, Object> {
        @Override
        public void entryAdded(com.hazelcast.core.EntryEvent<String, Object> event) {
            added(event.getKey());
        }

        @Override
        public void entryUpdated(com.hazelcast.core.EntryEvent<String, Object> event) {
            added(event.getKey());
        }

        @Override
        public void entryLoaded(com.hazelcast.core.EntryEvent<String, Object> event) {
            added(event.getKey());
        }

        @Override
        public void entryMerged(com.hazelcast.core.EntryEvent<String, Object> event) {
            added(event.getKey());
        }

        @Override
        public void entryRemoved(com.hazelcast.core.EntryEvent<String, Object> event) {
            removed(event.getKey());
        }
    }
}
