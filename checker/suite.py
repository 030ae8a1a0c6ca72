"""Writing a hidden suite.

A suite lives at checker/suites/<chapter>/<module>.py and knows its kata from that place. Each
check is named after the graded name it grades, so a name is spelled only where it is defined:

    suite = Suite()

    def pick_case(g, rows=3, cols=4):
        return Case(g.randn(rows, cols), g.randint(0, cols, (rows, 1)))

    @suite.function(grow=pick_case)
    def pick_per_row(g):
        yield pick_case(g, 1, 1)
        yield Case(transposed(g.randn(4, 3)), g.randint(0, 3, (4, 1)))

`@suite.function` compares outputs (shape, dtype, device, values), input mutation and, for
float inputs, gradients; cases run smallest first, so the first failure reported is the smallest
input that fails. `grow` builds the op-count probe: every keyword size it takes (an int default)
is grown in turn, and the count of dispatched ops must not grow with any of them, so a loop over
any dim is caught. Where the reference's docstring says `Dtype: same as ...`, float16 and bfloat16
copies of the smallest float32 cases are added. `@suite.module` does the same for an nn.Module
class, and `@suite.check` takes any probes with a custom judge (statistics, trajectories). A name
may have several checks: define each under the graded name (flake8's F811 is expected here).
"""
from __future__ import annotations

import inspect
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from checker import argkinds
from checker import judge as J
from checker.argkinds import device, dtype, generator, meta, nn_model, param, strided, transposed  # noqa: F401 - suite API
from checker.judge import Verdict, common_verdict, fail
from checker.probe import CONTAINER_CHANGED
from checker.results import Status

GROWTH = 3                       # each size is multiplied by this in the op-count probe
HALF_DTYPES = ("float16", "bfloat16")
# Half precision keeps ~3 (float16) or ~2 (bfloat16) significant digits, so a correct code that
# computes in float32 and casts back differs from one that computes in half by a few units of
# the last place. These bounds accept that and still catch a wrong formula.
HALF_TOLERANCES = {"float16": (1e-2, 1e-2), "bfloat16": (6e-2, 6e-2)}
HALF_CASES = 3


class AuthoringError(ValueError):
    """A suite or catalogue that cannot grade correctly; the message names the file and the fix."""


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


def _numel(value) -> int:
    return sum(t.numel() for _, t in argkinds.tensor_leaves(value, ""))


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
    label: str = ""

    def __init__(self, *args, grad: bool = True, raises: type | None = None, rtol=None, atol=None, label=""):
        self.args, self.grad, self.raises, self.rtol, self.atol, self.label = args, grad, raises, rtol, atol, label

    @property
    def size(self) -> int:
        return _numel(self.args)


@dataclass
class ModuleCase:
    """Construct the class with init args, load a random state_dict shared with the reference,
    and run forward on inputs. compare_init also compares the freshly initialised state;
    raises=ValueError says construction must raise."""

    init_args: tuple = ()
    init_kwargs: dict = field(default_factory=dict)
    inputs: tuple = ()
    train: bool = True
    grad: bool = True
    compare_init: bool = False
    raises: type | None = None

    @property
    def size(self) -> int:
        return _numel(self.inputs)


# ---------------------------------------------------------------------------------------------
# Probe builders for custom checks
# ---------------------------------------------------------------------------------------------

def call(target: str, *args, seed: int | None = None, grad: bool = False, inplace: bool = False,
         raises: type | None = None) -> dict:
    """A call probe for a custom check. raises=ValueError: the spec says this call must raise it;
    the check then fails unless it does, and the judge sees the raised error's description."""
    return {"kind": "call", "target": target, "args": list(args), "seed": seed, "grad": grad, "inplace": inplace,
            "raises": raises.__name__ if raises else None}


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


def _coerce(result) -> Verdict | None:
    if result is None or isinstance(result, Verdict):
        return result
    return fail(str(result))


def grow_sizes(builder: Callable) -> dict[str, int]:
    """The keyword sizes a grow builder takes: its parameters with an int default."""
    return {p.name: p.default for p in inspect.signature(builder).parameters.values()
            if type(p.default) is int}


