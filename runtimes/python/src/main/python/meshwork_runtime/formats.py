"""Loads a model artifact of one format (sklearn, xgboost, mlflow) into a Model that describes its
tensors and predicts. Loading a pickle runs the code it names: callers confine paths first."""
import json
import os
import pickle

import numpy as np

from meshwork_runtime import mlmodel
from meshwork_runtime.confine import confined
from meshwork_runtime.tensors import TensorError

SKLEARN_FILES = ("model.joblib", "model.pkl", "model.pickle")
XGBOOST_FILES = ("model.json", "model.ubj", "model.bst")
PREDICT_PROBA = "predict_proba"


# imported before any load is measured, so that a model's size is its own and not the libraries' (importing
# scikit-learn and XGBoost grows the process by about 100 MB); an estimator from a module not listed here
# still imports it during its first load, and that load is then counted high, never low
PRELOADED = ("joblib", "xgboost", "sklearn.pipeline", "sklearn.compose", "sklearn.preprocessing", "sklearn.linear_model",
             "sklearn.svm", "sklearn.tree", "sklearn.ensemble", "sklearn.neighbors", "sklearn.naive_bayes", "sklearn.cluster",
             "sklearn.decomposition", "sklearn.feature_extraction.text", "sklearn.impute", "xgboost.sklearn")


def preload():
    """Imports the libraries and the common estimator modules (once per process)."""
    import importlib
    for module in PRELOADED:
        importlib.import_module(module)
    import xgboost
    xgboost.Booster()  # loads XGBoost's native library


class LoadError(ValueError):
    """An artifact that is not a model of its format: what is wrong, for the registration's status."""


class Model:
    """A loaded model: its input and output tensors (name, datatype, shape) and a predict function.
    Thread-safe for predict: scikit-learn and XGBoost predict without changing the model."""

    def __init__(self, obj, inputs, outputs, default_output, run):
        self.obj = obj
        self.inputs = inputs
        self.outputs = outputs
        self.default_output = default_output
        self._run = run

    def predict(self, arrays, requested):
        """arrays: [(name, ndarray)]; requested: output names (none: the default one). Returns [(name, datatype, ndarray)]."""
        if len(arrays) != 1:
            raise TensorError(f"the model takes one input, {self.inputs[0][0]}, not {len(arrays)}")
        x = arrays[0][1]
        if x.ndim != 2:
            raise TensorError(f"input '{arrays[0][0]}' must be [rows, features], got shape {list(x.shape)}")
        declared = {name: datatype for name, datatype, _ in self.outputs}
        names = list(requested) or [self.default_output]
        out = []
        for name in names:
            if name not in declared:
                raise TensorError(f"the model has no output '{name}'; its outputs are {sorted(declared)}")
            y = np.asarray(self._run(name, x))
            out.append((name, declared[name], _as(y, declared[name])))
        return out


def _as(y, datatype):
    if datatype == "BYTES":
        return y.astype(object)
    return y.astype({"INT64": np.int64, "FP64": np.float64, "FP32": np.float32, "BOOL": np.bool_}[datatype], copy=False)


def load(model_type, path, roots):
    """The Model at path (a file or a folder) for model_type: sklearn, xgboost or mlflow."""
    kind = (model_type or "").lower()
    path = confined(path, roots)
    if kind == "sklearn":
        return sklearn_model(_load_pickle(_one_file(path, SKLEARN_FILES, "scikit-learn"), roots))
    if kind == "xgboost":
        return xgboost_model(_one_file(path, XGBOOST_FILES, "XGBoost"), roots)
    if kind == "mlflow":
        return mlflow_model(path, roots)
    raise LoadError(f"model type '{model_type}' is not one this runtime serves (sklearn, xgboost, mlflow)")


def _one_file(path, names, what):
    if os.path.isfile(path):
        return path
    if not os.path.isdir(path):
        raise LoadError(f"{path} does not exist")
    found = [n for n in names if os.path.isfile(os.path.join(path, n))]
    if not found:
        raise LoadError(f"{path} has no {what} model: expected one of {', '.join(names)}")
    if len(found) > 1:
        raise LoadError(f"{path} has more than one {what} model ({', '.join(found)}); keep one")
    return os.path.join(path, found[0])


def _load_pickle(file, roots):
    file = confined(file, roots)
    try:
        if file.endswith(".joblib"):
            import joblib
            obj = joblib.load(file)
        else:
            with open(file, "rb") as f:
                obj = pickle.load(f)
    except Exception as e:  # a corrupt or foreign pickle raises anything at all
        raise LoadError(f"{os.path.basename(file)} is not a loadable pickle: {type(e).__name__}: {e}") from None
    return obj


