package dev.meshwork.runtime;

import java.util.Set;

/**
 * An in-process runtime as a plug-in, found through {@link java.util.ServiceLoader} the way
 * grpc-java finds load balancers: a runtime module registers its provider in
 * {@code META-INF/services/dev.meshwork.runtime.RuntimeProvider}, and a node runs every provider
 * on its class path, so a deployment leaves a runtime out by leaving its jar out. Providers are
 * stateless and thread-safe; {@link #create} is called once per slot.
 */
public interface RuntimeProvider {
    /** The runtime's name, as {@code node.slots[].adapter} and the {@code serving.meshwork.dev/adapter} annotation use it ("onnx"). */
    String name();

    /** The model formats its adapters serve ("onnx"). */
    Set<String> formats();

    /** Among providers of the same name, the highest priority wins (a GPU build may replace a CPU one). */
    default int priority() {
        return 5;
    }

    /**
     * Whether the runtime can run here: its native library is on the class path for this platform.
     * Cheap and side-effect free; an unavailable provider is skipped as if it were absent.
     */
    boolean isAvailable();

    /**
     * Whether a node runs this runtime's slots in a child process unless told otherwise: true for
     * runtimes whose native parser trusts its input, so that a bad file crashes that process only.
     */
    default boolean isolatedByDefault() {
        return false;
    }

    /** A new adapter for one slot; a device the runtime cannot use is refused with a MeshError that says so. */
    RuntimeAdapter create(RuntimeSettings settings);

    /** True when {@code className} can be found without initialising it (a native runtime's entry class). */
    static boolean classPresent(String className) {
        try {
            Class.forName(className, false, RuntimeProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
