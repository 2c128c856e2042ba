package dev.meshwork.router.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import java.util.Set;

/**
 * Reads the body of {@code PUT /v1/mesh/vmodels/{name}}: {@code {"targetModel": "...", "owner": "",
 * "autoDeleteTargetModel": false, "loadNow": false, "force": false, "sync": false, "updateOnly": false,
 * "expectedTargetModel": "", "model": {registration of targetModel}}}, the fields of ModelMesh's
 * setVModel. Unknown fields are refused.
 */
public final class VModelDocument {
    private static final Set<String> FIELDS = Set.of("targetModel", "owner", "autoDeleteTargetModel", "loadNow", "force", "sync",
            "updateOnly", "expectedTargetModel", "model");

    private VModelDocument() {
    }

    /** The setVModel a document asks for, with every name taken in {@code namespace}. */
    public static VModelService.SetRequest parse(String namespace, String name, byte[] body) {
        JsonNode doc = JsonTensorCodec.parse(body);
        String what = "vmodel '" + name + "'";
        DocumentFields.checkKnown(doc, FIELDS, what);
        String target = DocumentFields.text(doc, "targetModel", what);
        JsonNode model = doc.get("model");
        if (model != null && !model.isNull() && !model.isObject()) {
            throw MeshError.invalid("\"model\" in %s must be a registration object", what);
        }
        ModelSpec.checkName(name);
        if (!target.isEmpty()) {
            ModelSpec.checkName(target);
        }
        String expected = DocumentFields.text(doc, "expectedTargetModel", what);
        return new VModelService.SetRequest(ModelSpec.qualify(namespace, name), DocumentFields.text(doc, "owner", what),
                target.isEmpty() ? target : ModelSpec.qualify(namespace, target),
                model == null || model.isNull() ? null : ModelRegistration.parse(namespace, target, JsonTensorCodec.toBytes(model)),
                DocumentFields.flag(doc, "updateOnly", what), DocumentFields.flag(doc, "autoDeleteTargetModel", what),
                DocumentFields.flag(doc, "loadNow", what), DocumentFields.flag(doc, "force", what), DocumentFields.flag(doc, "sync", what),
                expected.isEmpty() ? expected : ModelSpec.qualify(namespace, expected));
    }
}
