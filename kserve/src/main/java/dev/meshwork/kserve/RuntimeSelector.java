package dev.meshwork.kserve;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * KServe's runtime selection rules over a catalog. An explicit runtime is looked up in the
 * model's namespace, then at cluster scope, and must be enabled and list the model's format (and
 * version, when the model gives one). Otherwise the candidates are the enabled runtimes listing the
 * format with {@code autoSelect: true} (and the version, when given); the highest priority of the
 * matching entry wins. KServe leaves ties undefined; Meshwork breaks them by preferring a
 * namespace-scoped runtime to a cluster-scoped one, then the name in alphabetical order. Pure.
 */
public final class RuntimeSelector {
    private RuntimeSelector() {
    }

    /** Picks the runtime for a model of {@code format}/{@code version} in {@code namespace}, or fails saying which rule did. */
    public static ServingRuntime select(List<ServingRuntime> catalog, String namespace, String format, String version, String runtime) {
        return runtime.isEmpty() ? auto(catalog, namespace, format, version) : explicit(catalog, namespace, format, version, runtime);
    }

    private static ServingRuntime explicit(List<ServingRuntime> catalog, String namespace, String format, String version, String name) {
        ServingRuntime r = find(catalog, namespace, name).orElseThrow(() -> new MeshError(ErrorCode.NOT_FOUND, "runtime '" + name
                + "' is neither a ServingRuntime in namespace '" + namespace + "' nor a ClusterServingRuntime"));
        if (r.disabled()) {
            throw MeshError.invalid("runtime '%s' (%s) is disabled", name, r.key());
        }
        List<ServingRuntime.Format> listed = r.formats().stream().filter(f -> f.name().equals(format)).toList();
        if (listed.isEmpty()) {
            throw MeshError.invalid("runtime '%s' does not support model format '%s'; it supports %s", name, format, formatNames(r));
        }
        if (!version.isEmpty() && listed.stream().noneMatch(f -> f.version().equals(version))) {
            throw MeshError.invalid("runtime '%s' supports model format '%s' in versions %s, not version '%s'", name, format,
                    listed.stream().map(f -> f.version().isEmpty() ? "(unversioned)" : f.version()).toList(), version);
        }
        return r;
    }

    /** The namespace's ServingRuntime of that name, else the ClusterServingRuntime. */
    public static Optional<ServingRuntime> find(List<ServingRuntime> catalog, String namespace, String name) {
        return catalog.stream().filter(r -> r.name().equals(name) && r.namespace().equals(namespace)).findFirst()
                .or(() -> catalog.stream().filter(r -> r.name().equals(name) && r.clusterScoped()).findFirst());
    }

    private static ServingRuntime auto(List<ServingRuntime> catalog, String namespace, String format, String version) {
        record Candidate(ServingRuntime runtime, int priority) {
        }
        return catalog.stream()
                .filter(r -> !r.disabled() && (r.clusterScoped() || r.namespace().equals(namespace)))
                .flatMap(r -> r.formats().stream().filter(f -> matches(f, format, version) && f.autoSelect())
                        .map(f -> new Candidate(r, f.priority())).max(Comparator.comparingInt(Candidate::priority)).stream())
                .min(Comparator.comparingInt((Candidate c) -> -c.priority())
                        .thenComparing(c -> c.runtime().clusterScoped())
                        .thenComparing(c -> c.runtime().name()))
                .map(Candidate::runtime)
                .orElseThrow(() -> noCandidate(catalog, namespace, format, version));
    }

    private static boolean matches(ServingRuntime.Format f, String format, String version) {
        return f.name().equals(format) && (version.isEmpty() || f.version().equals(version));
    }

    private static MeshError noCandidate(List<ServingRuntime> catalog, String namespace, String format, String version) {
        StringBuilder why = new StringBuilder("no runtime is auto-selected for model format '" + format + "'"
                + (version.isEmpty() ? "" : " version '" + version + "'") + " in namespace '" + namespace + "'");
        List<String> near = catalog.stream().filter(r -> r.clusterScoped() || r.namespace().equals(namespace))
                .flatMap(r -> r.formats().stream().filter(f -> f.name().equals(format)).map(f -> r.name()
                        + (f.version().isEmpty() ? "" : " (version " + f.version() + ")")
                        + (r.disabled() ? " is disabled" : !f.autoSelect() ? " has autoSelect false" : " lists another version")))
                .toList();
        why.append(near.isEmpty() ? "; no runtime lists that format" : ": " + String.join(", ", near));
        why.append("; name one with \"runtime\" or add a ServingRuntime");
        return MeshError.invalid("%s", why);
    }

    private static List<String> formatNames(ServingRuntime r) {
        return r.formats().stream().map(f -> f.version().isEmpty() ? f.name() : f.name() + ":" + f.version()).distinct().toList();
    }
}
