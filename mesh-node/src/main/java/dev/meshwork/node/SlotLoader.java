package dev.meshwork.node;

import dev.meshwork.node.batch.Batchers;
import dev.meshwork.node.cache.ModelCache;
import dev.meshwork.node.crash.CrashLedger;
import dev.meshwork.node.storage.Artifact;
import dev.meshwork.node.storage.ArtifactStore;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.RuntimeAdapter;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How one slot sizes, fetches and loads a model: the artifact from the store, a refusal when the
 * crash ledger blames the model, a durable mark while the runtime loads it, and a check that a
 * model asking for batching can batch. Load threads call it; stateless beyond its collaborators.
 */
final class SlotLoader implements ModelCache.Loader {
    private final RuntimeAdapter runtime;
    private final ArtifactStore store;
    private final CrashLedger ledger;

    SlotLoader(RuntimeAdapter runtime, ArtifactStore store, CrashLedger ledger) {
        this.runtime = runtime;
        this.store = store;
        this.ledger = ledger;
    }

    @Override
    public long predictSize(ModelSpec spec) throws Exception {
        try (Artifact a = store.open(spec.storageUri())) {
            return runtime.predictSize(spec, a.path());
        }
    }

    @Override
    public ModelCache.Loaded load(ModelSpec spec) throws Exception {
        Optional<String> poisoned = ledger.refusal(spec);
        if (poisoned.isPresent()) {
            throw CrashLedger.crashed(poisoned.get());
        }
        try (Artifact a = store.open(spec.storageUri()); CrashLedger.Mark loading = ledger.beginLoad(spec)) {
            LoadedModel model = runtime.load(spec, a.path());
            try {
                Batchers.check(spec, model);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            return new ModelCache.Loaded(model, a.digest());
        }
    }

    @Override
    public CompletableFuture<?> fetch(ModelSpec spec) {
        return store.prefetch(spec.storageUri());
    }
}
