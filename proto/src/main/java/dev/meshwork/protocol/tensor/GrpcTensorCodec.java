package dev.meshwork.protocol.tensor;

import com.google.protobuf.ByteString;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.oip.InferParameter;
import dev.meshwork.protocol.oip.InferTensorContents;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelMetadataResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between the Open Inference Protocol gRPC messages and {@link InferenceRequest} /
 * {@link InferenceResponse}: typed contents and raw contents alike. Stateless and thread-safe.
 */
public final class GrpcTensorCodec {
    private GrpcTensorCodec() {
    }

    /** Decodes a request, validating every tensor against its shape and datatype. */
    public static InferenceRequest decode(ModelInferRequest req) {
        int rawCount = req.getRawInputContentsCount();
        boolean raw = rawCount > 0;
        if (raw && rawCount != req.getInputsCount()) {
            throw MeshError.invalid("raw_input_contents has %d entries but the request has %d inputs; give one raw entry per input, in order",
                    rawCount, req.getInputsCount());
        }
        List<Tensor> inputs = new ArrayList<>(req.getInputsCount());
        for (int i = 0; i < req.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor in = req.getInputs(i);
            DataType type = DataType.parse(in.getDatatype(), in.getName());
            long[] shape = toArray(in.getShapeList());
            if (raw) {
                if (in.hasContents()) {
                    throw MeshError.invalid("input '%s' has typed contents while the request uses raw_input_contents; use one form for all inputs", in.getName());
                }
                inputs.add(Tensor.of(in.getName(), type, shape, req.getRawInputContents(i)));
            } else {
                inputs.add(fromContents(in.getName(), type, shape, in.getContents()));
            }
        }
        List<String> outputs = new ArrayList<>(req.getOutputsCount());
        for (ModelInferRequest.InferRequestedOutputTensor o : req.getOutputsList()) {
            outputs.add(o.getName());
        }
        return new InferenceRequest(req.getModelName(), req.getModelVersion(), req.getId(),
                fromParameters(req.getParametersMap()), inputs, outputs, raw);
    }

