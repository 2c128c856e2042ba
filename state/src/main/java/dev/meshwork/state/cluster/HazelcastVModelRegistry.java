package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.placement.registry.VModelRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The vmodels shared by every router, like {@link HazelcastModelRegistry}. Thread-safe. */
public final class HazelcastVModelRegistry implements VModelRegistry {
    private final IMap<String, VModel> map;

    public HazelcastVModelRegistry(HazelcastInstance hz) {
        this.map = hz.getMap(MapNames.VMODELS);
    }

    @Override
    public Optional<VModel> get(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(map.get(id));
    }

    @Override
    public void put(VModel vmodel) {
        map.set(vmodel.id(), vmodel);
    }

    @Override
    public Optional<VModel> remove(String id) {
        return Optional.ofNullable(map.remove(id));
    }

    @Override
    public List<VModel> list() {
        return map.values().stream().sorted(Comparator.comparing(VModel::id)).toList();
    }
}
