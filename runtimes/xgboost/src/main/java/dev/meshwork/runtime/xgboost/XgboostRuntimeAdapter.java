package dev.meshwork.runtime.xgboost;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.TensorSpec;
import dev.meshwork.runtime.ArtifactSizedAdapter;
import dev.meshwork.runtime.Device;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.ModelFiles;
import dev.meshwork.runtime.RuntimeMessages;
import java.nio.file.Path;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * XGBoost (xgboost4j, native library from the Maven artifact) behind the runtime interface. Loads
 * a booster saved as JSON ({@code model.json}), UBJSON ({@code model.ubj}) or the legacy binary
 * form ({@code model.bst}), or the one such file in a folder. The model takes one input,
 * {@code input} FP32 [batch, features], and answers {@code predict} FP32 [batch] (or [batch,
 * classes] for multi-class probabilities), as KServe's XGBoost server names them.
 *
 * <p>Size: XGBoost does not report a booster's memory; the estimate is twice the file size plus
 * 256 KiB (a parsed tree ensemble is smaller than its JSON, but the bound stays conservative).
 * Thread-safe: boosters are loaded on load threads; prediction is safe from many threads.
 */
public final class XgboostRuntimeAdapter extends ArtifactSizedAdapter {
    static final long OVERHEAD_BYTES = 256 << 10;
    private static final List<String> FILE_NAMES = List.of("model.json", "model.ubj", "model.bst");

    private final boolean checkFiles;

    public XgboostRuntimeAdapter() {
        this(true);
    }

    /** {@code checkFiles} false hands files to XGBoost unchecked (node.isolation.checkModelFiles). */
    public XgboostRuntimeAdapter(boolean checkFiles) {
        super("xgboost", 2, OVERHEAD_BYTES, Device.CPU);
        this.checkFiles = checkFiles;
    }

    @Override
    public LoadedModel load(String modelId, Path artifact) {
        Path file = modelFile(artifact);
        if (checkFiles) {
            XgboostModelFile.check(file);
        }
        Booster booster;
        try {
            booster = XGBoost.loadModel(file.toString());
        } catch (XGBoostError e) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "XGBoost could not load " + file.getFileName() + ": " + RuntimeMessages.withoutArtifactText(e.getMessage()), e);
        }
        try {
            // predictions run on the request's own thread: concurrency comes from concurrent requests, and
            // OpenMP's spinning team would otherwise compete with request and transport threads for every core
            booster.setParam("nthread", 1);
            int features = (int) booster.getNumFeature();
            if (features <= 0) {
                throw MeshError.invalid("XGBoost model %s reports %d features", file.getFileName(), features);
            }
            // The output width (1, or the number of classes) shows in a prediction of one row.
            DMatrix probe = new DMatrix(new float[features], 1, features, Float.NaN);
            int width;
            try {
                width = booster.predict(probe)[0].length;
            } finally {
                probe.dispose();
            }
            long[] outShape = width == 1 ? new long[]{-1} : new long[]{-1, width};
            ModelMetadata meta = new ModelMetadata(modelId, List.of("1"), "xgboost",
                    List.of(new TensorSpec("input", DataType.FP32, new long[]{-1, features})),
                    List.of(new TensorSpec("predict", DataType.FP32, outShape)));
            return new XgboostModel(booster, meta, features, width, predictSize(file));
        } catch (XGBoostError | RuntimeException e) {
            booster.dispose();
            throw e instanceof MeshError m ? m : new MeshError(ErrorCode.INVALID_ARGUMENT,
                    "XGBoost could not use " + file.getFileName() + ": " + RuntimeMessages.withoutArtifactText(e.getMessage()), e);
        }
    }

    @Override
    protected Path modelPath(Path artifact) {
        return modelFile(artifact);
    }

    private static Path modelFile(Path artifact) {
        return ModelFiles.find(artifact, FILE_NAMES,
                n -> n.endsWith(".json") && !n.endsWith(".model.json") || n.endsWith(".ubj") || n.endsWith(".bst"),
                "a model.json, model.ubj or model.bst");
    }
}
