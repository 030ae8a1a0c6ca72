"""The probe runtime: run code under test on given inputs and return plain data only.

A probe *spec* is plain data (see `checker.suite` for the builders) and so is its result, so
the same runtime serves both places a probe runs:
  * in-process (self-study, `kata validate`): `run_probes(namespace, specs, filename)`;
  * in the sandbox child (course grading): `serve(request_bytes) -> result_bytes`.
This module must not import suites, references or anything learner-controlled.

Spec kinds:
  call     call a function: outputs, input mutation, forbidden hits, and (grad=True) input
           gradients through a seeded random projection of the outputs
  module   build a class, compare its structure, load a state_dict, run forward (+ grads)
  opcount  count dispatched aten ops of the same call at several input sizes
"""
from __future__ import annotations

import contextlib
import functools
import linecache
import sys
import threading
import traceback
import types
import warnings

import torch

from checker import wire
from checker.guards import CountOps, Forbid, ForbiddenCall, configure_determinism

# Only these torch.nn classes may be named by a "module" argument spec.
_BUILDABLE = {"Linear", "LayerNorm", "Embedding", "ReLU", "GELU", "Dropout", "Sequential", "Identity"}


# ---------------------------------------------------------------------------------------------
# Loading the code under test
# ---------------------------------------------------------------------------------------------

def _eager(model=None, **options):
    """torch.compile as probes see it: the function or module back, unchanged, with or without
    options (`@torch.compile`, `@torch.compile(mode=...)`, `torch.compile(model)`)."""
    if model is None:
        return lambda fn: fn
    return model


def _eager_module_compile(self, *args, **kwargs) -> None:
    """nn.Module.compile as probes see it: the module keeps running its own forward."""


_eager_lock = threading.Lock()
_eager_users = 0
_compilers: dict = {}


@contextlib.contextmanager
def eager_compile():
    """Learner code asking for torch.compile runs eagerly while this is active. Compiling would
    need a C++ toolchain, worker processes and seconds of CPU per kata that neither the sandbox
    nor a quick self-check has, and a correct program gives the same values either way.
    Counted, so that grading threads entering and leaving in any order restore the originals
    exactly once."""
    global _eager_users
    with _eager_lock:
        if _eager_users == 0:
            _compilers.update(compile=torch.compile, module_compile=torch.nn.Module.compile)
            torch.compile = functools.wraps(_compilers["compile"])(_eager)
            torch.nn.Module.compile = _eager_module_compile
        _eager_users += 1
    try:
        yield
    finally:
        with _eager_lock:
            _eager_users -= 1
            if _eager_users == 0:
                torch.compile = _compilers["compile"]
                torch.nn.Module.compile = _compilers["module_compile"]


def load_source(source: str, filename: str, module_name: str = "kata_under_test") -> types.ModuleType:
    """Execute a learner's file as a fresh module. Exceptions propagate to the caller."""
    module = types.ModuleType(module_name)
    module.__file__ = filename
    # Let tracebacks show the learner's lines even when the file is not on this disk.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    sys.modules[module_name] = module
    try:
        with eager_compile():
            exec(code, module.__dict__)
    finally:
        sys.modules.pop(module_name, None)
    return module


