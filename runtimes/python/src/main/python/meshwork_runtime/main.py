"""Starts the runtime: checks its imports, binds the endpoint, serves until SIGTERM or until the
process that started it is gone."""
import argparse
import os
import signal
import sys
import threading

from meshwork_runtime import deps

MAX_MESSAGE = 64 << 20


def arguments(argv):
    p = argparse.ArgumentParser(prog="meshwork-python-runtime", description="Meshwork's Python model runtime (sklearn, xgboost, mlflow)")
    p.add_argument("--check", action="store_true", help="only check that every module it needs is installed; exit 78 with one line if not")
    p.add_argument("--endpoint", default=os.environ.get("MESHWORK_RUNTIME_ENDPOINT", ""),
                   help="where to listen: unix:///path/to.sock or 127.0.0.1:PORT (default: $MESHWORK_RUNTIME_ENDPOINT)")
    p.add_argument("--roots", default=os.environ.get("MESHWORK_STORAGE_ROOTS", ""),
                   help="folders models may be loaded from, separated by ':' (default: $MESHWORK_STORAGE_ROOTS)")
    p.add_argument("--workers", type=int, default=int(os.environ.get("MESHWORK_PYTHON_WORKERS", "4")),
                   help="threads serving calls (default: $MESHWORK_PYTHON_WORKERS or 4)")
    p.add_argument("--capacity", type=int, default=0, help="bytes of models this process may hold, reported to the node (0: the node decides)")
    return p.parse_args(argv)


def main(argv):
    args = arguments(argv)
    # --check (run by the node before it starts the runtime) only looks for the modules, in milliseconds;
    # a start imports them, and a broken install still ends here with the same one line
    problem = deps.problem(load=not args.check)
    if problem:
        print(problem, file=sys.stderr, flush=True)
        return deps.EX_CONFIG
    if args.check:
        print("ok: every module the Python runtime needs is installed", flush=True)
        return 0
    if not args.endpoint:
        print("meshwork-python-runtime: no endpoint (--endpoint or MESHWORK_RUNTIME_ENDPOINT)", file=sys.stderr, flush=True)
        return 2
    if args.workers < 1 or args.workers > 256:
        print(f"meshwork-python-runtime: --workers must be 1 to 256, got {args.workers}", file=sys.stderr, flush=True)
        return 2
    return serve(args)


def serve(args):
    from concurrent import futures

    import grpc

    from meshwork_runtime.services import Runtime
    from meshwork_runtime.store import ModelStore

    roots = [r for r in args.roots.split(os.pathsep) if r]
    endpoint = args.endpoint
    if endpoint.startswith("unix:"):
        path = endpoint[len("unix://"):] if endpoint.startswith("unix://") else endpoint[len("unix:"):]
        if os.path.exists(path):
            os.unlink(path)  # left by a process that died
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.workers, thread_name_prefix="meshwork-python"),
                         options=[("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.max_send_message_length", MAX_MESSAGE)])
    runtime = Runtime(ModelStore(roots), capacity_bytes=args.capacity)
    server.add_generic_rpc_handlers(runtime.handlers())
    if server.add_insecure_port(endpoint) == 0 and not endpoint.startswith("unix:"):
        print(f"meshwork-python-runtime: cannot listen on {endpoint}", file=sys.stderr, flush=True)
        return 1
    server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parent = os.getppid()
    print(f"meshwork-python-runtime: serving on {endpoint} with {args.workers} workers, roots {roots} (pid {os.getpid()})", flush=True)
    # a node killed with -9 cannot stop its children: leave when the parent is gone, not linger as an orphan
    while not stop.wait(1.0):
        if os.getppid() != parent:
            print("meshwork-python-runtime: the process that started it is gone; stopping", flush=True)
            break
    server.stop(grace=2).wait(3)
    return 0


