package dev.meshwork.placement.registry;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A registry held in this process's memory: for standalone mode and unit tests. Thread-safe. */
public final class InMemoryModelRegistry implements ModelRegistry {
    private final ConcurrentMap<String, ModelSpec> models = new ConcurrentHashMap<>();

    @Override
    public Optional<ModelSpec> get(String id) {
        return Optional.ofNullable(models.get(id));
    }

    @Override
    public Optional<ModelSpec> put(ModelSpec spec) {
        return Optional.ofNullable(models.put(spec.id(), spec));
    }

    @Override
    public Optional<ModelSpec> remove(String id) {
        return Optional.ofNullable(models.remove(id));
    }

    @Override
    public List<ModelSpec> list() {
        return models.values().stream().sorted(Comparator.comparing(ModelSpec::id)).toList();
    }
}
