"""The models this process holds, their sizes, and loads that measure what they cost.

Threads: gRPC's worker threads call every method. Loads run one at a time (a lock of their own) so
that each measurement sees one load; predictions never take that lock, so a load does not block
inference on other models."""
import ctypes
import gc
import threading
import tracemalloc

from meshwork_runtime import formats

MIB = 1 << 20


def resident_bytes():
    """This process's resident set size, from /proc (0 where there is none)."""
    try:
        import os
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _trim():
    """Hands freed heap pages back to the system (glibc), so an unload shows in the process's RSS."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class ModelStore:
    def __init__(self, roots):
        formats.preload()
        self.roots = list(roots)
        self._models = {}  # model id -> (Model, size)
        self._lock = threading.Lock()  # guards _models
        self._loading = threading.Lock()  # one load at a time

    @staticmethod
    def predict_size(path):
        """2 x the artifact's bytes + 1 MiB: unpickled trees and arrays are about the file's size, and the rest is headroom."""
        return 2 * formats.artifact_bytes(path) + MIB

    def load(self, model_id, model_type, path):
        """Loads (or finds loaded) model_id; returns its measured size in bytes."""
        with self._lock:
            if model_id in self._models:
                return self._models[model_id][1]
        with self._loading:
            with self._lock:
                if model_id in self._models:
                    return self._models[model_id][1]
            rss_before = resident_bytes()
            tracemalloc.start()
            try:
                model = formats.load(model_type, path, self.roots)
                traced = tracemalloc.get_traced_memory()[0]
            finally:
                tracemalloc.stop()
            grown = max(0, resident_bytes() - rss_before)
            # the larger of what Python allocated (tracemalloc) and what the process grew by (RSS, which also
            # sees native allocations tracemalloc cannot), never below the artifact itself
            size = max(traced, grown, formats.artifact_bytes(path), 1)
            with self._lock:
                self._models[model_id] = (model, size)
            return size

    def unload(self, model_id):
        with self._lock:
            gone = self._models.pop(model_id, None)
        if gone is not None:
            del gone  # reference counting frees an estimator's arrays here; a full gc.collect() would hold the GIL ~30 ms
            gc.collect(1)  # the young generations only: cycles made by the load, in well under a millisecond
            _trim()

    def get(self, model_id):
        with self._lock:
            entry = self._models.get(model_id)
        return None if entry is None else entry[0]

    def size(self, model_id):
        with self._lock:
            entry = self._models.get(model_id)
        return 0 if entry is None else entry[1]

    def ids(self):
        with self._lock:
            return sorted(self._models)
