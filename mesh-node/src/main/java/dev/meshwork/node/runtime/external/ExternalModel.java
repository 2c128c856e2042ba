package dev.meshwork.node.runtime.external;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.runtime.ValidatingModel;
import io.grpc.StatusRuntimeException;

/** A model loaded in an external runtime; inference is forwarded as OIP ModelInfer with raw contents. */
final class ExternalModel extends ValidatingModel {
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
            var answer = runtime.inference().modelInfer(GrpcTensorCodec.encode(req.withModel(modelId)));
            return GrpcTensorCodec.decode(answer).withModel(req.modelName());
        } catch (StatusRuntimeException e) {
            throw runtime.inferenceFailed(spec, target, e);
        }
    }

    @Override
    public void close() {
        runtime.unload(modelId);
    }
}
