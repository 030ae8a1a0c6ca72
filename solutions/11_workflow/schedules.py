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
        # BEGIN SOLUTION
        # hint: Keep the optimizer, step_size and gamma, remember [group["lr"] for group in
        #   optimizer.param_groups] as the base lrs, and start a step counter at 0.
        # hint: step() adds 1 to the counter, then writes group["lr"] = base * gamma ** (count //
        #   step_size) into every group, each with its own base lr.
        self.optimizer = optimizer
        self.step_size = step_size
        self.gamma = gamma
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        # END SOLUTION

    def step(self) -> None:
        # BEGIN SOLUTION
        self.last_epoch += 1
        factor = self.gamma ** (self.last_epoch // self.step_size)
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = base_lr * factor
        # END SOLUTION

    def get_last_lr(self) -> list:
        # BEGIN SOLUTION
        return [group["lr"] for group in self.optimizer.param_groups]
        # END SOLUTION


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
        # BEGIN SOLUTION
        # hint: Check 0 <= warmup_steps < total_steps first (ValueError), remember the base lrs,
        #   set the step counter to 0 and write the lrs for step 0 before returning.
        # hint: Fill in _lr_at(base_lr, t) with the three cases, and let both the constructor and
        #   step() use it. During warmup the lr is base_lr * (t + 1) / (W + 1): it
        #   starts above 0 and reaches base_lr exactly at t = W.
        # hint: In the cosine part, progress = (t - W) / (T - W) runs from 0 to 1, and
        #   (1 + math.cos(math.pi * progress)) / 2 runs from 1 down to 0.
        if not 0 <= warmup_steps < total_steps:
            raise ValueError(f"need 0 <= warmup_steps < total_steps, got {warmup_steps} and {total_steps}")
        self.optimizer = optimizer
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.min_lr = min_lr
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        for group, base_lr in zip(optimizer.param_groups, self.base_lrs):
            group["lr"] = self._lr_at(base_lr, 0)
        # END SOLUTION

    def _lr_at(self, base_lr: float, t: int) -> float:
        """The lr of a group whose base lr is base_lr, at step t (the three cases above)."""
        # BEGIN SOLUTION
        W, T = self.warmup_steps, self.total_steps
        if t < W:
            return base_lr * (t + 1) / (W + 1)
        if t > T:
            return self.min_lr
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * (t - W) / (T - W))) / 2
        # END SOLUTION

    def step(self) -> None:
        # BEGIN SOLUTION
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self._lr_at(base_lr, self.last_epoch)
        # END SOLUTION

    def get_last_lr(self) -> list:
        # BEGIN SOLUTION
        return [group["lr"] for group in self.optimizer.param_groups]
        # END SOLUTION


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
