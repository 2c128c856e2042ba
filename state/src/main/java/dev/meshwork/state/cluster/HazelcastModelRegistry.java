package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.meshwork.placement.registry.ModelRegistry;
import dev.meshwork.placement.registry.ModelSpec;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The registry shared by every router: a Hazelcast map written through to the registry store
 * ({@link RegistryMapStore}) and read from the near cache. Thread-safe.
 */
public final class HazelcastModelRegistry implements ModelRegistry {
    private final IMap<String, ModelSpec> map;

    public HazelcastModelRegistry(HazelcastInstance hz) {
        this.map = hz.getMap(MapNames.MODELS);
    }

    @Override
    public Optional<ModelSpec> get(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(map.get(id));
    }

    @Override
    public Optional<ModelSpec> put(ModelSpec spec) {
        return Optional.ofNullable(map.put(spec.id(), spec));
    }

    @Override
    public Optional<ModelSpec> remove(String id) {
        return Optional.ofNullable(map.remove(id));
    }

    @Override
    public List<ModelSpec> list() {
        return map.values().stream().sorted(Comparator.comparing(ModelSpec::id)).toList();
    }
}
