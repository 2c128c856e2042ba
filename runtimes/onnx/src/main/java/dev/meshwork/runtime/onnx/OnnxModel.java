package dev.meshwork.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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
import dev.meshwork.runtime.ValidatingModel;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One ONNX Runtime session. {@link #infer} runs on request threads, concurrently. */
final class OnnxModel extends ValidatingModel {
    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("Meshwork's ONNX adapter passes raw tensors in native order and needs a little-endian CPU");
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;

    OnnxModel(OrtEnvironment env, OrtSession session, ModelMetadata meta, long sizeBytes) {
        super(meta, sizeBytes);
        this.env = env;
        this.session = session;
    }

    @Override
    protected InferenceResponse run(InferenceRequest req) {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (Tensor t : req.inputs()) {
                inputs.put(t.name(), toOnnx(t));
            }
            Set<String> wanted = new LinkedHashSet<>(req.requestedOutputs());
            if (wanted.isEmpty()) {
                meta.outputs().forEach(o -> wanted.add(o.name()));
            }
            try (OrtSession.Result result = session.run(inputs, wanted)) {
                List<Tensor> outputs = new ArrayList<>(wanted.size());
                for (String name : wanted) {
                    OnnxValue v = result.get(name).orElseThrow();
                    outputs.add(fromOnnx(name, meta.output(name).orElseThrow(), (OnnxTensor) v));
                }
                return new InferenceResponse(req.modelName(), req.modelVersion(), req.id(), Map.of(), outputs);
            }
        } catch (OrtException e) {
            ErrorCode code = e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INTERNAL;
            throw new MeshError(code, "ONNX Runtime: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor toOnnx(Tensor t) throws OrtException {
        if (t.datatype() == DataType.BYTES) {
            byte[][] elements = t.bytesElements();
            String[] strings = new String[elements.length];
            for (int i = 0; i < elements.length; i++) {
                strings[i] = new String(elements[i], StandardCharsets.UTF_8);
            }
            return OnnxTensor.createTensor(env, strings, t.shape());
        }
        // A direct buffer in native (little-endian) order lets ONNX Runtime use the memory as it is.
        ByteBuffer direct = ByteBuffer.allocateDirect(t.data().size()).order(ByteOrder.nativeOrder());
        t.data().copyTo(direct);
        direct.flip();
        return OnnxTensor.createTensor(env, direct, t.shape(), OnnxTypes.toJavaType(t.datatype(), t.name()));
    }

    private static Tensor fromOnnx(String name, TensorSpec spec, OnnxTensor v) throws OrtException {
        long[] shape = v.getInfo().getShape();
        DataType type = OnnxTypes.toDataType(v.getInfo().onnxType);
        if (type == null) {
            type = spec.datatype();
        }
        if (type == DataType.BYTES) {
            long count = Tensor.elementCount(name, shape);
            RawTensorWriter w = new RawTensorWriter(name, DataType.BYTES, count);
            appendStrings(w, v.getValue());
            return w.build(shape);
        }
        ByteBuffer buf = v.getByteBuffer();
        return new Tensor(name, type, shape, UnsafeByteOperations.unsafeWrap(buf));
    }

    private static void appendStrings(RawTensorWriter w, Object value) {
        if (value instanceof String s) {
            w.addBytes(s.getBytes(StandardCharsets.UTF_8));
        } else if (value != null && value.getClass().isArray()) {
            int n = Array.getLength(value);
            for (int i = 0; i < n; i++) {
                appendStrings(w, Array.get(value, i));
            }
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new MeshError(ErrorCode.INTERNAL, "ONNX Runtime could not close the session of " + meta.name() + ": " + e.getMessage(), e);
        }
    }
}
