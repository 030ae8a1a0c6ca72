"""The judge: compare a learner's probe results with the reference's and say, in words a beginner
can act on, what is wrong. Everything here reads plain data only, and every structural fact of a
learner's answer (lengths, item counts, keys, shapes, dtypes) is checked against the reference's
before any value is compared: a child that reports less cannot hide a wrong value.

Nothing here touches process-global state (no torch print options), so grading threads can share
it, and messages are built only for the case that fails.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from checker import argkinds
from checker.results import Status

# torch.testing.assert_close's own defaults, listed so messages can quote them.
TOLERANCES = {
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}
# A gap within this many tolerances is "rounding": a numerically different but sound order of
# operations, never a broken graph.
ROUNDING_FACTOR = 100


@dataclass
class Verdict:
    status: Status
    message: str


def fail(message: str, status: Status = Status.FAILED) -> Verdict:
    return Verdict(status, message)


class Malformed(ValueError):
    """The learner's answer lacks the structure of the reference's (a forged or broken reply)."""


# ---------------------------------------------------------------------------------------------
# Printing values
# ---------------------------------------------------------------------------------------------

_EDGE, _THRESHOLD = 2, 24


def format_number(x, digits: int = 4) -> str:
    if isinstance(x, bool) or isinstance(x, int):
        return str(x)
    if isinstance(x, complex):
        return f"({format_number(x.real, digits)}{'+' if x.imag >= 0 else '-'}{format_number(abs(x.imag), digits)}j)"
    text = f"{x:.{digits}g}"
    if text.lstrip("-").isdigit():
        text += "."
    return text


def distinguishing_digits(a, b, least: int = 4, most: int = 17) -> int:
    """The fewest significant digits (at least `least`) at which a and b print differently."""
    for digits in range(least, most + 1):
        if format_number(a, digits) != format_number(b, digits):
            return digits
    return most


def _nested(t: torch.Tensor, digits: int, summarise: bool, indent: int) -> str:
    if t.dim() == 0:
        return format_number(t.item(), digits)
    n = t.shape[0]
    rows = list(range(_EDGE)) + [None] + list(range(n - _EDGE, n)) if summarise and n > 2 * _EDGE else range(n)
    parts = ["..." if i is None else _nested(t[i], digits, summarise, indent + 1) for i in rows]
    separator = ", " if t.dim() == 1 else ",\n" + " " * indent
    return "[" + separator.join(parts) + "]"


def show_tensor(t: torch.Tensor, digits: int = 4, column: int = 0) -> str:
    """A tensor as `tensor([...])`, written here rather than by Tensor.__repr__, whose print
    options are global to the process (two grading threads would garble each other's text).
    column: where the text starts on its line, so nested rows line up under the first one."""
    t = t.detach().cpu()
    summarise = t.numel() > _THRESHOLD
    body = _nested(t, digits, summarise, column + len("tensor(["))
    extra = []
    if t.dtype not in (torch.float32, torch.int64, torch.bool):
        extra.append(f"dtype={t.dtype}")
    if t.numel() == 0:
        extra.append(f"size={tuple(t.shape)}")
    return "tensor(" + ", ".join([body] + extra) + ")"


def spec_summary(value) -> str:
    return argkinds.summary(value)


def show_value(value, column: int = 0) -> str:
    if isinstance(value, torch.Tensor):
        return show_tensor(value, column=column)
    if isinstance(value, dict) and value.get("__arg__") in ("nn", "dtype", "generator", "device", "meta"):
        frozen = value.get("frozen")
        return argkinds.summary(value) + (f"  # frozen: {', '.join(frozen)}" if frozen else "")
    if isinstance(value, dict) and "__arg__" in value and "value" in value:
        return show_value(value["value"], column) + ("  # non-contiguous" if argkinds.is_non_contiguous(value) else "")
    if isinstance(value, (list, tuple, dict)) and argkinds.tensor_leaves(value, ""):
        return argkinds.summary(value)
    return repr(value)


def format_call(name: str, argnames, args) -> str:
    parts = [f"{n}={argkinds.summary(a)}" for n, a in zip(argnames, args)]
    return f"{name}({', '.join(parts)})"


def _input_lines(name: str, value, column: int) -> list[tuple[str, str]]:
    """One (label, text) per argument; a list or tuple of tensors gets a line per item, and a
    leaf with a preset .grad shows that gradient too (what an in-place update starts from)."""
    if isinstance(value, (list, tuple)) and value and all(argkinds.tensor_leaves(v, "") for v in value):
        return [line for i, v in enumerate(value) for line in _input_lines(f"{name}[{i}]", v, column)]
    if isinstance(value, dict) and value.get("__arg__") == "param":
        grad = value.get("grad")
        return [(name, show_value(value["value"], column) + "  # leaf, requires_grad"),
                (f"{name}.grad", show_tensor(grad, column=column) if grad is not None else "None")]
    return [(name, show_value(value, column))]


def format_inputs(argnames, args) -> str:
    width = max((len(label) for n, a in zip(argnames, args) for label, _ in _input_lines(n, a, 0)), default=0)
    column = 4 + width + 3            # "    <label> = "
    lines = [line for n, a in zip(argnames, args) for line in _input_lines(n, a, column)]
    return "\n".join(f"    {label.ljust(width)} = {text}" for label, text in lines)


def format_error(err: dict) -> str:
    lines = []
    for frame in err.get("frames", []):
        filename, lineno, func, text = frame
        lines.append(f'  File "{filename}", line {lineno}, in {func}')
        if text:
            lines.append(f"    {text}")
    lines.append(f"{err.get('type', 'Exception')}: {err.get('message', '')}".rstrip(": "))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Comparing tensors
# ---------------------------------------------------------------------------------------------

def tolerances(dtype_name: str, rtol=None, atol=None) -> tuple[float, float]:
    default_rtol, default_atol = TOLERANCES.get(dtype_name, (0.0, 0.0))
    return (default_rtol if rtol is None else rtol), (default_atol if atol is None else atol)


def _elementwise_close(actual: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float) -> torch.Tensor:
    if expected.is_floating_point() or expected.is_complex():
        return torch.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    return actual == expected


def close(actual: torch.Tensor, expected: torch.Tensor, rtol=None, atol=None) -> bool:
    """torch.testing.assert_close's rule as a yes/no, without its heavy first-call imports:
    same shape and dtype, then |actual - expected| <= atol + rtol * |expected| elementwise
    (NaN equals NaN; infinities must match), exact equality for integers and bools."""
    if rtol is None or atol is None:
        rtol, atol = tolerances(str(expected.dtype).removeprefix("torch."), rtol, atol)
    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        return False
    return bool(_elementwise_close(actual, expected, rtol, atol).all())


def _gap_report(expected: torch.Tensor, got: torch.Tensor, rtol: float, atol: float) -> tuple[str, int]:
    ok = _elementwise_close(got, expected, rtol, atol)
    bad = (~ok).nonzero()
    first = tuple(int(i) for i in bad[0]) if len(bad) else ()
    exp_v, got_v = expected[first].item(), got[first].item()
    digits = distinguishing_digits(exp_v, got_v)
    where = f"at index {first}" if first else ""
    gap = ""
    if isinstance(exp_v, (float, int)) and isinstance(got_v, (float, int)) and not isinstance(exp_v, bool):
        absolute = abs(got_v - exp_v) if math.isfinite(got_v) and math.isfinite(exp_v) else math.inf
        relative = absolute / abs(exp_v) if exp_v else math.inf
        gap = f" (gap {absolute:.2g}, relative {relative:.2g})"
    text = (f"first mismatch {where}: expected {format_number(exp_v, digits)}, got {format_number(got_v, digits)}"
            f"{gap}; {len(bad)} of {expected.numel()} elements differ (tolerance rtol={rtol:g}, atol={atol:g})")
    return text.replace("mismatch :", "mismatch:"), min(max(digits, 4), 10)


def beyond_rounding(expected: torch.Tensor, got: torch.Tensor, rtol: float, atol: float) -> bool:
    """True when the gap is larger than a sound but differently ordered computation gives."""
    if expected.shape != got.shape or not (expected.is_floating_point() or expected.is_complex()):
        return True
    return not bool(_elementwise_close(got.to(expected.dtype), expected,
                                       rtol * ROUNDING_FACTOR, atol * ROUNDING_FACTOR).all())


def _is_tensor_desc(desc) -> bool:
    return isinstance(desc, dict) and desc.get("__out__") == "tensor" and isinstance(desc.get("value"), torch.Tensor)


def compare_tensor(expected: dict, got, where: str, rtol=None, atol=None) -> str | None:
    if not _is_tensor_desc(got):
        return f"{where} should be a tensor {expected['dtype']}{expected['shape']}, but it is {_kind(got)}."
    if got.get("type") != "Tensor":
        return f"{where} is a {got.get('type')} (a tensor subclass); return a plain torch.Tensor."
    got_t, exp_t = got["value"], expected["value"]
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
    if expected["device"] == "meta" or got_t.device.type == "meta":
        return None
    # The described shape and dtype are the child's claims: check the tensor itself agrees.
    if list(got_t.shape) != list(exp_t.shape) or got_t.dtype != exp_t.dtype:
        raise Malformed(f"{where}: the reported tensor does not match its own description")
    rtol, atol = tolerances(expected["dtype"], rtol, atol)
    if close(got_t, exp_t, rtol, atol):
        return None
    report, digits = _gap_report(exp_t, got_t, rtol, atol)
    return (f"{where} has the wrong values.\n"
            f"  expected: {show_tensor(exp_t, digits, column=12)}\n"
            f"  got:      {show_tensor(got_t, digits, column=12)}\n"
            f"  {report}")


def raw(tensor: torch.Tensor) -> dict:
    """A bare tensor (a gradient, say) in the described form compare() takes."""
    if not isinstance(tensor, torch.Tensor):
        raise Malformed("a tensor was expected in the reply")
    return {"__out__": "tensor", "type": "Tensor", "value": tensor, "dtype": str(tensor.dtype).removeprefix("torch."),
            "shape": list(tensor.shape), "device": "", "requires_grad": False, "grad_fn": None, "is_leaf": True}


# ---------------------------------------------------------------------------------------------
# Comparing any described output
# ---------------------------------------------------------------------------------------------

def _kind(desc) -> str:
    if isinstance(desc, dict) and "__out__" in desc:
        out = desc["__out__"]
        if out == "tensor":
            return f"a tensor {desc.get('dtype')}{desc.get('shape')}"
        if out in ("tuple", "list"):
            return f"a {out} of {desc.get('length')}"
        if out == "dict":
            return f"a dict with keys {sorted(desc.get('items', {}))}"
        return f"a {desc.get('type')} object"
    if desc is None:
        return "None"
    return f"a Python {type(desc).__name__} ({desc!r})"


def _count(n) -> str:
    return f"{n} value" if n == 1 else f"{n} values"


def _items(desc, kind: str) -> list | dict:
    """The items of a described container, after checking they are all there."""
    items = desc.get("items")
    if kind == "dict":
        if not isinstance(items, dict):
            raise Malformed("a dict reply without its items")
        return items
    if not isinstance(items, list) or desc.get("length") != len(items):
        raise Malformed("a sequence reply whose items do not match its length")
    return items


def compare(expected, got, where: str = "the result", rtol=None, atol=None, names=None) -> str | None:
    """None when `got` matches `expected` (both described outputs), else what is wrong."""
    if isinstance(expected, dict) and expected.get("__out__") == "tensor":
        return compare_tensor(expected, got, where, rtol, atol)
    if isinstance(expected, dict) and expected.get("__out__") in ("tuple", "list"):
        kind = expected["__out__"]
        if not (isinstance(got, dict) and got.get("__out__") == kind):
            return f"{where} should be a {kind} of {_count(expected['length'])}, but it is {_kind(got)}."
        exp_items, got_items = _items(expected, kind), _items(got, kind)
        if len(got_items) != len(exp_items):
            return f"{where} should hold {_count(len(exp_items))}, but it holds {got['length']}."
        for i, (e, g) in enumerate(zip(exp_items, got_items)):
            label = names[i] if names and i < len(names) else f"{where}[{i}]"
            problem = compare(e, g, label, rtol, atol)
            if problem:
                return problem
        return None
    if isinstance(expected, dict) and expected.get("__out__") == "dict":
        if not (isinstance(got, dict) and got.get("__out__") == "dict"):
            return f"{where} should be a dict with keys {sorted(expected['items'])}, but it is {_kind(got)}."
        exp_items, got_items = _items(expected, "dict"), _items(got, "dict")
        if list(exp_items) != list(got_items):
            missing = [k for k in exp_items if k not in got_items]
            extra = [k for k in got_items if k not in exp_items]
            detail = (f"; missing {missing}" if missing else "") + (f"; unexpected {extra}" if extra else "")
            return f"{where} should have the keys {list(exp_items)}, in that order, but has {list(got_items)}{detail}."
        for key in exp_items:
            problem = compare(exp_items[key], got_items[key], f"{where}[{key!r}]", rtol, atol)
            if problem:
                return problem
        return None
    if isinstance(expected, dict) and expected.get("__out__") == "object":
        if isinstance(got, dict) and got.get("__out__") == "object" and got.get("type") == expected.get("type"):
            return None
        return f"{where} should be a {expected.get('type')} object, but it is {_kind(got)}."
    if expected is None:
        return None if got is None else f"{where} should be None, but it is {_kind(got)}."
    if isinstance(expected, (bool, str)):
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
        digits = distinguishing_digits(expected, got)
        return (f"{where} should be {format_number(expected, digits)}, but it is {format_number(got, digits)} "
                f"(gap {abs(got - expected):.2g}).")
    raise TypeError(f"cannot compare expected value of type {type(expected).__name__}")


# ---------------------------------------------------------------------------------------------
# Verdicts that need no reference
# ---------------------------------------------------------------------------------------------

# Errors whose usual cause a beginner cannot guess from the message alone.
_TARGETED = (
    (("has no attribute '_modules'", "has no attribute '_parameters'", "has no attribute '_buffers'",
      "before Module.__init__() call"),
     "An nn.Module subclass must call super().__init__() at the start of its __init__, before it "
     "assigns any layer or parameter."),
    (("mat1 and mat2 shapes cannot be multiplied",),
     "Check the weight's orientation: nn.Linear stores weight as (out_features, in_features), so the "
     "forward is x @ weight.T."),
    (("Trying to backward through the graph a second time",),
     "A graph is freed by its first backward(); build a new one (run the forward again) for each backward."),
)


def targeted_hint(err: dict) -> str:
    message = str(err.get("message", ""))
    for needles, hint in _TARGETED:
        if any(needle in message for needle in needles):
            return "\n  " + hint
    return ""


# What a graded name still left as the stub's placeholder is told.
NOT_IMPLEMENTED_YET = "not implemented yet"


def is_stub_placeholder(err: dict) -> bool:
    """The stub's own `raise NotImplementedError(...)` (or a bare one), not a NotImplementedError
    that torch raises for an unsupported operation, which is a real error to report."""
    message = str(err.get("message", ""))
    return "NotImplementedError" in err.get("mro", []) and (not message or "is not implemented yet" in message)


def common_verdict(name: str, got, context: str = "") -> Verdict | None:
    """Outcomes that need no reference: missing names, forbidden calls, exceptions."""
    if not isinstance(got, dict):
        raise Malformed("a probe reply that is not a dict")
    if got.get("grad_mode_changed"):
        return fail(f"{name} returned{context} with autograd's grad mode switched, so every later forward "
                    f"pass in the program would behave differently. Switch it only inside `with torch.no_grad():` "
                    f"(or inference_mode), which restores it even when an exception is raised.")
    if "missing" in got:
        return fail(f"{name} is not defined in your file: keep the name from the stub.", Status.ERROR)
    if "not_module" in got:
        return fail(f"{name}(...) did not build an nn.Module (got {got['not_module']}).")
    if "forbidden" in got:
        return fail(f"{name} called {got['forbidden']}, which this kata forbids. "
                    f"The point is to build it yourself from simpler operations.", Status.FORBIDDEN)
    for key in ("error", "grad_error"):
        err = got.get(key)
        if isinstance(err, dict) and "forbidden" in err:
            return common_verdict(name, err, context)
        if isinstance(err, dict) and "type" in err:
            mro = err.get("mro", [])
            if is_stub_placeholder(err):
                return fail(NOT_IMPLEMENTED_YET, Status.NOT_IMPLEMENTED)
            if "KataTimeout" in mro:
                return fail(f"{name} did not finish within the time limit{context}: look for an endless loop.",
                            Status.TIMEOUT)
            if "MemoryError" in mro or "can't allocate memory" in str(err.get("message", "")):
                return fail(f"{name} ran out of memory{context}.\n{format_error(err)}", Status.MEMORY)
            if key == "grad_error":
                continue   # judged after the output and input checks, by compare_grads
            return fail(f"{name} raised an exception{context}:\n{format_error(err)}{targeted_hint(err)}",
                        Status.ERROR)
    return None


# ---------------------------------------------------------------------------------------------
# Gradients, in-place updates and module structure
# ---------------------------------------------------------------------------------------------

def compare_grads(exp: dict, res: dict, labels: list[str], rtol, atol) -> str | None:
    """Input gradients. labels name the reference's gradient list entries, in order."""
    if "grads" not in exp and "disconnected" not in exp:
        return None
    if "disconnected" in res and "disconnected" not in exp:
        return ("the result is not connected to the autograd graph, so no gradient can flow back. "
                "Avoid .detach(), .item(), .numpy(), torch.tensor(...) on intermediate values "
                "and in-place writes into fresh tensors.")
    grad_error = res.get("grad_error")
    if grad_error is not None:
        return "computing gradients through your result raised an exception:\n" + format_error(grad_error) \
            if isinstance(grad_error, dict) and "type" in grad_error else "computing gradients through your result failed."
    exp_grads, got_grads = exp.get("grads") or [], res.get("grads")
    if exp_grads and not isinstance(got_grads, list):
        return "no gradient could be computed through your result."
    got_grads = got_grads or []
    if len(got_grads) != len(exp_grads):
        raise Malformed("a reply with a different number of gradients than inputs")
    for i, (e, g) in enumerate(zip(exp_grads, got_grads)):
        label = labels[i] if i < len(labels) else f"input {i}"
        if e is None:
            continue
        if g is None:
            return f"no gradient reaches {label}: the result does not depend on it through autograd."
        problem = compare_tensor(raw(e), raw(g), f"the gradient with respect to {label}", rtol, atol)
        if not problem:
            continue
        if g.shape == e.shape and not bool(torch.isfinite(g).all()) and bool(torch.isfinite(e).all()):
            return problem + ("\n  (the values were right but the gradient is not finite: look for a "
                              "division by zero or a sqrt/log of zero that torch.where or nan_to_num hides)")
        r, a = tolerances(str(e.dtype).removeprefix("torch."), rtol, atol)
        if beyond_rounding(e, g, r, a):
            return problem + "\n  (the values were right, so look for a step that breaks or reshapes the graph)"
        return problem + ("\n  (the values were right and this gap is small, near float rounding: look for a "
                          "less stable order of operations, such as subtracting two large numbers)")
    return None


def compare_after(exp_after, got_after, labels, rtol, atol, context: str = "") -> str | None:
    """The state of in-place updated tensors (e.g. parameters after an optimiser step)."""
    if not isinstance(got_after, list) or len(got_after) != len(exp_after):
        raise Malformed("an in-place reply that does not list every tensor")
    for i, (e, g) in enumerate(zip(exp_after, got_after)):
        label = labels[i] if i < len(labels) else f"tensor {i}"
        if not isinstance(g, dict) or set(g) != set(e):
            raise Malformed("an in-place reply with missing fields")
        if not g["is_leaf"] or g["grad_fn"]:
            return (f"{label} is no longer a leaf tensor (grad_fn={g['grad_fn']}): the update was "
                    f"recorded in the graph. Do it under torch.no_grad().")
        if g["requires_grad"] != e["requires_grad"]:
            return f"{label} has requires_grad={g['requires_grad']}; it should stay {e['requires_grad']}."
        problem = compare_tensor(raw(e["value"]), raw(g["value"]), f"{label} after the call", rtol, atol)
        if problem:
            return problem + context
        if e["grad"] is not None and g["grad"] is None:
            return (f"{label}.grad is None after the call, but it should be a tensor; to clear a gradient, "
                    f"zero it in place (p.grad.zero_()) rather than setting it to None.")
        if e["grad"] is not None:
            problem = compare_tensor(raw(e["grad"]), raw(g["grad"]), f"{label}.grad after the call", rtol, atol)
            if problem:
                return problem + context
        elif g["grad"] is not None:
            return f"{label} had no .grad, so it should have been skipped, but now it has one."
    return None


def compare_structure(exp: dict, res: dict, children, compare_init: bool, attributes=()) -> str | None:
    """A module's state_dict keys and shapes, submodule types, requires_grad flags and attributes."""
    exp_state, got_state = exp["state"], res.get("state")
    if not isinstance(got_state, dict):
        raise Malformed("a module reply without its state_dict")
    exp_keys, got_keys = list(exp_state), list(got_state)
    if sorted(exp_keys) != sorted(got_keys):
        missing = [k for k in exp_keys if k not in got_keys]
        extra = [k for k in got_keys if k not in exp_keys]
        plain = [k for k in missing if k in (res.get("plain_tensors") or [])]
        if plain:
            one = len(plain) == 1
            return (f"{', '.join(plain)} {'is a plain tensor attribute' if one else 'are plain tensor attributes'}, "
                    f"so {'it is' if one else 'they are'} not registered: missing from state_dict() and parameters(). "
                    f"Wrap learnable tensors in nn.Parameter(...) (or use register_buffer for fixed ones).")
        return (f"the state_dict keys are wrong: expected {exp_keys}, got {got_keys}"
                + (f"; missing {missing}" if missing else "") + (f"; unexpected {extra}" if extra else "")
                + ". Attribute names become state_dict keys, so they must match.")
    for key in exp_keys:
        if not _is_tensor_desc(got_state[key]) and exp["state"][key].get("__out__") == "tensor":
            raise Malformed("a state_dict entry that is not a described tensor")
        if exp_state[key]["shape"] != got_state[key]["shape"]:
            return (f"state_dict entry {key} has shape {tuple(got_state[key]['shape'])}, "
                    f"but it should have shape {tuple(exp_state[key]['shape'])}.")
        if compare_init:
            problem = compare(exp_state[key], got_state[key], f"the initial value of {key}")
            if problem:
                return problem
    got_children = dict(res.get("children") or [])
    for child, type_name in (children or {}).items():
        if got_children.get(child) != type_name:
            return f"submodule `{child}` should be a {type_name}, but it is {got_children.get(child, 'nothing')}."
    got_params = {n: rg for n, _, rg in res.get("params") or []}
    for n, _, rg in exp["params"]:
        if got_params.get(n) != rg:
            return f"parameter {n} should have requires_grad={rg}."
    exp_attrs, got_attrs = exp.get("attributes") or {}, res.get("attributes") or {}
    for attr in attributes:
        if attr not in got_attrs:
            raise Malformed("a module reply without a requested attribute")
        problem = compare(exp_attrs[attr], got_attrs[attr], f"the attribute {attr}")
        if problem:
            return problem
    return None
