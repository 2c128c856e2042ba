package dev.meshwork.node.cluster;

import dev.meshwork.telemetry.Tracing;
import dev.meshwork.telemetry.TracingInterceptors;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;

import dev.meshwork.nodeapi.InlineRun;
import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.cache.CopyInfo;
import dev.meshwork.nodeapi.LoadOnMiss;
import dev.meshwork.nodeapi.NodeFence;
import dev.meshwork.nodeapi.NodeMessages;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.SlotRecord;
import dev.meshwork.protocol.error.GrpcCalls;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.node.CopyStatus;
import dev.meshwork.protocol.node.LoadRequest;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.protocol.node.NodeStatus;
import dev.meshwork.protocol.node.NodeStatusRequest;
import dev.meshwork.protocol.node.SlotStatus;
import dev.meshwork.protocol.node.UnloadRequest;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelMetadataRequest;
import dev.meshwork.protocol.oip.ModelMetadataResponse;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.ModelMetadata;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * {@code meshwork.node.v1.NodeService}: what routers (and draining nodes) ask of this node. gRPC
 * calls each method on a transport thread; every method hands its work to the request executor
 * in one hop, except a quick inference on a loaded in-process copy, which runs where it arrived. After a load or unload the node's rows in the placement table are written before
 * the answer goes out, so a router that reads the table next finds them.
 */
public final class NodeGrpcService extends NodeServiceGrpc.NodeServiceImplBase {
    private final NodeAgent agent;
    private final java.util.function.Consumer<String> publisher;
    private final Executor work;
    /** Starts the node's drain for the principal named (true), or finds it started already (false). */
    private final java.util.function.Predicate<String> drain;
    /** Whether this process may answer a router's call (see {@link NodeStanding#admit}). */
    private final NodeStanding standing;

    public NodeGrpcService(NodeAgent agent, java.util.function.Consumer<String> publisher, Executor work) {
        this(agent, publisher, work, principal -> false, new NodeStanding(agent.nodeId(), 0));
    }

    NodeGrpcService(NodeAgent agent, java.util.function.Consumer<String> publisher, Executor work,
                    java.util.function.Predicate<String> drain, NodeStanding standing) {
        this.agent = agent;
        this.publisher = publisher;
        this.work = work;
        this.drain = drain;
        this.standing = standing;
    }

    @Override
    public void drain(dev.meshwork.protocol.node.DrainRequest request, StreamObserver<dev.meshwork.protocol.node.DrainStatus> out) {
        GrpcCalls.answer(work, out, () -> dev.meshwork.protocol.node.DrainStatus.newBuilder().setStarted(drain.test(request.getPrincipal())).build());
    }

    static CopyStatus status(CopyInfo c) {
        return CopyStatus.newBuilder().setModelId(c.modelId()).setSlot(c.slot()).setState(NodeMessages.copyState(c.state()))
                .setSizeBytes(c.sizeBytes()).setLastUsed(c.lastUsedMillis()).setError(c.error() == null ? "" : c.error()).build();
    }

    @Override
    public void load(LoadRequest request, StreamObserver<CopyStatus> out) {
        io.opentelemetry.context.Context parent = TracingInterceptors.parent();
        NodeFence.Expected expected = NodeFence.expected();
        GrpcCalls.answer(work, out, () -> {
            ModelSpec spec = NodeMessages.spec(request.getModel());
            String refusal = standing.refusal(expected, spec.id(), null);
            if (!refusal.isEmpty()) {
                throw new MeshError(ErrorCode.UNAVAILABLE, refusal); // the node's own answer: the router places the model elsewhere
            }
            return Tracing.inSpan("node load", SpanKind.SERVER, parent, Attributes.of(Tracing.MODEL, spec.id(),
                    Tracing.NAMESPACE, spec.namespace(), Tracing.NODE, agent.nodeId(), Tracing.SLOT, request.getSlot()), () -> {
                try {
                    return status(agent.ensureLoaded(spec, request.getSlot()));
                } finally {
                    publisher.accept(spec.id()); // LOADED or FAILED, the table says so before the router hears back
                }
            });
        });
    }

    @Override
    public void unload(UnloadRequest request, StreamObserver<CopyStatus> out) {
        GrpcCalls.answer(work, out, () -> {
            agent.unload(request.getModelId()).join();
            publisher.accept(request.getModelId());
            return CopyStatus.newBuilder().setModelId(request.getModelId()).setState(dev.meshwork.protocol.node.CopyState.NOT_LOADED).build();
        });
    }

