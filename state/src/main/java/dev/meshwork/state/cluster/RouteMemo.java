package dev.meshwork.state.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryLoadedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.map.listener.MapEvictedListener;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A router's own copy of what every request reads for a model, its registration and its copies, in
 * one entry per registered model: one hash lookup per request where two near caches cost about four
 * times as much at a million models (each near-cache read also passes the record's statistics and
 * stale-read checks and the row's signature wrapper, and touches memory of its own). It replaces the
 * near caches of the registry and the placement table on routers ({@link ClusterMember}), so it
 * costs no memory beside them.
 *
 * <p>An entry is read from the rows' owners (past any near cache, which could still hold what the
 * memo was just told is stale) and dropped when either row changes: by the maps' entry events, by
 * this member's own writes (so a router reads its own writes), and all at once when a member joins
 * or leaves (partitions move, and events in flight may be lost). A fill that raced with a drop of
 * its key (or of a key sharing its stripe of counters) is not kept. What a lost event costs is
 * bounded by {@link #MAX_AGE_MILLIS}, after which an entry is read again, behind the request that
 * found it old. Names that are not registered are not kept, so unknown names cannot grow it.
 *
 * <p>Request threads read and fill; Hazelcast's event threads and writers drop. Thread-safe.
 */
public final class RouteMemo implements AutoCloseable {
    /**
     * How long an entry serves before it is read again, whatever the events said: what a lost event can cost at most.
     * Events are lost only in rare failures (and a member joining or leaving empties the memo anyway), so this is long,
     * and the read happens behind the request that found the entry old, not in its way.
     */
    static final long MAX_AGE_MILLIS = 300_000;
    private static final HazelcastPlacementTable.ReadCopies READ = new HazelcastPlacementTable.ReadCopies();
    /** Key stripes of the drop counters: a power of two; two keys share one rarely enough that a fill seldom loses for nothing. */
    private static final int STRIPES = 4096;

    /** A registered model's registration and copies as read at {@code readAt} (nanoTime). */
    record Route(ModelSpec spec, List<CopyRecord> copies, long readAt) {
    }

    private final IMap<String, Object> models;
    private final IMap<String, Object> placement;
    private final RowSigner signer;
    private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
    /**
     * Drops by key stripe: a fill keeps its entry only if no drop of a key in its stripe happened
     * while it read. One counter for all keys made every fill under churn (dozens of copy changes a
     * second) lose its race with some other model's change, so requests read the owners every time.
     */
    private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);
    /** Counts drops of everything (a member joining or leaving): every fill in flight then loses. */
    private final AtomicLong epoch = new AtomicLong();
    /** Counts every drop; for tests. */
    private final AtomicLong drops = new AtomicLong();
    private final UUID modelEvents;
    private final UUID placementEvents;
    private final UUID membership;
    private final HazelcastInstance hz;
    private final long maxAgeNanos;
    /** Runs between a fill's reads and its put, once, then clears itself: lets a test put a write exactly there. */
    volatile Runnable afterRead;

    public RouteMemo(HazelcastInstance hz, RowSigner signer) {
        this(hz, signer, MAX_AGE_MILLIS);
    }

    RouteMemo(HazelcastInstance hz, RowSigner signer, long maxAgeMillis) {
        this.maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(maxAgeMillis);
        this.hz = hz;
        this.models = hz.getMap(MapNames.MODELS);
        this.placement = hz.getMap(MapNames.PLACEMENT);
        this.signer = signer;
        this.modelEvents = models.addEntryListener(new Events(), false);
        this.placementEvents = placement.addEntryListener(new Events(), false);
        this.membership = hz.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                dropAll();
            }

            @Override
            public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
                dropAll();
            }
        });
    }

    /**
     * The model's registration and copies, or null when it is not registered. An entry past its
     * age is still answered, and read again behind the request that found it.
     */
    Route route(String id) {
        Route r = routes.get(id);
        if (r != null) {
            if (System.nanoTime() - r.readAt >= maxAgeNanos && routes.replace(id, r, new Route(r.spec, r.copies, System.nanoTime()))) {
                Read read = new Read(id);
                Thread.ofVirtual().name("route-memo-refresh").start(() -> {
                    try {
                        read.keep();
                    } catch (RuntimeException e) {
                        // kept as it was: the next request past the age reads it again
                    }
                });
            }
            return r;
        }
        return new Read(id).keep();
    }

    /**
     * One fill: both rows read from their owners, then kept unless a drop overtook it. The reads are
     * synchronous calls, one after the other. Hazelcast's asynchronous ones complete the future they
     * return by a callback on its default executor, which on a machine of two cores or fewer starts a
     * new thread for every completion, on the partition thread: under churn every fill then waited
     * behind thread starts, for seconds (zipf-open's p99 went from 0.4 to 10 s).
     */
    private final class Read {
        final String id;
        final int stripe;
        final long before;
        final long epochBefore = epoch.get();
        final long readAt = System.nanoTime();

        Read(String id) {
            this.id = id;
            this.stripe = stripe(id);
            this.before = stripes.get(stripe);
        }

        /** The route read, kept in the memo unless a row changed meanwhile; null (and nothing kept) when not registered. */
        Route keep() {
            ModelSpec spec = SignedMap.unwrap(signer, HazelcastModelRegistry.KIND, ModelSpec.class, id, models.executeOnKey(id, READ));
            if (spec == null) {
                routes.remove(id);
                return null;
            }
            Route fresh = new Route(spec, HazelcastPlacementTable.verified(signer, id, placement.executeOnKey(id, READ)), readAt);
            Runnable hook = afterRead;
            if (hook != null) {
                afterRead = null;
                hook.run();
            }
            routes.put(id, fresh);
            if (stripes.get(stripe) != before || epoch.get() != epochBefore) {
                routes.remove(id, fresh); // a row changed while we read: what we read may be the older one
            }
            return fresh;
        }
    }

    /** Drops the model's entry: its registration or copies changed. */
    void drop(String id) {
        stripes.incrementAndGet(stripe(id)); // before the removal, so that a fill in flight sees it when it checks after its put
        drops.incrementAndGet();
        routes.remove(id);
    }

    void dropAll() {
        epoch.incrementAndGet();
        drops.incrementAndGet();
        routes.clear();
    }

    private static int stripe(String id) {
        int h = id.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** Drops so far (of one entry or all). */
    long drops() {
        return drops.get();
    }

    /** Entries held now. */
    public int size() {
        return routes.size();
    }

    @Override
    public void close() {
        stopListening();
        routes.clear();
    }

    /** No more events or membership changes reach the memo (on close; a test uses it to lose events on purpose). */
    void stopListening() {
        if (hz.getLifecycleService().isRunning()) {
            models.removeEntryListener(modelEvents);
            placement.removeEntryListener(placementEvents);
            hz.getCluster().removeMembershipListener(membership);
        }
    }

    /** Both maps' events, on Hazelcast's event threads: any change to a key drops it. */
    private final class Events implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object>,
            EntryRemovedListener<String, Object>, EntryLoadedListener<String, Object>, EntryMergedListener<String, Object>,
            EntryEvictedListener<String, Object>, EntryExpiredListener<String, Object>, MapClearedListener, MapEvictedListener {
        @Override
        public void entryAdded(EntryEvent<String, Object> event) {
            drop(event.getKey());
        }

        @Override
        public void entryUpdated(EntryEvent<String, Object> event) {
            drop(event.getKey());
        }

        @Override
        public void entryRemoved(EntryEvent<String, Object> event) {
            drop(event.getKey());
        }

        @Override
        public void entryLoaded(EntryEvent<String, Object> event) {
            drop(event.getKey());
        }

        @Override
        public void entryMerged(EntryEvent<String, Object> event) {
            drop(event.getKey());
        }

        @Override
        public void entryEvicted(EntryEvent<String, Object> event) {
            drop(event.getKey());
        }

        @Override
        public void entryExpired(EntryEvent<String, Object> event) {
            drop(event.getKey());
        }

        @Override
        public void mapCleared(MapEvent event) {
            dropAll();
        }

        @Override
        public void mapEvicted(MapEvent event) {
            dropAll();
        }
    }
}
