package dev.meshwork.router.mesh;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import java.util.List;

/**
 * How the router reaches the nodes that hold models. Calls block until answered, so they are made
 * from request threads (virtual threads), never from an event loop. Implementations are thread-safe.
 */
public interface NodeBackend extends AutoCloseable {
    /**
     * Tells the backend where to find, by model id, the labels a node must carry to load a model (its runtime's
     * {@code nodeSelector}). A backend with one node ignores it. Called once, before any load.
     */
    default void requiredLabels(java.util.function.Function<String, java.util.Map<String, String>> ofModel) {
    }

    /**
     * Whether a request of about {@code requestBytes} for the model may run on the thread that received
     * it (an event loop or a transport thread), skipping the hand-off to a request thread: only a node
     * in this process can say (see {@code NodeAgent.runsInline}); a backend that forwards never may.
     * Never blocks.
     */
    default boolean runsInline(String modelId, long requestBytes) {
        return false;
    }

    /**
     * Tells the backend the tenants' policies: copy scaling keeps to each namespace's
     * {@code maxCopiesPerModel}, and placement prefers nodes where a load takes memory from no
     * namespace within its guaranteed share. A backend with one node ignores it. Called once, before any load.
     */
    default void tenants(dev.meshwork.router.tenant.Tenants tenants) {
    }

    /** Fails fast, without loading, when no node could serve this model (unknown format or runtime). */
    void checkServable(ModelSpec spec);

    InferenceResponse infer(ModelSpec spec, InferenceRequest request);

    /**
     * Runs a gRPC request as it arrived (its model_name already the model's id). A backend that
     * forwards over gRPC passes it on without decoding its tensors; the default decodes it.
     */
    default ModelInferResponse inferWire(ModelSpec spec, ModelInferRequest request) {
        InferenceRequest decoded = GrpcTensorCodec.decode(request);
        return GrpcTensorCodec.encode(infer(spec, decoded), decoded.rawOutputs());
    }

    ModelMetadata metadata(ModelSpec spec);

    /** Loads the model somewhere and waits until a copy is LOADED. */
    CopyRecord load(ModelSpec spec);

    /** Unloads every copy of the model. */
    void unload(String modelId);

    List<CopyRecord> copies(String modelId);

    List<NodeRecord> nodes();

    /**
     * Asks node {@code nodeId} to drain, as SIGTERM would but staying up; returns whether this call
     * started it (false: it was draining already). {@code principal} is who asked, for the node's audit.
     */
    default boolean drain(String nodeId, String principal) {
        throw new dev.meshwork.protocol.error.MeshError(dev.meshwork.protocol.error.ErrorCode.PRECONDITION_FAILED,
                "a standalone mesh has one node, its own, and nowhere to move its models; drain the nodes of a cluster");
    }

    /** The model formats some node's auto-select slots serve. */
    List<String> formats();

    @Override
    void close();
}
