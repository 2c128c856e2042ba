package dev.meshwork.placement.registry;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Vmodels held in this process's memory: for standalone mode and unit tests. Thread-safe. */
public final class InMemoryVModelRegistry implements VModelRegistry {
    private final ConcurrentMap<String, VModel> vmodels = new ConcurrentHashMap<>();

    @Override
    public Optional<VModel> get(String id) {
        return Optional.ofNullable(vmodels.get(id));
    }

    @Override
    public void put(VModel vmodel) {
        vmodels.put(vmodel.id(), vmodel);
    }

    @Override
    public Optional<VModel> remove(String id) {
        return Optional.ofNullable(vmodels.remove(id));
    }

    @Override
    public List<VModel> list() {
        return vmodels.values().stream().sorted(Comparator.comparing(VModel::id)).toList();
    }
}
