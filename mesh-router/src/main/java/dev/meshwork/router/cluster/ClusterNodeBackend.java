package dev.meshwork.router.cluster;

import dev.meshwork.nodeapi.LoadOnMiss;
import dev.meshwork.placement.policy.PlacementPolicy;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.LoadClaims;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.table.PlacementTable;
import dev.meshwork.placement.table.SlotRecord;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.protocol.node.UnloadRequest;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelMetadataRequest;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.router.mesh.NodeBackend;
import dev.meshwork.router.tenant.Tenants;
import dev.meshwork.security.grpc.InternalChannels;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import dev.meshwork.telemetry.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's way to the nodes of a cluster. A request reads the model's copies from the
 * placement table (a local read), sends the request to one LOADED copy over a pooled channel
 * ({@link CopyChooser}), and on a miss waits for {@link LoadCoordinator}. A node that cannot be
 * reached is marked suspect and the request is tried once more on another copy or a fresh load;
 * a node that no longer holds the copy (evicted meanwhile) sends the request back to placement,
 * and on the last of those tries the call asks the node to load a copy for it ({@link LoadOnMiss});
 * the model's own errors come back unchanged and are never retried. Request threads call it
 * concurrently; thread-safe.
 */
public final class ClusterNodeBackend implements NodeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNodeBackend.class);
    /** Copy-missing answers a request may meet (each is a race with an eviction) before its last try, which loads on the node. */
    private static final int MAX_REPLACEMENTS = 3;
    /** Long enough for a node's removal of an evicted copy to reach every router's near cache. */
    private static final long STALE_MS = 2_000;

    private final PlacementTable placement;
    private final NodeTable nodes;
    private final NodeChannels channels;
    private final CopyChooser chooser = new CopyChooser();
    private final RecentFailures suspects;
    /** Copies a node said it no longer holds ({@code model@node}), ignored until the table catches up. */
    private final RecentFailures stale;
    private final LoadCoordinator loads;
    private final ForwardConfig config;
    private final ForwardMetrics metrics;
    private final CopyScaler scaler;
    private final RetryBudget retries;
    private final TimeoutProbe probe;

    public ClusterNodeBackend(PlacementTable placement, NodeTable nodes, LoadClaims claims, String owner, ForwardConfig config,
                              InternalChannels dialer, ScalingConfig scaling, MeterRegistry metrics) {
        this.placement = placement;
        this.nodes = nodes;
        this.config = config;
        this.metrics = new ForwardMetrics(metrics, placement, nodes);
        this.channels = new NodeChannels(config.maxMessageBytes(), dialer);
        this.suspects = new RecentFailures(config.suspectMs(), System::currentTimeMillis);
        this.stale = new RecentFailures(STALE_MS, System::currentTimeMillis);
        this.loads = new LoadCoordinator(placement, nodes, claims, owner, channels, config, suspects,
                new RecentFailures(config.failureMemoryMs(), System::currentTimeMillis), stale, this.metrics);
        this.scaler = new CopyScaler(scaling, placement, loads, this.metrics);
        this.retries = new RetryBudget(config.retryRatio(), System::nanoTime);
        this.probe = new TimeoutProbe(channels, suspects, this.metrics);
    }

    @Override
    public void tenants(Tenants tenants) {
        scaler.maxCopies(id -> tenants.maxCopies(ModelSpec.namespaceOf(id)));
        loads.tenantPolicies(tenants::policies);
    }

    @Override
    public void requiredLabels(java.util.function.Function<String, java.util.Map<String, String>> ofModel) {
        loads.requiredLabels(ofModel);
    }

    /** A node left the cluster: drop its channel and what this router counted for it. */
    public void nodeGone(String nodeId, String endpoint) {
        chooser.forget(nodeId);
        if (endpoint != null) {
            channels.close(endpoint);
        }
    }

    @Override
    public void checkServable(ModelSpec spec) {
        List<NodeRecord> all = nodes.list();
        if (all.isEmpty()) {
            return; // no node yet: the registration stands, and its first request says what is missing
        }
        PlacementPolicy.Request r = new PlacementPolicy.Request(spec.id(), spec.format().name(), spec.runtime(), 0, Set.of());
        boolean served = all.stream().flatMap(n -> n.slots().stream()).anyMatch(s -> PlacementPolicy.serves(s, r));
        if (!served) {
            throw spec.runtime().isEmpty()
                    ? MeshError.invalid("no node serves model format '%s'; served formats: %s", spec.format().name(), formats())
                    : MeshError.invalid("model '%s' asks for runtime '%s' serving format '%s', which no node has; node runtimes: %s",
                            spec.id(), spec.runtime(), spec.format().name(), runtimes(all));
        }
    }

    private static Set<String> runtimes(List<NodeRecord> all) {
        Set<String> out = new TreeSet<>();
        all.forEach(n -> n.slots().forEach(s -> out.add(s.runtime())));
        return out;
    }

    @Override
    public InferenceResponse infer(ModelSpec spec, InferenceRequest request) {
        ModelInferRequest wire = GrpcTensorCodec.encode(request.withModel(spec.id()));
        ModelInferResponse answer = call(spec, stub -> stub.infer(wire));
        return GrpcTensorCodec.decode(answer);
    }

    @Override
    public ModelInferResponse inferWire(ModelSpec spec, ModelInferRequest request) {
        return call(spec, stub -> stub.infer(request));
    }

    @Override
    public ModelMetadata metadata(ModelSpec spec) {
        ModelMetadataRequest req = ModelMetadataRequest.newBuilder().setName(spec.id()).build();
        return GrpcTensorCodec.metadata(call(spec, stub -> stub.metadata(req)));
    }

    /** Sends one call to a LOADED copy of the model, placing it first if it has none; see the class comment for retries. */
    private <T> T call(ModelSpec spec, Function<NodeServiceGrpc.NodeServiceBlockingStub, T> rpc) {
        boolean retried = false;
        retries.earn();
        for (int replaced = 0; ; ) {
            LoadCoordinator.Target target = target(spec);
            chooser.start(target.nodeId());
            scaler.started(spec, target.nodeId());
            boolean lastTry = replaced == MAX_REPLACEMENTS;
            try {
                return Tracing.traced("forward", SpanKind.CLIENT, null, Attributes.of(Tracing.MODEL, spec.id(), Tracing.NODE, target.nodeId()),
                        () -> rpc.apply(stub(target, spec, lastTry)));
            } catch (StatusRuntimeException e) {
                if (GrpcErrors.isCopyMissing(e)) {
                    stale.record(spec.id() + "@" + target.nodeId()); // the node is writing the removal; meanwhile place again
                    // not from the budget: the node answered at once without running anything (the copy was evicted a moment
                    // ago), so placing again adds no load a failure multiplies; under churn it is the normal path, at most 3 times
                    if (replaced < MAX_REPLACEMENTS) {
                        replaced++;
                        metrics.retry(replaced == MAX_REPLACEMENTS ? "load-on-miss" : "copy-missing");
                        continue;
                    }
                    // say what is known: the copy was gone each time (evicted, unloaded, or lost with a runtime), not why
                    throw new MeshError(ErrorCode.UNAVAILABLE, "model '" + spec.id() + "' was no longer on the node it was placed on, "
                            + (replaced + 1) + " times in a row (last on node " + target.nodeId() + ": " + e.getStatus().getDescription()
                            + "); its copies leave as fast as they are placed (evictions when memory is short, unloads, a runtime restarting); retry");
                }
                if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && !retried) {
                    boolean answered = GrpcErrors.isAnswer(e);
                    if (!answered) {
                        suspects.record(target.nodeId()); // unreachable: the next requests go elsewhere, retried or not
                    }
                    if (!spend(spec, target, e)) {
                        throw overBudget(spec, target, e);
                    }
                    retried = true;
                    if (answered) {
                        // the node is up and said so itself (the copy still loading, its request limit): try once more, the node stays trusted
                        metrics.retry("node-busy");
                    } else {
                        metrics.retry("node-unreachable");
                        LOG.info("forwarding to node {} failed ({}); retrying model {} elsewhere", target.nodeId(), e.getStatus().getCode(), spec.id());
                    }
                    continue;
                }
                if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED && !GrpcErrors.isAnswer(e)) {
                    probe.timedOut(target); // a hung node is passed over before the cluster declares it gone
                }
                throw NodeErrors.fromNode(e, target.nodeId());
            } finally {
                chooser.finish(target.nodeId());
                scaler.finished(spec);
            }
        }
    }

    /**
     * The stub for one forward, with its deadline; on the last try, a node that no longer holds the copy loads one for this
     * request instead of answering "no copy" ({@link LoadOnMiss}).
     */
    private NodeServiceGrpc.NodeServiceBlockingStub stub(LoadCoordinator.Target target, ModelSpec spec, boolean lastTry) {
        NodeServiceGrpc.NodeServiceBlockingStub stub = channels.stub(target, spec.fingerprint());
        return (lastTry ? stub.withInterceptors(LoadOnMiss.attach(spec)) : stub).withDeadlineAfter(config.timeoutMs(), TimeUnit.MILLISECONDS);
    }

    /** Whether the retry budget lets this failed forward go again; counts it when not. */
    private boolean spend(ModelSpec spec, LoadCoordinator.Target target, StatusRuntimeException e) {
        if (retries.trySpend()) {
            return true;
        }
        metrics.retry("over-budget");
        LOG.debug("forwarding model {} to node {} failed ({}); not retried: the retry budget is spent", spec.id(), target.nodeId(),
                e.getStatus().getCode());
        return false;
    }

    /** What a failed forward answers when the budget allows no retry: what failed, and why it was not tried again. */
    private static MeshError overBudget(ModelSpec spec, LoadCoordinator.Target target, StatusRuntimeException e) {
        return new MeshError(ErrorCode.UNAVAILABLE, "forwarding model '" + spec.id() + "' to node " + target.nodeId() + " failed ("
                + e.getStatus().getCode() + ": " + e.getStatus().getDescription() + ") and was not tried elsewhere: retries are "
                + "failing for many requests at once, and this router's retry budget (forward.retryRatio) is spent; retry shortly");
    }

    private LoadCoordinator.Target target(ModelSpec spec) {
        metrics.seen(spec.id());
        Optional<CopyRecord> copy = chooser.choose(placement.copies(spec.id()), spec,
                node -> suspects.contains(node) || stale.contains(spec.id() + "@" + node));
        if (copy.isPresent()) {
            Optional<NodeRecord> node = nodes.get(copy.get().nodeId());
            if (node.isPresent()) {
                metrics.hit();
                return LoadCoordinator.Target.of(node.get());
            }
        }
        metrics.miss();
        return Tracing.traced("load wait", SpanKind.INTERNAL, null, Attributes.of(Tracing.MODEL, spec.id(), Tracing.NAMESPACE, spec.namespace()),
                () -> loads.awaitLoaded(spec));
    }

    @Override
    public CopyRecord load(ModelSpec spec) {
        LoadCoordinator.Target t = loads.awaitLoaded(spec);
        return placement.copies(spec.id()).stream().filter(c -> c.nodeId().equals(t.nodeId())).findFirst()
                .orElseThrow(() -> new MeshError(ErrorCode.UNAVAILABLE, "model '" + spec.id() + "' loaded on node " + t.nodeId()
                        + " but its copy is gone again; retry"));
    }

    @Override
    public void unload(String modelId) {
        for (CopyRecord c : placement.copies(modelId)) {
            Optional<NodeRecord> node = nodes.get(c.nodeId());
            if (node.isEmpty()) {
                placement.removeCopy(modelId, c.nodeId());
                continue;
            }
            try {
                channels.stub(LoadCoordinator.Target.of(node.get()), "").withDeadlineAfter(config.timeoutMs(), TimeUnit.MILLISECONDS)
                        .unload(UnloadRequest.newBuilder().setModelId(modelId).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw NodeErrors.fromNode(e, c.nodeId());
                }
                placement.removeCopy(modelId, c.nodeId()); // the node is gone; so is its copy
            }
        }
    }

    /** Requests on this router waiting for a load now (the autoscale signal). */
    public int waitingForLoads() {
        return loads.waiting();
    }

    @Override
    public List<CopyRecord> copies(String modelId) {
        return placement.copies(modelId);
    }

    @Override
    public boolean drain(String nodeId, String principal) {
        NodeRecord node = nodes.get(nodeId).orElseThrow(() -> new MeshError(ErrorCode.NOT_FOUND, "no node '" + nodeId + "' is in the mesh"));
        try {
            return channels.stub(LoadCoordinator.Target.of(node), "").withDeadlineAfter(config.timeoutMs(), TimeUnit.MILLISECONDS)
                    .drain(dev.meshwork.protocol.node.DrainRequest.newBuilder().setPrincipal(principal).build()).getStarted();
        } catch (StatusRuntimeException e) {
            throw NodeErrors.fromNode(e, nodeId);
        }
    }

    @Override
    public List<NodeRecord> nodes() {
        return nodes.list();
    }

    @Override
    public List<String> formats() {
        Set<String> out = new TreeSet<>();
        nodes.list().forEach(n -> n.slots().stream().filter(SlotRecord::autoSelect).forEach(s -> out.addAll(s.formats())));
        return List.copyOf(out);
    }

    @Override
    public void close() {
        scaler.close();
        channels.close();
    }
}
