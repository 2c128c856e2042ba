package dev.meshwork.placement.tenant;

import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The namespaces' memory against the mesh at one moment: each one's guaranteed share and ceiling
 * in bytes (its policy's amounts of the mesh's slot memory) and the bytes its copies hold across
 * the mesh. What fair eviction and placement decide from. Immutable apart from the usage function,
 * which the caller may make live (a node's own slots change while it evicts).
 */
public final class TenantShares {
    private final TenantPolicies policies;
    private final long meshBytes;
    private final ToLongFunction<String> usage;

    /**
     * @param meshBytes the slot memory of every node of the mesh
     * @param usage     the bytes a namespace's copies hold across the mesh (loading ones at their prediction)
     */
    public TenantShares(TenantPolicies policies, long meshBytes, ToLongFunction<String> usage) {
        this.policies = policies;
        this.meshBytes = meshBytes;
        this.usage = usage;
    }

    /** Shares over a fixed map of usage. */
    public static TenantShares of(TenantPolicies policies, long meshBytes, Map<String, Long> usage) {
        return new TenantShares(policies, meshBytes, ns -> usage.getOrDefault(ns, 0L));
    }

    /**
     * The namespaces that hold memory and no more than their guaranteed share: a load of another
     * namespace takes none of theirs, so placement prefers nodes where it need not.
     */
    public static java.util.Set<String> withinShare(TenantPolicies policies, MeshUsage usage) {
        TenantShares s = of(policies, usage.slotBytes(), usage.byNamespace());
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String ns : usage.byNamespace().keySet()) {
            if (!s.overShare(ns)) {
                out.add(ns);
            }
        }
        return out;
    }

    public TenantPolicies policies() {
        return policies;
    }

    public long meshBytes() {
        return meshBytes;
    }

    public long guaranteed(String namespace) {
        return policies.of(namespace).memoryShare().of(meshBytes);
    }

    /** The most the namespace may hold; {@link Long#MAX_VALUE} when it has no ceiling. */
    public long ceiling(String namespace) {
        MemoryAmount max = policies.of(namespace).maxMemory();
        return max.isSet() ? max.of(meshBytes) : Long.MAX_VALUE;
    }

    public long usage(String namespace) {
        return usage.applyAsLong(namespace);
    }

    /** Whether the namespace holds more than it is guaranteed: it is borrowing, and its copies may go to others' loads. */
    public boolean overShare(String namespace) {
        return usage(namespace) > guaranteed(namespace);
    }

    /** Whether {@code bytes} more would take the namespace past its ceiling. */
    public boolean passesCeiling(String namespace, long bytes) {
        long ceiling = ceiling(namespace);
        return ceiling != Long.MAX_VALUE && usage(namespace) + bytes > ceiling;
    }
}
