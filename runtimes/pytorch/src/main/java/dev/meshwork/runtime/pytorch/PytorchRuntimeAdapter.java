package dev.meshwork.runtime.pytorch;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.runtime.ArtifactSizedAdapter;
import dev.meshwork.runtime.Device;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.ModelFiles;
import dev.meshwork.runtime.RuntimeMessages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * PyTorch through DJL (engine, JNI and native CPU library all from Maven artifacts; DJL's offline
 * mode is on, so nothing is ever downloaded). Loads a TorchScript file ({@code model.pt}, or the
 * one {@code *.pt} of a folder) with the {@link TorchSignature} beside it.
 *
 * <p>Size: libtorch does not report a module's memory; the estimate is twice the file size plus
 * 8 MiB of per-module overhead. Thread-safe: a loaded model hands each request its own predictor.
 */
public final class PytorchRuntimeAdapter extends ArtifactSizedAdapter {
    static final long OVERHEAD_BYTES = 8L << 20;

    static {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    public PytorchRuntimeAdapter(Device device) {
        super("pytorch", 2, OVERHEAD_BYTES, device);
    }

    @Override
    public LoadedModel load(String modelId, Path artifact) {
        Path file = modelFile(artifact);
        TorchSignature signature = TorchSignature.read(file.getParent(), file);
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(file).optEngine("PyTorch").optTranslator(new NoopTranslator())
                .optDevice(onDevice().isCuda() ? ai.djl.Device.gpu(onDevice().index()) : ai.djl.Device.cpu()).build();
        // DJL finds its engine through the thread's context class loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(PytorchRuntimeAdapter.class.getClassLoader());
        ZooModel<NDList, NDList> model;
        try {
            model = criteria.loadModel();
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "PyTorch could not load " + file.getFileName() + ": "
                    + RuntimeMessages.firstLine(e.getMessage()), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        ModelMetadata meta = new ModelMetadata(modelId, List.of("1"), "pytorch_libtorch", signature.inputs(), signature.outputs());
        return new PytorchModel(model, meta, predictSize(file));
    }

    @Override
    protected Path modelPath(Path artifact) {
        return modelFile(artifact);
    }

    private static Path modelFile(Path artifact) {
        return ModelFiles.find(artifact, List.of("model.pt"), n -> n.endsWith(".pt"), "a model.pt");
    }
}
