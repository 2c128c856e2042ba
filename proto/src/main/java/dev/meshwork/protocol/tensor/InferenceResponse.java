package dev.meshwork.protocol.tensor;

import java.util.List;
import java.util.Map;

/** An inference response in protocol-neutral form. */
public record InferenceResponse(String modelName, String modelVersion, String id, Map<String, Object> parameters,
                                List<Tensor> outputs) {
    public InferenceResponse {
        modelVersion = modelVersion == null ? "" : modelVersion;
        id = id == null ? "" : id;
        parameters = Map.copyOf(parameters);
        outputs = List.copyOf(outputs);
    }

    /** The same response under the model name the client used. */
    public InferenceResponse withModel(String model) {
        return new InferenceResponse(model, modelVersion, id, parameters, outputs);
    }
}
