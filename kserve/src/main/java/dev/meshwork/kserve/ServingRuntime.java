package dev.meshwork.kserve;

import java.util.List;
import java.util.Map;

/**
 * A KServe ServingRuntime (namespace-scoped) or ClusterServingRuntime, as Meshwork uses it.
 * Immutable.
 *
 * @param namespace       the namespace of a ServingRuntime; empty for a ClusterServingRuntime
 * @param formats         {@code spec.supportedModelFormats}
 * @param adapter         how Meshwork runs it ({@code serving.meshwork.dev/adapter}): an in-process
 *                        runtime (onnx, xgboost, lightgbm, tensorflow, pytorch), {@code auto} for the
 *                        in-process runtime of the model's format, or {@code external} for the node's
 *                        external runtime of the same name; empty when it has no binding
 * @param source          the file it came from, for messages
 * @param nodeSelector    {@code spec.nodeSelector}: the labels a node must carry ({@code placement.labels},
 *                        {@code placement.zone}) to load the models this runtime serves
 */
public record ServingRuntime(String name, String namespace, List<Format> formats, boolean multiModel, boolean disabled,
                             List<String> protocolVersions, List<Container> containers, String adapter, String source,
                             Map<String, String> nodeSelector) {
    public static final String ADAPTER_ANNOTATION = "serving.meshwork.dev/adapter";

    public ServingRuntime {
        formats = List.copyOf(formats);
        protocolVersions = List.copyOf(protocolVersions);
        containers = List.copyOf(containers);
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    }

    public ServingRuntime(String name, String namespace, List<Format> formats, boolean multiModel, boolean disabled,
                          List<String> protocolVersions, List<Container> containers, String adapter, String source) {
        this(name, namespace, formats, multiModel, disabled, protocolVersions, containers, adapter, source, Map.of());
    }

    public boolean clusterScoped() {
        return namespace.isEmpty();
    }

    /** {@code kind/namespace/name}, how messages and the catalog name it. */
    public String key() {
        return clusterScoped() ? "ClusterServingRuntime/" + name : "ServingRuntime/" + namespace + "/" + name;
    }

    /**
     * One entry of {@code supportedModelFormats}.
     *
     * @param version  empty when the runtime does not name one
     * @param priority 0 when unset (below every set priority, which KServe requires to be at least 1)
     */
    public record Format(String name, String version, boolean autoSelect, int priority) {
    }

    /** A container that describes an external runtime process. */
    public record Container(String name, String image, List<String> command, List<String> args, Map<String, String> env,
                            Map<String, Object> resources, List<Integer> ports) {
        public Container {
            command = List.copyOf(command);
            args = List.copyOf(args);
            env = Map.copyOf(env);
            resources = Map.copyOf(resources);
            ports = List.copyOf(ports);
        }
    }
}
