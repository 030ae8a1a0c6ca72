"""Hidden suite for 09_modules_optim/optimizers.

Every optimizer is driven through the kata's `run_optimizer` loop (zero_grad, loss, backward,
step) on a small problem, and its whole trajectory is compared step by step with the one
torch.optim follows on the same problem. That trajectory is computed here, in the trusted
process, with the reference module's loop and torch.optim's own update functions (see
TorchOptimizer), so the reference is held to torch.optim by the same judge as every learner. The scenarios switch on each feature
in turn (momentum, Nesterov, weight decay, betas, eps, defaults) and include parameters that
take part in the loss only on some steps, or never, so a skipped parameter and per-parameter
state are visible in the trajectory.
"""
import functools
import inspect

import torch
from torch.optim.adam import adam as torch_adam_update
from torch.optim.sgd import sgd as torch_sgd_update

from checker import judge as J
from checker import manifest, runner
from checker.suite import Case, Suite, _judge_opcount, call, grown_variants, param

suite = Suite()


class TorchOptimizer:
    """torch.optim's SGD, Adam and AdamW as the loop sees them, built on the update functions those
    classes call (torch.optim.sgd.sgd, torch.optim.adam.adam, single-tensor form) with the same
    bookkeeping as their step(): only parameters whose .grad is set take part, and each keeps its
    own state. Constructing torch.optim.SGD itself would import torch._dynamo, about 3 s, on its
    first use in a process; this stays within the suites' time budget and runs the same arithmetic.
    Defaults are read from torch.optim's own signatures."""

    def __init__(self, kind: str, params, **options):
        cls = getattr(torch.optim, kind)
        defaults = {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items()
                    if name in ("lr", "momentum", "weight_decay", "nesterov", "betas", "eps")}
        self.kind, self.params, self.options, self.state = kind, list(params), {**defaults, **options}, {}

    def zero_grad(self, set_to_none: bool = True) -> None:   # torch.optim.Optimizer.zero_grad, CPU path
        for p in self.params:
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.requires_grad_(False)
                    p.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        live = [p for p in self.params if p.grad is not None]
        o = self.options
        if self.kind == "SGD":
            buffers = [self.state.get(p) for p in live]
            torch_sgd_update(live, [p.grad for p in live], buffers, weight_decay=o["weight_decay"],
                             momentum=o["momentum"], lr=o["lr"], dampening=0.0, nesterov=o["nesterov"],
                             maximize=False, foreach=False)
            if o["momentum"]:
                self.state.update(zip(live, buffers))
            return
        for p in live:
            self.state.setdefault(p, (torch.zeros_like(p), torch.zeros_like(p), torch.tensor(0.0)))
        m, v, steps = zip(*(self.state[p] for p in live)) if live else ((), (), ())
        torch_adam_update(live, [p.grad for p in live], list(m), list(v), [], list(steps), foreach=False,
                          decoupled_weight_decay=self.kind == "AdamW", amsgrad=False, beta1=o["betas"][0],
                          beta2=o["betas"][1], lr=o["lr"], weight_decay=o["weight_decay"], eps=o["eps"],
                          maximize=False)

# Correct float32 codes that order the arithmetic differently (m / (1 - beta1**t) against a
# folded step size, a new momentum buffer against an in-place one) drift apart by up to ~1e-6
# relative over 30 steps; float64 codes by ~1e-15.
TOLERANCE = {torch.float32: (1e-5, 1e-6), torch.float64: (1e-9, 1e-12)}


def reference_loop():
    """The kata's run_optimizer from the trusted reference: the problem both sides run."""
    return runner.reference_for(manifest.get(suite.kata_id)).run_optimizer


