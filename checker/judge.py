"""The judge half: compare a learner's probe result with the reference's and say, in words a
beginner can act on, what is wrong. Everything here reads plain data only."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch._tensor_str import printoptions

from checker.results import Status

# torch.testing.assert_close's own defaults, listed so messages can quote them.
TOLERANCES = {
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}


@dataclass
class Verdict:
    status: Status
    message: str


def fail(message: str, status: Status = Status.FAILED) -> Verdict:
    return Verdict(status, message)


# ---------------------------------------------------------------------------------------------
# Printing values small
# ---------------------------------------------------------------------------------------------

def show_tensor(t: torch.Tensor) -> str:
    with printoptions(precision=4, threshold=24, edgeitems=2, linewidth=88, sci_mode=None):
        text = repr(t)
    return text.replace("\n", "\n" + " " * 12)


def spec_summary(value) -> str:
    """float32[2, 3] for a tensor, repr for small plain values."""
    if isinstance(value, torch.Tensor):
        return f"{str(value.dtype).removeprefix('torch.')}{list(value.shape)}"
    if isinstance(value, dict) and "__arg__" in value:
        kind = value["__arg__"]
        if kind in ("transposed", "strided"):
            return f"{spec_summary(value['value'])} (non-contiguous)"
        if kind == "param":
            grad = ".grad set" if value.get("grad") is not None else ".grad None"
            return f"{spec_summary(value['value'])} (leaf, requires_grad, {grad})"
        if kind == "nn":
            return "nn.Sequential(" + ", ".join(f"{c}{tuple(a)}" for c, a, _ in value["layers"]) + ")"
        if kind == "dtype":
            return f"torch.{value['name']}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(spec_summary(v) for v in value[:6]) + (", ..." if len(value) > 6 else "")
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


def show_value(value) -> str:
    if isinstance(value, torch.Tensor):
        return show_tensor(value)
    if isinstance(value, dict) and value.get("__arg__") in ("nn", "dtype"):
        frozen = value.get("frozen")
        return spec_summary(value) + (f"  # frozen: {', '.join(frozen)}" if frozen else "")
    if isinstance(value, dict) and "__arg__" in value and "value" in value:
        return show_value(value["value"]) + ("  # non-contiguous" if value["__arg__"] in ("transposed", "strided") else "")
    if isinstance(value, (list, tuple)) and any(isinstance(v, (torch.Tensor, dict)) for v in value):
        return "[" + ", ".join(spec_summary(v) for v in value) + "]"
    return repr(value)


def format_call(name: str, argnames, args) -> str:
    parts = [f"{n}={spec_summary(a)}" for n, a in zip(argnames, args)]
    return f"{name}({', '.join(parts)})"


def format_inputs(argnames, args) -> str:
    width = max((len(n) for n in argnames), default=0)
    return "\n".join(f"    {n.ljust(width)} = {show_value(a)}" for n, a in zip(argnames, args))


def format_error(err: dict) -> str:
    lines = []
    for filename, lineno, func, text in err.get("frames", []):
        lines.append(f'  File "{filename}", line {lineno}, in {func}')
        if text:
            lines.append(f"    {text}")
    lines.append(f"{err['type']}: {err['message']}".rstrip(": "))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Comparing described outputs
# ---------------------------------------------------------------------------------------------

def _kind(desc) -> str:
    if isinstance(desc, dict) and "__out__" in desc:
        out = desc["__out__"]
        if out == "tensor":
            return f"a tensor {desc['dtype']}{desc['shape']}"
        if out in ("tuple", "list"):
            return f"a {out} of {desc['length']}"
        return f"a {desc['type']} object"
    if desc is None:
        return "None"
    return f"a Python {type(desc).__name__} ({desc!r})"


def _mismatch_report(expected: torch.Tensor, got: torch.Tensor, rtol: float, atol: float) -> str:
    close = torch.isclose(got.to(expected.dtype), expected, rtol=rtol, atol=atol, equal_nan=True) \
        if expected.is_floating_point() or expected.is_complex() else got == expected
    bad = (~close).nonzero()
    first = tuple(int(i) for i in bad[0]) if len(bad) else ()
    where = f"index {first}" if first else "the value"
    exp_v, got_v = expected[first].item(), got[first].item()
    return (f"first mismatch at {where}: expected {exp_v:.6g}, got {got_v:.6g} "
            f"({len(bad)} of {expected.numel()} elements differ; tolerance rtol={rtol:g}, atol={atol:g})")


def compare_tensor(expected: dict, got, where: str, rtol=None, atol=None) -> str | None:
    if not (isinstance(got, dict) and got.get("__out__") == "tensor"):
        return f"{where} should be a tensor {expected['dtype']}{expected['shape']}, but it is {_kind(got)}."
    if got["type"] != "Tensor":
        return f"{where} is a {got['type']} (a tensor subclass); return a plain torch.Tensor."
    if got["shape"] != expected["shape"]:
        hint = ""
        if [s for s in got["shape"] if s != 1] == [s for s in expected["shape"] if s != 1]:
            hint = " The sizes agree apart from size-1 dims: check keepdim, squeeze and unsqueeze."
        elif sorted(got["shape"]) == sorted(expected["shape"]):
            hint = " The sizes are right but in another order: check which dim you reduced or transposed."
        return (f"{where} has shape {tuple(got['shape'])}, but it should have shape "
                f"{tuple(expected['shape'])}. Shapes must match exactly (no broadcasting).{hint}")
    if got["dtype"] != expected["dtype"]:
        return f"{where} has dtype {got['dtype']}, but it should have dtype {expected['dtype']}."
    if got["device"] != expected["device"]:
        return (f"{where} is on device {got['device']}, but the inputs were on {expected['device']}: "
                f"create new tensors with device=<input>.device.")
    exp_t, got_t = expected["value"], got["value"]
    default_rtol, default_atol = TOLERANCES.get(expected["dtype"], (0.0, 0.0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    if not close(got_t, exp_t, rtol, atol):
        return (f"{where} has the wrong values.\n"
                f"  expected: {show_tensor(exp_t)}\n"
                f"  got:      {show_tensor(got_t)}\n"
                f"  {_mismatch_report(exp_t, got_t, rtol, atol)}")
    return None


def close(actual: torch.Tensor, expected: torch.Tensor, rtol=None, atol=None) -> bool:
    """torch.testing.assert_close as a yes/no (NaNs equal). Its own criterion, isclose, runs
    first, so the common passing case skips assert_close's first-call import cost (~0.8 s)."""
    if rtol is None or atol is None:
        rtol, atol = TOLERANCES.get(str(expected.dtype).removeprefix("torch."), (0.0, 0.0))
    if actual.shape == expected.shape and actual.dtype == expected.dtype and \
            bool(torch.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True).all()):
        return True
    try:
        torch.testing.assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    except AssertionError:
        return False
    return True