    @Override
    public void status(NodeStatusRequest request, StreamObserver<NodeStatus> out) {
        GrpcCalls.answer(work, out, () -> {
            NodeStatus.Builder b = NodeStatus.newBuilder().setNodeId(agent.nodeId()).setDraining(agent.draining());
            for (SlotRecord s : agent.slotRecords()) {
                SlotStatus.Builder sb = b.addSlotsBuilder().setName(s.name()).setRuntime(s.runtime()).setDevice(s.device())
                        .setCapacityBytes(s.capacityBytes()).setUsedBytes(s.usedBytes());
                s.models().forEach(id -> agent.copy(id).ifPresent(c -> sb.addCopies(status(c))));
            }
            return b.build();
        });
    }

    @Override
    public void infer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        io.opentelemetry.context.Context parent = TracingInterceptors.parent();
        NodeFence.Expected expected = NodeFence.expected();
        Optional<byte[]> onMiss = LoadOnMiss.requested();
        // a quick request for a loaded in-process copy runs here, on the transport thread (NodeAgent.runsInline); a router's
        // last try, which may have to load, never does
        boolean inline = onMiss.isEmpty() && agent.runsInline(request.getModelName(), request.getSerializedSize());
        GrpcCalls.answer(inline ? InlineRun::execute : work, out, () -> Tracing.inSpan("node infer", SpanKind.SERVER, parent,
                () -> Attributes.of(Tracing.MODEL, request.getModelName(), Tracing.NODE, agent.nodeId()), () -> {
                    admit(expected, request.getModelName());
                    Optional<ModelInferResponse> answer = agent.inferWireIfLoaded(request.getModelName(), request);
                    if (answer.isPresent()) {
                        return answer.get();
                    }
                    if (InlineRun.active()) {
                        // the copy went since the check: the table's update that missing() writes may wait, so retry instead
                        throw MeshError.retryAfter(ErrorCode.UNAVAILABLE, "the copy of '" + request.getModelName() + "' on node "
                                + agent.nodeId() + " went as the request arrived; retry", 100);
                    }
                    if (onMiss.isPresent()) {
                        return loadingFor(expected, onMiss.get(), request.getModelName(), spec -> agent.inferWireLoading(spec, request));
                    }
                    throw missing(request.getModelName());
                }));
    }

    /**
     * A router's last try ({@link LoadOnMiss}): {@code work} loads the copy this node no longer holds and answers with it.
     * The registration (the header's bytes, read here, past the caller check) must name the request's model and be the one the call is fenced to, and the node must take loads.
     */
    private <T> T loadingFor(NodeFence.Expected expected, byte[] registration, String modelId, java.util.function.Function<ModelSpec, T> work) {
        ModelSpec spec = LoadOnMiss.spec(registration);
        if (!spec.id().equals(modelId) || (!expected.spec().isEmpty() && !expected.spec().equals(spec.fingerprint()))) {
            throw MeshError.invalid("the %s header names another registration than the request's model '%s'", LoadOnMiss.MODEL.name(), modelId);
        }
        String refusal = standing.refusal(expected, modelId, null);
        if (!refusal.isEmpty()) {
            throw new MeshError(ErrorCode.UNAVAILABLE, refusal); // as for a Load: the router places the model elsewhere
        }
        try {
            return work.apply(spec);
        } finally {
            publisher.accept(modelId); // the copy it loaded (or failed to) is in the table for the next requests
        }
    }

    @Override
    public void metadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        NodeFence.Expected expected = NodeFence.expected();
        Optional<byte[]> onMiss = LoadOnMiss.requested();
        GrpcCalls.answer(work, out, () -> {
            Optional<ModelMetadata> held = admit(expected, request.getName()).metadataIfLoaded(request.getName());
            if (held.isEmpty() && onMiss.isPresent()) {
                held = Optional.of(loadingFor(expected, onMiss.get(), request.getName(), agent::metadataLoading));
            }
            return GrpcTensorCodec.metadata(held.orElseThrow(() -> missing(request.getName())), request.getName());
        });
    }

    /**
     * Checks the call's fencing token against this process and the copy that would answer (a refusal
     * is the "no usable copy" answer, on which routers place the model again); returns the agent.
     */
    private NodeAgent admit(NodeFence.Expected expected, String modelId) {
        String refusal = standing.refusal(expected, modelId, agent.copy(modelId).map(CopyInfo::spec).orElse(null));
        if (!refusal.isEmpty()) {
            throw GrpcErrors.copyUnusable(modelId, refusal);
        }
        return agent;
    }

    /**
     * The answer for a model this node does not hold. Its placement row is brought up to date
     * first, so the router that places the model again next does not still see a copy here.
     */
    private RuntimeException missing(String modelId) {
        publisher.accept(modelId);
        return GrpcErrors.copyMissing(modelId, agent.nodeId());
    }
}
