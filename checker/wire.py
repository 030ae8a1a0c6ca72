"""Plain data, and its byte encoding for crossing a process boundary.

A probe returns *plain data* only: None, bool, int, float, str, lists, tuples, dicts with str
keys, and dense CPU `torch.Tensor`s of the exact base class. Nothing else (no learner objects,
no tensor subclasses) ever reaches a judge.

`encode`/`decode` turn plain data into bytes and back without pickle: a JSON header that
describes the structure, followed by raw tensor buffers. A hostile child can at worst send
wrong numbers; it cannot make the parent run code.
"""
from __future__ import annotations

import ctypes
import json
import struct

import torch

_HEADER = struct.Struct("<Q")
_DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128,
    torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool,
)}


class WireError(ValueError):
    """The bytes do not describe plain data (truncated, forged or malformed)."""


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def plain_tensor(t: torch.Tensor) -> torch.Tensor:
    """A detached, contiguous CPU copy whose type is exactly torch.Tensor."""
    with torch._C.DisableTorchFunctionSubclass():
        out = t.detach().to("cpu", copy=True).contiguous()
    if type(out) is not torch.Tensor:
        out = torch.Tensor._make_subclass(torch.Tensor, out)
    return out


def encode(value) -> bytes:
    blobs: list[bytes] = []

    def walk(v):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int):
            return v
        if isinstance(v, float):
            return {"__float__": repr(v)}  # keeps nan/inf/-0.0 exact
        if isinstance(v, torch.Tensor):
            t = plain_tensor(v)
            if t.dtype not in _DTYPES.values():
                raise WireError(f"unsupported dtype {t.dtype}")
            # A contiguous CPU buffer read straight from memory: no NumPy, no pickle.
            raw = ctypes.string_at(t.data_ptr(), t.numel() * t.element_size()) if t.numel() else b""
            blobs.append(raw)
            return {"__tensor__": len(blobs) - 1, "dtype": dtype_name(t.dtype), "shape": list(t.shape)}
        if isinstance(v, tuple):
            return {"__tuple__": [walk(x) for x in v]}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise WireError("dict keys must be str")
            return {"__dict__": {k: walk(x) for k, x in v.items()}}
        raise WireError(f"not plain data: {type(v).__name__}")

    header = json.dumps({"value": walk(value), "sizes": [len(b) for b in blobs]}).encode()
    return _HEADER.pack(len(header)) + header + b"".join(blobs)


def decode(data: bytes):
    try:
        (size,) = _HEADER.unpack_from(data, 0)
        header = json.loads(data[_HEADER.size:_HEADER.size + size])
        offsets, pos = [], _HEADER.size + size
        for n in header["sizes"]:
            offsets.append((pos, pos + n))
            pos += n
        if pos != len(data):
            raise WireError("length mismatch")
    except (struct.error, ValueError, KeyError, TypeError) as exc:
        raise WireError(f"malformed probe data: {exc}") from None

    def walk(v):
        if isinstance(v, list):
            return [walk(x) for x in v]
        if not isinstance(v, dict):
            return v
        if "__float__" in v:
            return float(v["__float__"])
        if "__tuple__" in v:
            return tuple(walk(x) for x in v["__tuple__"])
        if "__dict__" in v:
            return {str(k): walk(x) for k, x in v["__dict__"].items()}
        if "__tensor__" in v:
            dtype = _DTYPES.get(v["dtype"])
            shape = [int(s) for s in v["shape"]]
            if dtype is None:
                raise WireError(f"unknown dtype {v['dtype']!r}")
            start, end = offsets[v["__tensor__"]]
            raw = bytearray(data[start:end])
            numel = 1
            for s in shape:
                numel *= s
            flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
            if flat.numel() != numel:
                raise WireError("tensor size does not match its shape")
            return flat.reshape(shape).clone()
        raise WireError("unknown object in probe data")

    return walk(header["value"])
