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
import io
import linecache
import sys
import threading
import traceback
import types
import warnings

import torch

from checker import cellmap, wire
from checker.argkinds import materialise
from checker.guards import CountOps, Forbid, ForbiddenCall, KataTimeout, configure_determinism


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


def load_source(source: str, filename: str, module_name: str = "kata_under_test",
                given: str | None = None) -> types.ModuleType:
    """Execute a learner's file as a fresh module, then the kata's given code (the stub's own
    helpers and drivers) over it, so an edited helper cannot change what it reports.
    Exceptions propagate to the caller."""
    module = types.ModuleType(module_name)
    module.__file__ = filename
    # Let tracebacks show the learner's lines even when the file is not on this disk.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    sys.modules[module_name] = module
    try:
        with eager_compile():   # `@torch.compile` at import time
            exec(code, module.__dict__)
            if given:
                exec(compile(given, f"{filename} (given code)", "exec"), module.__dict__)
    finally:
        sys.modules.pop(module_name, None)
    return module


def describe_exception(exc: BaseException, filename: str | None) -> dict:
    """An exception as plain data, keeping only the learner's own frames."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if filename and f.filename == filename]
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        own = [traceback.FrameSummary(filename, exc.lineno or 0, "<module>", line=exc.text or "")]
    # Code lifted from a notebook names the cell each line came from (checker.cellmap).
    lines = linecache.getlines(filename) if filename else []
    message = str(exc)
    if isinstance(exc, SyntaxError) and own and cellmap.relocate(filename, own[0].lineno, lines)[0] != filename:
        message = exc.msg   # its "(file, line N)" suffix would name the lifted module's line
    return {
        "type": type(exc).__name__,
        "mro": [c.__name__ for c in type(exc).__mro__],
        "message": message[:2000],
        "frames": [[*cellmap.relocate(f.filename, f.lineno or 0, lines), f.name, (f.line or "").strip()]
                   for f in own[-8:]],
    }


# ---------------------------------------------------------------------------------------------
# Turning results into plain data
# ---------------------------------------------------------------------------------------------

_MAX_ITEMS = 1000   # long enough for a loss trajectory, short enough to bound a reply


def describe(value, depth: int = 0):
    """A learner's return value as plain data. Unknown objects become their type's name only:
    the judge never calls a learner object's __eq__ or __repr__."""
    if depth > 4:
        return {"__out__": "object", "type": "deeply nested value"}
    if isinstance(value, torch.Tensor):
        plain_class = type(value) is torch.Tensor or isinstance(value, torch.nn.Parameter)
        return {
            "__out__": "tensor",
            "type": "Tensor" if plain_class else type(value).__name__,
            "value": wire.plain_tensor(value) if value.device.type != "meta" else torch.empty(0),
            "dtype": wire.dtype_name(value.dtype),
            "shape": list(value.shape),
            "device": str(value.device),
            "requires_grad": bool(value.requires_grad),
            "grad_fn": type(value.grad_fn).__name__ if value.grad_fn is not None else None,
            "is_leaf": bool(value.is_leaf),
        }
    if type(value) in (tuple, list):
        return {"__out__": type(value).__name__, "items": [describe(v, depth + 1) for v in value[:_MAX_ITEMS]],
                "length": len(value)}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"__out__": "dict", "items": {k: describe(v, depth + 1) for k, v in list(value.items())[:_MAX_ITEMS]}}
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, torch.dtype):
        return {"__out__": "object", "type": f"torch.{wire.dtype_name(value)}"}
    if isinstance(value, torch.device):
        return {"__out__": "object", "type": f"device {value}"}
    if isinstance(value, torch.Size):
        return describe(tuple(value), depth)
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
    return [(t, t.detach().clone()) for t in _tensors(args) if t.device.type != "meta"]


# In a mutation record, beside tensor positions: a list or dict argument was changed.
CONTAINER_CHANGED = "container"