def describe_exception(exc: BaseException, filename: str | None) -> dict:
    """An exception as plain data, keeping only the learner's own frames."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if filename and f.filename == filename]
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        own = [traceback.FrameSummary(filename, exc.lineno or 0, "<module>", line=exc.text or "")]
    return {
        "type": type(exc).__name__,
        "mro": [c.__name__ for c in type(exc).__mro__],
        "message": str(exc)[:2000],
        "frames": [[f.filename, f.lineno, f.name, (f.line or "").strip()] for f in own[-8:]],
    }


# ---------------------------------------------------------------------------------------------
# Turning specs into live arguments, and results into plain data
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
        if kind == "transposed":      # same values, stored transposed: not contiguous
            return value["value"].mT.contiguous().to(device).mT
        if kind == "strided":         # same values, every other element of a wider buffer
            base = value["value"].to(device)
            wide = torch.zeros(*base.shape[:-1], base.shape[-1] * 2, dtype=base.dtype, device=device)
            wide[..., ::2] = base
            return wide[..., ::2]
        if kind == "param":           # a leaf that requires grad, with .grad preset
            p = value["value"].to(device, copy=True).requires_grad_(True)
            if value.get("grad") is not None:
                p.grad = value["grad"].to(device, copy=True)
            return p
        if kind == "nn":              # a small torch.nn model (for functions taking a module)
            return _build_nn(value, device)
        if kind == "dtype":
            return getattr(torch, value["name"])
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
        if cls_name in ("Linear", "LayerNorm", "Embedding"):
            kwargs.setdefault("device", device)
        layers.append(getattr(torch.nn, cls_name)(*args, **kwargs))
    model = torch.nn.Sequential(*layers)
    for name, p in model.named_parameters():
        if name in spec.get("frozen", ()):
            p.requires_grad_(False)
    return model


_MAX_ITEMS = 1000   # long enough for a loss trajectory, short enough to bound a reply


def describe(value, depth: int = 0):
    """A learner's return value as plain data. Unknown objects become their type's name only:
    the judge never calls a learner object's __eq__ or __repr__."""
    if depth > 4:
        return {"__out__": "object", "type": "deeply nested value"}
    if isinstance(value, torch.Tensor):
        return {
            "__out__": "tensor",
            "type": type(value).__name__ if type(value) is not torch.Tensor and not isinstance(value, torch.nn.Parameter) else "Tensor",
            "value": wire.plain_tensor(value) if value.device.type != "meta" else torch.empty(0),
            "dtype": wire.dtype_name(value.dtype),
            "shape": list(value.shape),
            "device": str(value.device),
            "requires_grad": bool(value.requires_grad),
            "grad_fn": type(value.grad_fn).__name__ if value.grad_fn is not None else None,
            "is_leaf": bool(value.is_leaf),
        }
    if isinstance(value, (tuple, list)):
        return {"__out__": type(value).__name__ if type(value) in (tuple, list) else "object",
                "items": [describe(v, depth + 1) for v in value[:_MAX_ITEMS]], "length": len(value)}
    if value is None or type(value) in (bool, int, float, str):
        return value
    return {"__out__": "object", "type": type(value).__name__}


def _tensors(value):
    """The tensors inside a (possibly nested) value, in order."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


def _snapshot(args) -> list:
    return [(t, t.detach().clone()) for t in _tensors(args)]


def _mutated(snapshot) -> list[int]:
    changed = []
    for position, (live, before) in enumerate(snapshot):
        with torch.no_grad():
            same = live.shape == before.shape and torch.equal(
                torch.nan_to_num(live.detach(), nan=0.0) if live.is_floating_point() else live.detach(),
                torch.nan_to_num(before, nan=0.0) if before.is_floating_point() else before)
        if not same:
            changed.append(position)
    return changed


def _param_state(t: torch.Tensor) -> dict:
    return {
        "value": wire.plain_tensor(t),
        "grad": wire.plain_tensor(t.grad) if t.grad is not None else None,
        "requires_grad": bool(t.requires_grad),
        "is_leaf": bool(t.is_leaf),
        "grad_fn": type(t.grad_fn).__name__ if t.grad_fn is not None else None,
    }


def projection(outputs, seed: int):
    """Fixed random weights per output tensor: the scalar sum(out * w) pulls a gradient
    through every output element, so one backward pass checks the whole Jacobian-vector."""
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(o.shape, generator=g, dtype=o.dtype).to(o.device) for o in outputs]


# ---------------------------------------------------------------------------------------------
# Running one spec
# ---------------------------------------------------------------------------------------------

class _Run:
    """Runs learner callables under the kata's guards and records what happened."""

    def __init__(self, forbidden, filename):
        self.forbidden = forbidden
        self.filename = filename

    def __call__(self, fn, *args, **kwargs):
        guard = Forbid(self.forbidden)
        try:
            # Warnings raised by learner code would only clutter reports (or flood them).
            with guard, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return True, fn(*args, **kwargs)
        except ForbiddenCall as exc:
            return False, {"forbidden": exc.name}
        except BaseException as exc:  # noqa: BLE001 - any learner exception is a result
            if any(c.__name__ == "OutcomeException" for c in type(exc).__mro__):
                raise  # pytest-timeout stopping a hung item in self-study: let pytest report it
            if guard.hits:  # the learner caught ForbiddenCall and carried on
                return False, {"forbidden": guard.hits[0]}
            return False, {"error": describe_exception(exc, self.filename)}


