package dev.meshwork.router.mesh;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.cache.CopyInfo;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import java.util.List;

/**
 * How the router reaches the nodes that hold models. Calls block until answered, so they are made
 * from request threads (virtual threads), never from an event loop. Implementations are thread-safe.
 */
public interface NodeBackend extends AutoCloseable {
    /** A node as the router sees it, for status pages. */
    record NodeView(String nodeId, List<NodeAgent.SlotStatus> slots) {
    }

    /** A copy of a model on a named node. */
    record Copy(String nodeId, CopyInfo info) {
    }

    /** Fails fast, without loading, when no node could serve this model (unknown format or runtime). */
    void checkServable(ModelSpec spec);

    InferenceResponse infer(ModelSpec spec, InferenceRequest request);

    ModelMetadata metadata(ModelSpec spec);

    /** Loads the model somewhere and waits until a copy is LOADED. */
    Copy load(ModelSpec spec);

    /** Unloads every copy of the model. */
    void unload(String modelId);

    List<Copy> copies(String modelId);

    List<NodeView> nodes();

    /** The model formats some node serves. */
    List<String> formats();

    @Override
    void close();
}
