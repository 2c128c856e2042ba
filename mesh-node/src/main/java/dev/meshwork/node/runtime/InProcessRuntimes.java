package dev.meshwork.node.runtime;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.runtime.Device;
import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.runtime.RuntimeSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The in-process runtimes this node can run: every available {@link RuntimeProvider} on the
 * class path (the runtime modules register theirs), the highest priority winning per name. GPU
 * devices are passed to the providers, which refuse the ones their runtime cannot use. Immutable
 * once built; the class path's set is discovered once per process.
 */
public final class InProcessRuntimes {
    /** Default slots come in this order for the runtimes Meshwork ships (as before they were plug-ins); others follow by name. */
    private static final List<String> SHIPPED_ORDER = List.of("onnx", "xgboost", "lightgbm", "tensorflow", "pytorch");
    private final Map<String, RuntimeProvider> byName;

    InProcessRuntimes(Iterable<RuntimeProvider> providers) {
        Map<String, RuntimeProvider> best = new LinkedHashMap<>();
        for (RuntimeProvider p : providers) {
            if (p.isAvailable()) {
                best.merge(p.name(), p, (a, b) -> b.priority() > a.priority() ? b : a);
            }
        }
        List<RuntimeProvider> ordered = new ArrayList<>(best.values());
        ordered.sort(Comparator.comparingInt((RuntimeProvider p) -> {
            int i = SHIPPED_ORDER.indexOf(p.name());
            return i < 0 ? SHIPPED_ORDER.size() : i;
        }).thenComparing(RuntimeProvider::name));
        Map<String, RuntimeProvider> map = new LinkedHashMap<>();
        ordered.forEach(p -> map.put(p.name(), p));
        this.byName = map;
    }

    /** The runtimes on this process's class path, discovered on first use (the JVM's lazy class initialisation). */
    public static InProcessRuntimes installed() {
        return Installed.RUNTIMES;
    }

    private static final class Installed {
        static final InProcessRuntimes RUNTIMES =
                new InProcessRuntimes(ServiceLoader.load(RuntimeProvider.class, InProcessRuntimes.class.getClassLoader()));
    }

    /** The names of the available runtimes, in default slot order. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The provider of a runtime, if it is available here. */
    public java.util.Optional<RuntimeProvider> provider(String name) {
        return java.util.Optional.ofNullable(byName.get(name));
    }

    /** The configured slots, or one CPU slot per available runtime when none are configured. */
    public List<NodeConfig.SlotConfig> slots(NodeConfig config) {
        return config.slots().isEmpty()
                ? byName.keySet().stream().map(a -> new NodeConfig.SlotConfig(a, a, "cpu", 0, 1, true)).toList()
                : config.slots();
    }

    /** A new adapter of runtime {@code adapter} for one slot on {@code deviceText}. */
    public RuntimeAdapter create(String adapter, String deviceText, NodeConfig config) {
        Device device = Device.parse(deviceText);
        RuntimeProvider p = byName.get(adapter);
        if (p == null) {
            throw MeshError.invalid("node.slots: adapter '%s' is not an in-process runtime; use one of %s", adapter, names());
        }
        return p.create(new RuntimeSettings(device, config.runtimeOptions(adapter)));
    }
}
