package dev.meshwork.placement.registry;

/** A model format as KServe names it: {@code {name: onnx, version: "1"}}; the version may be empty. */
public record ModelFormat(String name, String version) implements java.io.Serializable {
    public ModelFormat {
        name = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        version = version == null ? "" : version.trim();
    }

    @Override
    public String toString() {
        return version.isEmpty() ? name : name + ":" + version;
    }
}
