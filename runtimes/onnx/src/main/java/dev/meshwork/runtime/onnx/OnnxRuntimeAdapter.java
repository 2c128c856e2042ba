package dev.meshwork.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.TensorSpec;
import dev.meshwork.runtime.ArtifactSizedAdapter;
import dev.meshwork.runtime.Device;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.ModelFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime (CPU) behind the runtime interface. Loads a {@code .onnx} file, or the
 * {@code model.onnx} (else the only {@code *.onnx}) of a directory.
 *
 * <p>Size: ONNX Runtime does not report a session's memory, so the size is an estimate: twice
 * the file size (the weights as read plus the optimised graph's copies) plus 1 MiB of fixed
 * session overhead. Thread-safe: sessions are created on load threads, and a session's run is
 * safe from many threads.
 */
public final class OnnxRuntimeAdapter extends ArtifactSizedAdapter {
    static final long SESSION_OVERHEAD_BYTES = 1 << 20;
    private final OrtEnvironment env;
    private final int intraOpThreads;
    private final int interOpThreads;

    public OnnxRuntimeAdapter(int intraOpThreads, int interOpThreads, Device device) {
        super("onnx", 2, SESSION_OVERHEAD_BYTES, device);
        OrtNativeLibraries.useSharedCopy(); // one extracted copy per user, not 24 MB left in /tmp by every killed process
        this.env = OrtEnvironment.getEnvironment();
        this.intraOpThreads = intraOpThreads;
        this.interOpThreads = interOpThreads;
    }

    @Override
    public LoadedModel load(String modelId, Path artifact) {
        Path file = modelFile(artifact);
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(intraOpThreads);
            opts.setInterOpNumThreads(interOpThreads);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (onDevice().isCuda()) {
                opts.addCUDA(onDevice().index()); // fails unless the onnxruntime_gpu artifact is on the classpath
            }
            OrtSession session = env.createSession(file.toString(), opts);
            try {
                ModelMetadata meta = new ModelMetadata(modelId, List.of("1"), "onnxruntime_onnx",
                        specs(session.getInputInfo()), specs(session.getOutputInfo()));
                return new OnnxModel(env, session, meta, predictSize(file));
            } catch (RuntimeException | OrtException e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "ONNX Runtime could not load " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos) {
        List<TensorSpec> out = new ArrayList<>(infos.size());
        for (NodeInfo n : infos.values()) {
            if (!(n.getInfo() instanceof TensorInfo ti)) {
                throw MeshError.invalid("model value '%s' is a %s, not a tensor; Meshwork serves tensor inputs and outputs only",
                        n.getName(), n.getInfo().getClass().getSimpleName());
            }
            DataType type = OnnxTypes.toDataType(ti.onnxType);
            if (type == null) {
                throw MeshError.invalid("model tensor '%s' has element type %s, which the inference protocol cannot carry", n.getName(), ti.onnxType);
            }
            out.add(new TensorSpec(n.getName(), type, ti.getShape()));
        }
        return out;
    }

    @Override
    protected Path modelPath(Path artifact) {
        return modelFile(artifact);
    }

    private static Path modelFile(Path artifact) {
        return ModelFiles.find(artifact, List.of("model.onnx"), n -> n.endsWith(".onnx"), "a model.onnx or a storageUri naming one file");
    }
}
