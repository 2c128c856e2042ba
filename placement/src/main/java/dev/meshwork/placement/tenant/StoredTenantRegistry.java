package dev.meshwork.placement.tenant;

import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.placement.registry.StoredMap;
import java.util.List;
import java.util.Optional;

/**
 * Tenant documents in memory, written through to the registry's {@link RegistryStore} (kind
 * {@code tenant}), for standalone mode and tests. The snapshot is made again after each change.
 * Thread-safe.
 */
public final class StoredTenantRegistry implements TenantRegistry {
    private final StoredMap<TenantPolicy> documents;
    private volatile TenantPolicies snapshot;

    public StoredTenantRegistry() {
        this(RegistryStore.NONE);
    }

    public StoredTenantRegistry(RegistryStore store) {
        this.documents = new StoredMap<>("tenant", TenantPolicy.class, TenantPolicy::namespace, store);
        this.snapshot = new TenantPolicies(documents.list());
    }

    @Override
    public Optional<TenantPolicy> get(String namespace) {
        return documents.get(namespace);
    }

    @Override
    public synchronized Optional<TenantPolicy> put(TenantPolicy policy) {
        Optional<TenantPolicy> previous = documents.put(policy);
        snapshot = new TenantPolicies(documents.list());
        return previous;
    }

    @Override
    public synchronized Optional<TenantPolicy> remove(String namespace) {
        Optional<TenantPolicy> removed = documents.remove(namespace);
        snapshot = new TenantPolicies(documents.list());
        return removed;
    }

    @Override
    public List<TenantPolicy> list() {
        return documents.list();
    }

    @Override
    public TenantPolicies policies() {
        return snapshot;
    }
}
