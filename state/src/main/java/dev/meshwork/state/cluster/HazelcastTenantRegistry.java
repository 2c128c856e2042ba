package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.placement.tenant.TenantRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The tenants' documents shared by every router and read by nodes: a Hazelcast map written through
 * to the registry store, each row signed by the router that wrote it, like the model registry.
 * Readers on hot paths keep a snapshot of {@link #policies()} and refresh it now and then. Thread-safe.
 */
public final class HazelcastTenantRegistry implements TenantRegistry {
    static final String KIND = "registry-tenant";
    private final SignedMap<TenantPolicy> map;

    public HazelcastTenantRegistry(HazelcastInstance hz, RowSigner signer) {
        this.map = new SignedMap<>(hz.getMap(MapNames.TENANTS), signer, KIND, TenantPolicy.class);
    }

    @Override
    public Optional<TenantPolicy> get(String namespace) {
        return map.get(namespace);
    }

    @Override
    public Optional<TenantPolicy> put(TenantPolicy policy) {
        return map.put(policy.namespace(), policy);
    }

    @Override
    public Optional<TenantPolicy> remove(String namespace) {
        return map.remove(namespace);
    }

    @Override
    public List<TenantPolicy> list() {
        return map.values().stream().sorted(Comparator.comparing(TenantPolicy::namespace)).toList();
    }
}
