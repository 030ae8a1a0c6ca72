# 11_workflow/schedules: Learning-rate schedules: step decay, warmup and cosine
# Chapter 11_workflow: The training workflow
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/11_workflow/schedules.py
#   stuck?             kata hint 11_workflow/schedules NAME    (each call shows one more hint)
#   start over:        kata reset 11_workflow/schedules   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   StepLR:
#       torch.optim.lr_scheduler.StepLR, torch.optim.lr_scheduler.MultiStepLR,
#       torch.optim.lr_scheduler.ExponentialLR, torch.optim.lr_scheduler.LambdaLR,
#       torch.optim.lr_scheduler.MultiplicativeLR, torch.optim.lr_scheduler.LRScheduler
#   WarmupCosineLR:
#       torch.optim.lr_scheduler.LinearLR, torch.optim.lr_scheduler.CosineAnnealingLR,
#       torch.optim.lr_scheduler.SequentialLR, torch.optim.lr_scheduler.LambdaLR,
#       torch.optim.lr_scheduler.ChainedScheduler, torch.optim.lr_scheduler.OneCycleLR,
#       torch.optim.lr_scheduler.CosineAnnealingWarmRestarts,
#       torch.optim.lr_scheduler.LRScheduler

"""Learning-rate schedules: changing the step size while training runs.

A learning rate that suits the first steps is rarely the one that suits the last. Early on, big
steps cover ground quickly; near the end, small steps let the weights settle into a minimum
instead of bouncing around it. A schedule is a small object that rewrites the optimizer's
learning rate as training goes.

The optimizer keeps its settings in `optimizer.param_groups`, a list of dicts, one per group of
parameters (a model can give its embeddings one lr and the rest another). Each dict holds the
current "lr", and the optimizer reads it afresh at every step(). So a schedule only has to
remember each group's starting lr (its *base* lr) and write a new group["lr"] whenever its own
step() is called, once per epoch or once per batch, right after optimizer.step():

    for epoch in range(epochs):
        train_one_epoch(model, loader, optimizer)   # calls optimizer.step() many times
        scheduler.step()                            # then the schedule moves on by one

Two classic shapes:

- Step decay (torch.optim.lr_scheduler.StepLR): multiply the lr by gamma every step_size steps.
  With lr 0.1, step_size 3 and gamma 0.5 the lr reads 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, ...
  In one formula: lr(t) = base_lr * gamma ** (t // step_size).

- Linear warmup, then cosine decay, the usual recipe for Transformers. A freshly initialised
  network with Adam takes erratic steps at first, so the lr ramps up from a small value over
  `warmup_steps` steps; then it glides down along half a cosine to min_lr at `total_steps`:

      warmup   (t <= W):       lr(t) = base_lr * (t + 1) / (W + 1)
      cosine   (W <= t <= T):  lr(t) = min_lr + (base_lr - min_lr) * (1 + cos(pi * (t - W) / (T - W))) / 2

  Both formulas give base_lr at t = W, so the two pieces meet. With base_lr 0.1, W = 3 and
  T = 10 the lr reads 0.025, 0.05, 0.075, 0.1, then 0.0951, 0.0814, ... down to min_lr at t = 10.
  It is what torch gives for SequentialLR(LinearLR(start_factor=1 / (W + 1), total_iters=W),
  CosineAnnealingLR(T_max=T - W, eta_min=min_lr), milestones=[W]).

Both classes here drive a real torch.optim optimizer, and the kata checks them step for step
against torch's own schedulers.
"""
import math

import torch


class StepLR:
    """Multiply every parameter group's learning rate by gamma once every step_size steps.

    StepLR(optimizer, step_size, gamma=0.1):
        optimizer: a torch.optim optimizer. Each group's "lr" at construction is its base lr,
            kept in self.base_lrs (a list, one float per group). Construction leaves the lrs as
            they are: the count of steps starts at 0.
        step_size: a positive int; gamma: a float.

    step(): counts one more step, t, and sets every group's "lr" to
        base_lr * gamma ** (t // step_size), with its own base_lr.
    get_last_lr(): the list of the groups' current lrs (Python floats), in group order.

    Loops: allowed (one lr per parameter group).
    Forbidden: torch.optim.lr_scheduler.StepLR, torch.optim.lr_scheduler.MultiStepLR,
        torch.optim.lr_scheduler.ExponentialLR, torch.optim.lr_scheduler.LambdaLR,
        torch.optim.lr_scheduler.MultiplicativeLR, torch.optim.lr_scheduler.LRScheduler
    """

    def __init__(self, optimizer: torch.optim.Optimizer, step_size: int, gamma: float = 0.1):
        raise NotImplementedError("11_workflow/schedules: StepLR.__init__ is not implemented yet; stuck? run `kata hint 11_workflow/schedules StepLR`")

    def step(self) -> None:
        raise NotImplementedError("11_workflow/schedules: StepLR.step is not implemented yet; stuck? run `kata hint 11_workflow/schedules StepLR`")

    def get_last_lr(self) -> list:
        raise NotImplementedError("11_workflow/schedules: StepLR.get_last_lr is not implemented yet; stuck? run `kata hint 11_workflow/schedules StepLR`")


