package dev.meshwork.runtime.pytorch;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import com.google.protobuf.UnsafeByteOperations;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.Tensor;
import dev.meshwork.protocol.tensor.TensorSpec;
import dev.meshwork.runtime.RuntimeMessages;
import dev.meshwork.runtime.ValidatingModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One TorchScript module. DJL predictors are not thread-safe, so requests borrow one from a pool
 * (a new one when all are in use) and return it; each request's arrays live in its own
 * sub-manager and are freed when it ends.
 */
final class PytorchModel extends ValidatingModel {
    private final ZooModel<NDList, NDList> model;
    private final ConcurrentLinkedQueue<Predictor<NDList, NDList>> predictors = new ConcurrentLinkedQueue<>();

    PytorchModel(ZooModel<NDList, NDList> model, ModelMetadata meta, long sizeBytes) {
        super(meta, sizeBytes);
        this.model = model;
    }

    @Override
    protected InferenceResponse run(InferenceRequest req) {
        Predictor<NDList, NDList> predictor = predictors.poll();
        if (predictor == null) {
            predictor = model.newPredictor();
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDList inputs = new NDList();
            for (TensorSpec spec : meta.inputs()) { // forward() takes them in the signature's order
                Tensor t = req.inputs().stream().filter(x -> x.name().equals(spec.name())).findFirst().orElseThrow();
                ByteBuffer data = ByteBuffer.allocateDirect(t.data().size()).order(ByteOrder.nativeOrder());
                t.data().copyTo(data);
                data.flip();
                inputs.add(manager.create(data, new Shape(t.shape()), toDjl(t.datatype(), t.name())));
            }
            NDList outputs = predictor.predict(inputs);
            if (outputs.size() != meta.outputs().size()) {
                throw new MeshError(ErrorCode.INTERNAL, "the model returned " + outputs.size() + " tensors but its "
                        + TorchSignature.FILE + " lists " + meta.outputs().size());
            }
            List<String> wanted = req.requestedOutputs();
            List<Tensor> result = new ArrayList<>();
            for (int i = 0; i < outputs.size(); i++) {
                TensorSpec spec = meta.outputs().get(i);
                if (wanted.isEmpty() || wanted.contains(spec.name())) {
                    result.add(fromDjl(spec, outputs.get(i)));
                }
            }
            return new InferenceResponse(req.modelName(), req.modelVersion(), req.id(), Map.of(), result);
        } catch (TranslateException e) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "PyTorch: " + RuntimeMessages.firstLine(e.getMessage()), e);
        } finally {
            predictors.offer(predictor);
        }
    }

    private static Tensor fromDjl(TensorSpec spec, NDArray array) {
        DataType produced = fromDjl(array.getDataType());
        if (produced != spec.datatype()) {
            throw new MeshError(ErrorCode.INTERNAL, "output '" + spec.name() + "' is " + array.getDataType()
                    + " but " + TorchSignature.FILE + " says " + spec.datatype());
        }
        ByteBuffer bytes = array.toByteBuffer();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return new Tensor(spec.name(), spec.datatype(), array.getShape().getShape(), UnsafeByteOperations.unsafeWrap(copy));
    }

    static ai.djl.ndarray.types.DataType toDjl(DataType t, String input) {
        return switch (t) {
            case FP32 -> ai.djl.ndarray.types.DataType.FLOAT32;
            case FP64 -> ai.djl.ndarray.types.DataType.FLOAT64;
            case FP16 -> ai.djl.ndarray.types.DataType.FLOAT16;
            case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
            case INT8 -> ai.djl.ndarray.types.DataType.INT8;
            case INT16 -> ai.djl.ndarray.types.DataType.INT16;
            case INT32 -> ai.djl.ndarray.types.DataType.INT32;
            case INT64 -> ai.djl.ndarray.types.DataType.INT64;
            case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
            default -> throw new MeshError(ErrorCode.UNIMPLEMENTED, "input '" + input + "' is " + t + ", which DJL's PyTorch engine cannot take");
        };
    }

    static DataType fromDjl(ai.djl.ndarray.types.DataType t) {
        return switch (t) {
            case FLOAT32 -> DataType.FP32;
            case FLOAT64 -> DataType.FP64;
            case FLOAT16 -> DataType.FP16;
            case UINT8 -> DataType.UINT8;
            case INT8 -> DataType.INT8;
            case INT16 -> DataType.INT16;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case BOOLEAN -> DataType.BOOL;
            default -> null;
        };
    }

    @Override
    public void close() {
        Predictor<NDList, NDList> p;
        while ((p = predictors.poll()) != null) {
            p.close();
        }
        model.close();
    }
}
