"""Writing a hidden suite.

A suite turns a kata's graded names into *checks*. Each check is a list of probe specs (plain
data, run by `checker.probe` against the learner's code and, separately, the reference) plus a
judge that compares the two results. The common case takes a few lines:

    suite = Suite("04_indexing/gather")

    @suite.function("pick_per_row", vectorised=lambda g, n: Case(g.randn(n, 5), g.randint(0, 5, (n, 1))))
    def _(g):
        yield Case(g.randn(1, 1), g.randint(0, 1, (1, 1)))
        yield Case(transposed(g.randn(4, 3)), g.randint(0, 3, (4, 1)))

`@suite.function` compares outputs (shape, dtype, device, values), input mutation and, for
float inputs, gradients; cases run smallest first, so the first failure reported is the
smallest input that fails. `@suite.module` does the same for an nn.Module class, and
`@suite.check` takes any probes with a custom judge (statistics, trajectories).
"""
from __future__ import annotations

import inspect
import zlib
from dataclasses import dataclass, field
from typing import Callable

import torch

from checker import judge as J
from checker.judge import Verdict, fail
from checker.results import Status

DEFAULT_SIZES = (4, 32)


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

class Gen:
    """Seeded input factory handed to case functions: the same seed gives the same cases."""

    def __init__(self, seed: int):
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)

    def randn(self, *shape, dtype=torch.float32, scale=1.0, shift=0.0) -> torch.Tensor:
        return torch.randn(shape, generator=self.generator, dtype=dtype) * scale + shift

    def rand(self, *shape, dtype=torch.float32, low=0.0, high=1.0) -> torch.Tensor:
        return torch.rand(shape, generator=self.generator, dtype=dtype) * (high - low) + low

    def randint(self, low: int, high: int, shape) -> torch.Tensor:
        return torch.randint(low, high, tuple(shape), generator=self.generator)

    def mask(self, *shape, p: float = 0.5) -> torch.Tensor:
        return torch.rand(shape, generator=self.generator) < p

    def integer(self, low: int, high: int) -> int:
        return int(torch.randint(low, high, (1,), generator=self.generator))

    def randn_like(self, t: torch.Tensor) -> torch.Tensor:
        return self.randn(*t.shape, dtype=t.dtype)


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
    spec = [[l[0], list(l[1]), dict(l[2]) if len(l) > 2 else {}] for l in layers]
    if device:
        for layer in spec:
            if layer[0] in ("Linear", "LayerNorm", "Embedding"):   # layers that own parameters
                layer[2].setdefault("device", device)
    return {"__arg__": "nn", "layers": spec, "frozen": list(frozen)}


