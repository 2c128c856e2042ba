#!/usr/bin/python3
"""Generates the example ONNX models and their expected outputs.

Run with Debian's python3-onnx and python3-numpy (apt-get install python3-onnx python3-numpy):
    /usr/bin/python3 examples/onnx/generate.py
The outputs are committed, so building and testing Meshwork never needs Python. Expected outputs
are computed here with numpy, independently of ONNX Runtime and of Meshwork.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = [helper.make_opsetid("", 13)]


def save(name, graph, cases, description):
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="meshwork-examples")
    model.ir_version = 7  # readable by every ONNX Runtime release of the last years
    onnx.checker.check_model(model)
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"model": name, "description": description, "cases": cases}, f, indent=1)
        f.write("\n")


def tensor_json(name, datatype, array):
    data = array.reshape(-1).tolist()
    if datatype == "BYTES":
        data = [x.decode("utf-8") if isinstance(x, bytes) else str(x) for x in array.reshape(-1)]
    return {"name": name, "datatype": datatype, "shape": list(array.shape), "data": data}


def mlp_classifier():
    """A 4-8-3 perceptron with softmax: the shape of an iris classifier, with seeded weights."""
    rng = np.random.default_rng(20261122)
    w1 = rng.normal(0, 0.8, (4, 8)).astype(np.float32)
    b1 = rng.normal(0, 0.1, (8,)).astype(np.float32)
    w2 = rng.normal(0, 0.8, (8, 3)).astype(np.float32)
    b2 = rng.normal(0, 0.1, (3,)).astype(np.float32)
    nodes = [
        helper.make_node("Gemm", ["input", "w1", "b1"], ["h"]),
        helper.make_node("Relu", ["h"], ["hr"]),
        helper.make_node("Gemm", ["hr", "w2", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "mlp-classifier",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
         numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(b2, "b2")])

    def predict(x):
        h = np.maximum(x @ w1 + b1, 0)
        z = h @ w2 + b2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    cases = []
    for x in [np.array([[5.1, 3.5, 1.4, 0.2]], np.float32),
              np.array([[6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5], [4.9, 3.1, 1.5, 0.1]], np.float32)]:
        cases.append({"inputs": [tensor_json("input", "FP32", x)],
                      "outputs": [tensor_json("probabilities", "FP32", predict(x))]})
    save("mlp-classifier", graph, cases, "FP32 [batch,4] -> softmax probabilities FP32 [batch,3]")


def typed_ops():
    """One small op per datatype, so every OIP datatype ONNX Runtime's Java API takes crosses the wire."""
    specs = [  # input name, onnx type, OIP datatype, op, numpy function
        ("x_fp32", TensorProto.FLOAT, "FP32", "Neg", lambda a: -a),
        ("x_fp64", TensorProto.DOUBLE, "FP64", "Mul2", lambda a: a * 2),
        ("x_fp16", TensorProto.FLOAT16, "FP16", "Identity", lambda a: a),
        ("x_i8", TensorProto.INT8, "INT8", "Identity", lambda a: a),
        ("x_i16", TensorProto.INT16, "INT16", "Identity", lambda a: a),
        ("x_i32", TensorProto.INT32, "INT32", "Add1", lambda a: a + 1),
        ("x_i64", TensorProto.INT64, "INT64", "Neg", lambda a: -a),
        ("x_u8", TensorProto.UINT8, "UINT8", "Identity", lambda a: a),
        ("x_bool", TensorProto.BOOL, "BOOL", "Not", lambda a: np.logical_not(a)),
        ("x_str", TensorProto.STRING, "BYTES", "Identity", lambda a: a),
    ]
    nodes, inputs, outputs, inits = [], [], [], []
    for name, onnx_type, _, op, _ in specs:
        out = "y_" + name[2:]
        inputs.append(helper.make_tensor_value_info(name, onnx_type, ["n"]))
        outputs.append(helper.make_tensor_value_info(out, onnx_type, ["n"]))
        if op == "Mul2":
            inits.append(numpy_helper.from_array(np.array(2.0, np.float64), "two"))
            nodes.append(helper.make_node("Mul", [name, "two"], [out]))
        elif op == "Add1":
            inits.append(numpy_helper.from_array(np.array(1, np.int32), "one"))
            nodes.append(helper.make_node("Add", [name, "one"], [out]))
        else:
            nodes.append(helper.make_node(op, [name], [out]))
    graph = helper.make_graph(nodes, "typed-ops", inputs, outputs, inits)
    values = {
        "x_fp32": np.array([1.5, -2.25, 0.0], np.float32),
        "x_fp64": np.array([0.1, 1e300, -3.5], np.float64),
        "x_fp16": np.array([0.5, -1.25, 65504.0], np.float16),
        "x_i8": np.array([-128, 0, 127], np.int8),
        "x_i16": np.array([-32768, 1, 32767], np.int16),
        "x_i32": np.array([-5, 0, 2147483646], np.int32),
        "x_i64": np.array([9007199254740993, -1, 0], np.int64),
        "x_u8": np.array([0, 128, 255], np.uint8),
        "x_bool": np.array([True, False, True]),
        "x_str": np.array(["héllo", "", "mesh"], object),
    }
    case = {"inputs": [], "outputs": []}
    for name, _, datatype, _, fn in specs:
        case["inputs"].append(tensor_json(name, datatype, values[name]))
        case["outputs"].append(tensor_json("y_" + name[2:], datatype, fn(values[name])))
    save("typed-ops", graph, [case], "one op per datatype: FP32 FP64 FP16 INT8 INT16 INT32 INT64 UINT8 BOOL BYTES")


def add_vectors():
    """The smallest useful model: a + b on two FP32 [batch,2] inputs, for curl tours and benchmarks."""
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["sum"])], "add-vectors",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["batch", 2]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["batch", 2])],
        [helper.make_tensor_value_info("sum", TensorProto.FLOAT, ["batch", 2])])
    a = np.array([[1, 2], [3, 4]], np.float32)
    b = np.array([[10, 20], [30, 40.5]], np.float32)
    cases = [{"inputs": [tensor_json("a", "FP32", a), tensor_json("b", "FP32", b)],
              "outputs": [tensor_json("sum", "FP32", a + b)]}]
    save("add-vectors", graph, cases, "sum = a + b, FP32 [batch,2]")


if __name__ == "__main__":
    mlp_classifier()
    typed_ops()
    add_vectors()
