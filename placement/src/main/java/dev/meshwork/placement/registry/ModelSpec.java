package dev.meshwork.placement.registry;

import dev.meshwork.protocol.error.MeshError;
import java.util.regex.Pattern;

/**
 * A registered model: what it is and where its artifact lives. Immutable; the registry hands out
 * the same instance to every thread.
 *
 * @param id         the model id: its name ({@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most 253 characters), prefixed with
 *                   {@code namespace/} outside the default namespace, so that names are unique per namespace (see {@link #qualify})
 * @param format     its format, which selects the runtime
 * @param storageUri where the artifact is ({@code file://}, a plain path, ...), optionally ending with
 *                   {@code #sha256=<hex>} to pin the artifact's digest ({@link DigestPin})
 * @param runtime    an explicit runtime name, or empty to select one by format
 * @param sizeHint   a size estimate in bytes, or 0 when unknown
 * @param namespace  the Kubernetes-style namespace whose ServingRuntimes it may use ({@code default})
 * @param source     where the registration came from: empty for the API, {@code file:<path>} for a
 *                   watched model directory (which then owns it: the file's removal unregisters it)
 * @param batching   how the node batches its requests ({@link Batching#NONE}: not at all)
 * @param logging    where routers copy its requests and answers ({@link PayloadLogging#NONE}: nowhere); not part of
 *                   what a node loads, so a change of it alone keeps the loaded copies
 * @param defaultOutputs the outputs a request that names none asks for (KServe's {@code PREDICT_PROBA} is
 *                   {@code [predict_proba]}); empty: whatever the runtime answers by default. Routers apply it, so it is
 *                   not part of what a node loads either
 */