def _numel(value) -> int:
    if isinstance(value, torch.Tensor):
        return value.numel()
    if isinstance(value, dict):
        return sum(_numel(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_numel(v) for v in value)
    return 0


@dataclass
class Case:
    """One call's positional arguments. grad=False skips the gradient comparison;
    raises=ValueError says the spec requires this call to raise; rtol/atol loosen the
    comparison for this case only (say why in a comment where you use them)."""

    args: tuple
    grad: bool = True
    raises: type | None = None
    rtol: float | None = None
    atol: float | None = None

    def __init__(self, *args, grad: bool = True, raises: type | None = None, rtol=None, atol=None):
        self.args, self.grad, self.raises, self.rtol, self.atol = args, grad, raises, rtol, atol

    @property
    def size(self) -> int:
        return _numel(self.args)


@dataclass
class ModuleCase:
    """Construct the class with init args, load a random state_dict shared with the reference,
    and run forward on inputs. compare_init also compares the freshly initialised state."""

    init_args: tuple = ()
    init_kwargs: dict = field(default_factory=dict)
    inputs: tuple = ()
    train: bool = True
    grad: bool = True
    compare_init: bool = False

    @property
    def size(self) -> int:
        return _numel(self.inputs)


# ---------------------------------------------------------------------------------------------
# Probe builders for custom checks
# ---------------------------------------------------------------------------------------------

def call(target: str, *args, seed: int | None = None, grad: bool = False, inplace: bool = False) -> dict:
    return {"kind": "call", "target": target, "args": list(args), "seed": seed, "grad": grad, "inplace": inplace}


def construct(target: str, *init_args, inputs=(), train=True, state_dict=None, grad=False,
              seed=None, forward_seed=None, **init_kwargs) -> dict:
    return {"kind": "module", "target": target, "init_args": list(init_args), "init_kwargs": init_kwargs,
            "inputs": list(inputs), "train": train, "state_dict": state_dict, "grad": grad,
            "seed": seed, "forward_seed": forward_seed}


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

@dataclass
class Check:
    """Probes plus a judge. judge(expected_results, got_results) -> Verdict | str | None."""

    name: str                      # the graded name this check belongs to
    specs: list[dict]
    judge: Callable
    stochastic: bool = False


def common_verdict(name: str, got: dict, context: str = "") -> Verdict | None:
    """Outcomes that need no reference: missing names, forbidden calls, exceptions."""
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
            if "NotImplementedError" in err["mro"]:
                return fail("not implemented yet", Status.NOT_IMPLEMENTED)
            if "MemoryError" in err["mro"] or "can't allocate memory" in err["message"]:
                return fail(f"{name} ran out of memory{context}.\n{J.format_error(err)}", Status.MEMORY)
            where = " while computing gradients" if key == "grad_error" else ""
            return fail(f"{name} raised an exception{where}{context}:\n{J.format_error(err)}", Status.ERROR)
    return None


def _coerce(result) -> Verdict | None:
    if result is None or isinstance(result, Verdict):
        return result
    return fail(str(result))


class Suite:
    def __init__(self, kata_id: str):
        self.kata_id = kata_id
        self._builders: list[tuple[str, Callable]] = []   # (graded name, builder(ref, gen, devices))

    # -- registration -------------------------------------------------------------------------

    def function(self, name: str, *, vectorised=None, sizes=DEFAULT_SIZES, grad=True, inplace=False,
                 rtol=None, atol=None, output_names=None, seed_cases=False):
        """Register a case ladder for a function. The decorated function takes a Gen and yields
        Cases. vectorised(g, n) -> Case builds the op-count probe at each of `sizes`.
        seed_cases=True seeds torch's global RNG before each call (random functions)."""
        def register(cases_fn):
            def build(ref, seed, devices):
                return [self._function_check(name, ref, cases_fn, seed, devices, vectorised, sizes, grad,
                                             inplace, rtol, atol, output_names, seed_cases)]
            self._builders.append((name, build))
            return cases_fn
        return register

    def module(self, name: str, *, children=None, rtol=None, atol=None):
        """Register ModuleCases for an nn.Module class. children={"layer1": "Linear", ...}
        names submodules that must exist with those types."""
        def register(cases_fn):
            def build(ref, seed, devices):
                return [self._module_check(name, ref, cases_fn, seed, devices, children, rtol, atol)]
            self._builders.append((name, build))
            return cases_fn
        return register

    def check(self, name: str, *, stochastic: bool = False):
        """Register a custom check: fn(g) returns (specs, judge)."""
        def register(fn):
            def build(ref, seed, devices):
                specs, judge_fn = fn(Gen(self._seed(name, fn.__name__, seed)))
                placed = [dict(s, device=d) for d in devices for s in specs]
                n = len(specs)

                def judge(expected, got):
                    for i, g in enumerate(got):
                        verdict = common_verdict(name, g, f" on {devices[i // n]}")
                        if verdict:
                            return verdict
                    for d in range(len(devices)):
                        verdict = _coerce(judge_fn(expected[d * n:(d + 1) * n], got[d * n:(d + 1) * n]))
                        if verdict:
                            return verdict
                    return None
                return [Check(name, placed, judge, stochastic)]
            self._builders.append((name, build))
            return fn
        return register

    # -- planning -----------------------------------------------------------------------------

    def _seed(self, name: str, label: str, seed: int) -> int:
        return zlib.crc32(f"{self.kata_id}:{name}:{label}:{seed}".encode())

    def plan(self, reference, seed: int = 0, devices=("cpu",)) -> list[Check]:
        """Every check, in registration order, with specs ready to run on `devices`."""
        return [c for _, build in self._builders for c in build(reference, seed, tuple(devices))]

    @property
    def graded_names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self._builders))

    def _function_check(self, name, ref, cases_fn, seed, devices, vectorised, sizes, grad, inplace,
                        default_rtol, default_atol, output_names, seed_cases) -> Check:
        gen = Gen(self._seed(name, "cases", seed))
        cases = sorted(cases_fn(gen), key=lambda c: c.size)   # stable: smallest input first
        argnames = list(inspect.signature(getattr(ref, name)).parameters)
        specs, meta = [], []
        for number, case in enumerate(cases, start=1):
            for device in devices:
                specs.append({"kind": "call", "target": name, "args": list(case.args), "device": device,
                              "grad": grad and case.grad and case.raises is None, "inplace": inplace,
                              "raises": case.raises.__name__ if case.raises else None,
                              "seed": self._seed(name, f"rng{number}", seed) if seed_cases else None,
                              "projection_seed": number})
                meta.append((number, case, device))
        if vectorised is not None:
            specs.append({"kind": "opcount", "target": name, "device": "cpu",
                          "sizes": [list(vectorised(Gen(self._seed(name, "vec", seed)), n).args) for n in sizes]})

        def judge(expected, got):
            for (number, case, device), exp, res in zip(meta, expected, got):
                rtol = case.rtol if case.rtol is not None else default_rtol
                atol = case.atol if case.atol is not None else default_atol
                context = f" on case {number} of {len(cases)} ({device})"
                call_text = J.format_call(name, argnames, case.args)
                inputs = J.format_inputs(argnames, case.args)
                header = f"{call_text}\n  smallest failing input (case {number} of {len(cases)}, on {device}):\n{inputs}\n"
                if case.raises is not None:   # the spec says this input must raise
                    err = res.get("error")
                    if isinstance(err, dict) and case.raises.__name__ in err.get("mro", []):
                        continue
                    verdict = common_verdict(name, res)
                    if verdict and verdict.status in (Status.NOT_IMPLEMENTED, Status.FORBIDDEN):
                        return verdict
                    what = f"raised {err['type']}" if isinstance(err, dict) and "type" in err else "returned normally"
                    return fail(f"{header}  it should raise {case.raises.__name__} for this input, but it {what}.")
                verdict = common_verdict(name, res, context)
                if verdict:
                    if verdict.status in (Status.ERROR, Status.MEMORY):
                        verdict.message = f"{header}{verdict.message}"
                    return verdict
                problem = J.compare(exp["output"], res["output"], "the result", rtol, atol, output_names)
                if problem:
                    return fail(f"{header}  {problem}")
                if res.get("mutated"):
                    which = ", ".join(argnames[i] if i < len(argnames) else f"input {i}" for i in res["mutated"])
                    return fail(f"{header}  it modified its input ({which}) in place. "
                                f"Leave inputs untouched: compute a new tensor instead.")
                if inplace:
                    problem = _compare_after(exp["after"], res["after"], rtol, atol)
                    if problem:
                        return fail(f"{header}  {problem}")
                problem = _compare_grads(exp, res, argnames, case, rtol, atol)
                if problem:
                    return fail(f"{header}  {problem}")
            if vectorised is not None:
                res = got[-1]
                verdict = common_verdict(name, res, " in the op-count probe")
                if verdict:
                    return verdict
                small, large = res["counts"]
                if large > small:
                    return fail(f"{name}: your op count grows with input size ({small} ops at size {sizes[0]}, "
                                f"{large} at size {sizes[1]}): look for a Python loop and replace it with "
                                f"whole-tensor operations.", Status.NOT_VECTORISED)
            return None

        return Check(name, specs, judge, stochastic=seed_cases)

    def _module_check(self, name, ref, cases_fn, seed, devices, children, rtol, atol) -> Check:
        gen = Gen(self._seed(name, "cases", seed))
        cases = sorted(cases_fn(gen), key=lambda c: c.size)
        specs, meta = [], []
        for number, case in enumerate(cases, start=1):
            torch.manual_seed(0)
            reference_state = getattr(ref, name)(*case.init_args, **case.init_kwargs).state_dict()
            state = {k: gen.randn_like(v) if v.is_floating_point() else v for k, v in reference_state.items()}
            for device in devices:
                specs.append({"kind": "module", "target": name, "init_args": list(case.init_args),
                              "init_kwargs": dict(case.init_kwargs), "state_dict": state,
                              "inputs": list(case.inputs), "train": case.train, "grad": case.grad,
                              "device": device, "projection_seed": number})
                meta.append((number, case, device))

        def judge(expected, got):
            for (number, case, device), exp, res in zip(meta, expected, got):
                init = ", ".join([J.spec_summary(a) for a in case.init_args] +
                                 [f"{k}={v!r}" for k, v in case.init_kwargs.items()])
                header = f"{name}({init})  (case {number} of {len(cases)}, on {device})\n"
                verdict = common_verdict(name, res, f" on case {number}")
                if verdict:
                    return Verdict(verdict.status, header + verdict.message) \
                        if verdict.status is not Status.NOT_IMPLEMENTED else verdict
                problem = _compare_structure(exp, res, children, case.compare_init)
                if problem:
                    return fail(header + "  " + problem)
                if res.get("load_error"):
                    return fail(header + "  load_state_dict failed: " + res["load_error"])
                if not case.inputs:
                    continue
                inputs = "\n".join(f"    input = {J.show_value(a)}" for a in case.inputs)
                header += f"  after loading the reference's state_dict, forward on:\n{inputs}\n"
                problem = J.compare(exp["output"], res["output"], "the output", rtol, atol)
                if problem:
                    return fail(f"{header}  {problem}")
                if res.get("mutated"):
                    return fail(f"{header}  forward modified its input in place.")
                problem = _compare_grads(exp, res, ["input"] * len(case.inputs), case, rtol, atol)
                if problem:
                    return fail(f"{header}  {problem}")
                for pname, exp_grad in (exp.get("param_grads") or {}).items():
                    got_grad = (res.get("param_grads") or {}).get(pname)
                    if exp_grad is not None and got_grad is None:
                        return fail(f"{header}  no gradient reached parameter {pname}.")
                    if exp_grad is not None:
                        problem = J.compare(_t(exp_grad), _t(got_grad), f"the gradient of {pname}", rtol, atol)
                        if problem:
                            return fail(f"{header}  {problem}")
            return None

        return Check(name, specs, judge)


