package dev.meshwork.runtime.tensorflow;

import dev.meshwork.protocol.tensor.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The mapping between TensorFlow dtypes and protocol datatypes: the types TensorFlow Java can
 * create (it has no INT8, INT16, UINT32 or UINT64 tensor classes).
 */
final class TensorflowTypes {
    private TensorflowTypes() {
    }

    /** The protocol datatype of a TensorFlow dtype, or null when there is none. */
    static DataType toDataType(org.tensorflow.proto.DataType t) {
        return switch (t) {
            case DT_FLOAT -> DataType.FP32;
            case DT_DOUBLE -> DataType.FP64;
            case DT_HALF -> DataType.FP16;
            case DT_INT32 -> DataType.INT32;
            case DT_INT64 -> DataType.INT64;
            case DT_UINT8 -> DataType.UINT8;
            case DT_UINT16 -> DataType.UINT16;
            case DT_BOOL -> DataType.BOOL;
            case DT_STRING -> DataType.BYTES;
            default -> null;
        };
    }

    /** The TensorFlow Java class that carries a (non-BYTES) protocol datatype. */
    static Class<? extends TType> toTensorClass(DataType t) {
        return switch (t) {
            case FP32 -> TFloat32.class;
            case FP64 -> TFloat64.class;
            case FP16 -> TFloat16.class;
            case INT32 -> TInt32.class;
            case INT64 -> TInt64.class;
            case UINT8 -> TUint8.class;
            case UINT16 -> TUint16.class;
            case BOOL -> TBool.class;
            case BYTES -> TString.class;
            default -> throw new IllegalArgumentException("TensorFlow Java has no tensor class for " + t);
        };
    }
}
