"""`save` and `load`: state dicts and whole checkpoints in a NumPy `.npz` file, never pickle.

Two layouts, told apart by a format marker entry:
- a state dict (`save(model)`, `save(model.state_dict())`): one `.npy` entry per parameter or
  buffer, named as in `state_dict()`; `load` returns an ordered dict of NumPy arrays.
- a checkpoint — any nesting of dicts, lists and tuples holding Tensors, arrays, numbers,
  strings, booleans and None, e.g. `{"model": model.state_dict(), "optimizer":
  opt.state_dict(), "iter_num": 500, "config": {...}}`: arrays go to `.npy` entries and the
  structure to a JSON entry; `load` rebuilds it, with Tensors where Tensors were saved.

The file is written exactly where asked (`save(m, "ckpt")` writes `ckpt`, as `torch.save`
does), every entry written by tt itself, so any key name is kept (`np.savez(**arrays)` would
swallow keys named like its own arguments, e.g. `allow_pickle`). `load` reads arrays with
`allow_pickle=False` and JSON, so a file cannot run code; a damaged or foreign file is a
`CheckpointError` naming the path.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from collections import OrderedDict
from typing import IO, Any

import numpy as np
from tt_tensor import Tensor, from_numpy

from tt_nn.module import Module

FORMAT_KEY = "__tt_nn_format__"
FORMAT = "tt-nn state dict v1"
CHECKPOINT_FORMAT = "tt-nn checkpoint v1"
STRUCTURE_ENTRY = "__tt_nn_structure__.json"


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


def _is_flat_state_dict(obj: Any) -> bool:
    return isinstance(obj, dict) and all(
        isinstance(k, str) and isinstance(v, (Tensor, np.ndarray, np.generic))
        for k, v in obj.items())


class _Encoder:
    """Turns a nested checkpoint into JSON-able data, collecting its arrays as entries."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, value: Any, where: str, tensor: bool) -> dict:
        array = np.asarray(value.data if tensor else value)
        if array.dtype.kind not in "fiub":
            raise TypeError(f"save: {where} has dtype {array.dtype}; only numeric arrays are saved")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = array
        return {"array": name, "tensor": tensor}

    def encode(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return {"int": value} if isinstance(value, int) else {"float": value}
        if isinstance(value, Tensor):
            return self.array(value, where, tensor=True)
        if isinstance(value, np.ndarray):
            return self.array(value, where, tensor=False)
        if isinstance(value, np.generic):
            return self.encode(value.item(), where)
        if isinstance(value, dict):
            return {"dict": [[self.encode(k, f"a key of {where}"),
                              self.encode(v, f"{where}[{k!r}]")] for k, v in value.items()]}
        if isinstance(value, (list, tuple)):
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"list": items} if isinstance(value, list) else {"tuple": items}
        raise TypeError(f"save: {where} is a {type(value).__name__}; a checkpoint holds Tensors, "
                        "arrays, numbers, strings, booleans, None, and dicts, lists and tuples "
                        "of them (tt never pickles)")


def _decode(node: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    if node is None or isinstance(node, (bool, str)):
        return node
    if isinstance(node, dict) and len(node) == 1:
        (tag, body), = node.items()
        if tag == "int":
            return int(body)
        if tag == "float":
            return float(body)
        if tag == "list":
            return [_decode(v, arrays, path) for v in body]
        if tag == "tuple":
            return tuple(_decode(v, arrays, path) for v in body)
        if tag == "dict":
            return {_decode(k, arrays, path): _decode(v, arrays, path) for k, v in body}
    if isinstance(node, dict) and set(node) == {"array", "tensor"} and node["array"] in arrays:
        array = arrays[node["array"]]
        return from_numpy(array) if node["tensor"] else array
    raise CheckpointError(f"load: {path!r} has a malformed checkpoint structure (at {node!r:.60})")


def _write(target: Any, marker: str, arrays: dict[str, np.ndarray], structure: Any = None) -> None:
    with zipfile.ZipFile(target, mode="w", compression=zipfile.ZIP_STORED,
                         allowZip64=True) as archive:
        for name, array in {FORMAT_KEY: np.array(marker), **arrays}.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)
        if structure is not None:
            archive.writestr(STRUCTURE_ENTRY, json.dumps(structure))


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> str | IO[bytes]:
    """Write a Module's state dict, a state dict, or a checkpoint (nested dicts, lists and
    tuples of Tensors, arrays, numbers, strings, booleans and None) to `f`: a path, written
    exactly as given (no suffix added), or a binary file object. Returns `f`.

    Load it back with `model.load_state_dict(tt_nn.load(f))` (or `checkpoint = load(f)`).
    """
    target = f if hasattr(f, "write") else os.fspath(f)
    if isinstance(obj, Module) or _is_flat_state_dict(obj):
        _write(target, FORMAT, _arrays(obj))
        return target
    if not isinstance(obj, (dict, list, tuple)):
        raise TypeError(f"save: expected a Module, a state dict or a checkpoint (a dict, list "
                        f"or tuple), got {type(obj).__name__}")
    encoder = _Encoder()
    structure = encoder.encode(obj, "the checkpoint")
    _write(target, CHECKPOINT_FORMAT, encoder.arrays, structure)
    return target


def load(f: str | os.PathLike | IO[bytes]) -> Any:
    """Read what `save` wrote: a state dict as an ordered dict of name -> NumPy array, or a
    checkpoint rebuilt as saved (Tensors where Tensors were saved).

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
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
            marker_entry = FORMAT_KEY + ".npy"
            marker = _read_array(archive, marker_entry) if marker_entry in names else None
            if marker is None or str(marker) not in (FORMAT, CHECKPOINT_FORMAT):
                raise CheckpointError(f"load: {path!r} is an .npz file but was not written by "
                                      f"tt_nn.save (no {FORMAT!r} marker)")
            state = OrderedDict((name[:-4], _read_array(archive, name)) for name in names
                                if name.endswith(".npy") and name != FORMAT_KEY + ".npy")
            structure = json.loads(archive.read(STRUCTURE_ENTRY)) \
                if str(marker) == CHECKPOINT_FORMAT else None
    except CheckpointError:
        raise
    except ValueError as error:
        if "allow_pickle" in str(error) or "pickle" in str(error):
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
    if structure is not None:
        return _decode(structure, state, path)
    return state


def _read_array(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    """One `.npy` entry, never unpickling (object arrays are refused by NumPy itself)."""
    with archive.open(name) as entry:
        return np.lib.format.read_array(entry, allow_pickle=False)