def grown_variants(builder: Callable, seed: int) -> list[tuple[str, object]]:
    """("", base case), then (size name, case with that size grown) for every size."""
    variants = [("", builder(Gen(seed)))]
    for size, default in grow_sizes(builder).items():
        variants.append((size, builder(Gen(seed), **{size: default * GROWTH})))
    return variants


def kata_id_of(path: str) -> str:
    """04_indexing/gather for .../checker/suites/04_indexing/gather.py (or gather_catalogue.py)."""
    path = Path(path)
    module = path.stem.removesuffix("_catalogue")
    return f"{path.parent.name}/{module}"


class Suite:
    def __init__(self):
        caller = sys._getframe(1).f_globals.get("__file__", "<suite>")
        self.path = str(caller)
        self.kata_id = kata_id_of(caller)
        self._builders: list[tuple[str, Callable]] = []   # (graded name, builder(ref, seed, devices, spec))
        self.grow: dict[str, Callable] = {}                # graded name -> its op-count builder

    # -- registration -------------------------------------------------------------------------

    def function(self, *, grow=None, grad=True, inplace=False, rtol=None, atol=None, output_names=None,
                 seed_cases=False, new_tensors=False, half_tol=None):
        """Register a case ladder for the graded function the decorated generator is named after.
        The generator takes a Gen and yields Cases. grow(g, **sizes) -> Case builds the op-count
        probe. seed_cases=True seeds torch's global RNG before each call (random functions).
        new_tensors=True checks that no output shares memory with an input or another output."""
        def register(cases_fn):
            name = cases_fn.__name__
            if grow is not None:
                self.grow[name] = grow
            self._builders.append((name, lambda ref, seed, devices, spec: [self._function_check(
                name, ref, cases_fn, seed, devices, grow, grad, inplace, rtol, atol, output_names,
                seed_cases, new_tensors, half_tol, spec)]))
            return cases_fn
        return register

    def module(self, *, grow=None, children=None, rtol=None, atol=None, attributes=()):
        """Register ModuleCases for the graded nn.Module class the generator is named after.
        children={"layer1": "Linear", ...} names submodules that must exist with those types;
        attributes=("eps", ...) are compared with the reference's after construction."""
        def register(cases_fn):
            name = cases_fn.__name__
            if grow is not None:
                self.grow[name] = grow
            self._builders.append((name, lambda ref, seed, devices, spec: [self._module_check(
                name, ref, cases_fn, seed, devices, children, rtol, atol, tuple(attributes), grow)]))
            return cases_fn
        return register

    def check(self, *, stochastic: bool = False):
        """Register a custom check for the graded name the function is named after: fn(g)
        returns (specs, judge)."""
        def register(fn):
            name = fn.__name__
            label = f"check{len(self._builders)}"

            def build(ref, seed, devices, spec):
                specs, judge_fn = fn(Gen(self._seed(name, label, seed)))
                placed = [dict(s, device=d) for d in devices for s in specs]
                n = len(specs)

                def judge(expected, got):
                    for i, g in enumerate(got):
                        wanted = placed[i].get("raises")
                        if wanted:
                            spec = placed[i]
                            verdict = _expected_error(name, g, wanted, lambda: J.format_call(
                                spec["target"], [f"arg{k}" for k in range(len(spec["args"]))], spec["args"]) + "\n")
                        else:
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

    def plan(self, reference, seed: int = 0, devices=("cpu",), spec=None) -> list[Check]:
        """Every check, in registration order, with specs ready to run on `devices`. spec is the
        kata's ReferenceSpec (it says which names keep their input's dtype)."""
        return [c for _, build in self._builders for c in build(reference, seed, tuple(devices), spec)]

    @property
    def graded_names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self._builders))

    def _opcount_spec(self, name, grow, seed, module: bool) -> tuple[dict, list[str]]:
        variants = grown_variants(grow, self._seed(name, "grow", seed))
        if module:
            sizes = [{"init_args": list(c.init_args), "init_kwargs": dict(c.init_kwargs),
                      "inputs": list(c.inputs), "train": c.train} for _, c in variants]
        else:
            sizes = [list(c.args) for _, c in variants]
        return ({"kind": "opcount", "target": name, "device": "cpu", "module": module, "sizes": sizes},
                [label for label, _ in variants])

    def _half_cases(self, cases, half_tol) -> list[Case]:
        """float16 and bfloat16 copies of the smallest all-float32 cases."""
        picked = []
        for case in cases:
            leaves = [t for _, t in argkinds.tensor_leaves(case.args, "")]
            floats = [t for t in leaves if t.is_floating_point()]
            if case.raises is None and floats and all(t.dtype == torch.float32 for t in floats):
                picked.append(case)
            if len(picked) == HALF_CASES:
                break
        out = []
        for name in HALF_DTYPES:
            rtol, atol = (half_tol or HALF_TOLERANCES)[name]
            for number, case in enumerate(picked):
                out.append(Case(*argkinds.cast_floats(case.args, getattr(torch, name)), grad=False,
                                rtol=rtol, atol=atol, label=f"a {name} copy of a float32 case"))
        return out

    def _function_check(self, name, ref, cases_fn, seed, devices, grow, grad, inplace, default_rtol,
                        default_atol, output_names, seed_cases, new_tensors, half_tol, spec) -> Check:
        gen = Gen(self._seed(name, "cases", seed))
        cases = sorted(cases_fn(gen), key=lambda c: c.size)   # stable: smallest input first
        name_spec = spec.names.get(name) if spec is not None else None
        if name_spec is not None and name_spec.keeps_dtype:
            cases += self._half_cases(cases, half_tol)
        argnames = list(inspect.signature(getattr(ref, name)).parameters)
        specs, meta = [], []
        for number, case in enumerate(cases, start=1):
            for device in devices:
                specs.append({"kind": "call", "target": name, "args": list(case.args), "device": device,
                              "grad": grad and case.grad and case.raises is None, "inplace": inplace,
                              "raises": case.raises.__name__ if case.raises else None,
                              "seed": self._seed(name, f"rng{number}", seed) if seed_cases else None,
                              "aliases": new_tensors, "projection_seed": number})
                meta.append((number, case, device))
        labels = []
        if grow is not None:
            opcount, labels = self._opcount_spec(name, grow, seed, module=False)
            specs.append(opcount)

        def judge(expected, got):
            for (number, case, device), exp, res in zip(meta, expected, got):
                verdict = self._judge_call(name, argnames, number, len(cases), case, device, exp, res,
                                           default_rtol, default_atol, output_names, inplace, new_tensors)
                if verdict:
                    return verdict
            if grow is not None:
                return _judge_opcount(name, got[-1], labels)
            return None

        return Check(name, specs, judge, stochastic=seed_cases)

    @staticmethod
    def _judge_call(name, argnames, number, total, case, device, exp, res, default_rtol, default_atol,
                    output_names, inplace, new_tensors) -> Verdict | None:
        rtol = case.rtol if case.rtol is not None else default_rtol
        atol = case.atol if case.atol is not None else default_atol
        context = f" on case {number} of {total} ({device})"
        about = f", {case.label}" if case.label else ""

        def header() -> str:   # built only for the case that fails
            return (f"{J.format_call(name, argnames, case.args)}\n  smallest failing input (case {number} of "
                    f"{total}{about}, on {device}):\n{J.format_inputs(argnames, case.args)}\n")

        if isinstance(res, dict) and res.get("grad_mode_changed"):
            return fail(f"{header()}{common_verdict(name, res).message}")
        if case.raises is not None:   # the spec says this input must raise
            return _expected_error(name, res, case.raises.__name__, header)
        verdict = common_verdict(name, res, context)
        if verdict:
            if verdict.status in (Status.ERROR, Status.MEMORY):
                verdict.message = f"{header()}{verdict.message}"
            return verdict
        if "output" not in res:
            raise J.Malformed("a call reply without its output")
        problem = J.compare(exp["output"], res["output"], "the result", rtol, atol, output_names)
        if problem:
            return fail(f"{header()}  {problem}")
        leaves = [label for arg_name, arg in zip(argnames, case.args)
                  for label, _ in argkinds.tensor_leaves(arg, arg_name)]
        if inplace:
            problem = J.compare_after(exp["after"], res.get("after"), leaves, rtol, atol)
            if problem:
                return fail(f"{header()}  {problem}")
        else:
            mutated = res.get("mutated")
            if not isinstance(mutated, list):
                raise J.Malformed("a call reply without its input-mutation record")
            if mutated:
                which = ", ".join(_mutated_label(i, leaves) for i in mutated)
                return fail(f"{header()}  it modified its input ({which}) in place. "
                            f"Leave inputs untouched: compute a new tensor instead.")
        if new_tensors:
            aliases = res.get("aliases")
            if not isinstance(aliases, list):
                raise J.Malformed("a call reply without its aliasing record")
            if aliases:
                out_index, other = aliases[0]
                what = leaves[other] if isinstance(other, int) and 0 <= other < len(leaves) else "another output"
                return fail(f"{header()}  output {out_index} shares memory with {what}: the spec asks for new "
                            f"tensors, so a later change to one would silently change the other. Use .clone().")
        float_labels = [label for arg_name, arg in zip(argnames, case.args)
                        for label, t in argkinds.tensor_leaves(arg, arg_name)
                        if t.is_floating_point() or t.is_complex()]
        problem = J.compare_grads(exp, res, float_labels, rtol, atol)
        if problem:
            return fail(f"{header()}  {problem}")
        return None

    def _module_check(self, name, ref, cases_fn, seed, devices, children, rtol, atol, attributes, grow) -> Check:
        gen = Gen(self._seed(name, "cases", seed))
        cases = sorted(cases_fn(gen), key=lambda c: c.size)
        specs, meta = [], []
        for number, case in enumerate(cases, start=1):
            state = None
            if case.raises is None:
                torch.manual_seed(0)
                reference_state = getattr(ref, name)(*case.init_args, **case.init_kwargs).state_dict()
                state = {k: gen.randn_like(v) if v.is_floating_point() else v for k, v in reference_state.items()}
            for device in devices:
                specs.append({"kind": "module", "target": name, "init_args": list(case.init_args),
                              "init_kwargs": dict(case.init_kwargs), "state_dict": state,
                              "inputs": list(case.inputs) if case.raises is None else [], "train": case.train,
                              "grad": case.grad, "device": device, "projection_seed": number,
                              "attributes": list(attributes),
                              "raises": case.raises.__name__ if case.raises else None})
                meta.append((number, case, device))
        labels = []
        if grow is not None:
            opcount, labels = self._opcount_spec(name, grow, seed, module=True)
            specs.append(opcount)

        def judge(expected, got):
            for (number, case, device), exp, res in zip(meta, expected, got):
                verdict = _judge_module(name, number, len(cases), case, device, exp, res, children, rtol, atol,
                                        attributes)
                if verdict:
                    return verdict
            if grow is not None:
                return _judge_opcount(name, got[-1], labels)
            return None

        return Check(name, specs, judge)


