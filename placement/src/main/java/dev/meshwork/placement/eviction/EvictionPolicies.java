package dev.meshwork.placement.eviction;

import dev.meshwork.protocol.error.MeshError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The eviction policies on the class path, by the name configuration uses; read once, immutable after. */
public final class EvictionPolicies {
    /**
     * The default: the decaying frequency per byte, which came closer to the offline optimum than
     * LRU (ModelMesh's) in every pair of live zipf-open and zipf-drift runs and every simulated
     * trace, and within a point of it on the closed-loop zipf scenario (perf/README.md, "Eviction live").
     */
    public static final String DEFAULT = "lfu";
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

    /**
     * A policy for one slot (GDSF keeps per-slot state, so each slot gets its own), by name, with a
     * parameter after a colon for a policy that takes one ({@code gdsf:16}).
     */
    public static EvictionPolicy create(String name) {
        String spec = name == null || name.isEmpty() ? DEFAULT : name;
        int colon = spec.indexOf(':');
        String base = colon < 0 ? spec : spec.substring(0, colon);
        EvictionPolicyProvider p = BY_NAME.get(base);
        if (p == null) {
            throw MeshError.invalid("node.evictionPolicy '%s' is not one of %s", name, names());
        }
        return p.create(colon < 0 ? "" : spec.substring(colon + 1));
    }
}