    /** Encodes a request with raw contents (the form used between routers and nodes). */
    public static ModelInferRequest encode(InferenceRequest req) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder()
                .setModelName(req.modelName()).setModelVersion(req.modelVersion()).setId(req.id())
                .putAllParameters(toParameters(req.parameters()));
        for (Tensor t : req.inputs()) {
            ModelInferRequest.InferInputTensor.Builder in = b.addInputsBuilder().setName(t.name()).setDatatype(t.datatype().name());
            for (long d : t.shape()) {
                in.addShape(d);
            }
            b.addRawInputContents(t.data());
        }
        for (String o : req.requestedOutputs()) {
            b.addOutputsBuilder().setName(o);
        }
        return b.build();
    }

    /**
     * Encodes a response. Raw contents when the client sent raw contents, or when an output is
     * FP16 (which has no typed field); typed contents otherwise.
     */
    public static ModelInferResponse encode(InferenceResponse resp, boolean raw) {
        boolean useRaw = raw || resp.outputs().stream().anyMatch(t -> t.datatype() == DataType.FP16);
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder()
                .setModelName(resp.modelName()).setModelVersion(resp.modelVersion()).setId(resp.id())
                .putAllParameters(toParameters(resp.parameters()));
        for (Tensor t : resp.outputs()) {
            ModelInferResponse.InferOutputTensor.Builder out = b.addOutputsBuilder().setName(t.name()).setDatatype(t.datatype().name());
            for (long d : t.shape()) {
                out.addShape(d);
            }
            if (useRaw) {
                b.addRawOutputContents(t.data());
            } else {
                out.setContents(toContents(t));
            }
        }
        return b.build();
    }

    /** Decodes a response (raw or typed), as a client or a forwarding router reads it. */
    public static InferenceResponse decode(ModelInferResponse resp) {
        boolean raw = resp.getRawOutputContentsCount() > 0;
        if (raw && resp.getRawOutputContentsCount() != resp.getOutputsCount()) {
            throw MeshError.invalid("raw_output_contents has %d entries for %d outputs", resp.getRawOutputContentsCount(), resp.getOutputsCount());
        }
        List<Tensor> outputs = new ArrayList<>(resp.getOutputsCount());
        for (int i = 0; i < resp.getOutputsCount(); i++) {
            ModelInferResponse.InferOutputTensor o = resp.getOutputs(i);
            DataType type = DataType.parse(o.getDatatype(), o.getName());
            long[] shape = toArray(o.getShapeList());
            outputs.add(raw ? Tensor.of(o.getName(), type, shape, resp.getRawOutputContents(i))
                    : fromContents(o.getName(), type, shape, o.getContents()));
        }
        return new InferenceResponse(resp.getModelName(), resp.getModelVersion(), resp.getId(),
                fromParameters(resp.getParametersMap()), outputs);
    }

    /** Model metadata as the OIP gRPC message. */
    public static ModelMetadataResponse metadata(ModelMetadata m, String name) {
        ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(name)
                .addAllVersions(m.versions()).setPlatform(m.platform());
        m.inputs().forEach(t -> b.addInputs(tensorMetadata(t)));
        m.outputs().forEach(t -> b.addOutputs(tensorMetadata(t)));
        return b.build();
    }

    /** Model metadata read from the OIP gRPC message (a runtime's answer). */
    public static ModelMetadata metadata(ModelMetadataResponse r) {
        return new ModelMetadata(r.getName(), r.getVersionsList(), r.getPlatform(), specs(r.getInputsList()), specs(r.getOutputsList()));
    }

    private static ModelMetadataResponse.TensorMetadata tensorMetadata(TensorSpec t) {
        ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(t.name()).setDatatype(t.datatype().name());
        for (long d : t.shape()) {
            b.addShape(d);
        }
        return b.build();
    }

    private static List<TensorSpec> specs(List<ModelMetadataResponse.TensorMetadata> tensors) {
        List<TensorSpec> out = new ArrayList<>(tensors.size());
        for (ModelMetadataResponse.TensorMetadata t : tensors) {
            out.add(new TensorSpec(t.getName(), DataType.parse(t.getDatatype(), t.getName()), toArray(t.getShapeList())));
        }
        return out;
    }

    static Tensor fromContents(String name, DataType type, long[] shape, InferTensorContents c) {
        long count = Tensor.elementCount(name, shape);
        RawTensorWriter w = new RawTensorWriter(name, type, count);
        switch (type) {
            case BOOL -> c.getBoolContentsList().forEach(w::addBool);
            case INT8, INT16, INT32 -> c.getIntContentsList().forEach(w::addInteger);
            case INT64 -> c.getInt64ContentsList().forEach(w::addInteger);
            case UINT8, UINT16, UINT32 -> c.getUintContentsList().forEach(v -> w.addInteger(Integer.toUnsignedLong(v)));
            case UINT64 -> c.getUint64ContentsList().forEach(w::addUint64Bits);
            case FP32 -> c.getFp32ContentsList().forEach(w::addFloat);
            case FP64 -> c.getFp64ContentsList().forEach(w::addFloat);
            case BYTES -> c.getBytesContentsList().forEach(bs -> w.addBytes(bs.toByteArray()));
            case FP16 -> throw MeshError.invalid("input '%s' is FP16, which has no typed contents field; send it in raw_input_contents", name);
        }
        if (w.count() != count && otherFieldsUsed(c, type)) {
            throw MeshError.invalid("input '%s' is %s but its contents are in another datatype's field", name, type);
        }
        return w.build(shape);
    }

    private static boolean otherFieldsUsed(InferTensorContents c, DataType type) {
        int total = c.getBoolContentsCount() + c.getIntContentsCount() + c.getInt64ContentsCount() + c.getUintContentsCount()
                + c.getUint64ContentsCount() + c.getFp32ContentsCount() + c.getFp64ContentsCount() + c.getBytesContentsCount();
        int own = switch (type) {
            case BOOL -> c.getBoolContentsCount();
            case INT8, INT16, INT32 -> c.getIntContentsCount();
            case INT64 -> c.getInt64ContentsCount();
            case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
            case UINT64 -> c.getUint64ContentsCount();
            case FP32 -> c.getFp32ContentsCount();
            case FP64 -> c.getFp64ContentsCount();
            case BYTES -> c.getBytesContentsCount();
            case FP16 -> 0;
        };
        return total > own;
    }

    static InferTensorContents toContents(Tensor t) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        ByteBuffer b = t.buffer();
        int n = Math.toIntExact(t.elementCount());
        switch (t.datatype()) {
            case BOOL -> { for (int i = 0; i < n; i++) c.addBoolContents(b.get() != 0); }
            case INT8 -> { for (int i = 0; i < n; i++) c.addIntContents(b.get()); }
            case INT16 -> { for (int i = 0; i < n; i++) c.addIntContents(b.getShort()); }
            case INT32 -> { for (int i = 0; i < n; i++) c.addIntContents(b.getInt()); }
            case INT64 -> { for (int i = 0; i < n; i++) c.addInt64Contents(b.getLong()); }
            case UINT8 -> { for (int i = 0; i < n; i++) c.addUintContents(Byte.toUnsignedInt(b.get())); }
            case UINT16 -> { for (int i = 0; i < n; i++) c.addUintContents(Short.toUnsignedInt(b.getShort())); }
            case UINT32 -> { for (int i = 0; i < n; i++) c.addUintContents(b.getInt()); }
            case UINT64 -> { for (int i = 0; i < n; i++) c.addUint64Contents(b.getLong()); }
            case FP32 -> { for (int i = 0; i < n; i++) c.addFp32Contents(b.getFloat()); }
            case FP64 -> { for (int i = 0; i < n; i++) c.addFp64Contents(b.getDouble()); }
            case BYTES -> { for (byte[] e : t.bytesElements()) c.addBytesContents(ByteString.copyFrom(e)); }
            case FP16 -> throw new IllegalStateException("FP16 has no typed contents; encode() sends it raw");
        }
        return c.build();
    }

    static long[] toArray(List<Long> shape) {
        long[] out = new long[shape.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = shape.get(i);
        }
        return out;
    }

    static Map<String, Object> fromParameters(Map<String, InferParameter> params) {
        if (params.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            switch (v.getParameterChoiceCase()) {
                case BOOL_PARAM -> out.put(k, v.getBoolParam());
                case INT64_PARAM -> out.put(k, v.getInt64Param());
                case STRING_PARAM -> out.put(k, v.getStringParam());
                default -> { }
            }
        });
        return out;
    }

    static Map<String, InferParameter> toParameters(Map<String, Object> params) {
        if (params.isEmpty()) {
            return Map.of();
        }
        Map<String, InferParameter> out = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            InferParameter.Builder p = InferParameter.newBuilder();
            if (v instanceof Boolean bool) {
                p.setBoolParam(bool);
            } else if (v instanceof Number num && !(v instanceof Double || v instanceof Float)) {
                p.setInt64Param(num.longValue());
            } else {
                p.setStringParam(String.valueOf(v));
            }
            out.put(k, p.build());
        });
        return out;
    }
}
