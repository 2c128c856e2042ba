package dev.meshwork.node.cache;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.runtime.LoadedModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One slot's loads, phase by phase: the artifact fetched (on the loader's download threads), then
 * on a load thread the predicted size reserved ({@link SlotRoom}), the runtime's load, and the
 * reservation corrected to the measured size; each phase timed ({@link LoadPhase}) and traced
 * ({@link LoadTrace}). The fetch's completion thread and the load threads run it; the entry it
 * makes is the only state, and {@link ModelEntry} guards its own.
 */
final class CopyLoads {
    private final String slot;
    private final SlotMemory memory;
    private final ModelCache.Loader loader;
    private final ExecutorService loadExecutor;
    private final SlotRoom room;
    private final int maxConcurrency;
    private final Supplier<CacheEvents> events;
    private final Consumer<String> changes;

    CopyLoads(String slot, SlotMemory memory, ModelCache.Loader loader, ExecutorService loadExecutor, SlotRoom room, int maxConcurrency,
              Supplier<CacheEvents> events, Consumer<String> changes) {
        this.slot = slot;
        this.memory = memory;
        this.loader = loader;
        this.loadExecutor = loadExecutor;
        this.room = room;
        this.maxConcurrency = maxConcurrency;
        this.events = events;
        this.changes = changes;
    }

    /** A new LOADING entry for the model, its fetch started; the load follows on a load thread. */
    ModelEntry start(ModelSpec spec) {
        ModelEntry e = new ModelEntry(spec, slot, memory, maxConcurrency);
        long started = System.nanoTime();
        LoadTrace trace = new LoadTrace(spec, slot);
        CompletableFuture<?> fetched;
        try {
            fetched = loader.fetch(spec);
        } catch (RuntimeException ex) {
            fetched = CompletableFuture.failedFuture(ex);
        }
        fetched.whenComplete((v, t) -> {
            Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            trace.downloaded(cause);
            long fetchedAt = System.nanoTime();
            events.get().loadPhase(LoadPhase.DOWNLOAD, fetchedAt - started);
            if (t == null) {
                try {
                    loadExecutor.execute(() -> {
                        events.get().loadPhase(LoadPhase.QUEUED, System.nanoTime() - fetchedAt);
                        load(e, trace);
                    });
                    return;
                } catch (RejectedExecutionException ex) {
                    cause = ex;
                }
            }
            failed(e, null, cause, started);
            trace.ended(cause);
        });
        return e;
    }

    /** Runs on a load thread: reserve the predicted size, load, correct the reservation to the measured size. */
    private void load(ModelEntry e, LoadTrace trace) {
        try (LoadTrace.Phase phase = trace.runtimeLoad()) {
            Throwable failure = load(e);
            if (failure != null) {
                phase.failed(failure);
            }
            trace.ended(failure);
        }
    }

    /** {@link #load(ModelEntry, LoadTrace)}'s work; answers why it failed, or null. */
    private Throwable load(ModelEntry e) {
        long started = System.nanoTime();
        LoadedModel model = null;
        try {
            long predicted = e.spec.sizeHint() > 0 ? e.spec.sizeHint() : loader.predictSize(e.spec);
            room.reserve(e, predicted);
            long roomAt = System.nanoTime();
            events.get().loadPhase(LoadPhase.ROOM, roomAt - started);
            ModelCache.Loaded loaded = loader.load(e.spec);
            model = loaded.model();
            events.get().loadPhase(LoadPhase.RUNTIME, System.nanoTime() - roomAt);
            long measured = model.sizeBytes();
            if (measured > predicted) {
                room.reserve(e, measured - predicted);
            } else if (measured < predicted) {
                e.returnReserved(predicted - measured);
            }
            e.loaded(model, loaded.digest(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            events.get().loaded(System.nanoTime() - started, true);
        } catch (Throwable t) {
            failed(e, model, t, started);
            return t;
        }
        changes.accept(e.spec.id());
        return null;
    }

    /** A load that failed (fetching, predicting, reserving or loading): the entry remembers why. */
    private void failed(ModelEntry e, LoadedModel model, Throwable t, long started) {
        if (model != null) {
            model.close();
        }
        e.failed(MeshError.wrap(t));
        events.get().loaded(System.nanoTime() - started, false);
        room.mayHaveChanged(); // its reservation went back
        changes.accept(e.spec.id());
    }
}
