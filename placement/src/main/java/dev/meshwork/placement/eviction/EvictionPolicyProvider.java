package dev.meshwork.placement.eviction;

/**
 * An eviction policy as a plug-in, found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.meshwork.placement.eviction.EvictionPolicyProvider}), so a
 * policy can be added without touching the node: the same way runtimes are found. Stateless.
 */
public interface EvictionPolicyProvider {
    /** The name {@code node.evictionPolicy} uses ("lru"). */
    String name();

    /** A new policy for one slot (a policy may keep per-slot state, as GDSF does). */
    EvictionPolicy create();

    /**
     * A new policy for one slot, with the parameter written after the name ({@code gdsf:16});
     * a policy that takes none refuses one.
     */
    default EvictionPolicy create(String parameter) {
        if (parameter.isEmpty()) {
            return create();
        }
        throw dev.meshwork.protocol.error.MeshError.invalid("node.evictionPolicy '%s:%s': %s takes no parameter", name(), parameter, name());
    }
}