def _t(tensor: torch.Tensor) -> dict:
    """A raw tensor (e.g. a gradient) in the described form compare() expects."""
    return {"__out__": "tensor", "type": "Tensor", "value": tensor, "dtype": str(tensor.dtype).removeprefix("torch."),
            "shape": list(tensor.shape), "device": "", "requires_grad": False, "grad_fn": None, "is_leaf": True}


def _compare_grads(exp, res, argnames, case, rtol, atol) -> str | None:
    if "grads" not in exp and "disconnected" not in exp:
        return None
    if "disconnected" in res and "disconnected" not in exp:
        return ("the result is not connected to the autograd graph, so no gradient can flow back. "
                "Avoid .detach(), .item(), .numpy(), torch.tensor(...) on intermediate values "
                "and in-place writes into fresh tensors.")
    if "grad_error" in res:
        return "computing gradients through your result failed."
    exp_grads, got_grads = exp.get("grads") or [], res.get("grads") or []
    if len(got_grads) != len(exp_grads):
        return "the gradients could not be read back for every input (the autograd graph is incomplete)."
    float_names = [n for n, a in zip(argnames, _flat_args(case)) if _is_float(a)]
    for i, (e, g) in enumerate(zip(exp_grads, got_grads)):
        label = float_names[i] if i < len(float_names) else f"input {i}"
        if e is not None and g is None:
            return f"no gradient reaches {label}: the result does not depend on it through autograd."
        if e is not None:
            problem = J.compare(_t(e), _t(g), f"the gradient with respect to {label}", rtol, atol)
            if problem and not bool(torch.isfinite(g).all()) and bool(torch.isfinite(e).all()):
                return problem + ("\n  (the values were right but the gradient is not finite: look for a "
                                  "division by zero or a sqrt/log of zero that torch.where or nan_to_num hides)")
            if problem:
                return problem + "\n  (the values were right, so look for a step that breaks or reshapes the graph)"
    return None


