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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
 * or leaves (partitions move, and events in flight may be lost). A fill that raced with a drop is
 * not kept. What a lost event costs is bounded by {@link #MAX_AGE_MILLIS}, after which an entry is
 * read again, behind the request that found it old. Names that are not registered are not kept, so
 * unknown names cannot grow it.
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

    /** A registered model's registration and copies as read at {@code readAt} (nanoTime). */
    record Route(ModelSpec spec, List<CopyRecord> copies, long readAt) {
    }

    private final IMap<String, Object> models;
    private final IMap<String, Object> placement;
    private final RowSigner signer;
    private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
    /** Counts drops: a fill keeps its entry only if no drop happened while it read. */
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
                CompletableFuture.allOf(read.registration, read.copies).whenComplete((v, t) -> {
                    if (t == null) {
                        read.keep();
                    }
                });
            }
            return r;
        }
        Read read = new Read(id);
        joined(read.registration);
        joined(read.copies);
        return read.keep();
    }

    /** One fill: both rows read at once from their owners (one round trip, not two), then kept unless a drop overtook it. */
    private final class Read {
        final String id;
        final long before = drops.get();
        final long readAt = System.nanoTime();
        final CompletableFuture<Object> registration;
        final CompletableFuture<Object> copies;

        Read(String id) {
            this.id = id;
            this.registration = models.submitToKey(id, READ).toCompletableFuture();
            this.copies = placement.submitToKey(id, READ).toCompletableFuture();
        }

        /** The route read, kept in the memo unless a row changed meanwhile; null (and nothing kept) when not registered. */
        Route keep() {
            ModelSpec spec = SignedMap.unwrap(signer, HazelcastModelRegistry.KIND, ModelSpec.class, id, registration.join());
            if (spec == null) {
                routes.remove(id);
                return null;
            }
            Route fresh = new Route(spec, HazelcastPlacementTable.verified(signer, id, copies.join()), readAt);
            Runnable hook = afterRead;
            if (hook != null) {
                afterRead = null;
                hook.run();
            }
            routes.put(id, fresh);
            if (drops.get() != before) {
                routes.remove(id, fresh); // a row changed while we read: what we read may be the older one
            }
            return fresh;
        }
    }

    /** The read's row; its failure as the synchronous read would have thrown it (the instance shutting down, say). */
    private static Object joined(CompletableFuture<Object> read) {
        try {
            return read.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Drops the model's entry: its registration or copies changed. */
    void drop(String id) {
        drops.incrementAndGet(); // before the removal, so that a fill in flight sees it when it checks after its put
        routes.remove(id);
    }

    void dropAll() {
        drops.incrementAndGet();
        routes.clear();
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
