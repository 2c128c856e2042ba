package dev.meshwork.node.runtime.external;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.runtime.ValidatingModel;
import io.grpc.StatusRuntimeException;

/** A model loaded in an external runtime; inference is forwarded as OIP ModelInfer with raw contents ({@link ExternalRuntimeAdapter#infer}). */
final class ExternalModel extends ValidatingModel implements dev.meshwork.node.runtime.WireModel {
    private final ExternalRuntimeAdapter runtime;
    private final ModelSpec spec;
    private final String modelId;

    ExternalModel(ExternalRuntimeAdapter runtime, ModelSpec spec, ModelMetadata meta, long sizeBytes) {
        super(meta, sizeBytes);
        this.runtime = runtime;
        this.spec = spec;
        this.modelId = spec.id();
    }

    @Override
    protected InferenceResponse run(InferenceRequest req) {
        Process target = runtime.target();
        try {
            // the runtime knows the model by its id (ModelMesh injects it into model_name, field 1)
            var answer = runtime.infer(GrpcTensorCodec.encode(req.withModel(modelId)), target);
            return GrpcTensorCodec.decode(answer).withModel(req.modelName());
        } catch (StatusRuntimeException e) {
            throw runtime.inferenceFailed(spec, target, e);
        }
    }

    @Override
    public boolean takesWire() {
        return runtime.ownChild();
    }

    /** The request as it came, to the runtime, which checks it against its own metadata; the answer as the runtime gave it. */
    @Override
    public dev.meshwork.protocol.oip.ModelInferResponse inferWire(dev.meshwork.protocol.oip.ModelInferRequest request) {
        Process target = runtime.target();
        try {
            return runtime.infer(request.getModelName().equals(modelId) ? request : request.toBuilder().setModelName(modelId).build(), target);
        } catch (StatusRuntimeException e) {
            throw runtime.inferenceFailed(spec, target, e);
        }
    }

    @Override
    public void close() {
        runtime.unload(modelId);
    }
}
