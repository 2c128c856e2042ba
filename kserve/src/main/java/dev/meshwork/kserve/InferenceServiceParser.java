package dev.meshwork.kserve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.PayloadLogging;
import dev.meshwork.protocol.error.MeshError;
import java.util.List;
import java.util.OptionalInt;

/**
 * Reads KServe InferenceService documents ({@code serving.kserve.io/v1beta1}) into registrations:
 * {@code spec.predictor.model} (modelFormat, storageUri, runtime), or the legacy schema
 * ({@code predictor: {sklearn: {storageUri}}} and the other frameworks), which names the format
 * and leaves the runtime to the selection rules, as KServe does. The model is named by
 * {@code metadata.name} and selects runtimes in {@code metadata.namespace}. Unknown fields are
 * tolerated (KServe documents carry many this mesh has no use for); wrong types and missing
 * required fields fail with the source, the path and what was expected. Stateless.
 */
public final class InferenceServiceParser {
    static final String API_VERSION = "serving.kserve.io/v1beta1";
    /** The legacy predictor keys and the model format each one means. */
    static final List<String> LEGACY = List.of("sklearn", "xgboost", "lightgbm", "tensorflow", "pytorch", "onnx", "triton", "pmml", "paddle");

    private InferenceServiceParser() {
    }

    /** Whether a parsed body looks like a Kubernetes document rather than Meshwork's own registration. */
    public static boolean isKubernetesDocument(JsonNode doc) {
        return doc != null && doc.isObject() && (doc.has("apiVersion") || doc.has("kind"));
    }

    /** Every InferenceService in a YAML (or JSON) text, several separated by {@code ---}. */
    public static List<ModelSpec> parseAll(String source, String text, String sourceTag) {
        return YamlPath.documents(source, text).stream().map(d -> parse(d, sourceTag)).toList();
    }

    /** One InferenceService document. */
    public static ModelSpec parse(String source, JsonNode node, String sourceTag) {
        return parse(new YamlPath(source, "", node), sourceTag);
    }

    /**
     * KServe's {@code spec.predictor.canaryTrafficPercent}: the share of traffic (0 to 100) the
     * latest spec gets while the previous one keeps the rest; empty when absent (the latest takes all).
     */
    public static OptionalInt canaryTrafficPercent(String source, JsonNode node) {
        YamlPath p = new YamlPath(source, "", node).at("spec").at("predictor").at("canaryTrafficPercent");
        if (!p.present()) {
            return OptionalInt.empty();
        }
        int percent = p.integer(100);
        if (percent < 0 || percent > 100) {
            throw p.wrong("a percentage from 0 to 100");
        }
        return OptionalInt.of(percent);
    }

    private static ModelSpec parse(YamlPath doc, String sourceTag) {
        doc.requireMapping();
        if (!doc.at("apiVersion").requiredText().equals(API_VERSION)) {
            throw doc.at("apiVersion").wrong(API_VERSION);
        }
        if (!doc.at("kind").requiredText().equals("InferenceService")) {
            throw doc.at("kind").wrong("InferenceService");
        }
        YamlPath meta = doc.at("metadata").requireMapping();
        String name = meta.at("name").requiredText();
        String namespace = meta.at("namespace").text(ModelSpec.DEFAULT_NAMESPACE);
        YamlPath predictor = doc.at("spec").requireMapping().at("predictor").requireMapping();
        YamlPath model = predictor.at("model");
        if (model.present()) {
            model.requireMapping();
            YamlPath format = model.at("modelFormat").requireMapping();
            ModelFormat f = new ModelFormat(format.at("name").requiredText(), format.at("version").text(""));
            return spec(name, f, storageUri(model), model.at("runtime").text(""), namespace, sourceTag, model).withBatching(batcher(predictor))
                    .withLogging(logger(predictor)).withDefaultOutputs(predictProba(model, f));
        }
        List<String> legacy = LEGACY.stream().filter(k -> predictor.at(k).present()).toList();
        if (legacy.size() != 1) {
            throw predictor.wrong(legacy.isEmpty() ? "\"model\" or one of " + LEGACY : "one framework, not " + legacy);
        }
        YamlPath framework = predictor.at(legacy.get(0)).requireMapping();
        ModelFormat f = new ModelFormat(legacy.get(0), "");
        return spec(name, f, framework.at("storageUri").requiredText(), "", namespace, sourceTag, framework)
                .withBatching(batcher(predictor)).withLogging(logger(predictor)).withDefaultOutputs(predictProba(framework, f));
    }

