package dev.meshwork.protocol.tensor;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.meshwork.protocol.error.MeshError;
import java.util.Arrays;

/**
 * Appends elements of one datatype in raw little-endian layout, checking each value against the
 * datatype's range. Not thread-safe: one writer builds one tensor on one thread.
 */
public final class RawTensorWriter {
    private final String name;
    private final DataType type;
    private byte[] buf;
    private int pos;
    private long count;

    public RawTensorWriter(String name, DataType type, long expectedElements) {
        this.name = name;
        this.type = type;
        int width = type == DataType.BYTES ? 8 : type.elementSize();
        this.buf = new byte[(int) Math.min(Math.max(16, expectedElements * width), 1 << 20)];
    }

    public DataType type() {
        return type;
    }

    public long count() {
        return count;
    }

    /** Adds an integral value; it must fit the datatype (INT*, UINT* up to 2^63-1, or a float type). */
    public void addInteger(long v) {
        switch (type) {
            case INT8 -> put1(checkRange(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case INT16 -> put2(checkRange(v, Short.MIN_VALUE, Short.MAX_VALUE));
            case INT32 -> put4(checkRange(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case INT64 -> put8(v);
            case UINT8 -> put1(checkRange(v, 0, 0xFF));
            case UINT16 -> put2(checkRange(v, 0, 0xFFFF));
            case UINT32 -> put4(checkRange(v, 0, 0xFFFF_FFFFL));
            case UINT64 -> put8(checkRange(v, 0, Long.MAX_VALUE));
            case FP16, FP32, FP64 -> addFloat(v);
            default -> throw wrongKind("an integer");
        }
    }

    /** Adds a UINT64 element given as its 64 bits (values above 2^63-1 are negative longs). */
    public void addUint64Bits(long bits) {
        if (type != DataType.UINT64) {
            throw wrongKind("an unsigned 64-bit integer");
        }
        put8(bits);
    }

    public void addFloat(double v) {
        switch (type) {
            case FP16 -> put2(Float.floatToFloat16((float) v));
            case FP32 -> put4(Float.floatToRawIntBits((float) v));
            case FP64 -> put8(Double.doubleToRawLongBits(v));
            default -> throw wrongKind("a floating-point number");
        }
    }

    public void addBool(boolean v) {
        if (type != DataType.BOOL) {
            throw wrongKind("a boolean");
        }
        put1(v ? 1 : 0);
    }

    public void addBytes(byte[] v) {
        if (type != DataType.BYTES) {
            throw wrongKind("a string");
        }
        put4(v.length); // the length prefix; put4 also counts the element
        ensure(v.length);
        System.arraycopy(v, 0, buf, pos, v.length);
        pos += v.length;
    }

    /** The tensor with the given shape; the element count must match it. */
    public Tensor build(long[] shape) {
        long expected = Tensor.elementCount(name, shape);
        if (expected != count) {
            throw MeshError.invalid("tensor '%s' has shape %s (%d elements) but %d data elements were given",
                    name, Arrays.toString(shape), expected, count);
        }
        ByteString data = UnsafeByteOperations.unsafeWrap(buf, 0, pos);
        return new Tensor(name, type, shape, data);
    }

    private long checkRange(long v, long min, long max) {
        if (v < min || v > max) {
            throw MeshError.invalid("tensor '%s' element %d is %d, outside the range of %s [%d, %d]",
                    name, count, v, type, min, max);
        }
        return v;
    }

    private MeshError wrongKind(String what) {
        return MeshError.invalid("tensor '%s' is %s but element %d is %s", name, type, count, what);
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    private void put1(long v) {
        ensure(1);
        buf[pos++] = (byte) v;
        count++;
    }

    private void put2(long v) {
        ensure(2);
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >> 8);
        count++;
    }

    private void put4(long v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[pos++] = (byte) (v >> (8 * i));
        }
        count++;
    }

    private void put8(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (v >> (8 * i));
        }
        count++;
    }
}
