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
 * @param namespace  the Kubernetes-style namespace whose ServingRuntimes it may use ({@code default})
 * @param source     where the registration came from: empty for the API, {@code file:<path>} for a
 *                   watched model directory (which then owns it: the file's removal unregisters it)
 */
public record ModelSpec(String id, ModelFormat format, String storageUri, String runtime, long sizeHint, String namespace, String source)
        implements java.io.Serializable {
    public static final String DEFAULT_NAMESPACE = "default";
    /** The longest storageUri a registration may have (URLs with credentials and query tokens fit well within it). */
    public static final int MAX_URI = 8_192;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

    public ModelSpec {
        runtime = runtime == null ? "" : runtime.trim();
        storageUri = storageUri == null ? "" : storageUri.trim();
        namespace = namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
        source = source == null ? "" : source;
    }

    /** A registration made through the API, in the default namespace. */
    public ModelSpec(String id, ModelFormat format, String storageUri, String runtime, long sizeHint) {
        this(id, format, storageUri, runtime, sizeHint, DEFAULT_NAMESPACE, "");
    }

    /** The same registration for a node: another runtime name (what the binding chose). */
    public ModelSpec withRuntime(String nodeRuntime) {
        return new ModelSpec(id, format, storageUri, nodeRuntime, sizeHint, namespace, source);
    }

    /**
     * The storageUri as status answers show it: credentials in the authority ({@code user:pass@})
     * and query values (pre-signed URLs' tokens) are replaced by {@code ***}.
     */
    public String displayStorageUri() {
        return redactUri(storageUri);
    }

    /** A URI with its userinfo and query values replaced by {@code ***}; anything else is left as it is. */
    public static String redactUri(String uri) {
        String out = uri.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@", "$1***@");
        int q = out.indexOf('?');
        if (q >= 0) {
            StringBuilder b = new StringBuilder(out.substring(0, q + 1));
            String[] pairs = out.substring(q + 1).split("&", -1);
            for (int i = 0; i < pairs.length; i++) {
                int eq = pairs[i].indexOf('=');
                b.append(i > 0 ? "&" : "").append(eq >= 0 ? pairs[i].substring(0, eq + 1) + "***" : pairs[i]);
            }
            out = b.toString();
        }
        return out;
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
        if (storageUri.length() > MAX_URI) {
            throw MeshError.invalid("model '%s' has a storageUri of %d characters; at most %d are accepted", id, storageUri.length(), MAX_URI);
        }
        if (runtime.length() > 253 || format.name().length() > 253 || (format.version() != null && format.version().length() > 253)) {
            throw MeshError.invalid("model '%s' has a runtime or modelFormat name or version longer than 253 characters", id);
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
