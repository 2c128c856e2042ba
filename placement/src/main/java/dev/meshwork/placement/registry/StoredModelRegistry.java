package dev.meshwork.placement.registry;

import java.util.List;
import java.util.Optional;

/** Registered models in memory, written through to a {@link RegistryStore} (none by default). Thread-safe. */
public final class StoredModelRegistry implements ModelRegistry {
    private final StoredMap<ModelSpec> models;

    public StoredModelRegistry() {
        this(RegistryStore.NONE);
    }

    public StoredModelRegistry(RegistryStore store) {
        this.models = new StoredMap<>("model", ModelSpec.class, ModelSpec::id, store);
    }

    @Override
    public Optional<ModelSpec> get(String id) {
        return models.get(id);
    }

    @Override
    public Optional<ModelSpec> put(ModelSpec spec) {
        return models.put(spec);
    }

    @Override
    public Optional<ModelSpec> remove(String id) {
        return models.remove(id);
    }

    @Override
    public List<ModelSpec> list() {
        return models.list();
    }
}
