package dev.meshwork.protocol.tensor;

import java.util.List;
import java.util.Map;

/**
 * An inference request in protocol-neutral form. {@code rawOutputs} remembers whether the client
 * spoke raw gRPC contents, so the answer goes back in the same form.
 */
public record InferenceRequest(String modelName, String modelVersion, String id, Map<String, Object> parameters,
                               List<Tensor> inputs, List<String> requestedOutputs, boolean rawOutputs) {
    public InferenceRequest {
        modelVersion = modelVersion == null ? "" : modelVersion;
        id = id == null ? "" : id;
        parameters = Map.copyOf(parameters);
        inputs = List.copyOf(inputs);
        requestedOutputs = List.copyOf(requestedOutputs);
    }

    /** The same request addressed to another model id (after a vmodel or name resolution). */
    public InferenceRequest withModel(String model) {
        return new InferenceRequest(model, modelVersion, id, parameters, inputs, requestedOutputs, rawOutputs);
    }

    /** The same request asking for {@code outputs}. */
    public InferenceRequest withRequestedOutputs(List<String> outputs) {
        return new InferenceRequest(modelName, modelVersion, id, parameters, inputs, outputs, rawOutputs);
    }

    /** The sum of the input data sizes, for limits and metrics. */
    public long payloadBytes() {
        long n = 0;
        for (Tensor t : inputs) {
            n += t.data().size();
        }
        return n;
    }
}
