package dev.meshwork.node.cluster;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.cache.CopyInfo;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.table.PlacementTable;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's rows in the shared tables true: its node record (slots, used bytes, requests
 * in flight, draining) and a placement row for each copy it holds. Copy changes reported by the
 * caches are written within moments by the publisher thread; load and unload answers write their
 * row synchronously; and every period the whole state is reconciled, which repairs any write that
 * failed. A copy's last-use time is rewritten only when it moved by {@link #LAST_USED_SLACK_MS},
 * so steady traffic does not turn into steady table writes. Touched by request threads
 * ({@link #publish}), cache threads (change reports) and its own thread. Writes of one model's row
 * are ordered by a lock stripe of that model, so writes of different models (each a round trip to
 * the member that owns the row) do not queue behind each other; the node record, which every
 * change touches, is written by the publisher thread only, at most once per wake-up.
 */
public final class TablePublisher implements AutoCloseable {
    static final long LAST_USED_SLACK_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(TablePublisher.class);

    private final NodeAgent agent;
    private final PlacementTable placement;
    private final NodeTable nodes;
    private final String endpoint;
    /** This node's current member id: it changes when the member merges back after a split, and the reaper checks it. */
    private final java.util.function.Supplier<String> memberId;
    private final long periodMs;
    private static final int STRIPES = 64;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** What the table holds for this node, as far as this publisher wrote it; a model's entry changes under its stripe. */
    private final Map<String, CopyRecord> published = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[STRIPES];
    private volatile boolean nodeDirty;
    /** Full rounds so far; the publisher thread only. */
    private long rounds;
    /** Every this many full rounds the node sweeps the table for rows naming it that it does not hold. */
    static final int SWEEP_ROUNDS = 3;
    /** Whether a copy this node published is LOADING (its download may move); publisher thread only. */
    private boolean loadingCopies;
    /**
     * The node record changes with every load and eviction, and each write invalidates every
     * router's near cache of it; under churn, writing it per change left routers reading it from its
     * owner on every request. At most one write per this gap (its numbers guide placement; a quarter
     * second late is fine).
     */
    private static final long NODE_WRITE_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** How often a LOADING copy's row is written again while its artifact downloads, so clients can show the bytes. */
    static final long DOWNLOAD_REPORT_MS = 500;
    private volatile long lastNodeWrite = System.nanoTime() - NODE_WRITE_GAP_NANOS;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean withdrawn;
    /** This process was replaced by a newer one of its node id: it writes nothing more, and removes nothing (the rows are the newer one's). */
    private volatile boolean fenced;
    private final java.util.Map<String, String> labels;
    private final long incarnation;
    /** Told of the record the table holds for this node id before each write of ours; false: stand down (see {@link #fenced}). */
    private final java.util.function.Predicate<NodeRecord> mayWrite;

    public TablePublisher(NodeAgent agent, PlacementTable placement, NodeTable nodes, String endpoint, String memberId, long periodMs) {
        this(agent, placement, nodes, endpoint, () -> memberId, periodMs, java.util.Map.of());
    }

    /**
     * {@code memberId} is read at every write of the node record, so that record always names the
     * member as it is now; {@code labels} (the node's zone among them) go into every record.
     */
    public TablePublisher(NodeAgent agent, PlacementTable placement, NodeTable nodes, String endpoint, java.util.function.Supplier<String> memberId,
                          long periodMs, java.util.Map<String, String> labels) {
        this(agent, placement, nodes, endpoint, memberId, periodMs, labels, 0, current -> true);
    }

    /**
     * As above, for the node process of {@code incarnation}: before each write of its node record it
     * reads the one in the table and hands it to {@code mayWrite}, which answers false once a newer
     * process of the same node id wrote it; from then on this publisher writes and removes nothing.
     */
    public TablePublisher(NodeAgent agent, PlacementTable placement, NodeTable nodes, String endpoint, java.util.function.Supplier<String> memberId,
                          long periodMs, java.util.Map<String, String> labels, long incarnation,
                          java.util.function.Predicate<NodeRecord> mayWrite) {
        this.incarnation = incarnation;
        this.mayWrite = mayWrite;
        this.labels = java.util.Map.copyOf(labels);
        this.agent = agent;
        this.placement = placement;
        this.nodes = nodes;
        this.endpoint = endpoint;
        this.memberId = memberId;
        this.periodMs = periodMs;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        if (mayWrite.test(nodes.get(agent.nodeId()).orElse(null))) {
            placement.removeNode(agent.nodeId()); // rows of an earlier life of this node id are not ours to trust
        }
        publishNode();
        agent.onCopyChange(id -> {
            dirty.add(id);
            nodeDirty = true;
            wake();
        });
        this.thread = Thread.ofPlatform().daemon().name("meshwork-table-publisher").start(this::run);
    }

    private void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        long nextFull = 0;
        while (running) {
            try {
                for (String id : Set.copyOf(dirty)) {
                    dirty.remove(id);
                    publishCopy(id);
                }
                boolean loading = false;
                for (Map.Entry<String, CopyRecord> e : published.entrySet()) {
                    if (e.getValue().state() == CopyState.LOADING) {
                        loading = true;
                        publishCopy(e.getKey()); // written only when its download moved (see same)
                    }
                }
                loadingCopies = loading;
                if (System.nanoTime() >= nextFull) {
                    reconcile();
                    nextFull = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(periodMs);
                } else if (nodeDirty && System.nanoTime() - lastNodeWrite >= NODE_WRITE_GAP_NANOS) {
                    nodeDirty = false;
                    publishNode();
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("writing node {}'s rows to the placement table failed; the next round retries: {}", agent.nodeId(), e.getMessage());
                }
            }
            long idle = TimeUnit.MILLISECONDS.toNanos(loadingCopies ? Math.min(periodMs, DOWNLOAD_REPORT_MS) : periodMs);
            LockSupport.parkNanos(dirty.isEmpty() && !nodeDirty ? idle
                    : Math.max(0, NODE_WRITE_GAP_NANOS - (System.nanoTime() - lastNodeWrite)));
        }
    }

    /**
     * Writes the model's row for this node now (after a load, an unload, or before answering that
     * the copy is gone), so the router that hears the answer finds the table agreeing; the node
     * record follows from the publisher thread.
     */
    public void publish(String modelId) {
        dirty.remove(modelId);
        publishCopy(modelId);
        nodeDirty = true;
        wake();
    }

    private void publishCopy(String modelId) {
        if (fenced) {
            return;
        }
        synchronized (stripes[Math.floorMod(modelId.hashCode(), STRIPES)]) {
            Optional<CopyInfo> copy = withdrawn ? Optional.empty() : agent.copy(modelId);
            CopyRecord before = published.get(modelId);
            if (copy.isPresent()) {
                CopyRecord now = agent.record(copy.get());
                if (!same(before, now)) {
                    placement.putCopy(modelId, now);
                    published.put(modelId, now);
                }
            } else if (before != null) {
                placement.removeCopy(modelId, agent.nodeId());
                published.remove(modelId);
            }
        }
    }

    private static boolean same(CopyRecord a, CopyRecord b) {
        return a != null && a.slot().equals(b.slot()) && a.state() == b.state() && a.sizeBytes() == b.sizeBytes()
                && a.error().equals(b.error()) && a.spec().equals(b.spec()) && a.digest().equals(b.digest()) && a.crashed() == b.crashed()
                && a.downloadedBytes() == b.downloadedBytes() && a.downloadBytes() == b.downloadBytes()
                && b.lastUsedMillis() - a.lastUsedMillis() < LAST_USED_SLACK_MS;
    }

    /**
     * The full round: every copy this node holds or wrote is written again where the table no longer
     * has this node's row for it (a partition lost with its owner, a row deleted by another member),
     * so a copy that serves is never invisible to routers for longer than a period; rows of copies
     * the node no longer holds are removed as before. The check reads the table's local view, no
     * round trip per copy.
     */
    private void reconcile() {
        Set<String> ids = new HashSet<>(published.keySet());
        agent.slotRecords().forEach(s -> ids.addAll(s.models()));
        if (++rounds % SWEEP_ROUNDS == 0) {
            sweep(ids);
        }
        for (String id : ids) {
            synchronized (stripes[Math.floorMod(id.hashCode(), STRIPES)]) {
                if (published.containsKey(id) && placement.copies(id).stream().noneMatch(c -> c.nodeId().equals(agent.nodeId()))) {
                    LOG.info("the placement table lost node {}'s row for model {}; writing it again", agent.nodeId(), id);
                    published.remove(id);
                }
            }
            publishCopy(id);
        }
        nodeDirty = false;
        publishNode();
    }

    /**
     * The other direction: rows naming this node for copies it does not hold (a write that landed after
     * the removal that should have followed it, a row restored with a lost partition) are removed, so
     * routers do not send requests to copies that are not there. Every {@link #SWEEP_ROUNDS} full rounds,
     * as it asks every member for its rows.
     */
    private void sweep(Set<String> held) {
        if (fenced) {
            return;
        }
        Set<String> named;
        try {
            named = placement.modelsOn(agent.nodeId());
        } catch (RuntimeException e) {
            LOG.debug("sweeping node {}'s rows failed; the next sweep retries: {}", agent.nodeId(), e.getMessage());
            return;
        }
        for (String id : named) {
            if (held.contains(id)) {
                continue;
            }
            synchronized (stripes[Math.floorMod(id.hashCode(), STRIPES)]) {
                if (agent.copy(id).isEmpty()) {
                    LOG.info("the placement table names node {} for model {}, which it does not hold; removing the row", agent.nodeId(), id);
                    placement.removeCopy(id, agent.nodeId());
                    published.remove(id);
                }
            }
        }
    }

    /**
     * Writes the node record: slots, used bytes, load, draining; unless the table's record is of a
     * newer process of this node id, which fences this publisher for good.
     */
    public void publishNode() {
        lastNodeWrite = System.nanoTime();
        if (fenced || !mayWrite.test(nodes.get(agent.nodeId()).orElse(null))) {
            fence();
            return;
        }
        nodes.put(new NodeRecord(agent.nodeId(), endpoint, memberId.get(), agent.slotRecords(), agent.inFlight(), agent.draining(),
                System.currentTimeMillis(), labels, incarnation));
    }

    /** Writes and removes nothing from now on: the rows under this node id belong to a newer process. */
    public void fence() {
        fenced = true;
        published.clear();
    }

    /**
     * Forgets what it wrote without removing it: after the cluster declared this node gone (and removed
     * its rows), a row under its id may be another process's. What it holds is written again as new.
     */
    public void forget() {
        published.clear();
    }

    /** Takes every copy of this node out of the placement table (draining: routers stop sending here) and keeps them out. */
    public void withdrawAll() {
        withdrawn = true;
        Set.copyOf(published.keySet()).forEach(this::publishCopy);
    }

    /** Stops publishing and removes this node's rows. */
    @Override
    public void close() {
        running = false;
        wake();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (fenced) {
            return; // the rows are the newer process's
        }
        try {
            placement.removeNode(agent.nodeId());
            nodes.remove(agent.nodeId());
        } catch (RuntimeException e) {
            LOG.debug("removing node {}'s rows on the way out: {}", agent.nodeId(), e.getMessage());
        }
    }
}