def _call(ns, spec, run) -> dict:
    fn = getattr(ns, spec["target"], None)
    if fn is None:
        return {"missing": spec["target"]}
    device = spec.get("device", "cpu")
    args = materialise(spec["args"], device)
    snapshot = _snapshot(args)
    if spec.get("seed") is not None:
        torch.manual_seed(spec["seed"])
    ok, out = run(fn, *args)
    if not ok:
        return out
    result = {"output": describe(out)}
    if spec.get("inplace"):
        result["after"] = [_param_state(t) for t in _tensors(args)]
    else:
        result["mutated"] = _mutated(snapshot)
    if spec.get("grad"):
        result.update(_grad_pass(fn, spec, run, device))
    return result


def _track_grads(value) -> list[torch.Tensor]:
    """The floating-point tensors inside `value`, switched to requires_grad: the inputs whose
    gradients a probe compares."""
    inputs = [t for t in _tensors(value) if t.is_floating_point() or t.is_complex()]
    for t in inputs:
        t.requires_grad_(True)
    return inputs


def _grad_pass(fn, spec, run, device) -> dict:
    args = materialise(spec["args"], device)
    inputs = _track_grads(args)
    if spec.get("seed") is not None:
        torch.manual_seed(spec["seed"])
    ok, out = run(fn, *args)
    if not ok:
        return {"grad_error": out}
    return _backward(_tensors(out), inputs, spec.get("projection_seed", 0))


def _backward(outputs, inputs, seed) -> dict:
    outputs = [o for o in outputs if o.is_floating_point()]
    if not outputs:
        return {"grads": None}
    disconnected = [i for i, o in enumerate(outputs) if not o.requires_grad]
    if disconnected:
        return {"disconnected": disconnected}
    weights = projection(outputs, seed)
    scalar = sum((o * w).sum() for o, w in zip(outputs, weights))
    grads = torch.autograd.grad(scalar, inputs, allow_unused=True)
    return {"grads": [wire.plain_tensor(g) if g is not None else None for g in grads]}


