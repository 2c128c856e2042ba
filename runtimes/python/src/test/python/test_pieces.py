"""Unit tests of the pieces that need no model: tensors, the MLmodel reader, confinement, the import check."""
import os
import struct
import tempfile
import unittest

import numpy as np

from inference import grpc_predict_v2_pb2 as oip
from meshwork_runtime import confine, deps, mlmodel, tensors


class TensorsTest(unittest.TestCase):
    def tensor(self, name, datatype, shape):
        return oip.ModelInferRequest.InferInputTensor(name=name, datatype=datatype, shape=shape)

    def test_raw_and_typed_contents_decode_to_the_same_array(self):
        t = self.tensor("x", "FP32", [2, 2])
        raw = np.asarray([[1, 2], [3, 4]], dtype="<f4").tobytes()
        typed = self.tensor("x", "FP32", [2, 2])
        typed.contents.fp32_contents.extend([1, 2, 3, 4])
        np.testing.assert_array_equal(tensors.decode_input(t, raw), tensors.decode_input(typed, None))
        self.assertEqual(tensors.decode_input(t, raw).dtype, np.float32)

    def test_every_numeric_type_round_trips_through_raw_bytes(self):
        for datatype, (dtype, _) in tensors.DTYPES.items():
            a = np.arange(6).astype(dtype).reshape(2, 3)
            fields, raw = tensors.encode_output("y", a, datatype)
            self.assertEqual(fields, {"name": "y", "datatype": datatype, "shape": [2, 3]})
            back = tensors.decode_input(self.tensor("y", datatype, [2, 3]), raw)
            np.testing.assert_array_equal(back, a, err_msg=datatype)

    def test_strings_use_length_prefixed_raw_bytes(self):
        fields, raw = tensors.encode_output("s", np.asarray(["setosa", "é"], dtype=object), "BYTES")
        self.assertEqual(raw, struct.pack("<I", 6) + b"setosa" + struct.pack("<I", 2) + "é".encode())
        back = tensors.decode_input(self.tensor("s", "BYTES", [2]), raw)
        self.assertEqual(list(back), ["setosa", "é"])

    def test_bad_tensors_say_what_is_wrong(self):
        with self.assertRaisesRegex(tensors.TensorError, "has 4 raw bytes, but FP32 \\[2, 2\\] needs 16"):
            tensors.decode_input(self.tensor("x", "FP32", [2, 2]), b"\0" * 4)
        with self.assertRaisesRegex(tensors.TensorError, "datatype 'FP8'"):
            tensors.decode_input(self.tensor("x", "FP8", [1]), b"\0")
        with self.assertRaisesRegex(tensors.TensorError, "negative dimension"):
            tensors.decode_input(self.tensor("x", "FP32", [-1, 2]), b"")
        with self.assertRaisesRegex(tensors.TensorError, "more than"):
            tensors.decode_input(self.tensor("x", "FP32", [1 << 20, 1 << 20]), b"")
        with self.assertRaisesRegex(tensors.TensorError, "runs past the end"):
            tensors.decode_input(self.tensor("s", "BYTES", [1]), struct.pack("<I", 9) + b"abc")
        typed = self.tensor("x", "INT64", [3])
        typed.contents.int64_contents.extend([1, 2])
        with self.assertRaisesRegex(tensors.TensorError, "has 2 values for shape \\[3\\]"):
            tensors.decode_input(typed, None)


class MLmodelTest(unittest.TestCase):
    def test_reads_nested_flavours_and_skips_lists(self):
        spec = mlmodel.parse("""artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
  sklearn:
    pickled_model: model.pkl   # the estimator
    serialization_format: 'cloudpickle'
signature:
  inputs: '[{"type": "double"}]'
requirements:
  - scikit-learn==1.2.1
""")
        self.assertEqual(spec["flavors"]["sklearn"], {"pickled_model": "model.pkl", "serialization_format": "cloudpickle"})
        self.assertEqual(spec["flavors"]["python_function"]["loader_module"], "mlflow.sklearn")
        self.assertEqual(spec["artifact_path"], "model")

    def test_a_line_without_a_key_is_refused_with_its_number(self):
        with self.assertRaisesRegex(mlmodel.MLmodelError, "line 2"):
            mlmodel.parse("flavors:\n  not a mapping\n")


class ConfineTest(unittest.TestCase):
    def test_only_paths_under_a_root_pass_even_through_links(self):
        with tempfile.TemporaryDirectory() as d:
            root = os.path.join(d, "models")
            os.makedirs(root)
            inside = os.path.join(root, "m.pkl")
            open(inside, "w").close()
            outside = os.path.join(d, "secret.pkl")
            open(outside, "w").close()
            os.symlink(outside, os.path.join(root, "link.pkl"))
            self.assertEqual(confine.confined(inside, [root]), os.path.realpath(inside))
            for bad in (outside, os.path.join(root, "link.pkl"), os.path.join(root, "..", "secret.pkl"), root + "-other"):
                with self.assertRaises(confine.OutsideRoots, msg=bad):
                    confine.confined(bad, [root])
            with self.assertRaisesRegex(confine.OutsideRoots, "no storage roots"):
                confine.confined(inside, [])


class DepsTest(unittest.TestCase):
    def test_everything_imports_here_and_a_missing_module_names_its_package(self):
        self.assertIsNone(deps.problem())
        saved = deps.REQUIRED
        try:
            deps.REQUIRED = saved + (("no_such_module_xyz", "python3-no-such"),)
            line = deps.problem()
            self.assertIn("no_such_module_xyz", line)
            self.assertIn("apt-get install -y python3-no-such", line)
            self.assertNotIn("\n", line)
        finally:
            deps.REQUIRED = saved


if __name__ == "__main__":
    unittest.main()
