package dev.meshwork.node.cache;

import dev.meshwork.node.runtime.LoadedModel;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.util.concurrent.CompletableFuture;

/**
 * One model's copy in the cache and its state machine. Touched by request threads (acquire and
 * release), one load thread (loaded or failed) and whoever unloads; every state change holds the
 * entry's monitor, which is held only for a few field updates.
 */
final class ModelEntry {
    final ModelSpec spec;
    final String slot;
    /** Completes when the load ends, either way; request threads wait on it. */
    final CompletableFuture<Void> loadDone = new CompletableFuture<>();
    /** Completes once the model is closed after an unload. */
    final CompletableFuture<Void> unloaded = new CompletableFuture<>();
    private CopyState state = CopyState.LOADING;
    private LoadedModel model;
    private String error = "";
    private long failedAtNanos;
    private long sizeBytes;
    private int inflight;
    private volatile long lastUsedMillis = System.currentTimeMillis();

    ModelEntry(ModelSpec spec, String slot, long predictedSize) {
        this.spec = spec;
        this.slot = slot;
        this.sizeBytes = predictedSize;
    }

    synchronized void loaded(LoadedModel m) {
        if (state == CopyState.UNLOADING) {
            // unloaded while it loaded: nobody can use it, release it now
            m.close();
            unloaded.complete(null);
        } else {
            model = m;
            sizeBytes = m.sizeBytes();
            state = CopyState.LOADED;
        }
        loadDone.complete(null);
    }

    synchronized void failed(String message) {
        if (state != CopyState.UNLOADING) {
            state = CopyState.FAILED;
            error = message;
            failedAtNanos = System.nanoTime();
        } else {
            unloaded.complete(null);
        }
        loadDone.complete(null);
    }

    /** Pins the loaded model for one request; the caller must {@link #release()} it. */
    synchronized LoadedModel acquire() {
        switch (state) {
            case LOADED -> {
                inflight++;
                lastUsedMillis = System.currentTimeMillis();
                return model;
            }
            case FAILED -> throw new MeshError(ErrorCode.MODEL_NOT_READY, "model '" + spec.id() + "' failed to load: " + error);
            case UNLOADING -> throw new MeshError(ErrorCode.UNAVAILABLE, "model '" + spec.id() + "' is being unloaded; retry");
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

    private void closeModel() {
        try {
            model.close();
        } finally {
            model = null;
            unloaded.complete(null);
        }
    }

    synchronized boolean failedWithin(long backoffNanos) {
        return state == CopyState.FAILED && System.nanoTime() - failedAtNanos < backoffNanos;
    }

    synchronized CopyState state() {
        return state;
    }

    synchronized String error() {
        return error;
    }

    synchronized CopyInfo info() {
        return new CopyInfo(spec.id(), slot, state, sizeBytes, lastUsedMillis, error);
    }

    synchronized long sizeBytes() {
        return sizeBytes;
    }
}
