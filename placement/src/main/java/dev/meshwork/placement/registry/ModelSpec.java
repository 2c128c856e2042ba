package dev.meshwork.placement.registry;

import dev.meshwork.protocol.error.MeshError;
import java.util.regex.Pattern;

/**
 * A registered model: what it is and where its artifact lives. Immutable; the registry hands out
 * the same instance to every thread.
 *
 * @param id         the model id, a DNS-label-like name ({@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most 253 characters)
 * @param format     its format, which selects the runtime
 * @param storageUri where the artifact is ({@code file://}, a plain path, ...)
 * @param runtime    an explicit runtime name, or empty to select one by format
 * @param sizeHint   a size estimate in bytes, or 0 when unknown
 */
public record ModelSpec(String id, ModelFormat format, String storageUri, String runtime, long sizeHint) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

    public ModelSpec {
        runtime = runtime == null ? "" : runtime.trim();
        storageUri = storageUri == null ? "" : storageUri.trim();
    }

    /** Checks the fields a registration must have, with a message that names what is missing. */
    public ModelSpec validate() {
        checkId(id);
        if (format == null || format.name().isEmpty()) {
            throw MeshError.invalid("model '%s' needs a modelFormat with a name, for example {\"name\": \"onnx\"}", id);
        }
        if (storageUri.isEmpty()) {
            throw MeshError.invalid("model '%s' needs a storageUri, for example \"file:///models/%s/model.onnx\"", id, id);
        }
        if (sizeHint < 0) {
            throw MeshError.invalid("model '%s' has a negative sizeHint %d", id, sizeHint);
        }
        return this;
    }

    /** Checks a model id; ids appear in URLs and metric tags, so they are kept to a safe alphabet. */
    public static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw MeshError.invalid("'%s' is not a valid model name: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 253 characters", id);
        }
        return id;
    }
}
