"""Argument kinds: how a suite asks for an argument that is more than a plain tensor.

A probe spec is plain data, so an argument such as "this tensor, but non-contiguous" travels as a
small dict `{"__arg__": kind, ...}`. This module holds every kind in one place: the builder a suite
calls, how the probe runtime materialises it into a live argument, how messages show it, and how
to cast its floating tensors (the engine's float16/bfloat16 probes).

    transposed(t)   the same values as a non-contiguous view (the transpose of a contiguous copy)
    strided(t)      the same values as every other element of a wider buffer
    param(t, grad)  a leaf tensor with requires_grad=True and optionally .grad preset
    nn_model(...)   a small torch.nn.Sequential, for functions that take a model
    dtype(name)     a torch.dtype (plain data cannot hold one directly)
    generator(seed) a fresh torch.Generator seeded with `seed` (on the probe's device)
    device(name)    a torch.device; "probe" means the device the probe runs on
    meta(*shape)    an empty tensor on the meta device: shape and dtype only, no memory
"""
from __future__ import annotations

import torch

# Only these torch.nn classes may be named by an nn_model spec; the first three own parameters.
_PARAMETRIC = ("Linear", "LayerNorm", "Embedding")
_BUILDABLE = set(_PARAMETRIC) | {"ReLU", "GELU", "Dropout", "Sequential", "Identity", "Tanh", "Sigmoid",
                                 "Flatten", "RMSNorm"}


# ---------------------------------------------------------------------------------------------
# Builders (used by suites)
# ---------------------------------------------------------------------------------------------

def transposed(t: torch.Tensor) -> dict:
    """The same values, handed to the learner as a non-contiguous (transposed) view."""
    return {"__arg__": "transposed", "value": t}


def strided(t: torch.Tensor) -> dict:
    """The same values, handed to the learner as every other element of a wider buffer."""
    return {"__arg__": "strided", "value": t}


def param(t: torch.Tensor, grad: torch.Tensor | None = None) -> dict:
    """A leaf tensor with requires_grad=True and, optionally, a .grad already set."""
    return {"__arg__": "param", "value": t, "grad": grad}


def nn_model(*layers, frozen=(), device=None) -> dict:
    """A torch.nn.Sequential for functions that take a module; layers are (class_name, args[, kwargs])."""
    spec = [[layer[0], list(layer[1]), dict(layer[2]) if len(layer) > 2 else {}] for layer in layers]
    if device:
        for layer in spec:
            if layer[0] in _PARAMETRIC:
                layer[2].setdefault("device", device)
    return {"__arg__": "nn", "layers": spec, "frozen": list(frozen)}


def dtype(name: str) -> dict:
    return {"__arg__": "dtype", "name": name}


def meta(*shape, dtype: str = "float32") -> dict:
    return {"__arg__": "meta", "shape": [int(s) for s in shape], "dtype": dtype}


def generator(seed: int) -> dict:
    return {"__arg__": "generator", "seed": int(seed)}


def device(name: str = "probe") -> dict:
    return {"__arg__": "device", "name": name}


# ---------------------------------------------------------------------------------------------
# Materialising (used by the probe runtime, in-process and in the sandbox child)
# ---------------------------------------------------------------------------------------------

def materialise(value, device: str):
    """Build the live argument a spec value describes, on `device`."""
    if isinstance(value, torch.Tensor):
        return value.to(device, copy=True)
    if isinstance(value, list):
        return [materialise(v, device) for v in value]
    if isinstance(value, tuple):
        return tuple(materialise(v, device) for v in value)
    if isinstance(value, dict) and "__arg__" in value:
        kind = value["__arg__"]
        if kind == "transposed":
            return value["value"].mT.contiguous().to(device).mT
        if kind == "strided":
            base = value["value"].to(device)
            wide = torch.zeros(*base.shape[:-1], base.shape[-1] * 2, dtype=base.dtype, device=device)
            wide[..., ::2] = base
            return wide[..., ::2]
        if kind == "param":
            p = value["value"].to(device, copy=True).requires_grad_(True)
            if value.get("grad") is not None:
                p.grad = value["grad"].to(device, copy=True)
            return p
        if kind == "nn":
            return _build_nn(value, device)
        if kind == "dtype":
            return getattr(torch, value["name"])
        if kind == "meta":
            return torch.empty(value["shape"], dtype=getattr(torch, value["dtype"]), device="meta")
        if kind == "generator":
            place = device if device in ("cpu", "cuda") else "cpu"
            return torch.Generator(place).manual_seed(value["seed"])
        if kind == "device":
            return torch.device(device if value["name"] == "probe" else value["name"])
        raise ValueError(f"unknown argument kind {kind!r}")
    if isinstance(value, dict):
        return {k: materialise(v, device) for k, v in value.items()}
    return value


