package dev.meshwork.node.cache;

import dev.meshwork.node.crash.CrashLedger;
import dev.meshwork.placement.eviction.EvictionCandidate;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.runtime.LoadedModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One model's copy in a slot and its state machine, with the memory it holds in the slot's
 * ledger. Touched by request threads (acquire, release), one load thread (reserve, loaded,
 * failed), evicting loads (tryEvict) and whoever unloads; every state change holds the entry's
 * monitor, held only for field updates and the final close of the model. Lock order: entry, then
 * ledger (the ledger never calls back).
 */
final class ModelEntry {
    final ModelSpec spec;
    /** The spec's fingerprint, computed once: the node reports it with every row it publishes. */
    private final String fingerprint;
    final String slot;
    /** Completes when the load ends, either way; request threads wait on it. */
    final CompletableFuture<Void> loadDone = new CompletableFuture<>();
    /** Completes once the model is closed and its memory returned. */
    final CompletableFuture<Void> unloaded = new CompletableFuture<>();
    private final SlotMemory memory;
    /** Turns for running requests when the model has a concurrency limit, else null. */
    private final Semaphore turns;
    private CopyState state = CopyState.LOADING;
    private LoadedModel model;
    /** The digest of the artifact bytes it loaded; empty until then. */
    private String digest = "";
    private MeshError failure;
    private long failedAtNanos;
    private long reservedBytes;
    private long loadMillis;
    private int inflight;
    /** Requests pinned since the load, for frequency-aware eviction. */
    private long uses;
    private volatile long lastUsedMillis = System.currentTimeMillis();
    /** System.nanoTime() of the last use: the eviction order (milliseconds tie too often). */
    private long lastUsedNanos = System.nanoTime();

    ModelEntry(ModelSpec spec, String slot, SlotMemory memory, int maxConcurrency) {
        this.fingerprint = spec.fingerprint();
        this.spec = spec;
        this.slot = slot;
        this.memory = memory;
        this.turns = maxConcurrency > 0 ? new Semaphore(maxConcurrency, true) : null;
    }

