"""`save` and `load`: a model's state dict in a NumPy `.npz` file, never pickle.

The file holds one array per parameter or buffer, named as in `state_dict()`, plus a
format marker. `load` reads it with `allow_pickle=False` and checks what it finds, so a
file cannot run code and a wrong file is a clear error.
"""

from __future__ import annotations

import os
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from tt_nn.module import Module

FORMAT_KEY = "__tt_nn_format__"
FORMAT = "tt-nn state dict v1"


def save(obj: Module | dict[str, Any], path: str | os.PathLike) -> str:
    """Write a Module's state dict (or a state dict itself) to `path` as `.npz`.

    Returns the path written (NumPy adds ".npz" if `path` has no such suffix).
    Load it back with `model.load_state_dict(tt_nn.load(path))`.
    """
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if not isinstance(state, dict):
        raise TypeError(f"save: expected a Module or a state dict, got {type(obj).__name__}")
    arrays = {}
    for key, value in state.items():
        array = np.asarray(getattr(value, "data", value))
        if array.dtype.kind not in "fiub":
            raise TypeError(f"save: {key!r} has dtype {array.dtype}; only numeric arrays are saved")
        arrays[key] = array
    if FORMAT_KEY in arrays:
        raise ValueError(f"save: {FORMAT_KEY!r} is a reserved name")
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    np.savez(path, **arrays, **{FORMAT_KEY: np.array(FORMAT)})
    return path


def load(path: str | os.PathLike) -> OrderedDict[str, np.ndarray]:
    """Read a state dict written by `save`: an ordered dict of name -> NumPy array."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no file at {path!r}")
    with open(path, "rb") as file:
        magic = file.read(4)
    if magic != b"PK\x03\x04":  # every .npz is a zip archive, which starts with these bytes
        raise ValueError(f"load: {path!r} is not a readable .npz file (it is not a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = list(archive.files)
            if FORMAT_KEY not in names or str(archive[FORMAT_KEY]) != FORMAT:
                raise ValueError(f"load: {path!r} is an .npz file but was not written by "
                                 f"tt_nn.save (no {FORMAT!r} marker)")
            state = OrderedDict((name, archive[name]) for name in names if name != FORMAT_KEY)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"load: {path!r} is not a readable .npz file ({error})") from None
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ValueError(f"load: {path!r} contains pickled objects, which tt_nn never "
                             "writes and refuses to read") from None
        raise
    for name, array in state.items():
        if array.dtype.kind not in "fiub":
            raise ValueError(f"load: {path!r} entry {name!r} has dtype {array.dtype}; expected numbers")
    return state