class WarmupCosineLR:
    """Linear warmup over warmup_steps steps, then half a cosine down to min_lr at total_steps.

    WarmupCosineLR(optimizer, warmup_steps, total_steps, min_lr=0.0):
        optimizer: a torch.optim optimizer. Each group's "lr" at construction is its base lr
            (self.base_lrs, one float per group).
        warmup_steps (W): an int >= 0; total_steps (T): an int > W; min_lr: a float, the same for
            every group. Raises ValueError unless 0 <= W < T.

    At step t (t = 0 on construction, one more after each step()), every group's "lr" is
        base_lr * (t + 1) / (W + 1)                                          for t < W,
        min_lr + (base_lr - min_lr) * (1 + cos(pi * (t - W) / (T - W))) / 2  for W <= t <= T,
        min_lr                                                               for t > T.
    The constructor already writes the lr of t = 0 into every group, so the very first
    optimizer.step() uses it. get_last_lr(): the list of the groups' current lrs (Python floats).

    Loops: allowed (one lr per parameter group).
    Forbidden: torch.optim.lr_scheduler.LinearLR, torch.optim.lr_scheduler.CosineAnnealingLR,
        torch.optim.lr_scheduler.SequentialLR, torch.optim.lr_scheduler.LambdaLR,
        torch.optim.lr_scheduler.ChainedScheduler, torch.optim.lr_scheduler.OneCycleLR,
        torch.optim.lr_scheduler.CosineAnnealingWarmRestarts, torch.optim.lr_scheduler.LRScheduler
    """

    def __init__(self, optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int,
                 min_lr: float = 0.0):
        raise NotImplementedError("11_workflow/schedules: WarmupCosineLR.__init__ is not implemented yet; stuck? run `kata hint 11_workflow/schedules WarmupCosineLR`")

    def _lr_at(self, base_lr: float, t: int) -> float:
        """The lr of a group whose base lr is base_lr, at step t (the three cases above)."""
        raise NotImplementedError("11_workflow/schedules: WarmupCosineLR._lr_at is not implemented yet; stuck? run `kata hint 11_workflow/schedules WarmupCosineLR`")

    def step(self) -> None:
        raise NotImplementedError("11_workflow/schedules: WarmupCosineLR.step is not implemented yet; stuck? run `kata hint 11_workflow/schedules WarmupCosineLR`")

    def get_last_lr(self) -> list:
        raise NotImplementedError("11_workflow/schedules: WarmupCosineLR.get_last_lr is not implemented yet; stuck? run `kata hint 11_workflow/schedules WarmupCosineLR`")


# ------------------------------------------------------------------------------------------------
# The hidden suite drives your schedules through this function: a real optimizer holding one
# parameter per base lr, stepped `steps` times. Leave it as it is.

def lr_trajectory(schedule: str, base_lrs: list, steps: int, *args) -> dict:
    """The lr of every group, and what get_last_lr() says, before each step and after the last;
    and the schedule's base_lrs at the end."""
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in base_lrs]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, base_lrs)])
    try:
        scheduler = globals()[schedule](optimizer, *args)
    except ValueError:
        return {"raised": "ValueError"}
    lrs, reported = [], []
    for _ in range(steps):
        lrs.append([group["lr"] for group in optimizer.param_groups])
        reported.append(scheduler.get_last_lr())
        optimizer.step()
        scheduler.step()
    lrs.append([group["lr"] for group in optimizer.param_groups])
    reported.append(scheduler.get_last_lr())
    base_lrs = getattr(scheduler, "base_lrs", "missing")
    return {"raised": None, "base_lrs": list(base_lrs) if isinstance(base_lrs, (list, tuple)) else base_lrs,
            "lrs": lrs, "get_last_lr": reported}
