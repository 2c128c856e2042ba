package dev.meshwork.runtime.tensorflow;

import com.google.protobuf.UnsafeByteOperations;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.RawTensorWriter;
import dev.meshwork.protocol.tensor.Tensor;
import dev.meshwork.protocol.tensor.TensorSpec;
import dev.meshwork.runtime.RuntimeMessages;
import dev.meshwork.runtime.ValidatingModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TString;

/** One SavedModel signature. {@link #run} runs on request threads, concurrently. */
final class TensorflowModel extends ValidatingModel {
    private final SavedModelBundle bundle;
    private final SessionFunction function;

    TensorflowModel(SavedModelBundle bundle, SessionFunction function, ModelMetadata meta, long sizeBytes) {
        super(meta, sizeBytes);
        this.bundle = bundle;
        this.function = function;
    }

    @Override
    protected InferenceResponse run(InferenceRequest req) {
        Map<String, org.tensorflow.Tensor> inputs = new HashMap<>();
        try {
            for (Tensor t : req.inputs()) {
                inputs.put(t.name(), toTensorflow(t));
            }
            List<String> wanted = req.requestedOutputs().isEmpty()
                    ? meta.outputs().stream().map(TensorSpec::name).toList() : req.requestedOutputs();
            try (Result result = function.call(inputs)) {
                List<Tensor> outputs = new ArrayList<>(wanted.size());
                for (String name : wanted) {
                    org.tensorflow.Tensor out = result.get(name).orElseThrow(() -> new MeshError(ErrorCode.INTERNAL,
                            "TensorFlow returned no output '" + name + "'"));
                    outputs.add(fromTensorflow(name, meta.output(name).orElseThrow().datatype(), out));
                }
                return new InferenceResponse(req.modelName(), req.modelVersion(), req.id(), Map.of(), outputs);
            }
        } catch (TensorFlowException e) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "TensorFlow: " + RuntimeMessages.firstLine(e.getMessage()), e);
        } finally {
            inputs.values().forEach(org.tensorflow.Tensor::close);
        }
    }

    private static org.tensorflow.Tensor toTensorflow(Tensor t) {
        Shape shape = Shape.of(t.shape());
        if (t.datatype() == DataType.BYTES) {
            byte[][] elements = t.bytesElements();
            return TString.tensorOfBytes(shape, DataBuffers.ofObjects(elements));
        }
        // TensorFlow's raw layout is the protocol's: row-major, native (little-endian) order, bools one byte each.
        return org.tensorflow.Tensor.of(TensorflowTypes.toTensorClass(t.datatype()), shape, DataBuffers.of(t.data().toByteArray(), true, false));
    }

    private static Tensor fromTensorflow(String name, DataType type, org.tensorflow.Tensor t) {
        long[] shape = t.shape().asArray();
        if (type == DataType.BYTES) {
            RawTensorWriter w = new RawTensorWriter(name, DataType.BYTES, t.shape().size());
            ((TString) t).asBytes().scalars().forEach(s -> w.addBytes(s.getObject()));
            return w.build(shape);
        }
        ByteDataBuffer data = t.asRawTensor().data();
        byte[] bytes = new byte[(int) data.size()];
        data.read(bytes);
        return new Tensor(name, type, shape, UnsafeByteOperations.unsafeWrap(bytes));
    }

    @Override
    public void close() {
        bundle.close();
    }
}