def sklearn_model(obj):
    """A scikit-learn estimator (or anything with its predict API) as a Model: input-0, output-0, predict_proba."""
    if not callable(getattr(obj, "predict", None)):
        raise LoadError(f"the pickle holds a {type(obj).__name__}, which has no predict method")
    features = getattr(obj, "n_features_in_", None)
    inputs = [("input-0", "FP32", [-1, int(features) if features else -1])]
    classes = getattr(obj, "classes_", None)
    if classes is not None and not isinstance(classes, list):
        kind = np.asarray(classes).dtype.kind
        datatype = {"i": "INT64", "u": "INT64", "b": "BOOL", "f": "FP64"}.get(kind, "BYTES")
    else:
        datatype = "FP64"
    n_outputs = int(getattr(obj, "n_outputs_", 1) or 1)
    outputs = [("output-0", datatype, [-1] if n_outputs == 1 else [-1, n_outputs])]
    has_proba = False
    try:
        has_proba = callable(getattr(obj, PREDICT_PROBA, None)) and classes is not None and not isinstance(classes, list)
    except AttributeError:  # SVC without probability=True raises on the lookup itself
        has_proba = False
    if has_proba:
        outputs.append((PREDICT_PROBA, "FP64", [-1, len(classes)]))

    def run(name, x):
        return obj.predict_proba(x) if name == PREDICT_PROBA else obj.predict(x)
    return Model(obj, inputs, outputs, "output-0", run)


def xgboost_model(file, roots):
    """An XGBoost booster file as a Model with the names Meshwork's in-process XGBoost runtime uses: input, predict."""
    import xgboost
    file = confined(file, roots)
    booster = xgboost.Booster()
    try:
        booster.load_model(file)
    except Exception as e:
        raise LoadError(f"{os.path.basename(file)} is not an XGBoost model: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
    learner = json.loads(booster.save_config()).get("learner", {})
    classes = int(learner.get("learner_model_param", {}).get("num_class", "0") or 0)
    objective = learner.get("objective", {}).get("name", "")
    shape = [-1, classes] if classes > 1 and objective == "multi:softprob" else [-1]
    inputs = [("input", "FP32", [-1, booster.num_features()])]

    def run(name, x):
        return booster.predict(xgboost.DMatrix(np.asarray(x, dtype=np.float32)))
    return Model(booster, inputs, [("predict", "FP32", shape)], "predict", run)


def mlflow_model(path, roots):
    """An MLflow model folder (MLmodel plus its files) of the sklearn or xgboost flavour, read without mlflow."""
    if not os.path.isdir(path):
        raise LoadError(f"{path} is not an MLflow model folder")
    spec = confined(os.path.join(path, "MLmodel"), roots)
    if not os.path.isfile(spec):
        raise LoadError(f"{path} has no MLmodel file")
    with open(spec, encoding="utf-8") as f:
        try:
            flavors = mlmodel.parse(f.read()).get("flavors", {})
        except mlmodel.MLmodelError as e:
            raise LoadError(str(e)) from None
    if not isinstance(flavors, dict):
        raise LoadError("MLmodel has no flavors mapping")
    if isinstance(flavors.get("sklearn"), dict):
        file = flavors["sklearn"].get("pickled_model", "model.pkl")
        return sklearn_model(_load_pickle(_inside(path, file), roots))
    if isinstance(flavors.get("xgboost"), dict):
        flavor = flavors["xgboost"]
        file = _inside(path, flavor.get("data", "model.xgb"))
        model_class = flavor.get("model_class", "xgboost.core.Booster")
        if model_class.endswith(".Booster"):
            return xgboost_model(file, roots)
        import xgboost
        cls = getattr(xgboost, model_class.rsplit(".", 1)[-1], None)
        if cls is None or not model_class.startswith("xgboost."):
            raise LoadError(f"MLmodel's xgboost model_class {model_class} is not an XGBoost class")
        estimator = cls()
        try:
            estimator.load_model(confined(file, roots))
        except Exception as e:
            raise LoadError(f"{os.path.basename(file)} is not an XGBoost model: {type(e).__name__}") from None
        return sklearn_model(estimator)
    names = ", ".join(sorted(flavors)) or "none"
    raise LoadError(f"MLmodel flavours are {names}; this runtime serves the sklearn and xgboost flavours (python_function alone needs mlflow itself)")


def _inside(folder, name):
    if os.path.isabs(name) or ".." in name.split("/"):
        raise LoadError(f"MLmodel names {name!r}, which is not a file inside the model folder")
    return os.path.join(folder, name)


def artifact_bytes(path):
    """The bytes of a file, or of every file under a folder."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for base, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(base, name))
            except OSError:
                pass
    return total