def _module(ns, spec, run) -> dict:
    cls = getattr(ns, spec["target"], None)
    if cls is None:
        return {"missing": spec["target"]}
    device = spec.get("device", "cpu")
    init_args = materialise(spec.get("init_args", []), device)
    init_kwargs = materialise(spec.get("init_kwargs", {}), device)
    if spec.get("seed") is not None:
        torch.manual_seed(spec["seed"])
    ok, module = run(cls, *init_args, **init_kwargs)
    if not ok:
        return module
    if not isinstance(module, torch.nn.Module):
        return {"not_module": type(module).__name__}
    module.to(device)
    state = module.state_dict()
    result = {
        "children": [[name, type(child).__name__] for name, child in module.named_children()],
        "state": {k: describe(v) for k, v in state.items()},
        "params": [[name, list(p.shape), bool(p.requires_grad)] for name, p in module.named_parameters()],
        "training": bool(module.training),
    }
    if spec.get("state_dict") is not None:
        try:
            module.load_state_dict(materialise(spec["state_dict"], device), strict=True)
        except Exception as exc:  # noqa: BLE001 - a wrong key set is a result, not a crash
            result["load_error"] = str(exc)[:2000]
            return result
    module.train(spec.get("train", True))
    if not spec.get("inputs"):
        return result
    inputs = materialise(spec["inputs"], device)
    snapshot = _snapshot(inputs)
    float_inputs = _track_grads(inputs) if spec.get("grad") else []
    if spec.get("forward_seed") is not None:
        torch.manual_seed(spec["forward_seed"])
    ok, out = run(module, *inputs)
    if not ok:
        result.update(out)
        return result
    result["output"] = describe(out)
    result["mutated"] = _mutated(snapshot)
    if spec.get("grad"):
        params = [p for _, p in module.named_parameters() if p.requires_grad]
        names = [n for n, p in module.named_parameters() if p.requires_grad]
        back = _backward(_tensors(out), params + float_inputs, spec.get("projection_seed", 0))
        if "grads" in back and back["grads"] is not None:
            grads = back.pop("grads")
            back["param_grads"] = dict(zip(names, grads[:len(names)]))
            back["grads"] = grads[len(names):]
        result.update(back)
    return result


def _opcount(ns, spec, run) -> dict:
    fn = getattr(ns, spec["target"], None)
    if fn is None:
        return {"missing": spec["target"]}
    counts = []
    for size_args in spec["sizes"]:
        args = materialise(size_args, "cpu")
        counter = CountOps()
        with torch.no_grad(), counter:
            ok, out = run(fn, *args)
        if not ok:
            return out
        counts.append(counter.count)
    return {"counts": counts}


_KINDS = {"call": _call, "module": _module, "opcount": _opcount}


def run_probes(ns, specs: list[dict], filename: str | None = None) -> list[dict]:
    """Run every spec against the namespace `ns` (a module). Returns one plain dict per spec."""
    configure_determinism()
    results = []
    with eager_compile():
        for spec in specs:
            run = _Run(spec.get("forbidden", ()), filename)
            try:
                results.append(_KINDS[spec["kind"]](ns, spec, run))
            except (ForbiddenCall, Exception) as exc:  # noqa: BLE001 - e.g. learner object broke describe()
                results.append({"error": describe_exception(exc, filename)})
    return results


def warm_up() -> None:
    """Exercise every probe kind once on a tiny trusted namespace. The fork server calls this
    before forking, so the torch modules these paths import lazily are loaded once, not per run."""
    ns = types.SimpleNamespace(double_sum=lambda x: (x * 2).sum(-1), Linear=torch.nn.Linear)
    banned = ["torch.gather", "torch.optim", "torch.nn.LayerNorm", "torch.func", "torch.autograd.grad"]
    specs = [
        {"kind": "call", "target": "double_sum", "args": [torch.ones(2, 2)], "grad": True, "seed": 0,
         "forbidden": banned},
        {"kind": "module", "target": "Linear", "init_args": [2, 2], "inputs": [torch.ones(1, 2)], "grad": True,
         "state_dict": {"weight": torch.ones(2, 2), "bias": torch.zeros(2)}},
        {"kind": "opcount", "target": "double_sum", "sizes": [[torch.ones(2, 2)], [torch.ones(4, 2)]]},
    ]
    wire.encode(run_probes(ns, specs, "warm-up"))


def serve(request: bytes) -> bytes:
    """Entry point of the sandbox child: decode a request, load the learner's source, run
    the probes, encode the results. Request fields: filename, source, specs, threads."""
    req = wire.decode(request)
    torch.set_num_threads(int(req.get("threads", 1)))
    try:
        ns = load_source(req["source"], req["filename"])
    except BaseException as exc:  # noqa: BLE001 - import failures are reported, not raised
        return wire.encode({"import_error": describe_exception(exc, req["filename"])})
    return wire.encode({"results": run_probes(ns, req["specs"], req["filename"])})