def _flat_args(case):
    out = []
    for a in getattr(case, "args", getattr(case, "inputs", ())):
        out.extend(_flat_tensors(a))
    return out


def _flat_tensors(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict) and "__arg__" in value:
        return [value["value"]] if "value" in value else []
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flat_tensors(v)]
    return []


def _is_float(t) -> bool:
    return isinstance(t, torch.Tensor) and (t.is_floating_point() or t.is_complex())


def _compare_after(exp_after, got_after, rtol, atol) -> str | None:
    for i, (e, g) in enumerate(zip(exp_after, got_after)):
        label = f"parameter {i}"
        if not g["is_leaf"] or g["grad_fn"]:
            return (f"{label} is no longer a leaf tensor (grad_fn={g['grad_fn']}): the update was "
                    f"recorded in the graph. Do it under torch.no_grad().")
        if g["requires_grad"] != e["requires_grad"]:
            return f"{label} has requires_grad={g['requires_grad']}; it should stay {e['requires_grad']}."
        problem = J.compare(_t(e["value"]), _t(g["value"]), f"{label} after the step", rtol, atol)
        if problem:
            return problem
        if e["grad"] is not None and g["grad"] is None:
            return f"{label}.grad became None; zero it in place instead (p.grad.zero_())."
        if e["grad"] is not None:
            problem = J.compare(_t(e["grad"]), _t(g["grad"]), f"{label}.grad after the step", rtol, atol)
            if problem:
                return problem
        elif g["grad"] is not None:
            return f"{label} had no .grad, so it should have been skipped, but now it has one."
    return None