class Scenario:
    """One run: parameters and targets of the given shapes, a pattern of which parameter takes
    part in which step, and the optimizer's keyword arguments."""

    def __init__(self, g, shapes, steps, options, *, dtype=torch.float32, pattern="all", set_to_none=True):
        self.params = [g.randn(*s, dtype=dtype) for s in shapes]
        self.targets = [g.randn(*s, dtype=dtype, scale=2.0) for s in shapes]
        self.options, self.set_to_none, self.dtype = options, set_to_none, dtype
        # "partial": the second parameter takes part in every other step, the third in none.
        self.active = [[pattern == "all" or i == 0 or (i == 1 and t % 2 == 0) for i in range(len(shapes))]
                       for t in range(steps)]

    def args(self, optimizer):
        return optimizer, [param(p) for p in self.params], self.targets, self.active, self.options, self.set_to_none

    def trusted(self, optimizer) -> dict:
        leaves = [p.clone().requires_grad_() for p in self.params]
        return reference_loop()(optimizer, leaves, self.targets, self.active, self.options, self.set_to_none)

    def describe(self, name: str) -> str:
        shapes = ", ".join(f"{str(p.dtype).removeprefix('torch.')}{list(p.shape)}" for p in self.params)
        options = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        text = (f"{name}(params, {options}) on params [{shapes}], {len(self.active)} steps of zero_grad("
                f"set_to_none={self.set_to_none}), backward, step")
        partial = [i for i in range(len(self.params)) if not all(flags[i] for flags in self.active)]
        for i in partial:
            used = [t + 1 for t, flags in enumerate(self.active) if flags[i]]
            text += (f"\n    params[{i}] takes part in steps {used[:6]}{' ...' if len(used) > 6 else ''} only"
                     if used else f"\n    params[{i}] never takes part in the loss (its .grad stays None)")
        return text


def tensors(desc, key: str, count: int) -> list | None:
    """The `key` list of a run_optimizer result, or None when the result lacks that form."""
    try:
        items = desc["items"][key]["items"]
    except (TypeError, KeyError):
        return None
    return items if isinstance(items, list) and len(items) == count else None


# What one step of each optimizer is, and what it carries to the next: said when the first step,
# or a later one, parts from torch.optim's.
FIRST_STEP = {
    "SGD": "one step is p -= lr * g with g = p.grad + weight_decay * p; with momentum the buffer starts as that "
           "g, and Nesterov moves along g + momentum * b.",
    "Adam": "on the first step m_hat = g and v_hat = g * g (g = p.grad + weight_decay * p), so every number moves "
            "by about lr: check the bias correction, and that eps is added after the square root.",
    "AdamW": "the first step multiplies p by (1 - lr * weight_decay), with weight_decay 0.01 by default, then takes "
             "Adam's step with p.grad alone.",
}
CARRIED = {
    "SGD": "the momentum buffer, kept per parameter: b = momentum * b + g",
    "Adam": "m, v and the step count t, kept per parameter, with t increased before the bias correction",
    "AdamW": "Adam's m, v and step count t, kept per parameter",
}


def show_gap(want: torch.Tensor, have: torch.Tensor, rtol: float, atol: float) -> str:
    """Both tensors, with enough digits to see where they differ."""
    bad = (~torch.isclose(have, want, rtol=rtol, atol=atol, equal_nan=True)).nonzero()
    where = tuple(int(k) for k in bad[0]) if len(bad) else ()
    digits = J.distinguishing_digits(want[where].item(), have[where].item()) if len(bad) else 4
    return (f"should be {J.show_tensor(want, digits)} (torch.optim gives that), but it is "
            f"{J.show_tensor(have, digits)}")


def departure(name, scenario, step, i, want, have) -> str:
    """Why a trajectory leaves torch.optim's at `step` (1-based) for params[i]."""
    took_part = scenario.active[step - 1][i]
    skipped_before = not all(flags[i] for flags in scenario.active[:step - 1])
    had_grad = any(flags[i] for flags in scenario.active[:step - 1])   # zero_grad(False) leaves zeros then
    text = f"after step {step}, params[{i}] {show_gap(want, have, *TOLERANCE[scenario.dtype])}."
    if not took_part and (scenario.set_to_none or not had_grad):
        return text + (f"\n  params[{i}] took no part in step {step}, so its .grad was None: skip such a parameter "
                       f"entirely (no move, no weight decay, no change to its state).")
    if not took_part:
        return text + (f"\n  params[{i}] took no part in step {step}, but zero_grad(set_to_none=False) left its .grad "
                       f"at zeros, and a zero gradient still counts as a step (only a None grad is skipped).")
    if step == 1:
        return text + f"\n  The very first update is already off: {FIRST_STEP[name]}"
    if skipped_before:
        return text + (f"\n  Steps 1 to {step - 1} matched. params[{i}] skipped an earlier step, and its state must "
                       f"advance only on the steps it really takes: {CARRIED[name]}.")
    return text + (f"\n  Steps 1 to {step - 1} matched, so something carried from one step to the next is off: "
                   f"{CARRIED[name]}; and zero_grad before each backward.")


