package dev.meshwork.placement.registry;

import java.util.List;
import java.util.Optional;

/** The set of registered models, shared by every router; implementations are thread-safe. */
public interface ModelRegistry {
    Optional<ModelSpec> get(String id);

    /** Registers or replaces a model; returns the previous spec, if any. */
    Optional<ModelSpec> put(ModelSpec spec);

    /** Unregisters a model; returns the removed spec, if any. */
    Optional<ModelSpec> remove(String id);

    /** Every registered model, sorted by id. */
    List<ModelSpec> list();

    /** The models registered in the namespace (a scan of every registration: registration is rare, requests never count). */
    default long count(String namespace) {
        return list().stream().filter(s -> s.namespace().equals(namespace)).count();
    }
}