def _build_nn(spec: dict, device: str) -> torch.nn.Module:
    layers = []
    for cls_name, args, kwargs in spec["layers"]:
        if cls_name not in _BUILDABLE:
            raise ValueError(f"{cls_name} cannot be built by a probe")
        kwargs = dict(kwargs)
        if cls_name in _PARAMETRIC:
            kwargs.setdefault("device", device)
        layers.append(getattr(torch.nn, cls_name)(*args, **kwargs))
    model = torch.nn.Sequential(*layers)
    for name, p in model.named_parameters():
        if name in spec.get("frozen", ()):
            p.requires_grad_(False)
    return model


# ---------------------------------------------------------------------------------------------
# Walking and casting (used by the engine when it plans probes)
# ---------------------------------------------------------------------------------------------

def tensor_leaves(value, label: str) -> list[tuple[str, torch.Tensor]]:
    """(label, tensor) for every tensor an argument holds, in the order the probe runtime meets
    them once materialised: `x`, `params[1]`, `batch['ids']`. Models hold none."""
    if isinstance(value, torch.Tensor):
        return [(label, value)]
    if isinstance(value, dict) and "__arg__" in value:
        return [(label, value["value"])] if "value" in value else []
    if isinstance(value, (list, tuple)):
        return [leaf for i, v in enumerate(value) for leaf in tensor_leaves(v, f"{label}[{i}]")]
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in tensor_leaves(v, f"{label}[{k!r}]")]
    return []


def cast_floats(value, to: torch.dtype, source: torch.dtype = torch.float32):
    """The same argument with every `source`-dtype tensor cast to `to` (other tensors untouched)."""
    if isinstance(value, torch.Tensor):
        return value.to(to) if value.dtype == source else value
    if isinstance(value, dict) and "__arg__" in value:
        out = dict(value)
        for key in ("value", "grad"):
            if isinstance(out.get(key), torch.Tensor):
                out[key] = cast_floats(out[key], to, source)
        return out
    if isinstance(value, list):
        return [cast_floats(v, to, source) for v in value]
    if isinstance(value, tuple):
        return tuple(cast_floats(v, to, source) for v in value)
    if isinstance(value, dict):
        return {k: cast_floats(v, to, source) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------------------------
# Showing (used by the judge's messages)
# ---------------------------------------------------------------------------------------------

def summary(value) -> str:
    """float32[2, 3] for a tensor, a short form for each kind, repr for small plain values."""
    if isinstance(value, torch.Tensor):
        return f"{str(value.dtype).removeprefix('torch.')}{list(value.shape)}"
    if isinstance(value, dict) and "__arg__" in value:
        kind = value["__arg__"]
        if kind in ("transposed", "strided"):
            return f"{summary(value['value'])} (non-contiguous)"
        if kind == "param":
            grad = ".grad set" if value.get("grad") is not None else ".grad None"
            return f"{summary(value['value'])} (leaf, requires_grad, {grad})"
        if kind == "nn":
            return "nn.Sequential(" + ", ".join(f"{c}{tuple(a)}" for c, a, _ in value["layers"]) + ")"
        if kind == "dtype":
            return f"torch.{value['name']}"
        if kind == "generator":
            return f"torch.Generator().manual_seed({value['seed']})"
        if kind == "meta":
            return f"{value['dtype']}{value['shape']} on meta"
        if kind == "device":
            return "the probe's device" if value["name"] == "probe" else f"torch.device({value['name']!r})"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(summary(v) for v in value[:6]) + (", ..." if len(value) > 6 else "")
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {summary(v)}" for k, v in list(value.items())[:6]) + "}"
    return repr(value)


def is_non_contiguous(value) -> bool:
    return isinstance(value, dict) and value.get("__arg__") in ("transposed", "strided")
