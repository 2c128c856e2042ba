package dev.meshwork.node.cache;

import dev.meshwork.node.runtime.LoadedModel;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The models loaded on a node: exactly one load per model however many requests miss at once,
 * requests pin a copy while they run, and an unload waits for them. Request threads call
 * {@link #acquire}; loads run on the given load executor. Thread-safe.
 */
public final class ModelCache {
    /** Loads one model; runs on a load thread. */
    public interface Loader {
        LoadedModel load(ModelSpec spec) throws Exception;

        /** The slot the model will live in. */
        String slotFor(ModelSpec spec);
    }

    private final ConcurrentMap<String, ModelEntry> entries = new ConcurrentHashMap<>();
    private final Loader loader;
    private final ExecutorService loadExecutor;
    private final long loadTimeoutMs;
    private final long backoffNanos;

    public ModelCache(Loader loader, ExecutorService loadExecutor, long loadTimeoutMs, long failedLoadBackoffMs) {
        this.loader = loader;
        this.loadExecutor = loadExecutor;
        this.loadTimeoutMs = loadTimeoutMs;
        this.backoffNanos = TimeUnit.MILLISECONDS.toNanos(failedLoadBackoffMs);
    }

    /** A pinned, loaded model; close it to release the pin. */
    public static final class Lease implements AutoCloseable {
        private final ModelEntry entry;
        private final LoadedModel model;

        Lease(ModelEntry entry, LoadedModel model) {
            this.entry = entry;
            this.model = model;
        }

        public LoadedModel model() {
            return model;
        }

        @Override
        public void close() {
            entry.release();
        }
    }

    /** Pins the model, loading it first when needed; blocks the calling (request) thread until it is loaded. */
    public Lease acquire(ModelSpec spec) {
        for (int attempt = 0; ; attempt++) {
            ModelEntry e = entryFor(spec);
            awaitLoad(e);
            try {
                return new Lease(e, e.acquire());
            } catch (MeshError err) {
                // Raced with an unload or a re-registration: the next round starts a fresh load.
                if (err.code() != ErrorCode.UNAVAILABLE || attempt >= 2) {
                    throw err;
                }
            }
        }
    }

    private ModelEntry entryFor(ModelSpec spec) {
        ModelEntry[] replaced = new ModelEntry[1];
        ModelEntry e = entries.compute(spec.id(), (id, cur) -> {
            if (cur != null && cur.spec.equals(spec) && cur.state() != CopyState.UNLOADING
                    && (cur.state() != CopyState.FAILED || cur.failedWithin(backoffNanos))) {
                return cur;
            }
            replaced[0] = cur;
            return startLoad(spec);
        });
        if (replaced[0] != null) {
            replaced[0].unload();
        }
        return e;
    }

    private ModelEntry startLoad(ModelSpec spec) {
        ModelEntry e = new ModelEntry(spec, loader.slotFor(spec), spec.sizeHint());
        loadExecutor.execute(() -> {
            try {
                e.loaded(loader.load(spec));
            } catch (Throwable t) {
                e.failed(MeshError.wrap(t).getMessage());
            }
        });
        return e;
    }

    private void awaitLoad(ModelEntry e) {
        try {
            e.loadDone.get(loadTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException ex) {
            throw new MeshError(ErrorCode.DEADLINE_EXCEEDED, "model '" + e.spec.id() + "' did not finish loading within "
                    + loadTimeoutMs + " ms (node.loadTimeoutMs); it keeps loading, retry later");
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
        return e == null ? CompletableFuture.completedFuture(null) : e.unload();
    }

    public Optional<CopyInfo> copy(String id) {
        return Optional.ofNullable(entries.get(id)).map(ModelEntry::info);
    }

    public List<CopyInfo> copies() {
        return entries.values().stream().map(ModelEntry::info).sorted(Comparator.comparing(CopyInfo::modelId)).toList();
    }

    /** Bytes held by copies in {@code slot} (loaded, or loading at their predicted size). */
    public long usedBytes(String slot) {
        return entries.values().stream().filter(e -> e.slot.equals(slot) && e.state() != CopyState.FAILED)
                .mapToLong(ModelEntry::sizeBytes).sum();
    }

    /** Unloads everything, waiting up to {@code timeoutMs} for in-flight requests. */
    public void close(long timeoutMs) {
        List<CompletableFuture<Void>> pending = entries.keySet().stream().map(this::unload).toList();
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // shutting down: what did not finish in time goes with the process
        }
    }
}
