package dev.meshwork.node.runtime.external;

import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.runtime.ValidatingModel;
import io.grpc.StatusRuntimeException;

/** A model loaded in an external runtime; inference is forwarded as OIP ModelInfer with raw contents. */
final class ExternalModel extends ValidatingModel {
    private final ExternalRuntimeAdapter runtime;
    private final String modelId;

    ExternalModel(ExternalRuntimeAdapter runtime, String modelId, ModelMetadata meta, long sizeBytes) {
        super(meta, sizeBytes);
        this.runtime = runtime;
        this.modelId = modelId;
    }

    @Override
    protected InferenceResponse run(InferenceRequest req) {
        try {
            // the runtime knows the model by its id (ModelMesh injects it into model_name, field 1)
            var answer = runtime.inference().modelInfer(GrpcTensorCodec.encode(req.withModel(modelId)));
            return GrpcTensorCodec.decode(answer).withModel(req.modelName());
        } catch (StatusRuntimeException e) {
            throw runtime.error(e, "ModelInfer");
        }
    }

    @Override
    public void close() {
        runtime.unload(modelId);
    }
}
