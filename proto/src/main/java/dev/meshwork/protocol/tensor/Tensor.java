package dev.meshwork.protocol.tensor;

import com.google.protobuf.ByteString;
import dev.meshwork.protocol.error.MeshError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor in the protocol's raw layout: flattened row-major little-endian elements, BYTES
 * elements each prefixed by a 4-byte little-endian length. Immutable; safe to share between threads.
 *
 * <p>Every protocol (typed gRPC contents, raw gRPC contents, REST JSON) converts to and from this
 * one form, so raw gRPC requests pass through the mesh without being re-encoded.
 */
public record Tensor(String name, DataType datatype, long[] shape, ByteString data) {

    public Tensor {
        shape = shape.clone();
    }

    /** Builds a tensor and checks that the data holds exactly the elements the shape asks for. */
    public static Tensor of(String name, DataType datatype, long[] shape, ByteString data) {
        Tensor t = new Tensor(name, datatype, shape, data);
        t.validate();
        return t;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements the shape describes. */
    public long elementCount() {
        return elementCount(name, shape);
    }

    /** The element count of a shape; negative dimensions or an overflowing product are INVALID_ARGUMENT. */
    public static long elementCount(String name, long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw MeshError.invalid("tensor '%s' has shape %s with a negative dimension; every dimension of a request tensor must be >= 0",
                        name, Arrays.toString(shape));
            }
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException overflow) {
                throw MeshError.invalid("tensor '%s' has shape %s, whose element count does not fit in 64 bits", name, Arrays.toString(shape));
            }
        }
        return count;
    }

    /** Checks the data length against shape and datatype. */
    public void validate() {
        long count = elementCount();
        if (datatype == DataType.BYTES) {
            long found = countBytesElements();
            if (found != count) {
                throw MeshError.invalid("tensor '%s' has shape %s (%d elements) but its BYTES data holds %d elements",
                        name, Arrays.toString(shape), count, found);
            }
            return;
        }
        long expected = count * datatype.elementSize();
        if (data.size() != expected) {
            throw MeshError.invalid("tensor '%s' has shape %s and datatype %s, which needs %d bytes (%d elements), but its data has %d bytes",
                    name, Arrays.toString(shape), datatype, expected, count, data.size());
        }
    }

    private long countBytesElements() {
        ByteBuffer b = buffer();
        long n = 0;
        while (b.remaining() > 0) {
            if (b.remaining() < 4) {
                throw MeshError.invalid("tensor '%s' has BYTES data that ends inside a 4-byte length prefix", name);
            }
            int len = b.getInt();
            if (len < 0 || len > b.remaining()) {
                throw MeshError.invalid("tensor '%s' has a BYTES element of length %d but only %d bytes remain",
                        name, Integer.toUnsignedLong(len), b.remaining());
            }
            b.position(b.position() + len);
            n++;
        }
        return n;
    }

    /** A read-only little-endian view of the data. */
    public ByteBuffer buffer() {
        return data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The BYTES elements, each as its own array. */
    public byte[][] bytesElements() {
        if (datatype != DataType.BYTES) {
            throw new IllegalStateException("tensor " + name + " is " + datatype + ", not BYTES");
        }
        ByteBuffer b = buffer();
        byte[][] out = new byte[Math.toIntExact(elementCount())][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new byte[b.getInt()];
            b.get(out[i]);
        }
        return out;
    }

    /** A copy of this tensor under another name. */
    public Tensor withName(String newName) {
        return new Tensor(newName, datatype, shape, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && datatype == t.datatype
                && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + datatype.hashCode()) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ", " + datatype + ", " + Arrays.toString(shape) + ", " + data.size() + " bytes]";
    }
}
