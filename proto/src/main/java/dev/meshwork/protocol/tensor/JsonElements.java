package dev.meshwork.protocol.tensor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Element-level conversion between JSON values and raw tensor data, shared by the REST codecs. */
final class JsonElements {
    private JsonElements() {
    }

    /** Appends every leaf of a (possibly nested) JSON array, in row-major order. */
    static void appendAll(RawTensorWriter w, JsonNode data, String tensor) {
        if (data.isArray()) {
            for (JsonNode e : data) {
                appendAll(w, e, tensor);
            }
        } else {
            append(w, data, tensor);
        }
    }

    static void append(RawTensorWriter w, JsonNode v, String tensor) {
        DataType t = w.type();
        switch (t) {
            case BOOL -> {
                if (v.isBoolean()) {
                    w.addBool(v.booleanValue());
                } else if (v.isIntegralNumber() && (v.longValue() == 0 || v.longValue() == 1)) {
                    w.addBool(v.longValue() == 1);
                } else {
                    throw bad(tensor, t, w.count(), v, "true or false");
                }
            }
            case BYTES -> {
                if (v.isTextual()) {
                    w.addBytes(v.textValue().getBytes(StandardCharsets.UTF_8));
                } else if (v.isObject() && v.size() == 1 && v.get("b64") != null && v.get("b64").isTextual()) {
                    try {
                        w.addBytes(Base64.getDecoder().decode(v.get("b64").textValue()));
                    } catch (IllegalArgumentException e) {
                        throw MeshError.invalid("tensor '%s' element %d has b64 that is not valid base64: %s", tensor, w.count(), e.getMessage());
                    }
                } else {
                    throw bad(tensor, t, w.count(), v, "a string or {\"b64\": \"...\"}");
                }
            }
            case FP16, FP32, FP64 -> {
                if (v.isNumber()) {
                    w.addFloat(v.doubleValue());
                } else if (v.isTextual() && isSpecialFloat(v.textValue())) {
                    w.addFloat(Double.parseDouble(v.textValue().replace("inf", "Infinity")));
                } else {
                    throw bad(tensor, t, w.count(), v, "a number");
                }
            }
            case UINT64 -> {
                if (v.isIntegralNumber() && v.bigIntegerValue().signum() >= 0 && v.bigIntegerValue().bitLength() <= 64) {
                    w.addUint64Bits(v.bigIntegerValue().longValue());
                } else {
                    throw bad(tensor, t, w.count(), v, "an integer in [0, 2^64-1]");
                }
            }
            default -> {
                if (v.isIntegralNumber() && v.canConvertToLong()) {
                    w.addInteger(v.longValue());
                } else if (v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 0x1p53) {
                    w.addInteger((long) v.doubleValue());
                } else {
                    throw bad(tensor, t, w.count(), v, "an integer");
                }
            }
        }
    }

    private static boolean isSpecialFloat(String s) {
        return s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity") || s.equals("inf") || s.equals("-inf");
    }

    private static MeshError bad(String tensor, DataType t, long index, JsonNode v, String expected) {
        String shown = v.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return MeshError.invalid("tensor '%s' is %s but element %d is %s; expected %s", tensor, t, index, shown, expected);
    }

    /** Writes one element read from {@code b} as a JSON value. */
    static void writeElement(JsonGenerator g, DataType t, ByteBuffer b) throws IOException {
        switch (t) {
            case BOOL -> g.writeBoolean(b.get() != 0);
            case INT8 -> g.writeNumber(b.get());
            case INT16 -> g.writeNumber(b.getShort());
            case INT32 -> g.writeNumber(b.getInt());
            case INT64 -> g.writeNumber(b.getLong());
            case UINT8 -> g.writeNumber(Byte.toUnsignedInt(b.get()));
            case UINT16 -> g.writeNumber(Short.toUnsignedInt(b.getShort()));
            case UINT32 -> g.writeNumber(Integer.toUnsignedLong(b.getInt()));
            case UINT64 -> g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(b.getLong())));
            case FP16 -> writeFloat(g, Float.float16ToFloat(b.getShort()));
            case FP32 -> writeFloat(g, b.getFloat());
            case FP64 -> writeDouble(g, b.getDouble());
            case BYTES -> {
                byte[] e = new byte[b.getInt()];
                b.get(e);
                String text = utf8OrNull(e);
                if (text != null) {
                    g.writeString(text);
                } else {
                    g.writeStartObject();
                    g.writeStringField("b64", Base64.getEncoder().encodeToString(e));
                    g.writeEndObject();
                }
            }
        }
    }

    private static void writeFloat(JsonGenerator g, float f) throws IOException {
        if (Float.isFinite(f)) {
            g.writeNumber(f);
        } else {
            g.writeString(Float.toString(f));
        }
    }

    private static void writeDouble(JsonGenerator g, double d) throws IOException {
        if (Double.isFinite(d)) {
            g.writeNumber(d);
        } else {
            g.writeString(Double.toString(d));
        }
    }

    private static String utf8OrNull(byte[] e) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(e));
            return cb.toString();
        } catch (CharacterCodingException ex) {
            return null;
        }
    }

    /** Writes the tensor's elements as nested arrays following {@code shape} from dimension {@code dim}. */
    static void writeNested(JsonGenerator g, DataType t, ByteBuffer b, long[] shape, int dim) throws IOException {
        if (dim == shape.length) {
            writeElement(g, t, b);
            return;
        }
        g.writeStartArray();
        for (long i = 0; i < shape[dim]; i++) {
            writeNested(g, t, b, shape, dim + 1);
        }
        g.writeEndArray();
    }

    /** The shape of a nested JSON array, read along its first elements. */
    static long[] nestedShape(JsonNode data) {
        List<Long> dims = new ArrayList<>();
        JsonNode cur = data;
        while (cur.isArray()) {
            dims.add((long) cur.size());
            if (cur.isEmpty()) {
                break;
            }
            cur = cur.get(0);
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}
