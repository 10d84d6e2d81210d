"""`save` and `load`: a model's state dict in a NumPy `.npz` file, never pickle.

The file holds one array per parameter or buffer, named as in `state_dict()`, plus a
format marker. It is written exactly where asked (`save(m, "ckpt")` writes `ckpt`, as
`torch.save` does), one `.npy` entry per key written by tt itself, so any key name is kept
(`np.savez(**arrays)` would swallow keys named like its own arguments, e.g. `allow_pickle`).
`load` reads it with `allow_pickle=False` and checks what it finds, so a file cannot run
code, and a damaged or foreign file is a `CheckpointError` naming the path.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from tt_nn.module import Module

FORMAT_KEY = "__tt_nn_format__"
FORMAT = "tt-nn state dict v1"


class CheckpointError(ValueError):
    """A file that `load` cannot read as a tt-nn checkpoint (the message names the path)."""


def _arrays(obj: Any) -> dict[str, np.ndarray]:
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if not isinstance(state, dict):
        raise TypeError(f"save: expected a Module or a state dict, got {type(obj).__name__}")
    arrays = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise TypeError(f"save: state dict keys must be strings, got {key!r}")
        array = np.asarray(getattr(value, "data", value))
        if array.dtype.kind not in "fiub":
            raise TypeError(f"save: {key!r} has dtype {array.dtype}; only numeric arrays are saved")
        arrays[key] = array
    if FORMAT_KEY in arrays:
        raise ValueError(f"save: {FORMAT_KEY!r} is a reserved name")
    return arrays


def save(obj: Module | dict[str, Any], f: str | os.PathLike | IO[bytes]) -> str | IO[bytes]:
    """Write a Module's state dict (or a state dict itself) to `f`: a path, written exactly
    as given (no suffix added), or a binary file object. Returns `f`.

    Load it back with `model.load_state_dict(tt_nn.load(f))`.
    """
    arrays = _arrays(obj)
    target = f if hasattr(f, "write") else os.fspath(f)
    with zipfile.ZipFile(target, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in {FORMAT_KEY: np.array(FORMAT), **arrays}.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)
    return target


def load(f: str | os.PathLike | IO[bytes]) -> OrderedDict[str, np.ndarray]:
    """Read a state dict written by `save`: an ordered dict of name -> NumPy array.

    Raises FileNotFoundError for a missing path, and `CheckpointError` (a ValueError)
    naming the path for a directory, a damaged file, or a file tt-nn did not write.
    """
    if hasattr(f, "read"):
        path, source = getattr(f, "name", "<file object>"), f
    else:
        path = source = os.fspath(f)
        if os.path.isdir(path):
            raise CheckpointError(f"load: {path!r} is a directory, not a checkpoint file")
        if not os.path.exists(path):
            raise FileNotFoundError(f"load: no file at {path!r}")
        with open(path, "rb") as file:
            magic = file.read(4)
        if magic != b"PK\x03\x04":  # every .npz is a zip archive, which starts with these bytes
            raise CheckpointError(f"load: {path!r} is not a readable .npz file (it is not a "
                                  f"zip archive)")
    try:
        with np.load(source, allow_pickle=False) as archive:
            names = list(archive.files)
            if FORMAT_KEY not in names or str(archive[FORMAT_KEY]) != FORMAT:
                raise CheckpointError(f"load: {path!r} is an .npz file but was not written by "
                                      f"tt_nn.save (no {FORMAT!r} marker)")
            state = OrderedDict((name, archive[name]) for name in names if name != FORMAT_KEY)
    except CheckpointError:
        raise
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise CheckpointError(f"load: {path!r} contains pickled objects, which tt_nn never "
                                  "writes and refuses to read") from None
        raise CheckpointError(f"load: {path!r} is damaged ({error})") from error
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
            RuntimeError, KeyError) as error:
        # A truncated or corrupted archive surfaces as any of these, from zipfile or NumPy.
        raise CheckpointError(f"load: {path!r} is not a readable .npz file: it is damaged "
                              f"({type(error).__name__}: {error})") from error
    for name, array in state.items():
        if array.dtype.kind not in "fiub":
            raise CheckpointError(f"load: {path!r} entry {name!r} has dtype {array.dtype}; "
                                  "expected numbers")
    return state
