package dev.meshwork.kserve;

import dev.meshwork.placement.registry.Batching;
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

    /** The env of the first container that sets the batching default of the runtime's models: rows per batch. */
    public static final String MAX_BATCH_SIZE = "MAX_BATCH_SIZE";
    /** ... and how long a request may wait for a batch, in milliseconds. */
    public static final String BATCH_TIMEOUT = "BATCH_TIMEOUT";

    /**
     * The batching of the runtime's models that ask for none themselves: {@value #MAX_BATCH_SIZE}
     * and {@value #BATCH_TIMEOUT} (milliseconds, 5 when absent) in the first container's env, as
     * runtime images read them; none without {@value #MAX_BATCH_SIZE}.
     */
    public Batching batching() {
        Map<String, String> env = containers.isEmpty() ? Map.of() : containers.get(0).env();
        String size = env.get(MAX_BATCH_SIZE);
        if (size == null || size.isBlank()) {
            return Batching.NONE;
        }
        try {
            String timeout = env.getOrDefault(BATCH_TIMEOUT, "5");
            return Batching.ofMillis(Integer.parseInt(size.trim()), Double.parseDouble(timeout.trim()));
        } catch (NumberFormatException | dev.meshwork.protocol.error.MeshError e) {
            throw dev.meshwork.protocol.error.MeshError.invalid("runtime '%s' (%s): env %s=%s and %s=%s must be a number of rows and of"
                    + " milliseconds (%s)", name, source, MAX_BATCH_SIZE, size, BATCH_TIMEOUT, env.get(BATCH_TIMEOUT), e.getMessage());
        }
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

    /** A container of the runtime (for an external one, its process); {@code memoryLimitBytes} is its {@code resources.limits.memory} (0: none given). */
    public record Container(String name, String image, List<String> command, List<String> args, Map<String, String> env,
                            Map<String, Object> resources, List<Integer> ports, long memoryLimitBytes) {
        public Container {
            command = List.copyOf(command);
            args = List.copyOf(args);
            env = Map.copyOf(env);
            resources = Map.copyOf(resources);
            ports = List.copyOf(ports);
        }
    }
}