public record ModelSpec(String id, ModelFormat format, String storageUri, String runtime, long sizeHint, String namespace, String source,
                        Batching batching, PayloadLogging logging, java.util.List<String> defaultOutputs) implements java.io.Serializable {
    /** The most outputs a registration may name as its default. */
    public static final int MAX_DEFAULT_OUTPUTS = 16;
    public static final String DEFAULT_NAMESPACE = "default";
    /** The longest storageUri a registration may have (URLs with credentials and query tokens fit well within it). */
    public static final int MAX_URI = 8_192;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public ModelSpec {
        runtime = runtime == null ? "" : runtime.trim();
        storageUri = storageUri == null ? "" : storageUri.trim();
        namespace = namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
        source = source == null ? "" : source;
        batching = batching == null ? Batching.NONE : batching;
        logging = logging == null ? PayloadLogging.NONE : logging; // rows written before payload logging existed have none
        defaultOutputs = defaultOutputs == null ? java.util.List.of() : java.util.List.copyOf(defaultOutputs); // nor these
        if (id != null) {
            int slash = id.indexOf('/');
            if (slash < 0) {
                id = qualify(namespace, id);
            } else if (namespace.equals(DEFAULT_NAMESPACE)) {
                namespace = id.substring(0, slash); // a qualified id (from the wire) names its namespace
            }
        }
    }

    /**
     * The registry's id of model {@code name} in {@code namespace}: the name itself in the default
     * namespace (so single-tenant meshes, ModelMesh clients and KServe documents see plain names),
     * {@code namespace/name} elsewhere. Names cannot hold '/', so the two never collide.
     */
    public static String qualify(String namespace, String name) {
        return namespace == null || namespace.isEmpty() || namespace.equals(DEFAULT_NAMESPACE) || name == null || name.indexOf('/') >= 0
                ? name : namespace + "/" + name;
    }

    /** The name of an id, without its namespace. */
    public static String nameOf(String id) {
        return id == null ? null : id.substring(id.indexOf('/') + 1);
    }

    /** The namespace of an id ({@code default} for a plain name). */
    public static String namespaceOf(String id) {
        int slash = id == null ? -1 : id.indexOf('/');
        return slash < 0 ? DEFAULT_NAMESPACE : id.substring(0, slash);
    }

    /**
     * A short digest of what a node loads for this registration (id, format, storageUri, runtime,
     * size hint): a node reports it with each copy, and a router uses only copies whose digest is
     * that of the registration it serves, never one loaded for another spec under the same id.
     * It identifies, it does not authenticate (the rows that carry it are signed), so it is a fast
     * 64-bit FNV-1a: routers compute it on every request.
     */
    public String fingerprint() {
        long h = 0xcbf29ce484222325L;
        for (String part : new String[] {id, format.name(), format.version() == null ? "" : format.version(), storageUri, runtime,
                Long.toString(sizeHint), batching.enabled() ? batching.maxBatchSize() + "/" + batching.maxLatencyMicros()
                + (batching.preferredSizes().isEmpty() ? "" : "/" + batching.preferredSizes()) : null}) {
            if (part == null) {
                continue; // without batching, the fingerprint is what it was before batching existed
            }
            for (int i = 0; i < part.length(); i++) {
                h = (h ^ part.charAt(i)) * 0x100000001b3L;
            }
            h = (h ^ '\n') * 0x100000001b3L;
        }
        return Long.toHexString(h);
    }

    /** The model's name within its namespace. */
    public String name() {
        return nameOf(id);
    }

    /** Whether {@code ns} is a valid namespace: a Kubernetes namespace name (a DNS label). */
    public static boolean isNamespace(String ns) {
        return ns != null && NAMESPACE.matcher(ns).matches();
    }

    /** A registration made through the API, in the default namespace. */
    public ModelSpec(String id, ModelFormat format, String storageUri, String runtime, long sizeHint) {
        this(id, format, storageUri, runtime, sizeHint, DEFAULT_NAMESPACE, "");
    }

    /** A registration without batching. */
    public ModelSpec(String id, ModelFormat format, String storageUri, String runtime, long sizeHint, String namespace, String source) {
        this(id, format, storageUri, runtime, sizeHint, namespace, source, Batching.NONE);
    }

    /** A registration without payload logging. */
    public ModelSpec(String id, ModelFormat format, String storageUri, String runtime, long sizeHint, String namespace, String source,
                     Batching batching) {
        this(id, format, storageUri, runtime, sizeHint, namespace, source, batching, PayloadLogging.NONE);
    }

    /** A registration without default outputs. */
    public ModelSpec(String id, ModelFormat format, String storageUri, String runtime, long sizeHint, String namespace, String source,
                     Batching batching, PayloadLogging logging) {
        this(id, format, storageUri, runtime, sizeHint, namespace, source, batching, logging, java.util.List.of());
    }

    /** The same registration with other batching settings. */
    public ModelSpec withBatching(Batching settings) {
        return new ModelSpec(id, format, storageUri, runtime, sizeHint, namespace, source, settings, logging, defaultOutputs);
    }

    /** The same registration with other payload logging. */
    public ModelSpec withLogging(PayloadLogging settings) {
        return new ModelSpec(id, format, storageUri, runtime, sizeHint, namespace, source, batching, settings, defaultOutputs);
    }

    /** The same registration with other default outputs. */
    public ModelSpec withDefaultOutputs(java.util.List<String> outputs) {
        return new ModelSpec(id, format, storageUri, runtime, sizeHint, namespace, source, batching, logging, outputs);
    }

    /** The same registration in another namespace, as the request that registers it acts (everything else kept). */
    public ModelSpec inNamespace(String ns) {
        return new ModelSpec(nameOf(id), format, storageUri, runtime, sizeHint, ns, source, batching, logging, defaultOutputs);
    }

    /** The same registration for a node: another runtime name (what the binding chose). */
    public ModelSpec withRuntime(String nodeRuntime) {
        return new ModelSpec(id, format, storageUri, nodeRuntime, sizeHint, namespace, source, batching, logging, defaultOutputs);
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
        if (!isNamespace(namespace) || (id.indexOf('/') >= 0 && !id.startsWith(namespace + "/"))) {
            throw MeshError.invalid("model '%s' has namespace '%s', which is not a valid namespace (lower-case letters, digits and '-', at most 63)",
                    name(), namespace);
        }
        if (format == null || format.name().isEmpty()) {
            throw MeshError.invalid("model '%s' needs a modelFormat with a name, for example {\"name\": \"onnx\"}", id);
        }
        if (storageUri.isEmpty()) {
            throw MeshError.invalid("model '%s' needs a storageUri, for example \"file:///models/%s/model.onnx\"", id, id);
        }
        if (storageUri.length() > MAX_URI) {
            throw MeshError.invalid("model '%s' has a storageUri of %d characters; at most %d are accepted", id, storageUri.length(), MAX_URI);
        }
        String pin = DigestPin.problem(storageUri);
        if (pin != null) {
            throw MeshError.invalid("model '%s' has a storageUri that %s", id, pin);
        }
        if (runtime.length() > 253 || format.name().length() > 253 || (format.version() != null && format.version().length() > 253)) {
            throw MeshError.invalid("model '%s' has a runtime or modelFormat name or version longer than 253 characters", id);
        }
        if (sizeHint < 0) {
            throw MeshError.invalid("model '%s' has a negative sizeHint %d", id, sizeHint);
        }
        if (defaultOutputs.size() > MAX_DEFAULT_OUTPUTS || defaultOutputs.stream().anyMatch(o -> o.isBlank() || o.length() > 256)
                || defaultOutputs.stream().distinct().count() != defaultOutputs.size()) {
            throw MeshError.invalid("model '%s' has defaultOutputs %s; give at most %d distinct output names of 1 to 256 characters", id,
                    defaultOutputs, MAX_DEFAULT_OUTPUTS);
        }
        return this;
    }

    /** Checks a model id (a name, or {@code namespace/name}); ids appear in URLs and metric tags, so they are kept to a safe alphabet. */
    public static String checkId(String id) {
        int slash = id == null ? -1 : id.indexOf('/');
        checkName(nameOf(id));
        if (slash >= 0 && !isNamespace(id.substring(0, slash))) {
            throw MeshError.invalid("'%s' is not a valid namespace: lower-case letters, digits and '-', at most 63", id.substring(0, slash));
        }
        return id;
    }

    /** Checks a model or vmodel name as a request gives it (no namespace prefix). */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw MeshError.invalid("'%s' is not a valid model name: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 253 characters", name);
        }
        return name;
    }
}