def trajectory_problem(name, scenario, torch_result, out) -> str | None:
    n = len(scenario.params)
    got, grads = tensors(out, "trajectory", n), tensors(out, "grads", n)
    if got is None or grads is None:
        return "run_optimizer should return a dict with a trajectory and the grads of each parameter: keep it as given."
    rtol, atol = TOLERANCE[scenario.dtype]
    for i, (want, have) in enumerate(zip(torch_result["trajectory"], got)):
        value = have.get("value") if isinstance(have, dict) else None
        if not isinstance(value, torch.Tensor) or value.shape != want.shape:
            return f"params[{i}] changed shape: update each parameter in place, keeping its shape."
        if value.dtype != want.dtype:
            return f"params[{i}] changed dtype to {str(value.dtype).removeprefix('torch.')}: keep the parameter's dtype."
    for step in range(1, len(scenario.active) + 1):
        for i, (want, have) in enumerate(zip(torch_result["trajectory"], got)):
            if not J.close(have["value"][step], want[step], rtol, atol):
                return departure(name, scenario, step, i, want[step], have["value"][step])
    for i, (want, have) in enumerate(zip(torch_result["grads"], grads)):
        problem = grad_problem(want, have, f"after the final zero_grad(set_to_none={scenario.set_to_none}), "
                                           f"params[{i}].grad", scenario.set_to_none)
        if problem:
            return problem
    return None


def grad_problem(want: torch.Tensor | None, have, where: str, set_to_none: bool) -> str | None:
    """A .grad left by zero_grad: None where torch.optim leaves None, zeros where it leaves zeros."""
    value = have.get("value") if isinstance(have, dict) and have.get("__out__") == "tensor" else None
    if want is None and have is not None:
        return f"{where} should be None, but it is a tensor. " + (
            "zero_grad(set_to_none=True) sets every grad to None." if set_to_none else
            "That parameter never had a gradient, and zero_grad leaves a None grad as it is.")
    if want is None:
        return None
    if not isinstance(value, torch.Tensor):
        return (f"{where} should be zeros of shape {tuple(want.shape)}, but it is None: with set_to_none=False, "
                f"keep the tensor and fill it with zeros.")
    if not J.close(value, want):
        return f"{where} should be all zeros, but it is {J.show_tensor(value)}."
    return None


def opcount_spec(name: str, options: dict) -> tuple[dict, list[str]]:
    """The same short run at growing parameter sizes: a loop over elements makes the count grow."""
    def sized(g, rows=2, cols=3, length=4):
        return Case(*Scenario(g, [(rows, cols), (length,)], 1, options).args(name))
    variants = grown_variants(sized, 0)
    return ({"kind": "opcount", "target": "run_optimizer", "module": False,
             "sizes": [list(case.args) for _, case in variants]}, [label for label, _ in variants])


def trajectory_check(name: str, scenarios, growth_options: dict):
    """A check named after the graded optimizer class `name`, judged against torch.optim's."""
    def check(g):
        runs = scenarios(g)
        truth = [run.trusted(functools.partial(TorchOptimizer, name)) for run in runs]
        opcount, labels = opcount_spec(name, growth_options)

        def judge(expected, got):
            for run, want, res in zip(runs, truth, got):
                problem = trajectory_problem(name, run, want, res["output"])
                if problem:
                    return f"{run.describe(name)}\n  {problem}"
            return _judge_opcount(name, got[-1], labels)

        return [call("run_optimizer", *run.args(name)) for run in runs] + [opcount], judge

    check.__name__ = check.__qualname__ = name
    return suite.check()(check)


