package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.placement.registry.VModelRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The vmodels shared by every router, like {@link HazelcastModelRegistry}, with their ids also held
 * on this member ({@link KeyIndex}) for the request path's {@link #find}. Thread-safe.
 */
public final class HazelcastVModelRegistry implements VModelRegistry {
    static final String KIND = "registry-vmodel";
    /** How often the id index is checked against the map, bounding what a lost event costs. */
    static final long INDEX_REPAIR_MILLIS = 5_000;
    private final SignedMap<VModel> map;
    private final KeyIndex ids;

    public HazelcastVModelRegistry(HazelcastInstance hz) {
        this(hz, RowSigner.NONE);
    }

    public HazelcastVModelRegistry(HazelcastInstance hz, RowSigner signer) {
        com.hazelcast.map.IMap<String, Object> imap = hz.getMap(MapNames.VMODELS);
        this.map = new SignedMap<>(imap, signer, KIND, VModel.class);
        this.ids = new KeyIndex(imap, INDEX_REPAIR_MILLIS);
    }

    @Override
    public Optional<VModel> get(String id) {
        return map.get(id);
    }

    /** Reads the shared map only for a name this member knows as a vmodel: most names are models, and need no read. */
    @Override
    public Optional<VModel> find(String name) {
        return name != null && ids.contains(name) ? map.get(name) : Optional.empty();
    }

    KeyIndex index() {
        return ids;
    }

    @Override
    public void put(VModel vmodel) {
        map.set(vmodel.id(), vmodel);
        ids.added(vmodel.id());
    }

    @Override
    public Optional<VModel> remove(String id) {
        Optional<VModel> gone = map.remove(id);
        ids.removed(id);
        return gone;
    }

    @Override
    public List<VModel> list() {
        return map.values().stream().sorted(Comparator.comparing(VModel::id)).toList();
    }
}
