#!/usr/bin/python3
"""Generates the example models of Meshwork's Python runtime and their expected outputs.

Run with Debian's packages (bin/python-deps installs them):
    /usr/bin/python3 examples/python/generate.py
The outputs are committed beside this script; pickles are tied to the scikit-learn version that
wrote them (Debian 12's 1.2), which is the one the runtime's tests load them with.

- sklearn-iris: KServe's sklearn example, an SVC on the iris data set saved with joblib; KServe's
  documented request [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]] answers [1, 1].
- sklearn-logreg: a scaler + logistic regression pipeline as a plain pickle, with predict_proba.
- mlflow-iris: the same pipeline as an MLflow model folder (MLmodel, sklearn flavour), written
  without the mlflow package in the layout mlflow.sklearn.save_model uses.
- xgb-python: an XGBoost binary classifier saved by the Python package as model.json.
"""
import json
import os
import pickle

import joblib
import numpy as np
import sklearn
import xgboost
from sklearn import datasets, svm
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
IRIS_ROWS = [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6], [5.1, 3.5, 1.4, 0.2], [7.7, 3.0, 6.1, 2.3]]


def tensor(name, datatype, array):
    array = np.asarray(array)
    data = array.reshape(-1).tolist()
    if datatype == "FP32":
        data = [float(f"{v:.7g}") for v in data]  # what float32 holds, without its binary tail
    elif datatype == "FP64":
        data = [float(v) for v in data]
    return {"name": name, "datatype": datatype, "shape": list(array.shape), "data": data}


def write(folder, name, description, document, cases):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "expected.json"), "w") as f:
        f.write('{\n "model": %s,\n "description": %s,\n "cases": [\n  %s\n ]\n}\n' % (
            json.dumps(name), json.dumps(description), ",\n  ".join(json.dumps(c) for c in cases)))
    with open(os.path.join(folder, name + ".model.json"), "w") as f:
        json.dump(document, f)
        f.write("\n")


def iris_svc():
    iris = datasets.load_iris()
    model = svm.SVC(gamma="scale").fit(iris.data, iris.target)
    folder = os.path.join(HERE, "sklearn-iris")
    os.makedirs(folder, exist_ok=True)
    joblib.dump(model, os.path.join(folder, "model.joblib"))
    x = np.asarray(IRIS_ROWS, dtype=np.float32)
    write(folder, "sklearn-iris", "KServe's sklearn-iris: SVC, FP32 [batch,4] -> class INT64 [batch]",
          {"name": "sklearn-iris", "modelFormat": {"name": "sklearn"}, "storageUri": "model.joblib"},
          [{"inputs": [tensor("input-0", "FP32", x)], "outputs": [tensor("output-0", "INT64", model.predict(x))]}])


def pipeline():
    iris = datasets.load_iris()
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500, random_state=0)).fit(iris.data, iris.target)


def logreg(model):
    folder = os.path.join(HERE, "sklearn-logreg")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.pkl"), "wb") as f:
        pickle.dump(model, f, protocol=4)
    x = np.asarray(IRIS_ROWS, dtype=np.float32)
    write(folder, "sklearn-logreg", "scaler + logistic regression pickle: output-0 INT64 [batch], predict_proba FP64 [batch,3]",
          {"name": "sklearn-logreg", "modelFormat": {"name": "sklearn"}, "storageUri": "model.pkl"},
          [{"inputs": [tensor("input-0", "FP32", x)], "outputs": [tensor("output-0", "INT64", model.predict(x))]},
           {"inputs": [tensor("input-0", "FP32", x)], "requested": ["predict_proba"],
            "outputs": [tensor("predict_proba", "FP64", model.predict_proba(x))]}])


def mlflow(model):
    folder = os.path.join(HERE, "mlflow-iris")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.pkl"), "wb") as f:
        pickle.dump(model, f, protocol=4)
    with open(os.path.join(folder, "MLmodel"), "w") as f:
        f.write(f"""artifact_path: model
flavors:
  python_function:
    env:
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.2
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: pickle
    sklearn_version: {sklearn.__version__}
mlflow_version: 2.9.2
model_uuid: 5c1f0e3a9b7d4e2f8a6c1d0b3e5f7a90
utc_time_created: '2026-11-26 19:00:00.000000'
""")
    x = np.asarray(IRIS_ROWS, dtype=np.float32)
    write(folder, "mlflow-iris", "MLflow sklearn flavour (scaler + logistic regression): FP32 [batch,4] -> INT64 [batch]",
          {"name": "mlflow-iris", "modelFormat": {"name": "mlflow"}, "storageUri": "."},
          [{"inputs": [tensor("input-0", "FP32", x)], "outputs": [tensor("output-0", "INT64", model.predict(x))]}])


def xgb():
    rng = np.random.default_rng(20261126)
    x = rng.normal(size=(200, 4)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] - x[:, 3] > 0).astype(np.int64)
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 7, "nthread": 1},
                            xgboost.DMatrix(x, label=y), num_boost_round=10)
    folder = os.path.join(HERE, "xgb-python")
    os.makedirs(folder, exist_ok=True)
    booster.save_model(os.path.join(folder, "model.json"))
    probe = np.asarray([[0.5, -1.0, 0.3, 2.0], [-1.2, 0.4, 1.5, -0.7], [0.0, 0.0, 0.0, 0.0]], dtype=np.float32)
    write(folder, "xgb-python", "XGBoost (Python package) binary classifier: input FP32 [batch,4] -> predict FP32 [batch]",
          {"name": "xgb-python", "modelFormat": {"name": "xgboost"}, "runtime": "kserve-mlserver", "storageUri": "model.json"},
          [{"inputs": [tensor("input", "FP32", probe)], "outputs": [tensor("predict", "FP32", booster.predict(xgboost.DMatrix(probe)))]}])


def main():
    iris_svc()
    model = pipeline()
    logreg(model)
    mlflow(model)
    xgb()


if __name__ == "__main__":
    main()
