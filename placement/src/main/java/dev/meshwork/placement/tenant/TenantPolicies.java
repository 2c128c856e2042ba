package dev.meshwork.placement.tenant;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of every namespace's policy: its own document, else the defaults ({@code *}), else no
 * limit at all. Immutable; built again when a document changes.
 */
public final class TenantPolicies {
    /** No documents: every namespace unlimited, no shares (eviction is the plain policy's). */
    public static final TenantPolicies NONE = new TenantPolicies(List.of());

    /** How many namespaces without a document of their own keep their copy of the defaults; beyond, one is made per call. */
    private static final int DERIVED_LIMIT = 100_000;
    private final Map<String, TenantPolicy> byNamespace = new HashMap<>();
    /** The defaults as each namespace without a document sees them: asked per request and per eviction, so made once. */
    private final java.util.concurrent.ConcurrentMap<String, TenantPolicy> derived = new java.util.concurrent.ConcurrentHashMap<>();
    private final TenantPolicy defaults;
    private final int highestPriority;

    public TenantPolicies(Collection<TenantPolicy> policies) {
        policies.forEach(p -> byNamespace.put(p.namespace(), p));
        TenantPolicy d = byNamespace.remove(TenantPolicy.DEFAULTS);
        this.defaults = d == null ? TenantPolicy.unlimited(TenantPolicy.DEFAULTS) : d;
        int highest = defaults.priority();
        for (TenantPolicy p : byNamespace.values()) {
            highest = Math.max(highest, p.priority());
        }
        this.highestPriority = highest;
    }

    /** The policy that holds for {@code namespace}. */
    public TenantPolicy of(String namespace) {
        TenantPolicy p = byNamespace.get(namespace);
        if (p != null) {
            return p;
        }
        p = derived.get(namespace);
        if (p == null) {
            p = defaults.forNamespace(namespace);
            if (derived.size() < DERIVED_LIMIT) {
                derived.putIfAbsent(namespace, p);
            }
        }
        return p;
    }

    /** The defaults document (unlimited when there is none). */
    public TenantPolicy defaults() {
        return defaults;
    }

    /** Whether the namespace has a document of its own. */
    public boolean hasOwn(String namespace) {
        return byNamespace.containsKey(namespace);
    }

    /** The namespaces with documents of their own. */
    public Collection<String> namespaces() {
        return List.copyOf(byNamespace.keySet());
    }

    /** The highest priority any namespace has: namespaces below it are shed first under overload. */
    public int highestPriority() {
        return highestPriority;
    }

    /** Whether any namespace is guaranteed memory or capped (else fair eviction is the plain policy). */
    public boolean sharesMemory() {
        return defaults.memoryShare().isSet() || defaults.maxMemory().isSet()
                || byNamespace.values().stream().anyMatch(p -> p.memoryShare().isSet() || p.maxMemory().isSet());
    }
}
