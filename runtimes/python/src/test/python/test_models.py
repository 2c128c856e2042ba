"""The formats on the committed example models, sizes, memory after unloads, and both gRPC services."""
import os
import pickle
import tempfile
import time
import unittest

import grpc
import numpy as np

from inference import grpc_predict_v2_pb2 as oip
from meshwork_runtime import formats, store
from meshwork_runtime.confine import OutsideRoots
from mmesh import model_runtime_pb2 as rt

import support


class SlowPickle:
    """Unpickling it sleeps: a load that takes a while, to see that other models keep answering meanwhile."""

    def __reduce__(self):
        return (time.sleep, (1.5,))


class FormatsTest(unittest.TestCase):
    roots = [support.EXAMPLES]

    def check(self, name, model_type, path):
        model = formats.load(model_type, path, self.roots)
        for case in support.cases(name):
            inputs = [(t["name"], support.array(t)) for t in case["inputs"]]
            got = model.predict(inputs, case.get("requested", []))
            self.assertEqual([o["name"] for o in case["outputs"]], [n for n, _, _ in got])
            for want, (_, datatype, array) in zip(case["outputs"], got):
                self.assertEqual(want["datatype"], datatype)
                np.testing.assert_allclose(array, support.array(want), rtol=1e-5, atol=1e-6, err_msg=name)
        return model

    def test_kserves_sklearn_iris_answers_one_one(self):
        model = self.check("sklearn-iris", "sklearn", support.example("sklearn-iris"))
        self.assertEqual(model.inputs, [("input-0", "FP32", [-1, 4])])
        self.assertEqual(model.outputs, [("output-0", "INT64", [-1])])  # SVC without probability=True has no predict_proba
        got = model.predict([("input-0", np.asarray([[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]], dtype=np.float32))], [])
        self.assertEqual(got[0][2].tolist(), [1, 1])

    def test_a_pickled_pipeline_predicts_and_gives_probabilities_when_asked(self):
        model = self.check("sklearn-logreg", "sklearn", os.path.join(support.example("sklearn-logreg"), "model.pkl"))
        self.assertIn(("predict_proba", "FP64", [-1, 3]), model.outputs)

    def test_an_mlflow_folder_of_the_sklearn_flavour(self):
        self.check("mlflow-iris", "mlflow", support.example("mlflow-iris"))

    def test_an_xgboost_model_saved_by_python(self):
        model = self.check("xgb-python", "xgboost", support.example("xgb-python"))
        self.assertEqual(model.inputs, [("input", "FP32", [-1, 4])])

    def test_bad_artifacts_fail_with_what_is_wrong(self):
        with tempfile.TemporaryDirectory() as d:
            roots = [d]
            corrupt = os.path.join(d, "corrupt")
            os.makedirs(corrupt)
            with open(support.example("sklearn-iris") + "/model.joblib", "rb") as f:
                good = f.read()
            with open(os.path.join(corrupt, "model.joblib"), "wb") as f:
                f.write(good[: len(good) // 2])
            with self.assertRaisesRegex(formats.LoadError, "model.joblib is not a loadable pickle"):
                formats.load("sklearn", corrupt, roots)
            with open(os.path.join(d, "garbage.pkl"), "wb") as f:
                f.write(b"\x00not a pickle at all")
            with self.assertRaisesRegex(formats.LoadError, "garbage.pkl is not a loadable pickle"):
                formats.load("sklearn", os.path.join(d, "garbage.pkl"), roots)
            with open(os.path.join(d, "dict.pkl"), "wb") as f:
                pickle.dump({"not": "a model"}, f)
            with self.assertRaisesRegex(formats.LoadError, "holds a dict, which has no predict method"):
                formats.load("sklearn", os.path.join(d, "dict.pkl"), roots)
            two = os.path.join(d, "two")
            os.makedirs(two)
            for n in ("model.joblib", "model.pkl"):
                open(os.path.join(two, n), "wb").close()
            with self.assertRaisesRegex(formats.LoadError, "more than one scikit-learn model"):
                formats.load("sklearn", two, roots)
            os.makedirs(os.path.join(d, "empty"))
            with self.assertRaisesRegex(formats.LoadError, "has no scikit-learn model: expected one of model.joblib"):
                formats.load("sklearn", os.path.join(d, "empty"), roots)
            with self.assertRaisesRegex(formats.LoadError, "is not an XGBoost model"):
                formats.load("xgboost", os.path.join(d, "garbage.pkl"), roots)
            with self.assertRaisesRegex(formats.LoadError, "model type 'onnx' is not one this runtime serves"):
                formats.load("onnx", d, roots)
            mlmodels = [
                ("pyfunc", "flavors:\n  python_function:\n    loader_module: custom\n",
                 "flavours are python_function; this runtime serves the sklearn and xgboost"),
                ("escape", "flavors:\n  sklearn:\n    pickled_model: ../garbage.pkl\n", "not a file inside the model folder"),
            ]
            for folder, text, words in mlmodels:
                os.makedirs(os.path.join(d, folder))
                with open(os.path.join(d, folder, "MLmodel"), "w") as f:
                    f.write(text)
                with self.assertRaisesRegex(formats.LoadError, words):
                    formats.load("mlflow", os.path.join(d, folder), roots)

    def test_nothing_outside_the_roots_is_opened(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(OutsideRoots):
                formats.load("sklearn", support.example("sklearn-iris"), [d])

    def test_requests_the_model_cannot_take_are_refused(self):
        model = formats.load("sklearn", support.example("sklearn-iris"), self.roots)
        with self.assertRaisesRegex(ValueError, "must be \\[rows, features\\]"):
            model.predict([("input-0", np.zeros(4, dtype=np.float32))], [])
        with self.assertRaisesRegex(ValueError, "has no output 'predict_proba'"):
            model.predict([("input-0", np.zeros((1, 4), dtype=np.float32))], ["predict_proba"])
        with self.assertRaisesRegex(ValueError, "features"):
            model.predict([("input-0", np.zeros((1, 5), dtype=np.float32))], [])


class StoreTest(unittest.TestCase):
    def test_sizes_are_predicted_from_the_artifact_and_measured_at_least_that(self):
        s = store.ModelStore([support.EXAMPLES])
        path = support.example("sklearn-logreg")
        artifact = formats.artifact_bytes(path)
        self.assertEqual(store.ModelStore.predict_size(path), 2 * artifact + (1 << 20))
        size = s.load("m", "sklearn", path)
        self.assertGreaterEqual(size, artifact)
        self.assertEqual(s.size("m"), size)
        self.assertEqual(s.load("m", "sklearn", path), size, "a second load of the same id finds the first")
        s.unload("m")
        self.assertIsNone(s.get("m"))
        self.assertEqual(s.size("m"), 0)

    def test_unloads_give_the_memory_back(self):
        s = store.ModelStore([support.EXAMPLES])
        for kind, name in (("sklearn", "sklearn-iris"), ("mlflow", "mlflow-iris"), ("xgboost", "xgb-python")):
            path = support.example(name)
            for i in range(20):  # warm-up: imports, caches and the allocator's arenas settle
                s.load(f"w{i}", kind, path)
                s.unload(f"w{i}")
            before = store.resident_bytes()
            for i in range(200):
                s.load(f"m{i}", kind, path)
                s.unload(f"m{i}")
            after = store.resident_bytes()
            self.assertLess(after, before * 1.05, f"{name}: RSS {before} -> {after} bytes over 200 load/unload cycles")
            self.assertEqual(s.ids(), [], "nothing stays loaded")


class ServicesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.served = support.Served([support.EXAMPLES, self.tmp.name])

    def tearDown(self):
        self.served.close()
        self.tmp.cleanup()

    def load(self, model_id, model_type, path):
        return self.served.call("mmesh.ModelRuntime", "loadModel",
                                rt.LoadModelRequest(modelId=model_id, modelType=model_type, modelPath=path), rt.LoadModelResponse)

    def infer(self, model_id, rows, outputs=(), timeout=30):
        x = np.asarray(rows, dtype="<f4")
        req = oip.ModelInferRequest(model_name=model_id, id="r1")
        req.inputs.add(name="input-0", datatype="FP32", shape=list(x.shape))
        req.raw_input_contents.append(x.tobytes())
        for o in outputs:
            req.outputs.add(name=o)
        return self.served.call("inference.GRPCInferenceService", "ModelInfer", req, oip.ModelInferResponse, timeout=timeout)

    def test_the_runtime_spi_and_inference_end_to_end(self):
        status = self.served.call("mmesh.ModelRuntime", "runtimeStatus", rt.RuntimeStatusRequest(), rt.RuntimeStatusResponse)
        self.assertEqual(status.status, rt.RuntimeStatusResponse.READY)
        self.assertIn("scikit-learn", status.runtimeVersion)
        predicted = self.served.call("mmesh.ModelRuntime", "predictModelSize",
                                     rt.PredictModelSizeRequest(modelId="iris", modelType="sklearn", modelPath=support.example("sklearn-iris")),
                                     rt.PredictModelSizeResponse)
        self.assertGreater(predicted.sizeInBytes, 0)
        loaded = self.load("iris", "sklearn", support.example("sklearn-iris"))
        self.assertGreater(loaded.sizeInBytes, 0)
        size = self.served.call("mmesh.ModelRuntime", "modelSize", rt.ModelSizeRequest(modelId="iris"), rt.ModelSizeResponse)
        self.assertEqual(size.sizeInBytes, loaded.sizeInBytes)
        meta = self.served.call("inference.GRPCInferenceService", "ModelMetadata", oip.ModelMetadataRequest(name="iris"), oip.ModelMetadataResponse)
        self.assertEqual([(t.name, t.datatype, list(t.shape)) for t in meta.inputs], [("input-0", "FP32", [-1, 4])])
        answer = self.infer("iris", [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]])
        self.assertEqual((answer.model_name, answer.id), ("iris", "r1"))
        self.assertEqual([(o.name, o.datatype, list(o.shape)) for o in answer.outputs], [("output-0", "INT64", [2])])
        self.assertEqual(np.frombuffer(answer.raw_output_contents[0], dtype="<i8").tolist(), [1, 1])
        self.served.call("mmesh.ModelRuntime", "unloadModel", rt.UnloadModelRequest(modelId="iris"), rt.UnloadModelResponse)
        with self.assertRaises(grpc.RpcError) as gone:
            self.infer("iris", [[1, 2, 3, 4]])
        self.assertEqual(gone.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_probabilities_when_the_request_names_predict_proba(self):
        self.load("lr", "sklearn", support.example("sklearn-logreg"))
        answer = self.infer("lr", [[6.8, 2.8, 4.8, 1.4]], outputs=["predict_proba"])
        self.assertEqual([(o.name, o.datatype, list(o.shape)) for o in answer.outputs], [("predict_proba", "FP64", [1, 3])])
        self.assertAlmostEqual(float(np.frombuffer(answer.raw_output_contents[0], dtype="<f8").sum()), 1.0, places=6)

    def test_errors_come_back_as_statuses_with_the_reason(self):
        cases = [
            (lambda: self.load("x", "sklearn", "/etc"), grpc.StatusCode.PERMISSION_DENIED, "outside the storage roots"),
            (lambda: self.load("x", "sklearn", os.path.join(self.tmp.name, "nothing")), grpc.StatusCode.INVALID_ARGUMENT, "does not exist"),
            (lambda: self.load("x", "caffe", self.tmp.name), grpc.StatusCode.INVALID_ARGUMENT, "model type 'caffe'"),
            (lambda: self.infer("never-loaded", [[1, 2, 3, 4]]), grpc.StatusCode.NOT_FOUND, "not loaded"),
        ]
        for call, code, words in cases:
            with self.assertRaises(grpc.RpcError) as failed:
                call()
            self.assertEqual(failed.exception.code(), code, words)
            self.assertIn(words, failed.exception.details())
        self.load("iris", "sklearn", support.example("sklearn-iris"))
        with self.assertRaises(grpc.RpcError) as wrong:
            self.infer("iris", [[1, 2, 3]])
        self.assertEqual(wrong.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("features", wrong.exception.details())
        self.assertEqual(np.frombuffer(self.infer("iris", [[6.8, 2.8, 4.8, 1.4]]).raw_output_contents[0], dtype="<i8").tolist(), [1],
                         "the model serves on after the bad request")

    def test_a_slow_load_does_not_hold_up_another_models_requests(self):
        self.load("iris", "sklearn", support.example("sklearn-iris"))
        slow = os.path.join(self.tmp.name, "slow.pkl")
        with open(slow, "wb") as f:
            pickle.dump(SlowPickle(), f)
        thread, result = support.run_in_thread(lambda: self.load("slow", "sklearn", slow))
        time.sleep(0.3)  # the slow load is under way
        self.assertTrue(thread.is_alive())
        started = time.monotonic()
        for _ in range(5):
            self.infer("iris", [[6.8, 2.8, 4.8, 1.4]], timeout=1.0)
        self.assertLess(time.monotonic() - started, 1.0, "five requests while another model loads")
        self.assertTrue(thread.is_alive(), "the load was still running while they were answered")
        thread.join(10)
        self.assertIn("NoneType, which has no predict method", str(result.get("error")))


if __name__ == "__main__":
    unittest.main()
