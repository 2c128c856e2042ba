package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.placement.registry.VModelRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The vmodels shared by every router, like {@link HazelcastModelRegistry}. Thread-safe. */
public final class HazelcastVModelRegistry implements VModelRegistry {
    static final String KIND = "registry-vmodel";
    private final SignedMap<VModel> map;

    public HazelcastVModelRegistry(HazelcastInstance hz) {
        this(hz, RowSigner.NONE);
    }

    public HazelcastVModelRegistry(HazelcastInstance hz, RowSigner signer) {
        this.map = new SignedMap<>(hz.getMap(MapNames.VMODELS), signer, KIND, VModel.class);
    }

    @Override
    public Optional<VModel> get(String id) {
        return map.get(id);
    }

    @Override
    public void put(VModel vmodel) {
        map.set(vmodel.id(), vmodel);
    }

    @Override
    public Optional<VModel> remove(String id) {
        return map.remove(id);
    }

    @Override
    public List<VModel> list() {
        return map.values().stream().sorted(Comparator.comparing(VModel::id)).toList();
    }
}
