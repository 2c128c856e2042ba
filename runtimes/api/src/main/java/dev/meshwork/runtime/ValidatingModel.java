package dev.meshwork.runtime;

import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;

/**
 * The common part of a loaded model: its metadata and size, and a request checked against the
 * metadata before the runtime sees it. Subclasses only run inference and close.
 */
public abstract class ValidatingModel implements LoadedModel {
    protected final ModelMetadata meta;
    private final long sizeBytes;

    protected ValidatingModel(ModelMetadata meta, long sizeBytes) {
        this.meta = meta;
        this.sizeBytes = sizeBytes;
    }

    @Override
    public final ModelMetadata metadata() {
        return meta;
    }

    @Override
    public final long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public final InferenceResponse infer(InferenceRequest request) {
        InputValidator.check(meta, request);
        return run(request);
    }

    /** Runs a request whose inputs match the metadata (names, datatypes, shapes) and whose requested outputs exist. */
    protected abstract InferenceResponse run(InferenceRequest request);
}
