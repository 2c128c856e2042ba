package dev.meshwork.placement.registry;

import java.util.List;
import java.util.Optional;

/** The set of vmodels, shared by every router; implementations are thread-safe. */
public interface VModelRegistry {
    Optional<VModel> get(String id);

    void put(VModel vmodel);

    Optional<VModel> remove(String id);

    /** Every vmodel, sorted by id. */
    List<VModel> list();

    /** The vmodels whose active model or target is {@code modelId}. */
    default List<VModel> using(String modelId) {
        return list().stream().filter(v -> v.uses(modelId)).toList();
    }
}
