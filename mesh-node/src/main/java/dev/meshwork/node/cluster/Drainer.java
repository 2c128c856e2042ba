package dev.meshwork.node.cluster;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.cache.CopyInfo;
import dev.meshwork.nodeapi.NodeMessages;
import dev.meshwork.placement.policy.PlacementPolicy;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.table.PlacementTable;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.security.grpc.InternalChannels;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's graceful exit: it stops taking loads, has its recently used models loaded on other
 * nodes (the same placement policy routers use) before it lets go of them, takes its copies out
 * of the placement table, and waits for the requests already on their way. Runs once, on the
 * shutdown thread.
 */
final class Drainer {
    private static final Logger LOG = LoggerFactory.getLogger(Drainer.class);

    private final NodeAgent agent;
    private final TablePublisher publisher;
    private final PlacementTable placement;
    private final NodeTable nodes;
    private final NodeProcessConfig.Drain config;
    private final InternalChannels dialer;

    /** This node's labels without its zone: where its models may go. */
    private final java.util.Map<String, String> poolLabels;

    Drainer(NodeAgent agent, TablePublisher publisher, PlacementTable placement, NodeTable nodes, NodeProcessConfig.Drain config,
            InternalChannels dialer, java.util.Map<String, String> poolLabels) {
        this.poolLabels = java.util.Map.copyOf(poolLabels);
        this.dialer = dialer;
        this.agent = agent;
        this.publisher = publisher;
        this.placement = placement;
        this.nodes = nodes;
        this.config = config;
    }

    /** Returns the number of models moved to other nodes. */
    int drain() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMs());
        agent.drain();
        publisher.publishNode();
        long hotSince = System.currentTimeMillis() - config.hotWindowMs();
        List<CopyInfo> hot = agent.slotRecords().stream().flatMap(s -> s.models().stream()).map(agent::copy).flatMap(Optional::stream)
                .filter(c -> c.state() == CopyState.LOADED && c.lastUsedMillis() >= hotSince)
                .sorted(Comparator.comparingLong(CopyInfo::lastUsedMillis).reversed()).toList();
        int moved = 0;
        for (CopyInfo c : hot) {
            if (System.nanoTime() > deadline) {
                LOG.warn("drain of node {}: out of time after moving {} of {} models", agent.nodeId(), moved, hot.size());
                break;
            }
            if (moveElsewhere(c, deadline)) {
                moved++;
            }
        }
        publisher.withdrawAll();
        sleepMs(config.graceMs()); // routers' views of the table catch up; requests already sent here arrive and run
        while (agent.inFlight() > 0 && System.nanoTime() < deadline) {
            sleepMs(10);
        }
        LOG.info("node {} drained: {} of {} recently used models loaded elsewhere", agent.nodeId(), moved, hot.size());
        return moved;
    }

    private boolean moveElsewhere(CopyInfo c, long deadline) {
        List<CopyRecord> copies = placement.copies(c.modelId());
        if (copies.stream().anyMatch(x -> x.loaded() && !x.nodeId().equals(agent.nodeId()))) {
            return true; // it has a copy elsewhere already
        }
        Optional<ModelSpec> spec = agent.loadedSpec(c.modelId());
        if (spec.isEmpty()) {
            return false;
        }
        List<NodeRecord> others = nodes.list().stream().filter(n -> !n.nodeId().equals(agent.nodeId())).toList();
        // a node does not know the catalog's nodeSelectors: it hands its models only to nodes of its own pool (its labels but the zone)
        Optional<PlacementPolicy.Choice> choice = PlacementPolicy.choose(new PlacementPolicy.Request(c.modelId(), spec.get().format().name(),
                spec.get().runtime(), c.sizeBytes(), Set.of(), poolLabels), others, copies);
        if (choice.isEmpty()) {
            LOG.warn("drain of node {}: no other node can take model {}", agent.nodeId(), c.modelId());
            return false;
        }
        ManagedChannel channel = dialer.dial(choice.get().endpoint(), choice.get().nodeId()).build();
        try {
            long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(leftMs, TimeUnit.MILLISECONDS)
                    .load(NodeMessages.loadRequest(spec.get(), choice.get().slot()));
            return true;
        } catch (StatusRuntimeException e) {
            LOG.warn("drain of node {}: loading model {} on node {} failed: {}", agent.nodeId(), c.modelId(), choice.get().nodeId(), e.getStatus());
            return false;
        } finally {
            channel.shutdownNow();
        }
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
