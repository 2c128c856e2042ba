package dev.meshwork.runtime;

import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;

/**
 * A model loaded in a runtime. {@link #infer} is called from many request threads at once;
 * {@link #close} (the unload) only after every in-flight request has finished.
 */
public interface LoadedModel extends AutoCloseable {
    ModelMetadata metadata();

    /** Runs inference; bad inputs are MeshError INVALID_ARGUMENT with a message that names the problem. */
    InferenceResponse infer(InferenceRequest request);

    /** The memory the model holds, in bytes (see each adapter for how it is measured). */
    long sizeBytes();

    /** Unloads the model and frees its native memory. */
    @Override
    void close();
}