def _compare_structure(exp, res, children, compare_init) -> str | None:
    exp_keys, got_keys = list(exp["state"]), list(res["state"])
    if sorted(exp_keys) != sorted(got_keys):
        missing = [k for k in exp_keys if k not in got_keys]
        extra = [k for k in got_keys if k not in exp_keys]
        return (f"the state_dict keys are wrong: expected {exp_keys}, got {got_keys}"
                + (f"; missing {missing}" if missing else "") + (f"; unexpected {extra}" if extra else "")
                + ". Attribute names become state_dict keys, so they must match.")
    for key in exp_keys:
        if exp["state"][key]["shape"] != res["state"][key]["shape"]:
            return (f"state_dict entry {key} has shape {tuple(res['state'][key]['shape'])}, "
                    f"but it should have shape {tuple(exp['state'][key]['shape'])}.")
        if compare_init:
            problem = J.compare(exp["state"][key], res["state"][key], f"the initial value of {key}")
            if problem:
                return problem
    got_children = dict(res["children"])
    for child, type_name in (children or {}).items():
        if got_children.get(child) != type_name:
            found = got_children.get(child, "nothing")
            return f"submodule `{child}` should be a {type_name}, but it is {found}."
    got_params = {n: rg for n, _, rg in res["params"]}
    for n, _, rg in exp["params"]:
        if got_params.get(n) != rg:
            return f"parameter {n} should have requires_grad={rg}."
    return None
