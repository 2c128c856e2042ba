package dev.meshwork.placement.registry;

import java.util.List;
import java.util.Optional;

/** The set of vmodels, shared by every router; implementations are thread-safe. */
public interface VModelRegistry {
    Optional<VModel> get(String id);

    /**
     * The vmodel a data-plane name means, for the request path, where most names are plain models:
     * a shared registry may answer from what this process knows, and miss a vmodel made on another
     * router in the last moments (it then resolves as a model name, as a near-cached miss would).
     */
    default Optional<VModel> find(String name) {
        return get(name);
    }

    void put(VModel vmodel);

    Optional<VModel> remove(String id);

    /** Every vmodel, sorted by id. */
    List<VModel> list();

    /** The vmodels whose active model or target is {@code modelId}. */
    default List<VModel> using(String modelId) {
        return list().stream().filter(v -> v.uses(modelId)).toList();
    }
}
