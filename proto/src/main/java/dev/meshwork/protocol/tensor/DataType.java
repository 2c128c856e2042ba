package dev.meshwork.protocol.tensor;

import dev.meshwork.protocol.error.MeshError;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The Open Inference Protocol datatypes, with the byte width of one element in raw form. */
public enum DataType {
    BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8),
    INT8(1), INT16(2), INT32(4), INT64(8),
    FP16(2), FP32(4), FP64(8),
    /** Variable-length elements; raw form prefixes each with a 4-byte little-endian length. */
    BYTES(-1);

    private static final String NAMES = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    private final int elementSize;

    DataType(int elementSize) {
        this.elementSize = elementSize;
    }

    /** Bytes per element in raw form, or -1 for BYTES. */
    public int elementSize() {
        return elementSize;
    }

    public boolean isFloatingPoint() {
        return this == FP16 || this == FP32 || this == FP64;
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** Parses a protocol datatype name; an unknown name is an INVALID_ARGUMENT that lists the valid ones. */
    public static DataType parse(String name, String tensorName) {
        if (name == null || name.isEmpty()) {
            throw MeshError.invalid("tensor '%s' has no datatype; use one of %s", tensorName, NAMES);
        }
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw MeshError.invalid("tensor '%s' has unknown datatype '%s'; use one of %s", tensorName, name, NAMES);
        }
    }
}
