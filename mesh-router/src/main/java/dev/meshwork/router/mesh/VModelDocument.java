package dev.meshwork.router.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.placement.registry.TrafficSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the body of {@code PUT /v1/mesh/vmodels/{name}}: {@code {"targetModel": "...", "owner": "",
 * "autoDeleteTargetModel": false, "loadNow": false, "force": false, "sync": false, "updateOnly": false,
 * "expectedTargetModel": "", "model": {registration of targetModel}}}, the fields of ModelMesh's
 * setVModel, and Meshwork's traffic split: {@code "traffic": [{"model": "a", "weight": 90}, {"model":
 * "b", "weight": 10}], "stickyHeader": "x-user"}. Unknown fields are refused.
 */
public final class VModelDocument {
    private static final Set<String> FIELDS = Set.of("targetModel", "owner", "autoDeleteTargetModel", "loadNow", "force", "sync",
            "updateOnly", "expectedTargetModel", "model", "traffic", "stickyHeader");
    private static final Set<String> SHARE_FIELDS = Set.of("model", "weight");

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
        TrafficSplit traffic = traffic(namespace, doc, what);
        return new VModelService.SetRequest(ModelSpec.qualify(namespace, name), DocumentFields.text(doc, "owner", what),
                target.isEmpty() ? target : ModelSpec.qualify(namespace, target),
                model == null || model.isNull() ? null : ModelRegistration.parse(namespace, target, JsonTensorCodec.toBytes(model)),
                DocumentFields.flag(doc, "updateOnly", what), DocumentFields.flag(doc, "autoDeleteTargetModel", what),
                DocumentFields.flag(doc, "loadNow", what), DocumentFields.flag(doc, "force", what), DocumentFields.flag(doc, "sync", what),
                expected.isEmpty() ? expected : ModelSpec.qualify(namespace, expected), traffic);
    }

    private static TrafficSplit traffic(String namespace, JsonNode doc, String what) {
        JsonNode list = doc.get("traffic");
        String sticky = DocumentFields.text(doc, "stickyHeader", what);
        if (list == null || list.isNull()) {
            if (!sticky.isEmpty()) {
                throw MeshError.invalid("\"stickyHeader\" in %s needs a \"traffic\" split to stick to", what);
            }
            return TrafficSplit.NONE;
        }
        if (!list.isArray() || list.isEmpty()) {
            throw MeshError.invalid("\"traffic\" in %s must be a list of {\"model\": name, \"weight\": n}", what);
        }
        List<TrafficSplit.Share> shares = new ArrayList<>();
        for (JsonNode share : list) {
            if (!share.isObject()) {
                throw MeshError.invalid("\"traffic\" in %s must be a list of {\"model\": name, \"weight\": n}", what);
            }
            DocumentFields.checkKnown(share, SHARE_FIELDS, "a traffic share of " + what);
            String model = DocumentFields.text(share, "model", what);
            JsonNode weight = share.get("weight");
            if (model.isEmpty() || weight == null || !weight.canConvertToInt() || !weight.isIntegralNumber()) {
                throw MeshError.invalid("each traffic share of %s needs \"model\" (a name) and \"weight\" (a whole number)", what);
            }
            ModelSpec.checkName(model);
            shares.add(new TrafficSplit.Share(ModelSpec.qualify(namespace, model), weight.intValue()));
        }
        return new TrafficSplit(shares, sticky);
    }
}
