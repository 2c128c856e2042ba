#!/usr/bin/python3
"""Exports examples/python/sklearn-logreg (a scaler + logistic regression pipeline) to ONNX with the
same weights, for `./meshwork bench python`, which serves both and compares them.

Run with Debian's python3-sklearn and python3-onnx (apt-get install python3-onnx):
    /usr/bin/python3 perf/models/export_logreg_onnx.py
The graph is written by hand from the fitted pipeline (mean, scale, coefficients, intercepts):
(x - mean) / scale, times W, plus b, then ArgMax for the class (output-0, INT64) and Softmax for
predict_proba (FP32), the multinomial model scikit-learn fits with lbfgs. The script checks that
the ONNX graph's arithmetic (done here with numpy) gives scikit-learn's classes and probabilities.
"""
import os
import pickle

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    with open(os.path.join(ROOT, "examples", "python", "sklearn-logreg", "model.pkl"), "rb") as f:
        pipeline = pickle.load(f)
    scaler, lr = pipeline.steps[0][1], pipeline.steps[-1][1]
    mean = scaler.mean_.astype(np.float32)
    scale = scaler.scale_.astype(np.float32)
    w = lr.coef_.T.astype(np.float32)
    b = lr.intercept_.astype(np.float32)
    features, classes = w.shape
    inits = [numpy_helper.from_array(mean, "mean"), numpy_helper.from_array(scale, "scale"),
             numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")]
    nodes = [
        helper.make_node("Sub", ["input-0", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "scale"], ["scaled"]),
        helper.make_node("MatMul", ["scaled", "W"], ["product"]),
        helper.make_node("Add", ["product", "b"], ["logits"]),
        helper.make_node("ArgMax", ["logits"], ["output-0"], axis=1, keepdims=0),
        helper.make_node("Softmax", ["logits"], ["predict_proba"], axis=1),
    ]
    graph = helper.make_graph(nodes, "sklearn-logreg", [helper.make_tensor_value_info("input-0", TensorProto.FLOAT, ["batch", features])],
                              [helper.make_tensor_value_info("output-0", TensorProto.INT64, ["batch"]),
                               helper.make_tensor_value_info("predict_proba", TensorProto.FLOAT, ["batch", classes])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="meshwork-perf")
    model.ir_version = 8
    onnx.checker.check_model(model)
    out = os.path.join(HERE, "sklearn-logreg-onnx", "model.onnx")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    onnx.save(model, out)

    x = np.random.default_rng(7).normal(loc=[5.8, 3.0, 3.8, 1.2], scale=[0.8, 0.4, 1.7, 0.7], size=(200, 4)).astype(np.float32)
    logits = ((x - mean) / scale) @ w + b
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    assert (logits.argmax(axis=1) == pipeline.predict(x)).all(), "classes differ from scikit-learn's"
    assert np.allclose(proba, pipeline.predict_proba(x), atol=1e-5), "probabilities differ from scikit-learn's"
    print(f"wrote {out}: {features} features, {classes} classes; agrees with scikit-learn on 200 rows")


if __name__ == "__main__":
    main()