def compare(expected, got, where: str = "the result", rtol=None, atol=None, names=None) -> str | None:
    """None when `got` matches `expected` (both described outputs), else what is wrong."""
    if isinstance(expected, dict) and expected.get("__out__") == "tensor":
        return compare_tensor(expected, got, where, rtol, atol)
    if isinstance(expected, dict) and expected.get("__out__") in ("tuple", "list"):
        if not (isinstance(got, dict) and got.get("__out__") in ("tuple", "list")):
            return f"{where} should be a {expected['__out__']} of {expected['length']} values, but it is {_kind(got)}."
        if got["length"] != expected["length"]:
            return f"{where} should hold {expected['length']} values, but it holds {got['length']}."
        for i, (e, g) in enumerate(zip(expected["items"], got["items"])):
            label = names[i] if names and i < len(names) else f"{where}[{i}]"
            problem = compare(e, g, label, rtol, atol)
            if problem:
                return problem
        return None
    if expected is None:
        return None if got is None else f"{where} should be None, but it is {_kind(got)}."
    if isinstance(expected, bool) or isinstance(expected, str):
        return None if got == expected and type(got) is type(expected) else \
            f"{where} should be {expected!r}, but it is {_kind(got)}."
    if isinstance(expected, int):
        if type(got) is not int:
            return f"{where} should be a Python int ({expected}), but it is {_kind(got)}."
        return None if got == expected else f"{where} should be {expected:,}, but it is {got:,}."
    if isinstance(expected, float):
        if type(got) not in (float, int):
            return f"{where} should be a Python float ({expected:.6g}), but it is {_kind(got)}; use .item()."
        r, a = TOLERANCES["float32"] if rtol is None else (rtol, atol or 0.0)
        if math.isclose(got, expected, rel_tol=r, abs_tol=a) or (math.isnan(got) and math.isnan(expected)):
            return None
        return f"{where} should be {expected:.6g}, but it is {got:.6g}."
    raise TypeError(f"cannot compare expected value of type {type(expected).__name__}")
