package dev.meshwork.node.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import dev.meshwork.nodeapi.NodeFence;
import dev.meshwork.placement.table.NodeRecord;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node process may serve. It may not while it is outside the cluster (no router in its
 * view: it hung or was cut off, the cluster declared it gone and took its copies out of the table),
 * nor ever again once a newer process of the same node id (a higher incarnation) has taken its place.
 * When it merges back into the cluster as a new member it drops its copies, which the table no
 * longer lists and which may be of versions replaced meanwhile. Touched by Hazelcast's event
 * threads, the table publisher's thread and gRPC threads ({@link #admit}).
 */
final class NodeStanding {
    private static final Logger LOG = LoggerFactory.getLogger(NodeStanding.class);

    private final String nodeId;
    private final long incarnation;
    private volatile boolean inside = true;
    private final AtomicReference<String> supersededBy = new AtomicReference<>();
    private volatile Runnable onRejoin = () -> { };
    private volatile Runnable onSuperseded = () -> { };

    NodeStanding(String nodeId, long incarnation) {
        this.nodeId = nodeId;
        this.incarnation = incarnation;
    }

    long incarnation() {
        return incarnation;
    }

    /** What to do when the process merges back after being declared gone, and once it is superseded; each runs on a thread of its own. */
    void reactions(Runnable onRejoin, Runnable onSuperseded) {
        this.onRejoin = onRejoin;
        this.onSuperseded = onSuperseded;
    }

    /** Follows the member's view of the cluster from now on. */
    void watch(HazelcastInstance hz) {
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                follow(hasRouter(event.getMembers()));
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                follow(hasRouter(event.getMembers()));
            }
        });
        hz.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGING) {
                follow(false);
            } else if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                LOG.warn("node {} merged back into the cluster, which had declared it gone: dropping its copies, which the placement table no longer lists",
                        nodeId);
                Runnable r = onRejoin;
                Thread.ofPlatform().daemon().name("meshwork-rejoin").start(() -> {
                    r.run();
                    follow(hasRouter(hz.getCluster().getMembers()));
                });
            }
        });
        follow(hasRouter(hz.getCluster().getMembers()));
    }

    private void follow(boolean routerInView) {
        if (routerInView != inside) {
            inside = routerInView;
            if (routerInView) {
                LOG.info("node {} sees a router again", nodeId);
            } else {
                LOG.warn("node {} sees no router: it is outside the cluster and serves nothing until it is back", nodeId);
            }
        }
    }

    /** Whether this process may take requests now. */
    boolean serving() {
        return inside && supersededBy.get() == null;
    }

    /** Whether a newer process of this node id replaced this one. */
    boolean superseded() {
        return supersededBy.get() != null;
    }

    /** Why it may not, or empty. */
    String reason() {
        String newer = supersededBy.get();
        if (newer != null) {
            return "this process of node " + nodeId + " (incarnation " + incarnation + ") was replaced by " + newer;
        }
        return inside ? "" : "node " + nodeId + " is outside the cluster (no router in its view); its copies are not trusted";
    }

    /**
     * The record the table holds for this node id, seen before this process writes its own: one of a
     * newer incarnation means this process was replaced, and it stands down for good. Returns whether
     * this process may still write.
     */
    boolean mayWrite(NodeRecord current) {
        if (current != null && current.incarnation() > incarnation) {
            supersede("the process with incarnation " + current.incarnation() + " at " + current.endpoint());
        }
        return supersededBy.get() == null;
    }

    /** Stands down: serves nothing, writes nothing; the reaction (unload every copy) runs once. */
    void supersede(String by) {
        if (supersededBy.compareAndSet(null, by)) {
            LOG.warn("node {} (incarnation {}) was replaced by {}: this process stands down, unloads its copies and serves nothing more",
                    nodeId, incarnation, by);
            Thread.ofPlatform().daemon().name("meshwork-stand-down").start(onSuperseded);
        }
    }

    /**
     * Why this process must not answer a router's call, or empty when it may: it must be serving,
     * the call must be meant for this incarnation, and {@code copySpec}, the fingerprint of the copy that would answer (null: none
     * yet), must be of the registration the router asked for.
     */
    String refusal(NodeFence.Expected expected, String modelId, String copySpec) {
        if (!serving()) {
            return reason();
        }
        // a call naming a newer one is refused, not obeyed: only the table's record (signed) makes this process stand down
        if (expected.incarnation() != 0 && expected.incarnation() != incarnation) {
            return "the call was meant for incarnation " + expected.incarnation() + " of node " + nodeId + ", this process is incarnation "
                    + incarnation;
        }
        if (!expected.spec().isEmpty() && copySpec != null && !copySpec.isEmpty() && !copySpec.equals(expected.spec())) {
            return "node " + nodeId + " holds a copy of model '" + modelId + "' loaded for another version of its registration";
        }
        return "";
    }

    static boolean hasRouter(java.util.Collection<Member> members) {
        return members.stream().anyMatch(m -> !m.isLiteMember());
    }
}
