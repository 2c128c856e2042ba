package dev.meshwork.protocol.tensor;

import java.util.List;
import java.util.Optional;

/** What a loaded model reports about itself: its platform and its input and output tensors. */
public record ModelMetadata(String name, List<String> versions, String platform, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    public ModelMetadata {
        versions = List.copyOf(versions);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Optional<TensorSpec> input(String inputName) {
        return inputs.stream().filter(t -> t.name().equals(inputName)).findFirst();
    }

    public Optional<TensorSpec> output(String outputName) {
        return outputs.stream().filter(t -> t.name().equals(outputName)).findFirst();
    }

    /** The same metadata under the name a client asked for (a vmodel or alias). */
    public ModelMetadata withName(String newName) {
        return new ModelMetadata(newName, versions, platform, inputs, outputs);
    }
}
