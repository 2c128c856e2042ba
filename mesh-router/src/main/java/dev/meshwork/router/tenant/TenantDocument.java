package dev.meshwork.router.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshwork.placement.tenant.MemoryAmount;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.router.mesh.DocumentFields;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tenant document as people write it, in JSON (the body of {@code PUT /v1/mesh/namespaces/{ns}})
 * or YAML (the watched directory): {@code namespace}, {@code maxModels}, {@code memoryShare},
 * {@code maxMemory}, {@code maxCopiesPerModel}, {@code requestsPerSecond}, {@code burst},
 * {@code maxInFlight}, {@code priority}. Unknown fields are refused, so a misspelt limit never
 * silently means "no limit". Stateless.
 */
public final class TenantDocument {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FIELDS = Set.of("namespace", "maxModels", "memoryShare", "maxMemory", "maxCopiesPerModel",
            "requestsPerSecond", "burst", "maxInFlight", "priority");

    private TenantDocument() {
    }

    /** The JSON body of a PUT for {@code namespace} (a "namespace" in the body must agree). */
    public static TenantPolicy parse(String namespace, byte[] body) {
        return parse(namespace, JsonTensorCodec.parse(body), "");
    }

    /** Every document of a YAML file (separated by {@code ---}), each naming its namespace. */
    public static List<TenantPolicy> parseAll(String text, String source) {
        List<TenantPolicy> out = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(text)) {
            var docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                out.add(parse(null, doc, source));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof MeshError m) {
                throw m;
            }
            throw MeshError.invalid("not valid YAML: %s", String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        return out;
    }

    static TenantPolicy parse(String namespace, JsonNode doc, String source) {
        if (doc == null || !doc.isObject()) {
            throw MeshError.invalid("a tenant document is an object such as {\"memoryShare\": \"25%%\", \"requestsPerSecond\": 100}");
        }
        String where = "the tenant document" + (namespace == null ? "" : " of '" + namespace + "'");
        DocumentFields.checkKnown(doc, FIELDS, where);
        String ns = namespace;
        if (doc.hasNonNull("namespace")) {
            String named = doc.get("namespace").asText();
            if (ns != null && !ns.equals(named)) {
                throw MeshError.invalid("the body names namespace '%s' but the URL names '%s'", named, ns);
            }
            ns = named;
        }
        if (ns == null) {
            throw MeshError.invalid("%s needs \"namespace\" (or \"*\" for the defaults)", where);
        }
        return new TenantPolicy(ns, whole(doc, "maxModels"), amount(doc, "memoryShare"), amount(doc, "maxMemory"),
                whole(doc, "maxCopiesPerModel"), number(doc, "requestsPerSecond"), whole(doc, "burst"), whole(doc, "maxInFlight"),
                priority(doc), source);
    }

    private static int whole(JsonNode doc, String field) {
        JsonNode v = doc.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0) {
            throw MeshError.invalid("\"%s\" must be a whole number, 0 (no limit) or more, got %s", field, v);
        }
        return v.intValue();
    }

    private static int priority(JsonNode doc) {
        JsonNode v = doc.get("priority");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw MeshError.invalid("\"priority\" must be a whole number (higher is shed later), got %s", v);
        }
        return v.intValue();
    }

    private static double number(JsonNode doc, String field) {
        JsonNode v = doc.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isNumber()) {
            throw MeshError.invalid("\"%s\" must be a number, got %s", field, v);
        }
        return v.doubleValue();
    }

    private static MemoryAmount amount(JsonNode doc, String field) {
        JsonNode v = doc.get(field);
        if (v == null || v.isNull()) {
            return MemoryAmount.NONE;
        }
        if (v.isNumber()) {
            return MemoryAmount.parse(field, v.numberValue());
        }
        if (v.isTextual()) {
            return MemoryAmount.parse(field, v.asText());
        }
        throw MeshError.invalid("\"%s\" must be a fraction, bytes, \"25%%\" or \"2Gi\", got %s", field, v);
    }

    /** The document as the API shows it: only the fields that are set, plus where it came from. */
    public static Map<String, Object> view(TenantPolicy p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("namespace", p.namespace());
        putIf(out, "maxModels", p.maxModels());
        if (p.memoryShare().isSet()) {
            out.put("memoryShare", p.memoryShare().toDocument());
        }
        if (p.maxMemory().isSet()) {
            out.put("maxMemory", p.maxMemory().toDocument());
        }
        putIf(out, "maxCopiesPerModel", p.maxCopiesPerModel());
        if (p.requestsPerSecond() > 0) {
            out.put("requestsPerSecond", p.requestsPerSecond());
            out.put("burst", p.effectiveBurst());
        }
        putIf(out, "maxInFlight", p.maxInFlight());
        out.put("priority", p.priority());
        if (!p.source().isEmpty()) {
            out.put("source", p.source());
        }
        return out;
    }

    private static void putIf(Map<String, Object> out, String field, int value) {
        if (value > 0) {
            out.put(field, value);
        }
    }
}
