"""Open Inference Protocol tensors to and from numpy arrays (raw contents or typed contents)."""
import struct

import numpy as np

# OIP datatype -> (numpy dtype, the typed-contents field that carries it)
DTYPES = {
    "BOOL": (np.bool_, "bool_contents"),
    "UINT8": (np.uint8, "uint_contents"),
    "UINT16": (np.uint16, "uint_contents"),
    "UINT32": (np.uint32, "uint_contents"),
    "UINT64": (np.uint64, "uint64_contents"),
    "INT8": (np.int8, "int_contents"),
    "INT16": (np.int16, "int_contents"),
    "INT32": (np.int32, "int_contents"),
    "INT64": (np.int64, "int64_contents"),
    "FP16": (np.float16, None),
    "FP32": (np.float32, "fp32_contents"),
    "FP64": (np.float64, "fp64_contents"),
}

MAX_ELEMENTS = 1 << 28


class TensorError(ValueError):
    """A request tensor that cannot be read: what is wrong, in words for the caller."""


def element_count(name, shape):
    count = 1
    for d in shape:
        if d < 0:
            raise TensorError(f"input '{name}' has a negative dimension in shape {list(shape)}")
        count *= d
        if count > MAX_ELEMENTS:
            raise TensorError(f"input '{name}' has more than {MAX_ELEMENTS} elements")
    return count


def decode_input(tensor, raw):
    """One request input as a numpy array of its shape; raw is its raw_input_contents entry or None."""
    name, datatype, shape = tensor.name, tensor.datatype, tuple(tensor.shape)
    count = element_count(name, shape)
    if datatype == "BYTES":
        values = _split_bytes(name, raw) if raw is not None else list(tensor.contents.bytes_contents)
        if len(values) != count:
            raise TensorError(f"input '{name}' has {len(values)} strings for shape {list(shape)}")
        out = np.empty(count, dtype=object)
        out[:] = [v.decode("utf-8", errors="replace") for v in values]
        return out.reshape(shape)
    if datatype not in DTYPES:
        raise TensorError(f"input '{name}' has datatype '{datatype}', not one of BOOL, UINT8-64, INT8-64, FP16, FP32, FP64, BYTES")
    dtype, field = DTYPES[datatype]
    if raw is not None:
        want = count * np.dtype(dtype).itemsize
        if len(raw) != want:
            raise TensorError(f"input '{name}' has {len(raw)} raw bytes, but {datatype} {list(shape)} needs {want}")
        return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)
    if field is None:
        raise TensorError(f"input '{name}' is {datatype}, which only raw_input_contents can carry")
    values = getattr(tensor.contents, field)
    if len(values) != count:
        raise TensorError(f"input '{name}' has {len(values)} values for shape {list(shape)}")
    return np.asarray(values, dtype=dtype).reshape(shape)


def _split_bytes(name, raw):
    out, i = [], 0
    while i < len(raw):
        if i + 4 > len(raw):
            raise TensorError(f"input '{name}': raw BYTES end inside a length prefix")
        (n,) = struct.unpack_from("<I", raw, i)
        i += 4
        if i + n > len(raw):
            raise TensorError(f"input '{name}': raw BYTES element of {n} bytes runs past the end")
        out.append(bytes(raw[i:i + n]))
        i += n
    return out


def datatype_of(array):
    """The OIP datatype a numpy array is sent as."""
    kind = array.dtype.kind
    if kind == "b":
        return "BOOL"
    if kind in "US" or kind == "O":
        return "BYTES"
    for name, (dtype, _) in DTYPES.items():
        if array.dtype == np.dtype(dtype):
            return name
    raise TensorError(f"cannot send numpy dtype {array.dtype}")


def encode_output(name, array, datatype):
    """(InferOutputTensor fields, raw bytes) for an output array sent as the declared datatype."""
    if datatype == "BYTES":
        flat = array.reshape(-1)
        parts = []
        for v in flat:
            b = v if isinstance(v, bytes) else str(v).encode("utf-8")
            parts.append(struct.pack("<I", len(b)) + b)
        raw = b"".join(parts)
    else:
        dtype = np.dtype(DTYPES[datatype][0]).newbyteorder("<")
        raw = np.ascontiguousarray(array, dtype=dtype).tobytes()
    return {"name": name, "datatype": datatype, "shape": list(array.shape)}, raw