# ---------------------------------------------------------------------------------------------
# Optimizer: the parameter list and zero_grad
# ---------------------------------------------------------------------------------------------

@suite.function(grad=False)
def Optimizer(g):
    yield Case([], raises=ValueError)


@suite.check()
def Optimizer(g):  # noqa: F811 - a second check of the same graded name
    # The base class's step() does nothing, so only zero_grad acts: each parameter in turn gets a
    # gradient, and the next zero_grad must clear it. A parameter list kept as the generator it
    # came in is empty on the second walk, so the old gradients would survive.
    runs = [Scenario(g, [(2, 3), (4,), (2,)], 2, {}, pattern="partial", set_to_none=flag) for flag in (True, False)]
    # torch.optim.Optimizer.zero_grad decides which grads are left; SGD's moves do not matter here.
    truth = [run.trusted(functools.partial(TorchOptimizer, "SGD")) for run in runs]

    def judge(expected, got):
        for run, want, res in zip(runs, truth, got):
            have = tensors(res["output"], "grads", 3)
            if have is None:
                return "run_optimizer should return a dict with a trajectory and the grads: keep it as given."
            for i, (w, h) in enumerate(zip(want["grads"], have)):
                problem = grad_problem(w, h, f"after the last zero_grad(set_to_none={run.set_to_none}), "
                                             f"params[{i}].grad", run.set_to_none)
                if problem:
                    return (f"{run.describe('Optimizer')}\n  {problem}\n  zero_grad must reach every parameter at every "
                            f"call: keep the parameters in a list (a generator is empty after one walk).")
        return None

    return [call("run_optimizer", *run.args("Optimizer")) for run in runs], judge


# ---------------------------------------------------------------------------------------------
# SGD, Adam, AdamW against torch.optim
# ---------------------------------------------------------------------------------------------

@suite.function(grad=False)
def SGD(g):
    yield Case([param(g.randn(3))], 0.1, 0.0, 0.0, True, raises=ValueError)   # Nesterov without momentum


# Each optimizer meets its defaults, then every feature with parameters that skip steps (float64,
# where correct codes agree to ~1e-15, so a small formula slip shows), then set_to_none=False.
trajectory_check("SGD", lambda g: [
    Scenario(g, [(3,)], 2, {}),                                            # lr=1e-3, no momentum
    Scenario(g, [(2, 3), (4,), (2,)], 6, {"lr": 0.05, "momentum": 0.9}, pattern="partial"),
    Scenario(g, [(3, 2), (4,), (2,)], 6, {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.1, "nesterov": True},
             dtype=torch.float64, pattern="partial"),
    Scenario(g, [(2, 3), (4,), (2,)], 4, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.05},
             pattern="partial", set_to_none=False),
], {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1, "nesterov": True})


trajectory_check("Adam", lambda g: [
    Scenario(g, [(3,)], 2, {}),                                            # lr=1e-3, betas, eps: defaults
    Scenario(g, [(3, 2), (4,), (2,)], 6, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-3, "weight_decay": 0.1},
             dtype=torch.float64, pattern="partial"),
    Scenario(g, [(2, 3), (4,), (2,)], 4, {"lr": 0.05}, pattern="partial", set_to_none=False),
], {"lr": 0.1, "weight_decay": 0.1})


trajectory_check("AdamW", lambda g: [
    Scenario(g, [(3,)], 2, {}),                                            # weight_decay defaults to 0.01
    Scenario(g, [(3, 2), (4,), (2,)], 6, {"lr": 0.05, "betas": (0.85, 0.995), "weight_decay": 0.5},
             dtype=torch.float64, pattern="partial"),
    Scenario(g, [(2, 3), (4,), (2,)], 4, {"lr": 0.05, "weight_decay": 0.2}, pattern="partial", set_to_none=False),
], {"lr": 0.1, "weight_decay": 0.1})
