package dev.meshwork.router.cluster;

import dev.meshwork.nodeapi.NodeMessages;
import dev.meshwork.placement.policy.PlacementPolicy;
import dev.meshwork.placement.tenant.MeshUsage;
import dev.meshwork.placement.tenant.TenantPolicies;
import dev.meshwork.placement.tenant.TenantShares;
import dev.meshwork.placement.registry.DigestPin;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.LoadClaims;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.table.PlacementTable;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.node.CopyStatus;
import dev.meshwork.protocol.node.UnloadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load on miss, once per model across the mesh. Within this router, requests that miss at once
 * share one load (a future per model, with a bounded number of waiters); across routers, the
 * load claim decides who loads, and the others watch the placement table until the copy is
 * LOADED. The loader asks {@link PlacementPolicy} for a node and slot and sends {@code Load}; a
 * node that cannot be reached is skipped for another, a load that fails is reported as it failed.
 * Request threads wait here; each load runs on a virtual thread of its own.
 */
final class LoadCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(LoadCoordinator.class);
    private static final long WATCH_MS = 5;
    /** How often a load held for want of any node looks at the node table again. */
    private static final long NODE_WATCH_MS = 50;
    /** How long a load waits before placing again after a node said it could not load now. */
    private static final long BUSY_PAUSE_MS = 20;

    /** A LOADED copy a request can be sent to. */
    /** A node process to call: {@code incarnation} is its fencing token from the node table (0: none). */
    record Target(String nodeId, String endpoint, long incarnation) {
        static Target of(NodeRecord n) {
            return new Target(n.nodeId(), n.endpoint(), n.incarnation());
        }
    }

    private final PlacementTable placement;
    private final NodeTable nodes;
    private final LoadClaims claims;
    private final String owner;
    private final NodeChannels channels;
    private final ForwardConfig config;
    private final RecentFailures suspects;
    private final RecentFailures loadFailures;
    private final ConcurrentMap<String, CompletableFuture<Target>> pending = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> waiting = new ConcurrentHashMap<>();
    private final LoadsUnderway underway = new LoadsUnderway();
    private final ForwardMetrics metrics;
    private final RecentFailures stale;
    /** Whether this router has seen a node in the table: "none yet" and "all gone" are different news. Any thread sets it. */
    private volatile boolean sawNodes;
    /** The labels a node must carry to load a model, by id (its runtime's nodeSelector); set once, read by load threads. */
    private volatile java.util.function.Function<String, java.util.Map<String, String>> requiredLabels = id -> java.util.Map.of();
    private volatile java.util.function.Supplier<TenantPolicies> tenantPolicies = () -> TenantPolicies.NONE;

    LoadCoordinator(PlacementTable placement, NodeTable nodes, LoadClaims claims, String owner, NodeChannels channels,
                    ForwardConfig config, RecentFailures suspects, RecentFailures loadFailures, RecentFailures stale,
                    ForwardMetrics metrics) {
        this.stale = stale;
        this.metrics = metrics;
        this.placement = placement;
        this.nodes = nodes;
        this.claims = claims;
        this.owner = owner;
        this.channels = channels;
        this.config = config;
        this.suspects = suspects;
        this.loadFailures = loadFailures;
    }

    /** Requests on this router waiting for a load now, all models. */
    int waiting() {
        int n = 0;
        for (AtomicInteger w : waiting.values()) {
            n += Math.max(0, w.get());
        }
        return n;
    }

    /** Waits until the model has a LOADED copy, loading it if nobody else is; blocks the request thread. */
    Target awaitLoaded(ModelSpec spec) {
        AtomicInteger w = waiting.computeIfAbsent(spec.id(), k -> new AtomicInteger());
        if (w.incrementAndGet() > config.maxWaitingPerModel()) {
            w.decrementAndGet();
            throw new MeshError(ErrorCode.UNAVAILABLE, "model '" + spec.id() + "' is loading and " + config.maxWaitingPerModel()
                    + " requests already wait for it (forward.maxWaitingPerModel); retry shortly");
        }
        long started = System.nanoTime();
        try {
            // the load starts only once its future is in the map, and leaves the map before it completes: a load
            // that ends at once can neither outlive its removal nor hand its outcome to requests that come after it
            CompletableFuture<Target> mine = new CompletableFuture<>();
            CompletableFuture<Target> running = pending.putIfAbsent(spec.id(), mine);
            CompletableFuture<Target> load = running != null ? running : mine;
            if (running == null) {
                // the load belongs to the trace of the request that started it: the node's load spans are its children
                Thread.ofVirtual().name("meshwork-load-" + spec.id()).start(io.opentelemetry.context.Context.current().wrap(() -> {
                    Target loaded = null;
                    Throwable failed = null;
                    try {
                        loaded = load(spec);
                    } catch (Throwable t) {
                        failed = t;
                    }
                    pending.remove(spec.id(), mine);
                    if (failed == null) {
                        mine.complete(loaded);
                    } else {
                        mine.completeExceptionally(failed);
                    }
                }));
            }
            return load.get(config.loadTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw stillLoading(spec);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshError(ErrorCode.UNAVAILABLE, "interrupted while waiting for model '" + spec.id() + "' to load");
        } catch (ExecutionException e) {
            throw MeshError.wrap(e);
        } finally {
            w.decrementAndGet();
            metrics.waitedForLoad(System.nanoTime() - started);
        }
    }

    /**
     * The model's copies as far as this router trusts them. The near cache's view leaves out copies
     * a node said it no longer holds (the cache may not have heard yet); {@code now} reads the owner
     * instead, which is always current on that point (a node updates its row before it says so), and
     * is used under the claim, where a stale view would load a model twice.
     */
    private List<CopyRecord> copies(String modelId, boolean now) {
        return now ? placement.copiesNow(modelId)
                : placement.copies(modelId).stream().filter(c -> !stale.contains(modelId + "@" + c.nodeId())).toList();
    }

    private Optional<Target> loadedCopy(ModelSpec spec, boolean now) {
        String fingerprint = spec.fingerprint();
        String pin = DigestPin.of(spec.storageUri());
        return copies(spec.id(), now).stream().filter(c -> c.serves(fingerprint, pin) && !suspects.contains(c.nodeId())).findFirst()
                .flatMap(c -> nodes.get(c.nodeId()).map(Target::of));
    }

    private Target load(ModelSpec spec) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.loadTimeoutMs());
        awaitAnyNode(spec, deadline);
        while (System.nanoTime() < deadline) {
            Optional<Target> ready = loadedCopy(spec, false);
            if (ready.isPresent()) {
                return ready.get();
            }
            Optional<LoadClaims.Claim> other = claims.tryClaim(spec.id(), owner, config.claimLeaseMs());
            if (other.isPresent()) {
                sleep(WATCH_MS); // another router loads it: watch the table
                continue;
            }
            try {
                ready = loadedCopy(spec, true); // it may have become LOADED just before we claimed
                if (ready.isPresent()) {
                    return ready.get();
                }
                Optional<Target> loaded = loadSomewhere(spec, deadline);
                if (loaded.isPresent()) {
                    return loaded.get();
                }
            } finally {
                claims.release(spec.id(), owner);
            }
        }
        throw new MeshError(ErrorCode.DEADLINE_EXCEEDED, "model '" + spec.id() + "' did not load within " + config.loadTimeoutMs()
                + " ms (forward.loadTimeoutMs)");
    }

    /**
     * Adds a copy of a model on a node that holds none (copy scaling), under the model's scaling
     * claim so that routers seeing the same traffic add one copy, not one each. False when another
     * router is at it, or no node has room.
     */
    boolean addCopy(ModelSpec spec) {
        String key = spec.id() + "#scale";
        if (claims.tryClaim(key, owner, config.claimLeaseMs()).isPresent()) {
            return false;
        }
        try {
            return loadSomewhere(spec, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.loadTimeoutMs())).isPresent();
        } catch (MeshError e) {
            LOG.debug("no extra copy of {}: {}", spec.id(), e.getMessage());
            return false;
        } finally {
            claims.release(key, owner);
        }
    }

    /** Unloads the model's copy on the node if another LOADED copy remains (copy scaling, idle copy); under the scaling claim. */
    boolean releaseCopy(String modelId, String nodeId) {
        String key = modelId + "#scale";
        if (claims.tryClaim(key, owner, config.claimLeaseMs()).isPresent()) {
            return false;
        }
        try {
            List<CopyRecord> now = placement.copiesNow(modelId);
            // the copy that stays must be able to serve: on a node still in the table and not seen failing
            boolean othersLoaded = now.stream().anyMatch(c -> c.loaded() && !c.nodeId().equals(nodeId)
                    && nodes.get(c.nodeId()).isPresent() && !suspects.contains(c.nodeId()));
            Optional<NodeRecord> node = nodes.get(nodeId);
            if (!othersLoaded || node.isEmpty() || now.stream().noneMatch(c -> c.nodeId().equals(nodeId))) {
                return false;
            }
            channels.stub(Target.of(node.get()), "").withDeadlineAfter(config.timeoutMs(), TimeUnit.MILLISECONDS)
                    .unload(UnloadRequest.newBuilder().setModelId(modelId).build());
            return true;
        } catch (StatusRuntimeException e) {
            LOG.debug("releasing the copy of {} on {}: {}", modelId, nodeId, e.getStatus());
            return false;
        } finally {
            claims.release(key, owner);
        }
    }

    /** Places and loads the model; empty when the chosen node could not be reached (the caller tries again). */
    private Optional<Target> loadSomewhere(ModelSpec spec, long deadline) {
        List<CopyRecord> copies = copies(spec.id(), true);
        String fingerprint = spec.fingerprint();
        Optional<CopyRecord> crashed = copies.stream().filter(c -> c.crashed() && c.spec().equals(fingerprint)).findFirst();
        if (crashed.isPresent()) {
            // one bad file crashes one process: placing it on the next node would crash that one too
            throw new MeshError(ErrorCode.MODEL_NOT_READY, "model '" + spec.id() + "' is not loaded on any node: on node "
                    + crashed.get().nodeId() + ", " + crashed.get().error());
        }
        List<NodeRecord> all = nodes.list();
        sawNodes |= !all.isEmpty();
        List<NodeRecord> candidates = all.stream().filter(n -> !suspects.contains(n.nodeId())).toList();
        java.util.Set<String> keep = keep(all);
        PlacementPolicy.Request request = new PlacementPolicy.Request(spec.id(), spec.format().name(), spec.runtime(),
                Math.max(0, spec.sizeHint()), loadFailures.under(spec.id() + "@"), requiredLabels.apply(spec.id()), spec.namespace(), keep);
        Optional<PlacementPolicy.Choice> choice = PlacementPolicy.choose(request, candidates, copies, underway::on);
        if (choice.isEmpty() && inTransition(copies, candidates)) {
            // the only nodes there are hold a copy still loading or leaving (a load another waiter gave up on, an
            // eviction the node has not finished writing): it settles in moments, so look again, within the deadline
            sleep(BUSY_PAUSE_MS);
            return Optional.empty();
        }
        if (choice.isEmpty()) {
            throw noPlace(spec, all.size(), candidates, copies);
        }
        PlacementPolicy.Choice c = choice.get();
        long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        long started = System.nanoTime();
        try (LoadsUnderway.Started sent = underway.start(c.nodeId())) {
            Target target = new Target(c.nodeId(), c.endpoint(), c.incarnation());
            CopyStatus status = channels.stub(target, "").withDeadlineAfter(leftMs, TimeUnit.MILLISECONDS)
                    .load(NodeMessages.loadRequest(spec, c.slot()));
            LOG.debug("model {} loaded on {}/{} ({} bytes)", spec.id(), c.nodeId(), c.slot(), status.getSizeBytes());
            metrics.loaded(System.nanoTime() - started, "ok");
            return Optional.of(target);
        } catch (StatusRuntimeException e) {
            metrics.loaded(System.nanoTime() - started, e.getStatus().getCode() == Status.Code.UNAVAILABLE ? "node-unreachable" : "failed");
            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                if (GrpcErrors.isAnswer(e)) {
                    // the node is up and said so itself (its slot busy, a copy replaced meanwhile): place again shortly;
                    // a draining node has already marked itself draining in the node table, so placement skips it
                    metrics.retry("load-node-busy");
                    LOG.debug("node {} could not load model {} now ({}); placing again", c.nodeId(), spec.id(), e.getStatus());
                    sleep(BUSY_PAUSE_MS);
                    return Optional.empty();
                }
                metrics.retry("load-node-unreachable");
                suspects.record(c.nodeId()); // gone: another node
                LOG.info("loading model {} on node {} failed ({}); trying another node", spec.id(), c.nodeId(), e.getStatus());
                return Optional.empty();
            }
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED && !GrpcErrors.isAnswer(e)) {
                throw stillLoading(spec); // our own deadline on the Load call: the node keeps loading, as the waiters are told
            }
            loadFailures.record(spec.id() + "@" + c.nodeId());
            throw NodeErrors.fromNode(e, c.nodeId());
        }
    }

    /** Whether one of the nodes holds a copy of the model that is loading or unloading, a state that passes by itself. */
    private static boolean inTransition(List<CopyRecord> copies, List<NodeRecord> nodes) {
        return copies.stream().anyMatch(c -> (c.state() == CopyState.LOADING || c.state() == CopyState.UNLOADING)
                && nodes.stream().anyMatch(n -> n.nodeId().equals(c.nodeId())));
    }

    /**
     * With no node in the mesh (the pool scaled to zero, or none started yet), waits up to {@code
     * forward.nodeWaitMs} for one to join. The request waiting for this load already counts among
     * those the autoscale signal answers with a node; if none joins, placement then says so.
     */
    private void awaitAnyNode(ModelSpec spec, long deadline) {
        if (config.nodeWaitMs() == 0 || !nodes.list().isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        long until = Math.min(deadline, started + TimeUnit.MILLISECONDS.toNanos(config.nodeWaitMs()));
        LOG.info("model {} is wanted and no node is in the mesh: waiting up to {} ms for one to join (forward.nodeWaitMs)", spec.id(),
                TimeUnit.NANOSECONDS.toMillis(until - started));
        while (nodes.list().isEmpty() && System.nanoTime() < until) {
            sleep(NODE_WATCH_MS);
        }
        boolean joined = !nodes.list().isEmpty();
        long waited = System.nanoTime() - started;
        metrics.waitedForNode(waited, joined);
        LOG.info("model {}: {} after {} ms", spec.id(), joined ? "a node joined" : "no node joined", TimeUnit.NANOSECONDS.toMillis(waited));
    }

    /** What every request hears when a load outlasts forward.loadTimeoutMs, the one that sent Load and those that waited alike. */
    private MeshError stillLoading(ModelSpec spec) {
        return new MeshError(ErrorCode.DEADLINE_EXCEEDED, "model '" + spec.id() + "' did not finish loading within "
                + config.loadTimeoutMs() + " ms (forward.loadTimeoutMs); it keeps loading, retry later");
    }

    /** Where loads find the labels a model needs on its node. */
    /** The namespaces within their share as of {@link #keepAt}; summing every node's usage per load would cost too much at scale. */
    private volatile java.util.Set<String> kept = java.util.Set.of();
    private volatile long keepAt = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);

    /**
     * The namespaces within their guaranteed memory share, whose memory a load should not take:
     * placement prefers nodes where it need not. Made again at most once a second.
     */
    private java.util.Set<String> keep(List<NodeRecord> all) {
        TenantPolicies policies = tenantPolicies.get();
        if (!policies.sharesMemory()) {
            return java.util.Set.of();
        }
        long now = System.nanoTime();
        if (now - keepAt > TimeUnit.SECONDS.toNanos(1)) {
            kept = TenantShares.withinShare(policies, MeshUsage.of(all, null));
            keepAt = now;
        }
        return kept;
    }

    void tenantPolicies(java.util.function.Supplier<TenantPolicies> policies) {
        this.tenantPolicies = policies;
    }

    void requiredLabels(java.util.function.Function<String, java.util.Map<String, String>> ofModel) {
        this.requiredLabels = ofModel;
    }

    private MeshError noPlace(ModelSpec spec, int inTable, List<NodeRecord> nodes, List<CopyRecord> copies) {
        Optional<CopyRecord> failed = copies.stream().filter(x -> x.state() == CopyState.FAILED).findFirst();
        if (failed.isPresent()) {
            return new MeshError(ErrorCode.MODEL_NOT_READY, "model '" + spec.id() + "' failed to load on node " + failed.get().nodeId()
                    + ": " + failed.get().error());
        }
        if (inTable == 0) {
            return new MeshError(ErrorCode.UNAVAILABLE, sawNodes
                    ? "no node is in the mesh now (every node has left or was declared gone), so model '" + spec.id()
                            + "' cannot load; it loads once a node joins again" + waitedForNode()
                    : "no node has joined the mesh yet, so model '" + spec.id() + "' cannot load; start a node (./meshwork node)"
                            + waitedForNode());
        }
        if (nodes.isEmpty()) {
            return new MeshError(ErrorCode.UNAVAILABLE, "model '" + spec.id() + "' cannot load now: all " + inTable
                    + " nodes failed to answer within the last " + config.suspectMs() + " ms (forward.suspectMs); retry");
        }
        java.util.Map<String, String> labels = requiredLabels.apply(spec.id());
        if (!labels.isEmpty() && nodes.stream().noneMatch(n -> PlacementPolicy.carries(n, labels))) {
            return new MeshError(ErrorCode.CAPACITY_EXHAUSTED, "no node can load model '" + spec.id() + "': its runtime's nodeSelector "
                    + new java.util.TreeMap<>(labels) + " matches none of the " + nodes.size()
                    + " nodes that are up (their placement.labels and placement.zone)");
        }
        String what = spec.runtime().isEmpty() ? "model format '" + spec.format().name() + "'" : "runtime '" + spec.runtime() + "'";
        return new MeshError(ErrorCode.CAPACITY_EXHAUSTED, "no node can load model '" + spec.id() + "': none of the "
                + nodes.size() + " nodes that are up and not draining has a slot for " + what
                + (spec.sizeHint() > 0 ? " with room for " + spec.sizeHint() + " bytes" : "") + " that holds no copy of it yet");
    }

    private String waitedForNode() {
        return config.nodeWaitMs() == 0 ? "" : " (this request waited " + config.nodeWaitMs() + " ms for one, forward.nodeWaitMs)";
    }

    /** Sleeps on a request or load thread; an interrupt becomes UNAVAILABLE, as for any other wait of a request. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshError(ErrorCode.UNAVAILABLE, "interrupted while waiting for a copy to load");
        }
    }
}