def _mutated_label(entry, leaves: list[str]) -> str:
    """What a mutation record's entry names: a tensor input, or a list or dict argument."""
    if entry == CONTAINER_CHANGED:
        return "a list or dict it was given: an item was added, removed or replaced"
    return leaves[entry] if isinstance(entry, int) and 0 <= entry < len(leaves) else "an input"


def _expected_error(name: str, res, wanted: str, header, *, action: str = "it should raise {} for this input",
                    otherwise: str = "returned normally") -> Verdict | None:
    """A probe the spec says must raise `wanted`: None when it did, else what went wrong.
    header() gives the text that leads the message (built only when the probe failed)."""
    err = res.get("error") if isinstance(res, dict) else None
    if isinstance(err, dict) and wanted in err.get("mro", []):
        return None
    verdict = common_verdict(name, res)
    if verdict and verdict.status in (Status.NOT_IMPLEMENTED, Status.FORBIDDEN, Status.TIMEOUT):
        return verdict
    what = f"raised {err['type']}" if isinstance(err, dict) and "type" in err else otherwise
    return fail(f"{header()}  {action.format(wanted)}, but it {what}.")


def judge_opcount(name: str, res, labels: list[str]) -> Verdict | None:
    """The op-count verdict for a probe built by Suite._opcount_spec (public for custom checks)."""
    return _judge_opcount(name, res, labels)


