"""Hidden suite for 11_workflow/schedules.

The kata's lr_trajectory drives a real torch.optim.SGD with the learner's schedule and returns
every group's lr at every step. Here, in the grader, the same trajectories come from torch's own
schedulers (StepLR; LinearLR then CosineAnnealingLR through SequentialLR), and the learner's must
match them step for step. Past total_steps torch's cosine climbs again while the spec holds
min_lr, so those steps are compared with the reference instead.
"""
import math
import warnings

import torch
from torch.optim import lr_scheduler

from checker import judge as J
from checker.suite import Suite, call

suite = Suite()

# Closed forms and torch's step-by-step updates round differently, by ~1e-16 relative.
RTOL, ATOL = 1e-12, 1e-15


def torch_trajectory(make, base_lrs: list, steps: int) -> list:
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in base_lrs]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, base_lrs)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = make(optimizer)
        lrs = []
        for _ in range(steps):
            lrs.append([group["lr"] for group in optimizer.param_groups])
            optimizer.step()
            scheduler.step()
    return lrs + [[group["lr"] for group in optimizer.param_groups]]


def torch_warmup_cosine(optimizer, warmup_steps, total_steps, min_lr=0.0):
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps, eta_min=min_lr)
    if warmup_steps == 0:
        return cosine
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=1 / (warmup_steps + 1), total_iters=warmup_steps)
    return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])


def facts(result: dict) -> dict:
    out = result.get("output")
    if not (isinstance(out, dict) and out.get("__out__") == "dict" and isinstance(out.get("items"), dict)):
        raise J.Malformed("lr_trajectory did not return its dict; restore it from the stub")
    return out["items"]


def rows(desc) -> list:
    """A described list of lists of floats as Python lists (None where it is something else)."""
    if not (isinstance(desc, dict) and desc.get("__out__") == "list"):
        return None
    out = []
    for row in desc["items"]:
        if not (isinstance(row, dict) and row.get("__out__") == "list"):
            return None
        out.append(row["items"])
    return out


def close(a, b) -> bool:
    return type(a) in (int, float) and math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


def trajectory_problem(name: str, wanted: list, got: list, source: str, first_step: int = 0) -> str | None:
    for t, (want, have) in enumerate(zip(wanted, got), start=first_step):
        if len(have) != len(want):
            return f"at step {t} there are {len(have)} lrs, but the optimizer has {len(want)} parameter groups."
        for group, (w, h) in enumerate(zip(want, have)):
            if not close(h, w):
                digits = J.distinguishing_digits(w, h) if type(h) in (int, float) else 4
                shown = J.format_number(h, digits) if type(h) in (int, float) else repr(h)
                return (f"after {t} call(s) of step(), group {group}'s lr should be {J.format_number(w, digits)} "
                        f"({source}), but it is {shown} instead.")
    return None


def schedule_check(name: str, runs: list, torch_make, torch_steps):
    """runs: (base_lrs, steps, *args). torch_steps(args, steps) says how many steps torch judges."""
    specs = [call("lr_trajectory", name, *run) for run in runs]
    wanted = [torch_trajectory(lambda opt, run=run: torch_make(opt, *run[2:]), run[0], torch_steps(run))
              if torch_steps(run) is not None else None for run in runs]

    def judge(expected, got):
        for run, want, exp, res in zip(runs, wanted, expected, got):
            base_lrs, steps, *args = run
            exp_facts, got_facts = facts(exp), facts(res)
            header = (f"{name}(optimizer, {', '.join(map(repr, args))}) driving torch.optim.SGD with parameter groups "
                      f"of lr {base_lrs}, stepped {steps} times")
            if got_facts.get("raised") != exp_facts["raised"]:
                if exp_facts["raised"]:
                    return (f"{header}\n  the constructor should raise ValueError: the spec asks for "
                            f"0 <= warmup_steps < total_steps.")
                return f"{header}\n  the constructor raised {got_facts.get('raised')}."
            if exp_facts["raised"]:
                continue
            lrs = rows(got_facts.get("lrs"))
            if lrs is None or len(lrs) != steps + 1:
                raise J.Malformed("lr_trajectory's lrs are not one list per step; restore it from the stub")
            problem = J.compare(exp_facts["base_lrs"], got_facts.get("base_lrs"), "self.base_lrs")
            if problem:
                problem += " It should keep each group's lr from construction, one float per group."
            if problem is None and want is not None:
                problem = trajectory_problem(name, want, lrs, "what torch's own scheduler gives")
            if problem is None:
                problem = trajectory_problem(name, rows(exp_facts["lrs"]), lrs, "what the spec says")
            if problem is None:
                problem = J.compare(exp_facts["get_last_lr"], got_facts.get("get_last_lr"), "get_last_lr()")
                if problem:
                    problem += " It should list every group's current lr, as Python floats."
            if problem:
                return f"{header}\n  {problem}"
        return None

    return specs, judge


@suite.check()
def StepLR(g):
    runs = [([0.1], 7, 3, 0.5),
            ([0.1, 0.03], 9, 2),                     # the default gamma, 0.1, and two groups
            ([1.0], 5, 1, 0.9),                      # a decay at every step
            ([0.5, 0.2, 0.01], 13, 4, 0.25)]
    return schedule_check("StepLR", runs, lambda opt, *args: lr_scheduler.StepLR(opt, *args), lambda run: run[1])


@suite.check()
def WarmupCosineLR(g):
    runs = [([0.1, 0.03], 12, 3, 10, 0.001),        # the lesson's example, two steps past the end
            ([0.1], 6, 0, 5),                        # no warmup: cosine from the start
            ([0.2], 3, 1, 2),
            ([0.05, 0.5], 14, 5, 12, 0.0),
            ([0.1], 2, 4, 4),                        # warmup_steps == total_steps: ValueError
            ([0.1], 2, -1, 3)]                       # a negative warmup: ValueError

    def torch_steps(run):
        steps, warmup, total = run[1], run[2], run[3]
        return min(steps, total) if 0 <= warmup < total else None

    return schedule_check("WarmupCosineLR", runs, torch_warmup_cosine, torch_steps)
