package dev.meshwork.runtime.xgboost;

import com.google.protobuf.UnsafeByteOperations;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.Tensor;
import dev.meshwork.runtime.RuntimeMessages;
import dev.meshwork.runtime.ValidatingModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** One XGBoost booster. {@link #infer} runs on request threads, concurrently. */
final class XgboostModel extends ValidatingModel {
    private final Booster booster;
    private final int features;
    private final int width;

    XgboostModel(Booster booster, ModelMetadata meta, int features, int width, long sizeBytes) {
        super(meta, sizeBytes);
        this.booster = booster;
        this.features = features;
        this.width = width;
    }

    @Override
    protected InferenceResponse run(InferenceRequest req) {
        Tensor in = req.inputs().get(0);
        int rows = (int) in.shape()[0];
        float[] data = new float[rows * features];
        in.buffer().asFloatBuffer().get(data);
        try {
            DMatrix matrix = new DMatrix(data, rows, features, Float.NaN);
            float[][] predictions;
            try {
                predictions = booster.predict(matrix);
            } finally {
                matrix.dispose();
            }
            ByteBuffer out = ByteBuffer.allocate(rows * width * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : predictions) {
                for (float v : row) {
                    out.putFloat(v);
                }
            }
            long[] shape = width == 1 ? new long[]{rows} : new long[]{rows, width};
            Tensor predict = new Tensor("predict", DataType.FP32, shape, UnsafeByteOperations.unsafeWrap(out.array()));
            return new InferenceResponse(req.modelName(), req.modelVersion(), req.id(), Map.of(), List.of(predict));
        } catch (XGBoostError e) {
            throw new MeshError(ErrorCode.INTERNAL, "XGBoost: " + RuntimeMessages.firstLine(e.getMessage()), e);
        }
    }

    @Override
    public void close() {
        booster.dispose();
    }
}
