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
    /** A router's memo of its requests' reads, or null. */
    private final RouteMemo memo;

    public HazelcastModelRegistry(HazelcastInstance hz) {
        this(hz, RowSigner.NONE);
    }

    /** With a cluster key, every registration is signed by the router that makes it, and one that does not check out is absent. */
    public HazelcastModelRegistry(HazelcastInstance hz, RowSigner signer) {
        this(hz, signer, null);
    }

    /** With {@code memo}, a router's: registrations are read from it, and every write here drops the model's entry. */
    public HazelcastModelRegistry(HazelcastInstance hz, RowSigner signer, RouteMemo memo) {
        this.map = new SignedMap<>(hz.getMap(MapNames.MODELS), signer, KIND, ModelSpec.class);
        this.memo = memo;
    }

    @Override
    public Optional<ModelSpec> get(String id) {
        if (memo != null) {
            RouteMemo.Route route = id == null ? null : memo.route(id);
            return route == null ? Optional.empty() : Optional.of(route.spec());
        }
        return map.get(id);
    }

    @Override
    public Optional<ModelSpec> put(ModelSpec spec) {
        Optional<ModelSpec> before = map.put(spec.id(), spec);
        written(spec.id());
        return before;
    }

    @Override
    public Optional<ModelSpec> remove(String id) {
        Optional<ModelSpec> gone = map.remove(id);
        written(id);
        return gone;
    }

    /** This member wrote the registration: its memo entry goes now, not when the event arrives. */
    private void written(String id) {
        if (memo != null) {
            memo.drop(id);
        }
    }

    @Override
    public List<ModelSpec> list() {
        return map.values().stream().sorted(Comparator.comparing(ModelSpec::id)).toList();
    }
}
