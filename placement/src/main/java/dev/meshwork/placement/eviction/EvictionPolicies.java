package dev.meshwork.placement.eviction;

import dev.meshwork.protocol.error.MeshError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The eviction policies on the class path, by the name configuration uses; read once, immutable after. */
public final class EvictionPolicies {
    /** The default, as ModelMesh. */
    public static final String DEFAULT = "lru";
    private static final Map<String, EvictionPolicyProvider> BY_NAME = load();

    private EvictionPolicies() {
    }

    private static Map<String, EvictionPolicyProvider> load() {
        Map<String, EvictionPolicyProvider> out = new LinkedHashMap<>();
        ServiceLoader.load(EvictionPolicyProvider.class, EvictionPolicies.class.getClassLoader()).forEach(p -> out.putIfAbsent(p.name(), p));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The names of the policies there are, the default first. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** A policy for one slot (GDSF keeps per-slot state, so each slot gets its own). */
    public static EvictionPolicy create(String name) {
        EvictionPolicyProvider p = BY_NAME.get(name == null || name.isEmpty() ? DEFAULT : name);
        if (p == null) {
            throw MeshError.invalid("node.evictionPolicy '%s' is not one of %s", name, names());
        }
        return p.create();
    }
}
