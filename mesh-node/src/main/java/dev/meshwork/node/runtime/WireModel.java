package dev.meshwork.node.runtime;

import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;

/**
 * A loaded model that takes a gRPC request in its wire form (a model in another process, which
 * decodes, checks and runs it there): the node hands it on without decoding or re-encoding its
 * tensors. Called on request threads, concurrently.
 */
public interface WireModel {
    /**
     * Whether it takes requests undecoded: only when the process checks them itself the way the node
     * would (an isolated slot's own runtime-server); someone else's runtime gets them checked here.
     */
    boolean takesWire();

    /** The answer to {@code request}, whose model_name is the model's id. */
    ModelInferResponse inferWire(ModelInferRequest request);
}
