package dev.meshwork.runtime;

import dev.meshwork.placement.registry.ModelSpec;
import java.nio.file.Path;
import java.util.Set;

/**
 * One runtime (ONNX Runtime, ...) behind the node's one runtime interface. Adding a format is
 * adding an adapter. Implementations are thread-safe: loads run on load threads, concurrently
 * with each other.
 */
public interface RuntimeAdapter {
    /** The runtime's name, as a ServingRuntime's adapter binding refers to it ("onnx"). */
    String name();

    /** The model formats it serves ("onnx"). */
    Set<String> formats();

    /** A fast, conservative estimate of the memory a model will use once loaded, from its artifact. */
    long predictSize(Path artifact);

    /** Loads a model from its checked local artifact; the returned model is ready for inference. */
    LoadedModel load(String modelId, Path artifact) throws Exception;

    /** Loads with the whole registration at hand (an external runtime needs the format); in-process runtimes need the id only. */
    default LoadedModel load(ModelSpec spec, Path artifact) throws Exception {
        return load(spec.id(), artifact);
    }

    /** The size estimate with the whole registration at hand (an external runtime asks its process). */
    default long predictSize(ModelSpec spec, Path artifact) throws Exception {
        return predictSize(artifact);
    }

    /** The device the runtime's slot runs on. */
    default String device() {
        return "cpu";
    }
}
