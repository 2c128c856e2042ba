package dev.meshwork.runtime.lightgbm;

import com.google.protobuf.UnsafeByteOperations;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.Tensor;
import dev.meshwork.runtime.ValidatingModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/** One LightGBM booster. {@link #run} runs on request threads, concurrently. */
final class LightgbmModel extends ValidatingModel {
    private final LightgbmBooster booster;

    LightgbmModel(LightgbmBooster booster, ModelMetadata meta, long sizeBytes) {
        super(meta, sizeBytes);
        this.booster = booster;
    }

    @Override
    protected InferenceResponse run(InferenceRequest req) {
        Tensor in = req.inputs().get(0);
        int rows = (int) in.shape()[0];
        float[] data = new float[rows * booster.features];
        in.buffer().asFloatBuffer().get(data);
        double[] values;
        try {
            values = booster.predict(data, rows);
        } catch (IllegalStateException e) {
            throw new MeshError(ErrorCode.INTERNAL, "LightGBM: " + e.getMessage(), e);
        }
        ByteBuffer out = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            out.putDouble(v);
        }
        long[] shape = booster.classes == 1 ? new long[]{rows} : new long[]{rows, booster.classes};
        Tensor predict = new Tensor("predict", DataType.FP64, shape, UnsafeByteOperations.unsafeWrap(out.array()));
        return new InferenceResponse(req.modelName(), req.modelVersion(), req.id(), Map.of(), List.of(predict));
    }

    @Override
    public void close() {
        booster.close();
    }
}
