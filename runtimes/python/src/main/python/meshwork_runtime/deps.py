"""The imports the runtime needs, with the Debian package that provides each."""
import importlib
import importlib.util

# (module, Debian package); the order is the order a person installs them in
REQUIRED = (
    ("numpy", "python3-numpy"),
    ("google.protobuf", "python3-protobuf"),
    ("grpc", "python3-grpcio"),
    ("joblib", "python3-joblib"),
    ("sklearn", "python3-sklearn"),
    ("xgboost", "python3-xgboost"),
)

# sysexits' EX_CONFIG: the node reads it as "cannot run here", not as a crash to restart
EX_CONFIG = 78


def missing(load=True):
    """The (module, package, reason) of each module that does not import here; load=False only looks
    for the modules (milliseconds) instead of importing them (about a second for scikit-learn)."""
    out = []
    for module, package in REQUIRED:
        try:
            if load:
                importlib.import_module(module)
            elif importlib.util.find_spec(module) is None:
                out.append((module, package, f"ModuleNotFoundError: No module named '{module}'"))
        except Exception as e:  # an ImportError, or a broken install raising something else
            out.append((module, package, f"{type(e).__name__}: {e}"))
    return out


def problem(load=True):
    """One line saying what is missing and how to install it, or None when everything is there."""
    gone = missing(load)
    if not gone:
        return None
    modules = ", ".join(m for m, _, _ in gone)
    packages = " ".join(p for _, p, _ in gone)
    return f"the Python runtime cannot start: {modules} will not import ({gone[0][2]}); install them with: apt-get install -y {packages}"
