package dev.meshwork.router.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshwork.kserve.InferenceServiceParser;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.PayloadLogging;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Reads a registration document, the body of {@code PUT /v1/mesh/models/{name}}: Meshwork's own
 * {@code {"modelFormat": {"name": "onnx", "version": "1"}, "storageUri": "...", "runtime": "...", "sizeHint": 0,
 * "batching": {...}, "logger": {...}}},
 * whose unknown fields are refused so that a misspelt key never goes unnoticed, or a KServe
 * InferenceService in JSON or YAML (recognised by its {@code apiVersion} / {@code kind}).
 */
public final class ModelRegistration {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FIELDS = Set.of("name", "modelFormat", "storageUri", "runtime", "sizeHint", "batching", "logger",
            "defaultOutputs");
    private static final Set<String> BATCHING = Set.of("maxBatchSize", "maxLatency", "preferredBatchSizes");
    private static final Set<String> LOGGER = Set.of("mode", "url");

    private ModelRegistration() {
    }

    /**
     * Parses a document for model {@code name} (from the URL; a "name" in the body must agree) in
     * {@code namespace}, the namespace the request acts in; an InferenceService's own
     * {@code metadata.namespace}, when it has one, must be that namespace.
     */
    public static ModelSpec parse(String namespace, String name, byte[] body) {
        JsonNode doc = looksLikeJson(body) ? JsonTensorCodec.parse(body) : yaml(body);
        if (InferenceServiceParser.isKubernetesDocument(doc)) {
            ModelSpec spec = InferenceServiceParser.parse("the request body", doc, "");
            if (name != null && !spec.name().equals(name)) {
                throw MeshError.invalid("the InferenceService is named '%s' but the URL names '%s'", spec.name(), name);
            }
            if (doc.path("metadata").hasNonNull("namespace") && !spec.namespace().equals(namespace)) {
                throw MeshError.invalid("the InferenceService is in namespace '%s' but the request acts in namespace '%s';"
                        + " send the header meshwork-namespace: %s", spec.namespace(), namespace, spec.namespace());
            }
            return spec.inNamespace(namespace);
        }
        DocumentFields.checkKnown(doc, FIELDS, "the registration of '" + name + "'");
        String id = name != null ? name : text(doc, "name", null);
        if (name != null && doc.hasNonNull("name") && !doc.get("name").asText().equals(name)) {
            throw MeshError.invalid("the body names model '%s' but the URL names '%s'", doc.get("name").asText(), name);
        }
        JsonNode format = doc.get("modelFormat");
        if (format == null || !format.isObject()) {
            throw MeshError.invalid("the registration of '%s' needs \"modelFormat\": {\"name\": \"onnx\"} (an object with a name)", id);
        }
        JsonNode size = doc.get("sizeHint");
        if (size != null && !size.isNull() && !size.isIntegralNumber()) {
            throw MeshError.invalid("\"sizeHint\" of '%s' must be a whole number of bytes", id);
        }
        ModelSpec.checkName(id);
        return new ModelSpec(id, new ModelFormat(text(format, "name", id), text(format, "version", id)),
                text(doc, "storageUri", id), text(doc, "runtime", id), size == null || size.isNull() ? 0 : size.longValue(), namespace, "")
                .withBatching(batching(doc.get("batching"), id)).withLogging(logger(doc.get("logger"), id))
                .withDefaultOutputs(outputs(doc.get("defaultOutputs"), id)).validate();
    }

