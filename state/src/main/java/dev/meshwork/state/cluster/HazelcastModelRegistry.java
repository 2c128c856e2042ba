package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
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
    static final String KIND = "registry-model";
    private final SignedMap<ModelSpec> map;

    public HazelcastModelRegistry(HazelcastInstance hz) {
        this(hz, RowSigner.NONE);
    }

    /** With a cluster key, every registration is signed by the router that makes it, and one that does not check out is absent. */
    public HazelcastModelRegistry(HazelcastInstance hz, RowSigner signer) {
        this.map = new SignedMap<>(hz.getMap(MapNames.MODELS), signer, KIND, ModelSpec.class);
    }

    @Override
    public Optional<ModelSpec> get(String id) {
        return map.get(id);
    }

    @Override
    public Optional<ModelSpec> put(ModelSpec spec) {
        return map.put(spec.id(), spec);
    }

    @Override
    public Optional<ModelSpec> remove(String id) {
        return map.remove(id);
    }

    @Override
    public List<ModelSpec> list() {
        return map.values().stream().sorted(Comparator.comparing(ModelSpec::id)).toList();
    }
}
