package dev.meshwork.router.mesh;

import dev.meshwork.kserve.RuntimeCatalog;
import dev.meshwork.kserve.RuntimeSelector;
import dev.meshwork.kserve.ServingRuntime;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns a registration into what the nodes run: the ServingRuntime that KServe's selection rules
 * pick from the catalog, and the spec a node is given. A runtime bound to an in-process runtime
 * runs on the slots dedicated to it by name ({@code node.slots[].runtime}) when a node has such
 * slots, else on the auto-select slots of the model's format; an {@code external} one on the node's
 * external runtime of the same name. A registration without batching of its own gets the runtime's
 * ({@link ServingRuntime#batching}). A registration may also name a node's runtime directly (a
 * slot or external runtime that is not in the catalog). Stateless apart from its suppliers.
 */
public final class RuntimeBinder {
    private final Supplier<RuntimeCatalog> catalog;
    private final NodeBackend backend;

    /**
     * The outcome for a registration: the node's spec, the catalog runtime (empty when a node runtime was named directly)
     * and the labels a node must carry to load it (the runtime's {@code nodeSelector}).
     */
    public record Binding(ModelSpec registration, ModelSpec nodeSpec, String servingRuntime, java.util.Map<String, String> nodeSelector) {
        public Binding {
            nodeSelector = java.util.Map.copyOf(nodeSelector);
        }
    }

    public RuntimeBinder(Supplier<RuntimeCatalog> catalog, NodeBackend backend) {
        this.catalog = catalog;
        this.backend = backend;
    }

    public Binding bind(ModelSpec spec) {
        RuntimeCatalog c = catalog.get();
        String named = spec.runtime();
        Set<String> nodeRuntimes = nodeRuntimes();
        if (!named.isEmpty() && RuntimeSelector.find(c.runtimes(), spec.namespace(), named).isEmpty() && nodeRuntimes.contains(named)) {
            return new Binding(spec, spec, "", java.util.Map.of());
        }
        String format = spec.format().name();
        ServingRuntime r = c.select(spec.namespace(), format, spec.format().version(), named);
        String nodeRuntime;
        switch (r.adapter()) {
            case "" -> throw MeshError.invalid("runtime '%s' (%s) has no Meshwork binding; annotate it with %s: auto, external or "
                    + "an in-process runtime (onnx, xgboost, lightgbm, tensorflow, pytorch)", r.name(), r.source(), ServingRuntime.ADAPTER_ANNOTATION);
            case "external" -> {
                if (!nodeRuntimes.contains(r.name())) {
                    throw MeshError.invalid("runtime '%s' is external, but no node has an external runtime named '%s' (node.externalRuntimes)",
                            r.name(), r.name());
                }
                nodeRuntime = r.name();
            }
            default -> {
                String inProcess = r.adapter().equals("auto") ? format : r.adapter();
                if (!inProcess.equals(format)) {
                    throw MeshError.invalid("runtime '%s' runs Meshwork's in-process %s runtime, which serves model format '%s', not '%s'",
                            r.name(), inProcess, inProcess, format);
                }
                nodeRuntime = nodeRuntimes.contains(r.name()) ? r.name() : "";
            }
        }
        // a registration's own batching wins; else the runtime's default (its MAX_BATCH_SIZE env)
        ModelSpec node = spec.withRuntime(nodeRuntime);
        return new Binding(spec, spec.batching().enabled() ? node : node.withBatching(r.batching()), r.name(), r.nodeSelector());
    }

    private Set<String> nodeRuntimes() {
        return backend.nodes().stream().flatMap(n -> n.slots().stream()).map(s -> s.runtime()).collect(Collectors.toSet());
    }
}