def _judge_opcount(name: str, res, labels: list[str]) -> Verdict | None:
    verdict = common_verdict(name, res, " in the op-count probe")
    if verdict:
        return verdict
    counts = res.get("counts")
    if not isinstance(counts, list) or len(counts) != len(labels) or not all(type(c) is int for c in counts):
        raise J.Malformed("an op-count reply without one count per size")
    base = counts[0]
    for label, count in zip(labels[1:], counts[1:]):
        if count > base:
            return fail(f"{name}: your op count grows with `{label}` ({base} ops at the base size, {count} "
                        f"when `{label}` is {GROWTH}x larger): look for a Python loop over that dim and "
                        f"replace it with whole-tensor operations.", Status.NOT_VECTORISED)
    return None


def _judge_module(name, number, total, case, device, exp, res, children, rtol, atol, attributes):
    init = ", ".join([J.spec_summary(a) for a in case.init_args] +
                     [f"{k}={v!r}" for k, v in case.init_kwargs.items()])
    mode = "" if case.raises or not case.inputs else (" in training mode" if case.train else
                                                     " in eval mode (after .eval())")
    header = f"{name}({init}){mode}  (case {number} of {total}, on {device})\n"
    if case.raises is not None:
        return _expected_error(name, res, case.raises.__name__, lambda: header,
                               action="constructing it should raise {}", otherwise="built a module")
    verdict = common_verdict(name, res, f" on case {number}")
    if verdict:
        return Verdict(verdict.status, header + verdict.message) \
            if verdict.status is not Status.NOT_IMPLEMENTED else verdict
    problem = J.compare_structure(exp, res, children, case.compare_init, attributes)
    if problem:
        return fail(header + "  " + problem)
    if res.get("load_error"):
        return fail(header + "  load_state_dict failed: " + str(res["load_error"]))
    if not case.inputs:
        return None
    inputs = "\n".join(f"    input = {J.show_value(a, column=12)}" for a in case.inputs)
    header += f"  after loading the reference's state_dict, forward on:\n{inputs}\n"
    if "output" not in res:
        raise J.Malformed("a module reply without its output")
    problem = J.compare(exp["output"], res["output"], "the output", rtol, atol)
    if problem:
        children = " ".join(t for _, t in res.get("children") or [] if isinstance(t, str))
        if not case.train and ("Dropout" in children or "Dropout" in name):
            problem += ("\n  The module was in eval mode: dropout must do nothing there "
                        "(check self.training, which .train() and .eval() set).")
        return fail(f"{header}  {problem}")
    if res.get("mutated"):
        return fail(f"{header}  forward modified its input in place.")
    labels = [label for i, arg in enumerate(case.inputs)
              for label, t in argkinds.tensor_leaves(arg, "input" if len(case.inputs) == 1 else f"input {i}")
              if t.is_floating_point()]
    problem = J.compare_grads(exp, res, labels, rtol, atol)
    if problem:
        return fail(f"{header}  {problem}")
    exp_grads, got_grads = exp.get("param_grads") or {}, res.get("param_grads") or {}
    if exp_grads and not isinstance(got_grads, dict):
        raise J.Malformed("a module reply without its parameter gradients")
    for pname, exp_grad in exp_grads.items():
        got_grad = got_grads.get(pname)
        if exp_grad is not None and got_grad is None:
            return fail(f"{header}  no gradient reached parameter {pname}.")
        if exp_grad is not None:
            problem = J.compare(J.raw(exp_grad), J.raw(got_grad), f"the gradient of {pname}", rtol, atol)
            if problem:
                return fail(f"{header}  {problem}")
    return None
