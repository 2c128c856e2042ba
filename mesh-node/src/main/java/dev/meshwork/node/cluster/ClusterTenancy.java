package dev.meshwork.node.cluster;

import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.tenant.MeshUsage;
import dev.meshwork.placement.tenant.TenantPolicies;
import dev.meshwork.placement.tenant.TenantRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's view of the tenants for fair eviction: the policies and the other nodes' usage per
 * namespace, read from the shared maps by its own thread every {@code periodMs} so that load
 * threads, which ask per eviction, read memory only. Both may be a period old: a share is a
 * long-run promise, and this node's own slots are always read live.
 */
final class ClusterTenancy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterTenancy.class);
    private final TenantRegistry registry;
    private final NodeTable nodes;
    private final String nodeId;
    private final ScheduledExecutorService thread;
    private volatile TenantPolicies policies = TenantPolicies.NONE;
    private volatile MeshUsage others = MeshUsage.NONE;

    ClusterTenancy(TenantRegistry registry, NodeTable nodes, String nodeId, long periodMs) {
        this.registry = registry;
        this.nodes = nodes;
        this.nodeId = nodeId;
        refresh();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("meshwork-tenancy").unstarted(r));
        thread.scheduleWithFixedDelay(this::refresh, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            policies = registry.policies();
            others = MeshUsage.of(nodes.list(), nodeId);
        } catch (RuntimeException e) {
            LOG.debug("tenant shares not refreshed this round; the last ones stand", e);
        }
    }

    TenantPolicies policies() {
        return policies;
    }

    MeshUsage others() {
        return others;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
