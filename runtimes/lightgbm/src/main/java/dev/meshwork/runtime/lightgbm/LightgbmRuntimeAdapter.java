package dev.meshwork.runtime.lightgbm;

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
import java.util.List;

/**
 * LightGBM (native library from the lightgbm4j Maven artifact) behind the runtime interface.
 * Loads a model in LightGBM's text format ({@code model.txt}, or the one {@code *.txt} of a
 * folder). The model takes {@code input} FP32 [batch, features] and answers {@code predict} FP64
 * [batch] (or [batch, classes]), LightGBM computing in double precision.
 *
 * <p>LightGBM's native parser crashes the process on malformed files, so every file is checked
 * first ({@link LightgbmModelFile}).
 *
 * <p>Size: LightGBM does not report a booster's memory; the estimate is the text file's size
 * (the parsed trees take less) plus 256 KiB. Thread-safe.
 */
public final class LightgbmRuntimeAdapter extends ArtifactSizedAdapter {
    static final long OVERHEAD_BYTES = 256 << 10;
    private final boolean checkFiles;

    public LightgbmRuntimeAdapter() {
        this(true);
    }

    /** {@code checkFiles} false hands files to LightGBM unchecked (node.isolation.checkModelFiles). */
    public LightgbmRuntimeAdapter(boolean checkFiles) {
        super("lightgbm", 1, OVERHEAD_BYTES, Device.CPU);
        this.checkFiles = checkFiles;
    }

    @Override
    public LoadedModel load(String modelId, Path artifact) {
        Path file = modelFile(artifact);
        if (checkFiles) {
            LightgbmModelFile.check(file);
        }
        LightgbmBooster booster;
        try {
            booster = LightgbmBooster.load(file.toString());
        } catch (IllegalArgumentException e) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "LightGBM could not load " + file.getFileName() + ": " + e.getMessage(), e);
        }
        if (booster.features <= 0 || booster.classes <= 0) {
            booster.close();
            throw MeshError.invalid("LightGBM could not load %s: it reports %d features and %d classes",
                    file.getFileName(), booster.features, booster.classes);
        }
        long[] outShape = booster.classes == 1 ? new long[]{-1} : new long[]{-1, booster.classes};
        ModelMetadata meta = new ModelMetadata(modelId, List.of("1"), "lightgbm",
                List.of(new TensorSpec("input", DataType.FP32, new long[]{-1, booster.features})),
                List.of(new TensorSpec("predict", DataType.FP64, outShape)));
        return new LightgbmModel(booster, meta, predictSize(file));
    }

    @Override
    protected Path modelPath(Path artifact) {
        return modelFile(artifact);
    }

    private static Path modelFile(Path artifact) {
        return ModelFiles.find(artifact, List.of("model.txt"), n -> n.endsWith(".txt"), "a model.txt");
    }
}
