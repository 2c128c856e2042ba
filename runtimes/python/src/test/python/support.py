"""What the tests share: the example folders, their expected outputs, and a runtime served over gRPC."""
import json
import os
import tempfile
import threading
from concurrent import futures

import grpc
import numpy as np

EXAMPLES = os.environ.get("MESHWORK_EXAMPLES") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "examples", "python"))


def example(name):
    return os.path.join(EXAMPLES, name)


def cases(name):
    with open(os.path.join(example(name), "expected.json")) as f:
        return json.load(f)["cases"]


def array(t):
    dtype = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64}[t["datatype"]]
    return np.asarray(t["data"], dtype=dtype).reshape(t["shape"])


class Served:
    """A Runtime behind a real gRPC server on a Unix socket in a temporary folder, and a channel to it."""

    def __init__(self, roots, workers=4):
        from meshwork_runtime.services import Runtime
        from meshwork_runtime.store import ModelStore
        self.dir = tempfile.TemporaryDirectory()
        self.address = "unix://" + os.path.join(self.dir.name, "rt.sock")
        self.store = ModelStore(roots)
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
        self.server.add_generic_rpc_handlers(Runtime(self.store).handlers())
        self.server.add_insecure_port(self.address)
        self.server.start()
        self.channel = grpc.insecure_channel(self.address)

    def call(self, service, method, request, response_type, timeout=30):
        fn = self.channel.unary_unary(f"/{service}/{method}", request_serializer=type(request).SerializeToString,
                                      response_deserializer=response_type.FromString)
        return fn(request, timeout=timeout)

    def close(self):
        self.channel.close()
        self.server.stop(0).wait(5)
        self.dir.cleanup()


def run_in_thread(fn):
    result = {}

    def target():
        try:
            result["value"] = fn()
        except Exception as e:  # handed to the test thread
            result["error"] = e
    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t, result
