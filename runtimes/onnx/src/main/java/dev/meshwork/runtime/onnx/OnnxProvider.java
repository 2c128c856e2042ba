package dev.meshwork.runtime.onnx;

import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.runtime.RuntimeSettings;
import java.util.Set;

/** ONNX Runtime as a plug-in; options {@value #INTRA_OP_THREADS} and {@value #INTER_OP_THREADS} (node.onnx.*), and a cuda:N device is passed to its CUDA provider. */
public final class OnnxProvider implements RuntimeProvider {
    /** ONNX Runtime's threads within one operator. */
    public static final String INTRA_OP_THREADS = "intraOpThreads";
    /** ONNX Runtime's threads across operators. */
    public static final String INTER_OP_THREADS = "interOpThreads";

    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public Set<String> formats() {
        return Set.of("onnx");
    }

    @Override
    public boolean isAvailable() {
        return RuntimeProvider.classPresent("ai.onnxruntime.OrtEnvironment");
    }

    @Override
    public RuntimeAdapter create(RuntimeSettings settings) {
        return new OnnxRuntimeAdapter(settings.intOption(INTRA_OP_THREADS, 1), settings.intOption(INTER_OP_THREADS, 1), settings.device());
    }
}
