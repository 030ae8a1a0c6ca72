"""Mistake catalogue for 11_workflow/schedules. Most entries replace one method of the reference
class; a method that reads a formula is rewritten with the learner's version of it."""
import math

import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- StepLR: mistakes

class StepLR:
    @catalogue.mistake("decays at every step: gamma ** t instead of gamma ** (t // step_size)",
                       hint="the exponent counts finished blocks of step_size steps: t // step_size")
    def step(self):
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = base_lr * self.gamma ** self.last_epoch

    @catalogue.mistake("computes the lr before counting the step, so every decay comes one step late",
                       hint="add 1 to the step count first, then compute the lr")
    def step(self):  # noqa: F811 - each entry is separate
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = base_lr * self.gamma ** (self.last_epoch // self.step_size)
        self.last_epoch += 1

    @catalogue.mistake("decays one step early: gamma ** ((t + 1) // step_size)",
                       hint="at step t the exponent is t // step_size")
    def step(self):  # noqa: F811
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = base_lr * self.gamma ** ((self.last_epoch + 1) // self.step_size)

    @catalogue.mistake("keeps one base lr, the first group's, for every group",
                       hint="remember a base lr per group: [group['lr'] for group in optimizer.param_groups]")
    def __init__(self, optimizer, step_size, gamma=0.1):
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.base_lrs = [optimizer.param_groups[0]["lr"]] * len(optimizer.param_groups)
        self.last_epoch = 0

    @catalogue.mistake("keeps the new lr in self.lr and never writes it into the optimizer",
                       hint="the optimizer reads group['lr']: write the new value there")
    def step(self):  # noqa: F811
        self.last_epoch += 1
        self.lrs = [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]

    @catalogue.mistake("get_last_lr() returns the base lrs", hint="report the groups' current lrs")
    def get_last_lr(self):
        return list(self.base_lrs)


@catalogue.mistake("wraps torch.optim.lr_scheduler.StepLR", expect="forbidden-op",
                   hint="write the rule yourself: base_lr * gamma ** (t // step_size)")
class StepLR:  # noqa: F811
    def __init__(self, optimizer, step_size, gamma=0.1):
        self.inner = torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma)

    def step(self):
        self.inner.step()

    def get_last_lr(self):
        return self.inner.get_last_lr()


# ---------------------------------------------------------------- StepLR: alternatives

@catalogue.alternative("multiply the current lr by gamma whenever the count reaches a multiple of step_size")
class StepLR:  # noqa: F811
    def __init__(self, optimizer, step_size, gamma=0.1):
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.base_lrs = tuple(group["lr"] for group in optimizer.param_groups)
        self.count = 0

    def step(self):
        self.count += 1
        if self.count % self.step_size == 0:
            for group in self.optimizer.param_groups:
                group["lr"] *= self.gamma

    def get_last_lr(self):
        return [float(group["lr"]) for group in self.optimizer.param_groups]


# ---------------------------------------------------------------- WarmupCosineLR: mistakes

class WarmupCosineLR:
    @catalogue.mistake("warmup from zero: base_lr * t / W, so the first step does nothing",
                       hint="ramp as base_lr * (t + 1) / (W + 1)")
    def _lr_at(self, base_lr, t):
        W, T = self.warmup_steps, self.total_steps
        if t < W:
            return base_lr * t / W
        if t > T:
            return self.min_lr
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * (t - W) / (T - W))) / 2

    @catalogue.mistake("runs the cosine over total_steps instead of total_steps - warmup_steps",
                       hint="progress is (t - W) / (T - W)")
    def _lr_at(self, base_lr, t):  # noqa: F811
        W, T = self.warmup_steps, self.total_steps
        if t < W:
            return base_lr * (t + 1) / (W + 1)
        if t > T:
            return self.min_lr
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * (t - W) / T)) / 2

    @catalogue.mistake("ignores min_lr: the cosine always ends at 0", hint="lr = min_lr + (base_lr - min_lr) * ...")
    def _lr_at(self, base_lr, t):  # noqa: F811
        W, T = self.warmup_steps, self.total_steps
        if t < W:
            return base_lr * (t + 1) / (W + 1)
        return base_lr * (1 + math.cos(math.pi * min(t - W, T - W) / (T - W))) / 2

    @catalogue.mistake("integer division in the warmup, (t + 1) // (W + 1), which stays 0",
                       hint="use true division: (t + 1) / (W + 1)")
    def _lr_at(self, base_lr, t):  # noqa: F811
        W, T = self.warmup_steps, self.total_steps
        if t < W:
            return base_lr * ((t + 1) // (W + 1))
        if t > T:
            return self.min_lr
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * (t - W) / (T - W))) / 2

    @catalogue.mistake("keeps following the cosine past total_steps, so the lr climbs back up",
                       hint="after total_steps the lr stays at min_lr")
    def _lr_at(self, base_lr, t):  # noqa: F811
        W, T = self.warmup_steps, self.total_steps
        if t < W:
            return base_lr * (t + 1) / (W + 1)
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * (t - W) / (T - W))) / 2

    @catalogue.mistake("does not write the step-0 lr in the constructor, so the first step runs at base_lr",
                       hint="set every group's lr for t = 0 before the constructor returns")
    def __init__(self, optimizer, warmup_steps, total_steps, min_lr=0.0):
        if not 0 <= warmup_steps < total_steps:
            raise ValueError("need 0 <= warmup_steps < total_steps")
        self.optimizer, self.warmup_steps, self.total_steps, self.min_lr = optimizer, warmup_steps, total_steps, min_lr
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0

    @catalogue.mistake("accepts warmup_steps >= total_steps (then divides by zero later)",
                       hint="raise ValueError unless 0 <= warmup_steps < total_steps")
    def __init__(self, optimizer, warmup_steps, total_steps, min_lr=0.0):  # noqa: F811
        self.optimizer, self.warmup_steps, self.total_steps, self.min_lr = optimizer, warmup_steps, total_steps, min_lr
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        for group, base_lr in zip(optimizer.param_groups, self.base_lrs):
            group["lr"] = self._lr_at(base_lr, 0)

    @catalogue.mistake("computes the new lrs from the current lrs instead of the base lrs",
                       hint="each step starts again from base_lr: lr_at(base_lr, t)")
    def step(self):
        self.last_epoch += 1
        for group in self.optimizer.param_groups:
            group["lr"] = self._lr_at(group["lr"], self.last_epoch)


# ---------------------------------------------------------------- WarmupCosineLR: alternatives

@catalogue.alternative("a factor of base_lr from one function, math.pi and a clamped progress")
class WarmupCosineLR:  # noqa: F811
    def __init__(self, optimizer, warmup_steps, total_steps, min_lr=0.0):
        if warmup_steps < 0 or warmup_steps >= total_steps:
            raise ValueError("warmup_steps must be in [0, total_steps)")
        self.optimizer = optimizer
        self.W, self.T, self.min_lr = warmup_steps, total_steps, min_lr
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self.t = 0
        self._apply()

    def _apply(self):
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            if self.t < self.W:
                group["lr"] = base * (self.t + 1) / (self.W + 1)
            else:
                progress = min(1.0, (self.t - self.W) / (self.T - self.W))
                group["lr"] = self.min_lr + 0.5 * (base - self.min_lr) * (1.0 + math.cos(math.pi * progress))

    def step(self):
        self.t += 1
        self._apply()

    def get_last_lr(self):
        return [group["lr"] for group in self.optimizer.param_groups]
