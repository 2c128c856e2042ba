"""The zip application as the node runs it: the import check, serving on a socket, stopping."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

from mmesh import model_runtime_pb2 as rt

ZIP = os.environ.get("MESHWORK_PYTHON_ZIP", "")


@unittest.skipUnless(ZIP, "MESHWORK_PYTHON_ZIP names the built zip application (the Maven build sets it)")
class ProcessTest(unittest.TestCase):
    def test_check_passes_here_and_finds_a_missing_package_without_importing(self):
        done = subprocess.run([sys.executable, ZIP, "--check"], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, PYTHONNOUSERSITE="1")
            # -I -S: isolated and without site, so only the standard library and the zip itself: numpy and the rest are not found
            done = subprocess.run([sys.executable, "-I", "-S", ZIP, "--check"], capture_output=True, text=True, timeout=60, env=env, cwd=d)
        self.assertEqual(done.returncode, 78, done.stdout + done.stderr)
        self.assertIn("apt-get install -y", done.stderr)

    def test_a_missing_import_exits_78_with_one_line_naming_the_package(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "sklearn.py"), "w") as f:
                f.write("raise ImportError('No module named sklearn (shadowed by the test)')\n")
            env = dict(os.environ, PYTHONPATH=d)
            done = subprocess.run([sys.executable, ZIP], capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(done.returncode, 78)
        lines = done.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, done.stderr)
        self.assertIn("apt-get install -y python3-sklearn", lines[0])

    def test_serves_on_the_endpoint_it_is_given_and_stops_on_sigterm(self):
        with tempfile.TemporaryDirectory() as d:
            socket = os.path.join(d, "rt.sock")
            env = dict(os.environ, MESHWORK_RUNTIME_ENDPOINT="unix://" + socket, MESHWORK_STORAGE_ROOTS=d)
            p = subprocess.Popen([sys.executable, ZIP, "--workers=2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                deadline = time.monotonic() + 60
                status = None
                with grpc.insecure_channel("unix://" + socket) as channel:
                    call = channel.unary_unary("/mmesh.ModelRuntime/runtimeStatus", request_serializer=rt.RuntimeStatusRequest.SerializeToString,
                                               response_deserializer=rt.RuntimeStatusResponse.FromString)
                    while status is None and time.monotonic() < deadline and p.poll() is None:
                        try:
                            status = call(rt.RuntimeStatusRequest(), timeout=1)
                        except grpc.RpcError:
                            time.sleep(0.2)
                self.assertIsNotNone(status, "the runtime answered runtimeStatus within 60 s")
                self.assertEqual(status.status, rt.RuntimeStatusResponse.READY)
                p.send_signal(signal.SIGTERM)
                self.assertEqual(p.wait(15), 0)
                self.assertIn("serving on unix://", p.stdout.read())
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait(5)
                p.stdout.close()


if __name__ == "__main__":
    unittest.main()