def _layout(value):
    """The containers in a value, with the very objects they hold (kept alive here, so that a
    replaced item can never share an id with its successor): adding, removing or replacing an
    item of a list or dict argument shows as a different layout."""
    if isinstance(value, dict):
        return (dict, [(k, v, _layout(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value), [(i, v, _layout(v)) for i, v in enumerate(value)])
    return None


def _same_layout(before, value) -> bool:
    if before is None:
        return True
    kind, items = before
    now = list(value.items()) if isinstance(value, dict) else list(enumerate(value)) \
        if isinstance(value, (list, tuple)) else None
    if type(value) is not kind or now is None or len(now) != len(items):
        return False
    return all(k == k2 and v is v2 and _same_layout(inner, v2) for (k, v, inner), (k2, v2) in zip(items, now))


def _mutation_record(snapshot, layout, args) -> list:
    """Tensor positions changed in place, and CONTAINER_CHANGED if a list or dict was."""
    return _mutated(snapshot) + ([] if _same_layout(layout, args) else [CONTAINER_CHANGED])


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


def _shares_memory(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.device != b.device or a.device.type == "meta" or a.numel() == 0 or b.numel() == 0:
        return False   # empty tensors all report the same null data pointer
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def _aliases(outputs, inputs) -> list[list[int]]:
    """[output index, input index or -1 for another output] for every output tensor that shares
    memory with an input or with an earlier output: specs that promise new tensors check it."""
    found = []
    for i, out in enumerate(outputs):
        for j, inp in enumerate(inputs):
            if _shares_memory(out, inp):
                found.append([i, j])
        if any(_shares_memory(out, earlier) for earlier in outputs[:i]):
            found.append([i, -1])
    return found


def _param_state(t: torch.Tensor) -> dict:
    # A non-leaf's .grad is always None unless retained, and reading it warns (an error
    # under `pytest -W error`): ask only where it can hold something.
    grad = t.grad if t.is_leaf or t.retains_grad else None
    return {
        "value": wire.plain_tensor(t),
        "grad": wire.plain_tensor(grad) if grad is not None else None,
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

#: The graded name whose probe is running: a time limit that stops the run can name it.
current_target: list[str] = [""]


class GuardedCall:
    """Calls learner code under the kata's guards and turns what happens into plain data."""

    def __init__(self, forbidden, filename):
        self.forbidden = forbidden
        self.filename = filename
        self.changed_grad_mode = False   # some call returned with autograd's grad mode flipped

    def __call__(self, fn, *args, **kwargs):
        guard = Forbid(self.forbidden)
        grad_mode = torch.is_grad_enabled()
        try:
            # Warnings raised by learner code would only clutter reports (or flood them).
            with guard, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return True, fn(*args, **kwargs)
        except ForbiddenCall as exc:
            return False, {"forbidden": exc.name}
        except BaseException as exc:  # noqa: BLE001 - any learner exception is a result
            if isinstance(exc, KataTimeout) or any(c.__name__ == "OutcomeException" for c in type(exc).__mro__):
                raise  # a time limit stopping a hung name: the executor reports it
            if guard.hits:  # the learner caught ForbiddenCall and carried on
                return False, {"forbidden": guard.hits[0]}
            return False, {"error": describe_exception(exc, self.filename)}
        finally:
            # Learner code that leaves grad mode off must not change how later probes (or katas)
            # run: note it, and restore it. The C call bypasses the forbidden-call guard.
            if torch.is_grad_enabled() != grad_mode:
                self.changed_grad_mode = True
                torch._C._set_grad_enabled(grad_mode)


def _call(ns, spec, run) -> dict:
    fn = getattr(ns, spec["target"], None)
    if fn is None:
        return {"missing": spec["target"]}
    device = spec.get("device", "cpu")
    args = materialise(spec["args"], device)
    snapshot, layout = _snapshot(args), _layout(args)
    if spec.get("seed") is not None:
        torch.manual_seed(spec["seed"])
    ok, out = run(fn, *args)
    if not ok:
        return out
    result = {"output": describe(out)}
    if spec.get("inplace"):
        result["after"] = [_param_state(t) for t in _tensors(args)]
    else:
        result["mutated"] = _mutation_record(snapshot, layout, args)
    if spec.get("aliases"):
        result["aliases"] = _aliases(_tensors(out), _tensors(args))
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
        return {"grad_error": out.get("error", out)}
    return _backward(_tensors(out), inputs, spec.get("projection_seed", 0), run)


def _backward(outputs, inputs, seed, run) -> dict:
    outputs = [o for o in outputs if o.is_floating_point()]
    if not outputs:
        return {"grads": None}
    disconnected = [i for i, o in enumerate(outputs) if not o.requires_grad]
    if disconnected:
        return {"disconnected": disconnected}
    weights = projection(outputs, seed)
    scalar = sum((o * w).sum() for o, w in zip(outputs, weights))
    # The backward pass is the harness's own autograd call (allowed even where the kata forbids
    # autograd), but it runs learner code too (custom Functions, hooks): report what it raises.
    ok, grads = GuardedCall((), run.filename)(torch.autograd.grad, scalar, inputs, allow_unused=True)
    if not ok:
        return {"grad_error": grads.get("error", grads)}
    return {"grads": [wire.plain_tensor(g) if g is not None else None for g in grads]}


def _build_module(ns, spec, run, device):
    cls = getattr(ns, spec["target"], None)
    if cls is None:
        return False, {"missing": spec["target"]}
    init_args = materialise(spec.get("init_args", []), device)
    init_kwargs = materialise(spec.get("init_kwargs", {}), device)
    if spec.get("seed") is not None:
        torch.manual_seed(spec["seed"])
    ok, module = run(cls, *init_args, **init_kwargs)
    if not ok:
        return False, module
    if not isinstance(module, torch.nn.Module):
        return False, {"not_module": type(module).__name__}
    module.to(device)
    return True, module


def _module(ns, spec, run) -> dict:
    device = spec.get("device", "cpu")
    ok, module = _build_module(ns, spec, run, device)
    if not ok:
        return module
    state = module.state_dict()
    result = {
        "children": [[name, type(child).__name__] for name, child in module.named_children()],
        "state": {k: describe(v) for k, v in state.items()},
        "params": [[name, list(p.shape), bool(p.requires_grad)] for name, p in module.named_parameters()],
        "training": bool(module.training),
        # Tensors assigned as plain attributes are invisible to state_dict() and parameters().
        "plain_tensors": [k for k, v in vars(module).items()
                          if isinstance(v, torch.Tensor) and not isinstance(v, torch.nn.Parameter)],
        "attributes": {a: describe(getattr(module, a, None)) for a in spec.get("attributes", ())},
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
    snapshot, layout = _snapshot(inputs), _layout(inputs)
    float_inputs = _track_grads(inputs) if spec.get("grad") else []
    if spec.get("forward_seed") is not None:
        torch.manual_seed(spec["forward_seed"])
    ok, out = run(module, *inputs)
    if not ok:
        result.update(out)
        return result
    result["output"] = describe(out)
    result["mutated"] = _mutation_record(snapshot, layout, inputs)
    if spec.get("grad"):
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        back = _backward(_tensors(out), [p for _, p in named] + float_inputs, spec.get("projection_seed", 0), run)
        if back.get("grads") is not None:
            grads = back.pop("grads")
            back["param_grads"] = dict(zip([n for n, _ in named], grads[:len(named)]))
            back["grads"] = grads[len(named):]
        result.update(back)
    return result


def _opcount(ns, spec, run) -> dict:
    """Dispatched-op counts of the same call (or module forward) at several input sizes."""
    counts = []
    for variant in spec["sizes"]:
        if spec.get("module"):
            ok, module = _build_module(ns, dict(spec, **variant), run, "cpu")
            if not ok:
                return module
            module.train(variant.get("train", False))
            fn, args = module, materialise(variant["inputs"], "cpu")
        else:
            fn = getattr(ns, spec["target"], None)
            if fn is None:
                return {"missing": spec["target"]}
            args = materialise(variant, "cpu")
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
            current_target[0] = spec.get("target", "")
            run = GuardedCall(spec.get("forbidden", ()), filename)
            try:
                results.append(_KINDS[spec["kind"]](ns, spec, run))
            except (ForbiddenCall, Exception) as exc:  # noqa: BLE001 - e.g. learner object broke describe()
                results.append({"error": describe_exception(exc, filename)})
            if run.changed_grad_mode and isinstance(results[-1], dict):
                results[-1]["grad_mode_changed"] = True
    current_target[0] = ""
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
        {"kind": "opcount", "target": "Linear", "module": True,
         "sizes": [{"init_args": [2, 2], "inputs": [torch.ones(1, 2)]}]},
    ]
    wire.encode(run_probes(ns, specs, "warm-up"))
    _warm_training_paths()


def _warm_training_paths() -> None:
    """Walk a tiny training loop (optimizers, a scheduler, clipping, hooks, a checkpoint round
    trip, a DataLoader, as the workflow katas use them), so that what their first use loads
    lazily is loaded here once, not in every run."""
    model = torch.nn.Linear(2, 1)
    handle = model.register_forward_hook(lambda module, args, out: None)
    for optimizer in (torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                      torch.optim.Adam(model.parameters(), lr=0.1)):
        schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
        model(torch.ones(4, 2)).sum().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    handle.remove()
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, buffer)
    buffer.seek(0)
    torch.load(buffer)
    data = torch.utils.data.TensorDataset(torch.ones(4, 2), torch.zeros(4))
    for _ in torch.utils.data.DataLoader(data, batch_size=2, shuffle=True):
        pass
    # The first operation on the meta device loads torch's meta kernels (about 0.3 s), which
    # the katas about shapes and memory use to run huge models without their memory.
    on_meta = model.to("meta")
    on_meta(torch.ones(4, 2, device="meta")).sum().backward()
    torch.nn.utils.clip_grad_norm_(on_meta.parameters(), 1.0)


def serve(request: bytes) -> bytes:
    """Entry point of the sandbox child: decode a request, load the learner's source, run
    the probes, encode the results. Request fields: filename, source, specs, threads."""
    req = wire.decode(request)
    torch.set_num_threads(int(req.get("threads", 1)))
    try:
        ns = load_source(req["source"], req["filename"], given=req.get("given"))
    except BaseException as exc:  # noqa: BLE001 - import failures are reported, not raised
        return wire.encode({"import_error": describe_exception(exc, req["filename"])})
    return wire.encode({"results": run_probes(ns, req["specs"], req["filename"])})