    /**
     * Waits (first come, first served) for one of the model's concurrent turns, holding the pin
     * taken by {@link #acquire()}; called outside the monitor. Returns whether a turn was taken
     * (false when the model has no limit), to hand back to {@link #release(boolean)}.
     */
    boolean awaitTurn(long timeoutMs) {
        if (turns == null) {
            return false;
        }
        try {
            if (!turns.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new MeshError(ErrorCode.UNAVAILABLE, "model '" + spec.id() + "' is running its limit of requests ("
                        + "node.maxConcurrencyPerModel) and this one waited " + timeoutMs + " ms (node.queueTimeoutMs) for a turn; retry later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshError(ErrorCode.UNAVAILABLE, "interrupted while waiting for a turn on model '" + spec.id() + "'");
        }
        return true;
    }

    /** Gives back a turn taken by {@link #awaitTurn}, then the pin. */
    void release(boolean hadTurn) {
        if (hadTurn) {
            turns.release();
        }
        release();
    }

    /** Records bytes the load thread reserved in the ledger for this copy. */
    synchronized void addReserved(long bytes) {
        reservedBytes += bytes;
    }

    /** Returns part of this copy's reservation to the ledger (the measured size was smaller). */
    synchronized void returnReserved(long bytes) {
        reservedBytes -= bytes;
        memory.free(spec.namespace(), bytes);
    }

    synchronized void loaded(LoadedModel m, String artifactDigest, long tookMillis) {
        loadMillis = tookMillis;
        digest = artifactDigest;
        model = m;
        // a fresh copy counts as used now, not when its load was queued: the request that caused the
        // load is about to arrive, and a load that waited behind others must not be the first evicted
        lastUsedMillis = System.currentTimeMillis();
        lastUsedNanos = System.nanoTime();
        if (state == CopyState.UNLOADING) {
            // unloaded while it loaded: nobody can use it, release it now
            closeModel();
        } else {
            state = CopyState.LOADED;
        }
        loadDone.complete(null);
    }

    synchronized void failed(MeshError error) {
        releaseMemory();
        if (state != CopyState.UNLOADING) {
            state = CopyState.FAILED;
            failure = error;
            failedAtNanos = System.nanoTime();
        } else {
            unloaded.complete(null);
        }
        loadDone.complete(null);
    }

    /**
     * Pins the loaded model for one request (the caller must {@link #release()} it), or returns
     * null when the copy is being unloaded or replaced, so the caller starts over with a fresh one.
     */
    synchronized LoadedModel acquire() {
        switch (state) {
            case LOADED -> {
                inflight++;
                uses++;
                lastUsedMillis = System.currentTimeMillis();
                lastUsedNanos = System.nanoTime();
                return model;
            }
            case FAILED -> {
                if (transientFailure()) {
                    throw failure;
                }
                throw new MeshError(ErrorCode.MODEL_NOT_READY, "model '" + spec.id() + "' failed to load: " + failure.getMessage());
            }
            case UNLOADING -> {
                if (failure != null) { // its runtime is gone
                    throw failure;
                }
                return null;
            }
            default -> throw new MeshError(ErrorCode.UNAVAILABLE, "model '" + spec.id() + "' is still loading");
        }
    }

    synchronized void release() {
        inflight--;
        if (inflight == 0 && state == CopyState.UNLOADING && model != null) {
            closeModel();
        }
    }

    /** Starts the unload: the model closes once its last in-flight request has finished. */
    synchronized CompletableFuture<Void> unload() {
        CopyState before = state;
        state = CopyState.UNLOADING;
        if (before == CopyState.FAILED) {
            unloaded.complete(null);
        } else if (before == CopyState.LOADED && inflight == 0) {
            closeModel();
        }
        return unloaded;
    }

    /**
     * The runtime holding the copy is gone (its process died): the copy is dropped without asking
     * the runtime, its memory returns to the ledger, and requests get a clear error.
     */
    /** Whether the copy lives in its runtime (LOADED, or on its way out): what a runtime's loss takes with it. */
    synchronized boolean heldByRuntime() {
        return state == CopyState.LOADED || state == CopyState.UNLOADING;
    }

    synchronized void lost(String reason) {
        state = CopyState.UNLOADING;
        failure = new MeshError(ErrorCode.UNAVAILABLE, reason);
        model = null;
        releaseMemory();
        unloaded.complete(null);
        loadDone.complete(null);
    }

    /** Unloads the copy now if nothing pins it (loaded, no request in flight); true when it did. */
    synchronized boolean tryEvict() {
        if (state != CopyState.LOADED || inflight > 0) {
            return false;
        }
        state = CopyState.UNLOADING;
        closeModel();
        return true;
    }

    private void closeModel() {
        try {
            model.close();
        } finally {
            model = null;
            releaseMemory();
            unloaded.complete(null);
        }
    }

    private void releaseMemory() {
        if (reservedBytes > 0) {
            memory.free(spec.namespace(), reservedBytes);
            reservedBytes = 0;
        }
    }

    /**
     * A copy is not evicted before its first use for this long after its load: the requests that
     * waited for the load pin it a moment after it completes, and in a full slot another load
     * would otherwise take that moment to evict it (they then load it again, and again).
     */
    static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** This copy as an eviction candidate, or null while it is pinned, not loaded, or fresh and never used. */
    synchronized EvictionCandidate candidate() {
        boolean fresh = uses == 0 && System.nanoTime() - lastUsedNanos < FRESH_NANOS;
        return state == CopyState.LOADED && inflight == 0 && !fresh
                ? new EvictionCandidate(spec.id(), reservedBytes, lastUsedNanos, loadMillis, uses) : null;
    }

    /**
     * A failed load is remembered (no retry) for the back-off, except a transient one: no room in
     * the slot, or a runtime that cannot be reached; those may succeed on the next request.
     */
    synchronized boolean failedWithin(long backoffNanos) {
        return state == CopyState.FAILED && !transientFailure() && System.nanoTime() - failedAtNanos < backoffNanos;
    }

    private boolean transientFailure() {
        return failure.code() == ErrorCode.CAPACITY_EXHAUSTED || failure.code() == ErrorCode.UNAVAILABLE;
    }

    synchronized CopyState state() {
        return state;
    }

    synchronized CopyInfo info() {
        return new CopyInfo(spec.id(), slot, state, reservedBytes, lastUsedMillis, failure == null ? "" : failure.getMessage(), fingerprint,
                state == CopyState.LOADED ? digest : "", state == CopyState.FAILED && failure.getCause() instanceof CrashLedger.ProcessCrash,
                spec.storageUri());
    }
}
