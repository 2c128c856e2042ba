package dev.meshwork.node.cache;

import dev.meshwork.placement.eviction.EvictionPolicy;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.runtime.LoadedModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The models loaded in one slot, within the slot's memory budget: exactly one load per model
 * however many requests miss at once; before a load its predicted size is reserved, evicting
 * copies that nothing pins in the eviction policy's order; after it the reservation is corrected
 * to the measured size. A copy is pinned while a request runs on it and while it loads; an unload
 * waits for those requests. Request threads call {@link #acquire}; loads run on the load executor.
 * Thread-safe.
 */
public final class ModelCache {
    /** Sizes and loads one model; runs on a load thread. */
    public interface Loader {
        /** A conservative estimate of the model's memory, from its artifact; fast. */
        long predictSize(ModelSpec spec) throws Exception;

        /** Loads the model from its artifact; says which bytes it loaded. */
        Loaded load(ModelSpec spec) throws Exception;

        /**
         * Gets the artifact ready before a load thread takes the load (a download runs on its own
         * threads, so a slow server never holds a load); completes at once when there is nothing to fetch.
         */
        default CompletableFuture<?> fetch(ModelSpec spec) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * A loaded model and {@code sha256:<hex>} of the artifact it was loaded from (empty when the
     * loader cannot tell), reported with the copy so routers can check what a node serves.
     */
    public record Loaded(LoadedModel model, String digest) {
    }

    /**
     * How the cache waits and limits.
     *
     * @param loadTimeoutMs       how long a request waits for a load
     * @param failedLoadBackoffMs how long a failed load is remembered before a request retries it
     * @param maxConcurrency      requests that may run on one model at once; 0 means no limit
     * @param queueTimeoutMs      how long a request waits for its turn when the limit is reached
     */
    public record Settings(long loadTimeoutMs, long failedLoadBackoffMs, int maxConcurrency, long queueTimeoutMs) {
    }

    private final String slot;
    private final SlotMemory memory;
    private final ConcurrentMap<String, ModelEntry> entries = new ConcurrentHashMap<>();
    private final Settings settings;
    private final CopyLoads loads;
    private final long backoffNanos;
    private final AtomicLong evictions = new AtomicLong();
    private final SlotRoom room;
    /** Told the id of each model whose copy in this slot started loading, was loaded, failed or went away; see {@link #onChange}. */
    private volatile Consumer<String> changes = id -> { };
    private volatile CacheEvents events = CacheEvents.NONE;

    public ModelCache(String slot, long capacityBytes, Loader loader, EvictionPolicy policy, ExecutorService loadExecutor,
                      Settings settings) {
        this.slot = slot;
        this.memory = new SlotMemory(capacityBytes);
        this.settings = settings;
        this.backoffNanos = TimeUnit.MILLISECONDS.toNanos(settings.failedLoadBackoffMs());
        this.room = new SlotRoom(slot, memory, entries, policy, settings.queueTimeoutMs(), v -> {
            evictions.incrementAndGet();
            events.evicted();
            changes.accept(v.spec.id());
        });
        this.loads = new CopyLoads(slot, memory, loader, loadExecutor, room, settings.maxConcurrency(), () -> events, id -> changes.accept(id));
    }

    /** A pinned, loaded model; close it to release the pin. */
    public static final class Lease implements AutoCloseable {
        private final ModelEntry entry;
        private final LoadedModel model;
        private final boolean turn;
        private final Runnable released;

        Lease(ModelEntry entry, LoadedModel model, boolean turn, Runnable released) {
            this.entry = entry;
            this.model = model;
            this.turn = turn;
            this.released = released;
        }

        public LoadedModel model() {
            return model;
        }

        /** The registration the pinned copy was loaded for (its batching settings among it). */
        public ModelSpec spec() {
            return entry.spec;
        }

        /** The slot the copy is in. */
        public String slot() {
            return entry.slot;
        }

        /**
         * The copy this lease pins, as it is now: taken from the lease, not looked up again, so an
         * unload or a replacement that lands meanwhile (the map no longer holds it) cannot make it vanish.
         */
        public CopyInfo copy() {
            return entry.info();
        }

        @Override
        public void close() {
            entry.release(turn);
            released.run();
        }
    }

    /**
     * Tells {@code listener} the id of every model whose copy here started loading, finished loading,
     * failed, was evicted, unloaded or lost. It runs on the thread that made the change (a load thread or a
     * request thread), so it must be quick and must not block.
     */
    public void onChange(Consumer<String> listener) {
        this.changes = listener;
    }

    /** Makes room by fair share between namespaces ({@link FairShareEviction}) with these shares. */
    public void tenancy(Tenancy shares) {
        room.tenancy(shares);
    }

    /** Reports this slot's requests, loads, evictions and unloads to {@code listener} (metrics). */
    public void events(CacheEvents listener) {
        this.events = listener;
    }

    /**
     * Pins the model if this slot holds a copy of it (waiting while it loads) and returns empty
     * when it holds none: a node asked to run a model the router believes is here, but that was
     * evicted meanwhile, says so instead of loading it behind the router's back.
     */
    public Optional<Lease> acquireIfPresent(String id) {
        ModelEntry e = entries.get(id);
        return e == null ? Optional.empty() : Optional.ofNullable(pin(e));
    }

    /**
     * Pins the model only when its copy is LOADED now, for this very spec, without waiting for a load or a turn (the node
     * runs work inline only with {@code maxConcurrencyPerModel} 0): for a thread that must not block.
     */
    public Optional<Lease> acquireLoaded(ModelSpec spec) {
        ModelEntry e = entries.get(spec.id());
        return e == null || e.state() != CopyState.LOADED || !e.spec.equals(spec) ? Optional.empty() : Optional.ofNullable(pin(e));
    }

    /** {@link #acquireLoaded(ModelSpec)} for whatever spec the copy here was loaded with. */
    public Optional<Lease> acquireLoaded(String id) {
        ModelEntry e = entries.get(id);
        return e == null || e.state() != CopyState.LOADED ? Optional.empty() : Optional.ofNullable(pin(e));
    }

    /** Whether the model's copy here is LOADED now. */
    public boolean loaded(String id) {
        ModelEntry e = entries.get(id);
        return e != null && e.state() == CopyState.LOADED;
    }

    /**
     * Pins the model, loading it first when needed, and waits for a turn when the model's
     * concurrency limit is reached; blocks the calling (request) thread meanwhile.
     */
    public Lease acquire(ModelSpec spec) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Lease lease = pin(entryFor(spec));
            if (lease != null) {
                return lease;
            }
            // raced with an unload, an eviction or a re-registration: start over with a fresh copy
        }
        throw new MeshError(ErrorCode.UNAVAILABLE, "model '" + spec.id() + "' was unloaded three times while this request waited; retry");
    }

    /** Waits for the entry's load, pins it and waits for a turn; null when the entry went away meanwhile. */
    private Lease pin(ModelEntry e) {
        long started = System.nanoTime();
        boolean hit = e.state() == CopyState.LOADED;
        awaitLoad(e);
        LoadedModel model = e.acquire();
        if (model == null) {
            return null;
        }
        boolean turn;
        try {
            turn = e.awaitTurn(settings.queueTimeoutMs());
        } catch (RuntimeException waited) {
            e.release();
            throw waited;
        }
        events.request(hit, System.nanoTime() - started);
        return new Lease(e, model, turn, room::mayHaveChanged);
    }

    private ModelEntry entryFor(ModelSpec spec) {
        ModelEntry[] replaced = new ModelEntry[1];
        boolean[] started = new boolean[1];
        ModelEntry e = entries.compute(spec.id(), (id, cur) -> {
            if (cur != null && cur.spec.equals(spec) && cur.state() != CopyState.UNLOADING
                    && (cur.state() != CopyState.FAILED || cur.failedWithin(backoffNanos))) {
                return cur;
            }
            replaced[0] = cur;
            started[0] = true;
            return loads.start(spec);
        });
        if (replaced[0] != null) {
            replaced[0].unload();
        }
        if (started[0]) {
            changes.accept(spec.id()); // a LOADING copy is news too: its row shows the load (and its download) under way
        }
        return e;
    }

    private void awaitLoad(ModelEntry e) {
        try {
            e.loadDone.get(settings.loadTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException ex) {
            throw new MeshError(ErrorCode.DEADLINE_EXCEEDED, "model '" + e.spec.id() + "' did not finish loading within "
                    + settings.loadTimeoutMs() + " ms (node.loadTimeoutMs); it keeps loading, retry later");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new MeshError(ErrorCode.UNAVAILABLE, "interrupted while waiting for model '" + e.spec.id() + "' to load");
        } catch (java.util.concurrent.ExecutionException ex) {
            throw MeshError.wrap(ex);
        }
    }

    /** Unloads the model; the future completes once its native memory is released. */
    public CompletableFuture<Void> unload(String id) {
        ModelEntry e = entries.remove(id);
        if (e == null) {
            return CompletableFuture.completedFuture(null);
        }
        events.unloaded();
        changes.accept(id);
        return e.unload();
    }

    public Optional<CopyInfo> copy(String id) {
        return Optional.ofNullable(entries.get(id)).map(ModelEntry::info);
    }

    /** The spec the copy of the model in this slot was loaded with, if there is one. */
    public Optional<ModelSpec> spec(String id) {
        return Optional.ofNullable(entries.get(id)).map(e -> e.spec);
    }

    public List<CopyInfo> copies() {
        List<CopyInfo> out = new ArrayList<>();
        entries.values().forEach(e -> out.add(e.info()));
        out.sort(Comparator.comparing(CopyInfo::modelId));
        return out;
    }

    public String slot() {
        return slot;
    }

    public long capacityBytes() {
        return memory.capacity();
    }

    /** Bytes reserved in the slot: loaded copies at their measured size, loading ones at their prediction. */
    public long usedBytes() {
        return memory.used();
    }

    /** The bytes the namespace's copies hold in this slot now. */
    public long usedBytes(String namespace) {
        return memory.used(namespace);
    }

    /** Bytes per namespace in this slot now. */
    public java.util.Map<String, Long> usedByNamespace() {
        return memory.byNamespace();
    }

    /** Bytes of the budget not reserved. */
    public long freeBytes() {
        return memory.capacity() - memory.used();
    }

    /** Copies evicted to make room since the cache started. */
    public long evictions() {
        return evictions.get();
    }

    /**
     * Forgets every copy the runtime held, at once, because the runtime is gone; returns how many.
     * Copies still loading are left to their load threads: a load that was talking to the runtime
     * fails by itself, and says why (the process died under it) better than this can. FAILED copies
     * stay too: their failure is still true (a crash among them is what keeps the model off every
     * other node), and they hold nothing in the runtime.
     */
    public int dropAll(String reason) {
        int n = 0;
        for (String id : new ArrayList<>(entries.keySet())) {
            ModelEntry e = entries.get(id);
            // checked outside the map's lock (the entry's monitor comes first); one that finished loading meanwhile is dropped too
            if (e != null && e.heldByRuntime() && entries.remove(id, e)) {
                e.lost(reason);
                n++;
                changes.accept(id);
            }
        }
        return n;
    }

    /** Unloads everything, waiting up to {@code timeoutMs} for in-flight requests. */
    public void close(long timeoutMs) {
        List<CompletableFuture<Void>> pending = new ArrayList<>(entries.keySet()).stream().map(this::unload).toList();
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // shutting down: what did not finish in time goes with the process
        }
    }
}
