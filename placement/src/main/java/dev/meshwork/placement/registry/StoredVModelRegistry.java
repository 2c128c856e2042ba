package dev.meshwork.placement.registry;

import java.util.List;
import java.util.Optional;

/** Vmodels in memory, written through to a {@link RegistryStore} (none by default). Thread-safe. */
public final class StoredVModelRegistry implements VModelRegistry {
    private final StoredMap<VModel> vmodels;

    public StoredVModelRegistry() {
        this(RegistryStore.NONE);
    }

    public StoredVModelRegistry(RegistryStore store) {
        this.vmodels = new StoredMap<>("vmodel", VModel.class, VModel::id, store);
    }

    @Override
    public Optional<VModel> get(String id) {
        return vmodels.get(id);
    }

    @Override
    public void put(VModel vmodel) {
        vmodels.put(vmodel);
    }

    @Override
    public Optional<VModel> remove(String id) {
        return vmodels.remove(id);
    }

    @Override
    public List<VModel> list() {
        return vmodels.list();
    }
}