    /**
     * KServe's scikit-learn server answers {@code predict_proba} instead of {@code predict} when its
     * container's environment has {@code PREDICT_PROBA=true}: the model's {@code env}, which becomes
     * the registration's default outputs. Only scikit-learn models (and MLflow ones) have that switch.
     */
    static List<String> predictProba(YamlPath container, ModelFormat format) {
        for (YamlPath e : container.at("env").list()) {
            e.requireMapping();
            if (!e.at("name").requiredText().equals("PREDICT_PROBA")) {
                continue;
            }
            if (!e.at("value").text("").equalsIgnoreCase("true")) {
                return List.of();
            }
            if (!format.name().equals("sklearn") && !format.name().equals("mlflow")) {
                throw e.wrong("no PREDICT_PROBA: it is the scikit-learn server's switch, and this model's format is " + format.name());
            }
            return List.of("predict_proba");
        }
        return List.of();
    }

    /**
     * KServe's {@code predictor.batcher}: {@code maxBatchSize} (32 when absent, as KServe) and
     * {@code maxLatency} in milliseconds (5000 when absent, as KServe); {@code timeout} is read for
     * its type (a request's deadline is its own).
     */
    static Batching batcher(YamlPath predictor) {
        YamlPath b = predictor.at("batcher");
        if (!b.present()) {
            return Batching.NONE;
        }
        b.requireMapping();
        b.at("timeout").integer(60);
        try {
            return Batching.ofMillis(b.at("maxBatchSize").integer(32), b.at("maxLatency").integer(5000));
        } catch (MeshError e) {
            throw b.wrong("a batcher with maxBatchSize from 0 to 65536 and maxLatency from 0 to 10000 ms (" + e.getMessage() + ")");
        }
    }

    /** KServe's {@code predictor.logger}: {@code mode} (all, request or response; all when absent) and {@code url}. */
    static PayloadLogging logger(YamlPath predictor) {
        YamlPath l = predictor.at("logger");
        if (!l.present()) {
            return PayloadLogging.NONE;
        }
        l.requireMapping();
        String url = l.at("url").requiredText();
        try {
            return new PayloadLogging(PayloadLogging.Mode.of(l.at("mode").text("all")), url);
        } catch (MeshError e) {
            // not wrong(), which echoes the node: the url may hold credentials, which the message redacts
            throw MeshError.invalid("%s: %s: expected a logger with mode all, request or response and an http(s) url: %s", l.source(), l.path(),
                    e.getMessage());
        }
    }

    /**
     * Where the model is: {@code storageUri}, or KServe's {@code storage} with a key of the
     * {@code storage-config} Secret ({@code key}, {@code path}, {@code parameters.bucket}), as
     * {@code storage://<key>/<path>[?bucket=<bucket>]}, which nodes resolve with the Secret. A
     * {@code storageUri} of {@code s3://bucket/path} with a {@code storage.key} is that path in the
     * key's storage.
     */
    static String storageUri(YamlPath model) {
        YamlPath storage = model.at("storage");
        if (!storage.present()) {
            return model.at("storageUri").requiredText();
        }
        storage.requireMapping();
        String key = storage.at("key").requiredText();
        String uri = model.at("storageUri").text("");
        String bucket = storage.at("parameters").present() ? storage.at("parameters").requireMapping().at("bucket").text("") : "";
        String path;
        if (!uri.isEmpty()) {
            if (!uri.startsWith("s3://")) {
                throw model.at("storageUri").wrong("an s3:// URI, since storage.key names S3 storage");
            }
            String rest = uri.substring("s3://".length());
            int slash = rest.indexOf('/');
            bucket = bucket.isEmpty() ? (slash < 0 ? rest : rest.substring(0, slash)) : bucket;
            path = slash < 0 ? "" : rest.substring(slash + 1);
        } else {
            path = storage.at("path").requiredText();
        }
        if (path.isEmpty() || path.startsWith("/") || java.util.Arrays.asList(path.split("/")).contains("..")) {
            throw storage.at("path").wrong("a relative path within the storage, without '..'");
        }
        return "storage://" + key + "/" + path + (bucket.isEmpty() ? "" : "?bucket=" + java.net.URLEncoder.encode(bucket, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static ModelSpec spec(String name, ModelFormat format, String storageUri, String runtime, String namespace, String sourceTag,
                                  YamlPath at) {
        at.at("runtimeVersion").text(""); // read for its type; an in-process runtime has no image version to pick
        ModelSpec spec = new ModelSpec(name, format, storageUri, runtime, 0, namespace, sourceTag);
        try {
            return spec.validate();
        } catch (MeshError e) {
            throw MeshError.invalid("%s: %s", at.source(), e.getMessage());
        }
    }
}
