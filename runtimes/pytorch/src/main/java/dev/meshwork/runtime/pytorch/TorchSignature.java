package dev.meshwork.runtime.pytorch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.runtime.RuntimeMessages;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.protocol.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs and outputs of a TorchScript model, from the {@code signature.json} beside it:
 * {@code {"inputs": [{"name", "datatype", "shape"}], "outputs": [...]}}, in the order forward()
 * takes and returns them. TorchScript files carry no typed signature, so, as Triton's model
 * configuration does, Meshwork asks for one.
 */
record TorchSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
    static final String FILE = "signature.json";

    static TorchSignature read(Path folder, Path model) {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw MeshError.invalid("TorchScript model %s needs a %s beside it naming its inputs and outputs, for example "
                    + "{\"inputs\": [{\"name\": \"input__0\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}], \"outputs\": [...]}",
                    model.getFileName(), FILE);
        }
        JsonNode root;
        try {
            root = JsonTensorCodec.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw MeshError.invalid("cannot read the model's %s: %s", FILE, e.getClass().getSimpleName());
        } catch (MeshError e) {
            throw MeshError.invalid("%s is not valid JSON: %s", FILE, RuntimeMessages.withoutArtifactText(e.getMessage()));
        }
        return new TorchSignature(specs(root, "inputs"), specs(root, "outputs"));
    }

    private static List<TensorSpec> specs(JsonNode root, String field) {
        JsonNode list = root.get(field);
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw MeshError.invalid("%s needs a non-empty \"%s\" array", FILE, field);
        }
        List<TensorSpec> out = new ArrayList<>();
        for (JsonNode t : list) {
            String name = t.path("name").asText("");
            if (name.isEmpty()) {
                throw MeshError.invalid("%s: an entry of \"%s\" has no name", FILE, field);
            }
            DataType type = DataType.parse(t.path("datatype").asText(null), name);
            JsonNode shape = t.get("shape");
            if (shape == null || !shape.isArray()) {
                throw MeshError.invalid("%s: tensor '%s' has no \"shape\" array", FILE, name);
            }
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.get(i).asLong();
            }
            out.add(new TensorSpec(name, type, dims));
        }
        return out;
    }
}
