package dev.meshwork.runtime.tensorflow;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.TensorSpec;
import dev.meshwork.runtime.ArtifactSizedAdapter;
import dev.meshwork.runtime.Device;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.RuntimeMessages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * TensorFlow Java (native library from the Maven artifact) behind the runtime interface. Loads a
 * SavedModel folder (tag {@code serve}) and serves its {@code serving_default} signature (or its
 * only signature); inputs and outputs are the signature's keys, with their dtypes and shapes.
 *
 * <p>Size: TensorFlow does not report a bundle's memory; the estimate is twice the folder's size
 * (graph and variables as read, plus their runtime copies) plus 4 MiB of session overhead.
 * Thread-safe: bundles load on load threads; a session runs calls from many threads.
 */
public final class TensorflowRuntimeAdapter extends ArtifactSizedAdapter {
    static final long OVERHEAD_BYTES = 4L << 20;
    static final String SIGNATURE = "serving_default";

    public TensorflowRuntimeAdapter() {
        super("tensorflow", 2, OVERHEAD_BYTES, Device.CPU);
    }

    @Override
    public LoadedModel load(String modelId, Path artifact) {
        Path dir = savedModelDir(artifact);
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.load(dir.toString(), "serve");
        } catch (TensorFlowException | IllegalArgumentException e) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "TensorFlow could not load the SavedModel in " + dir.getFileName() + ": "
                    + RuntimeMessages.firstLine(e.getMessage()), e);
        }
        try {
            Signature signature = pickSignature(bundle, dir);
            ModelMetadata meta = new ModelMetadata(modelId, List.of("1"), "tensorflow_savedmodel",
                    specs(signature.getInputs(), dir), specs(signature.getOutputs(), dir));
            return new TensorflowModel(bundle, bundle.function(signature.key()), meta, predictSize(dir));
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static Signature pickSignature(SavedModelBundle bundle, Path dir) {
        List<Signature> all = bundle.signatures();
        for (Signature s : all) {
            if (s.key().equals(SIGNATURE)) {
                return s;
            }
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        throw MeshError.invalid("SavedModel %s has no '%s' signature and %d others (%s); export one named %s",
                dir.getFileName(), SIGNATURE, all.size(), all.stream().map(Signature::key).toList(), SIGNATURE);
    }

    private static List<TensorSpec> specs(Map<String, Signature.TensorDescription> tensors, Path dir) {
        List<TensorSpec> out = new ArrayList<>();
        for (Map.Entry<String, Signature.TensorDescription> e : tensors.entrySet()) {
            DataType type = TensorflowTypes.toDataType(e.getValue().dataType);
            if (type == null) {
                throw MeshError.invalid("SavedModel %s: tensor '%s' has dtype %s, which Meshwork cannot carry", dir.getFileName(),
                        e.getKey(), e.getValue().dataType);
            }
            long[] shape = e.getValue().shape.isUnknown() ? new long[]{-1} : e.getValue().shape.asArray();
            out.add(new TensorSpec(e.getKey(), type, shape));
        }
        out.sort(java.util.Comparator.comparing(TensorSpec::name));
        return out;
    }

    @Override
    protected Path modelPath(Path artifact) {
        return savedModelDir(artifact);
    }

    private static Path savedModelDir(Path artifact) {
        if (Files.isRegularFile(artifact) && artifact.getFileName().toString().equals("saved_model.pb")) {
            return artifact.getParent();
        }
        if (!Files.isRegularFile(artifact.resolve("saved_model.pb"))) {
            throw MeshError.invalid("%s is not a SavedModel folder (no saved_model.pb)", artifact.getFileName());
        }
        return artifact;
    }
}
