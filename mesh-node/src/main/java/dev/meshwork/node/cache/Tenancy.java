package dev.meshwork.node.cache;

import dev.meshwork.placement.tenant.TenantPolicies;
import dev.meshwork.placement.tenant.TenantShares;

/**
 * The namespaces' shares as a slot's fair eviction sees them: the tenants' policies, the mesh's
 * slot memory, and each namespace's bytes across the mesh with this node's own slots read live.
 * Called on load threads while they make room; must be quick.
 */
@FunctionalInterface
public interface Tenancy {
    /** No policies: every namespace borrows, so eviction is the slot's plain policy. */
    Tenancy NONE = () -> new TenantShares(TenantPolicies.NONE, 0, ns -> 0);

    TenantShares shares();
}
