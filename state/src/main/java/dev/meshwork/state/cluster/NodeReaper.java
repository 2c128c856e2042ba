package dev.meshwork.state.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.table.PlacementTable;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes nodes that left the cluster from the node table, with every copy they held, as soon as
 * Hazelcast declares them gone, and again in a periodic sweep (which also catches nodes that died
 * while no router was up). Runs on every router; the removals are idempotent. Runs on Hazelcast's
 * event thread and its own sweep thread.
 */
public final class NodeReaper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeReaper.class);

    private final HazelcastInstance hz;
    private final NodeTable nodes;
    private final PlacementTable placement;
    private final Consumer<NodeRecord> onNodeGone;
    private final UUID listener;
    private final ScheduledExecutorService sweeper;

    /** @param onNodeGone told of each node removed, after its copies left the table */
    public NodeReaper(HazelcastInstance hz, NodeTable nodes, PlacementTable placement, long sweepMs, Consumer<NodeRecord> onNodeGone) {
        this.hz = hz;
        this.nodes = nodes;
        this.placement = placement;
        this.onNodeGone = onNodeGone;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshwork-node-reaper");
            t.setDaemon(true);
            return t;
        });
        this.listener = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                sweeper.execute(NodeReaper.this::sweep); // not on Hazelcast's event thread: the removals are remote calls
            }
        });
        sweeper.scheduleWithFixedDelay(this::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    }

    /** Removes every node whose member is gone; safe to call from any thread. */
    public synchronized void sweep() {
        try {
            Set<String> members = hz.getCluster().getMembers().stream().map(Member::getUuid).map(UUID::toString).collect(Collectors.toSet());
            for (NodeRecord n : nodes.list()) {
                if (!members.contains(n.memberId())) {
                    placement.removeNode(n.nodeId());
                    nodes.remove(n.nodeId());
                    LOG.info("node {} left the cluster; its copies left the placement table", n.nodeId());
                    onNodeGone.accept(n);
                }
            }
        } catch (RuntimeException e) {
            if (hz.getLifecycleService().isRunning()) {
                LOG.warn("sweeping departed nodes failed; the next sweep retries", e);
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        try {
            hz.getCluster().removeMembershipListener(listener);
        } catch (RuntimeException ignored) {
            // the member is already down
        }
    }
}
