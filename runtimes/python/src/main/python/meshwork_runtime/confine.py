"""Keeps every file the runtime opens inside its storage roots: pickles run code when loaded."""
import os


class OutsideRoots(PermissionError):
    """A path that resolves outside every storage root."""


def confined(path, roots):
    """The real path of path when it lies inside one of roots (after resolving symbolic links)."""
    if not roots:
        raise OutsideRoots("the runtime has no storage roots (--roots or MESHWORK_STORAGE_ROOTS), so it loads nothing")
    real = os.path.realpath(path)
    for root in roots:
        base = os.path.realpath(root)
        if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
            return real
    raise OutsideRoots(f"{path} is outside the storage roots {list(roots)}; the runtime loads only files under them")
