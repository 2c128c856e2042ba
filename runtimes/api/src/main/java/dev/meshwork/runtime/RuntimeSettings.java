package dev.meshwork.runtime;

import dev.meshwork.protocol.error.MeshError;
import java.util.Map;

/**
 * What a node hands a runtime provider for one slot: the device and the runtime's own options
 * (ONNX Runtime's thread counts, ...). Immutable.
 *
 * @param device  where the slot computes
 * @param options runtime-specific settings by name; a provider reads the ones it knows
 */
public record RuntimeSettings(Device device, Map<String, String> options) {
    /** The option that says whether to check model files' structure before a native parser reads them (default true). */
    public static final String CHECK_MODEL_FILES = "checkModelFiles";

    public RuntimeSettings {
        options = Map.copyOf(options);
    }

    /** CPU with no options. */
    public static RuntimeSettings cpu() {
        return new RuntimeSettings(Device.CPU, Map.of());
    }

    /** Whether model files are checked before a native parser reads them. */
    public boolean checkModelFiles() {
        return !"false".equalsIgnoreCase(options.getOrDefault(CHECK_MODEL_FILES, "true").trim());
    }

    /** An integer option, or {@code fallback} when absent. */
    public int intOption(String name, int fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw MeshError.invalid("runtime option %s must be a whole number, got '%s'", name, v);
        }
    }

    /**
     * Refuses a GPU for a runtime that would silently compute on the CPU (TensorFlow Java, XGBoost)
     * or can only compute there (LightGBM) in this build: accepting the device would be a lie.
     */
    public Device requireCpu(String runtime) {
        if (device.isCuda()) {
            throw MeshError.invalid("node.slots: adapter '%s' runs on cpu only in Meshwork, not on %s", runtime, device);
        }
        return device;
    }
}
