package dev.meshwork.placement.tenant;

import java.util.List;
import java.util.Optional;

/** The tenants' policy documents, shared by every router and read by nodes; implementations are thread-safe. */
public interface TenantRegistry {
    Optional<TenantPolicy> get(String namespace);

    /** Stores a document; returns the one it replaced. */
    Optional<TenantPolicy> put(TenantPolicy policy);

    Optional<TenantPolicy> remove(String namespace);

    /** Every document, sorted by namespace ({@code *} first). */
    List<TenantPolicy> list();

    /** A snapshot of the policies. */
    default TenantPolicies policies() {
        return new TenantPolicies(list());
    }
}