    /** {@code "defaultOutputs": ["predict_proba"]}: what a request that names no outputs asks for. */
    private static List<String> outputs(JsonNode o, String id) {
        if (o == null || o.isNull()) {
            return List.of();
        }
        if (!o.isArray() || o.size() > ModelSpec.MAX_DEFAULT_OUTPUTS) {
            throw MeshError.invalid("\"defaultOutputs\" of '%s' must be a list of at most %d output names", id, ModelSpec.MAX_DEFAULT_OUTPUTS);
        }
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode n : o) {
            if (!n.isTextual()) {
                throw MeshError.invalid("\"defaultOutputs\" of '%s' must hold output names (strings), got %s", id, n);
            }
            names.add(n.asText());
        }
        return names;
    }

    /** {@code "logger": {"mode": "all", "url": "http://sink/"}}, as KServe's {@code predictor.logger}; mode defaults to all. */
    private static PayloadLogging logger(JsonNode l, String id) {
        if (l == null || l.isNull()) {
            return PayloadLogging.NONE;
        }
        if (!l.isObject()) {
            throw MeshError.invalid("\"logger\" of '%s' must be an object such as {\"mode\": \"all\", \"url\": \"http://sink/\"}", id);
        }
        String what = "the logger of '" + id + "'";
        DocumentFields.checkKnown(l, LOGGER, what);
        String url = DocumentFields.text(l, "url", what);
        if (url.isEmpty()) {
            throw MeshError.invalid("%s needs a \"url\" to send the events to", what);
        }
        String mode = DocumentFields.text(l, "mode", what);
        return new PayloadLogging(mode.isEmpty() ? PayloadLogging.Mode.ALL : PayloadLogging.Mode.of(mode), url);
    }

    /**
     * {@code "batching": {"maxBatchSize": 32, "maxLatency": 5, "preferredBatchSizes": [8, 16]}}: rows, and milliseconds
     * (fractions allowed), as KServe's batcher; the preferred sizes as Triton's {@code preferred_batch_size}.
     */
    private static Batching batching(JsonNode b, String id) {
        if (b == null || b.isNull()) {
            return Batching.NONE;
        }
        if (!b.isObject()) {
            throw MeshError.invalid("\"batching\" of '%s' must be an object such as {\"maxBatchSize\": 32, \"maxLatency\": 5}", id);
        }
        DocumentFields.checkKnown(b, BATCHING, "the batching of '" + id + "'");
        JsonNode size = b.get("maxBatchSize");
        JsonNode latency = b.get("maxLatency");
        if (size == null || !size.isIntegralNumber() || !size.canConvertToInt()) {
            throw MeshError.invalid("\"batching.maxBatchSize\" of '%s' must be a whole number of rows", id);
        }
        if (latency != null && !latency.isNull() && !latency.isNumber()) {
            throw MeshError.invalid("\"batching.maxLatency\" of '%s' must be a number of milliseconds", id);
        }
        Batching settings = Batching.ofMillis(size.intValue(), latency == null || latency.isNull() ? 5 : latency.doubleValue());
        JsonNode preferred = b.get("preferredBatchSizes");
        if (preferred == null || preferred.isNull()) {
            return settings;
        }
        if (!preferred.isArray()) {
            throw MeshError.invalid("\"batching.preferredBatchSizes\" of '%s' must be a list of row counts such as [8, 16]", id);
        }
        java.util.List<Integer> sizes = new java.util.ArrayList<>();
        for (JsonNode n : preferred) {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw MeshError.invalid("\"batching.preferredBatchSizes\" of '%s' must be whole numbers of rows, got %s", id, n);
            }
            sizes.add(n.intValue());
        }
        return new Batching(settings.maxBatchSize(), settings.maxLatencyMicros(), sizes);
    }

    private static boolean looksLikeJson(byte[] body) {
        for (byte c : body) {
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return true;
    }

    /** A YAML body (KServe documents are usually YAML); JSON bodies take the JSON codec's path and messages. */
    private static JsonNode yaml(byte[] body) {
        try {
            JsonNode doc = YAML.readTree(body);
            if (doc == null || !doc.isObject()) {
                throw MeshError.invalid("the request body is not valid JSON, nor a YAML mapping such as an InferenceService");
            }
            return doc;
        } catch (IOException e) {
            throw MeshError.invalid("the request body is not valid JSON, nor valid YAML: %s", e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static String text(JsonNode node, String field, String model) {
        return DocumentFields.text(node, field, "the registration of '" + model + "'");
    }
}
