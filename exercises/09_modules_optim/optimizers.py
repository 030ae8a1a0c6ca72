# 09_modules_optim/optimizers: SGD with momentum, Adam and AdamW from scratch, step for step with torch.optim
# Chapter 09_modules_optim: Modules, optimizers and the training loop
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/09_modules_optim/optimizers.py
#   stuck?             kata hint 09_modules_optim/optimizers NAME    (each call shows one more hint)
#   start over:        kata reset 09_modules_optim/optimizers   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   Optimizer, SGD, Adam, AdamW:
#       torch.optim

"""Optimizers from scratch: SGD with momentum, Adam and AdamW, step for step like torch.optim.

An optimizer owns a list of parameters and two methods. zero_grad() clears their gradients
before the next backward pass (backward adds into .grad, it never overwrites it), and step()
moves every parameter that has a gradient. The training loop never changes; only the rule
inside step() does:

    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()

Plain SGD is the update you wrote by hand: p <- p - lr * g, where g is p.grad.

Weight decay pulls every weight a little towards 0, to keep it small. In SGD and Adam it is
folded into the gradient, g <- g + weight_decay * p, as if the loss had an extra
weight_decay / 2 * p**2 term.

Momentum keeps a running direction per parameter, the buffer b, and steps along it instead of
along the latest gradient alone. On the first step b is simply g; afterwards

    b <- momentum * b + g        p <- p - lr * b

so gradients that keep pointing the same way add up (with momentum 0.9, up to ten times the
step), while ones that flip sign cancel out. Nesterov's variant looks one step ahead: it moves
along g + momentum * b instead of b.

Adam gives every number its own step size. It keeps two running averages per parameter, of the
gradient (m, the first moment) and of its square (v, the second moment), and counts the steps
t that parameter has taken:

    m <- beta1 * m + (1 - beta1) * g          (beta1 = 0.9)
    v <- beta2 * v + (1 - beta2) * g * g      (beta2 = 0.999)
    p <- p - lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t)

m and v start at 0, so early on they are too small; dividing by (1 - beta**t), the bias
correction, undoes that. On the very first step m_hat = g and v_hat = g * g, so every number
moves by lr (times the sign of its gradient) however large or small its gradient is.

AdamW changes one thing: the weight decay is taken out of the gradient, where Adam's scaling
would shrink it for parameters with large gradients, and applied directly to the weights before
the Adam update, p <- p * (1 - lr * weight_decay). This "decoupled" decay is what large language
models are trained with.

Two details matter for matching torch.optim exactly. A parameter whose .grad is None (it took
no part in the loss) is skipped entirely: it does not move, it is not decayed, and its state does
not advance. So state is per parameter, created at its first real step; Adam's t counts that
parameter's own steps. And zero_grad() sets each .grad to None by default (set_to_none=True),
which is what makes such a parameter skip the next step; with set_to_none=False the grads
become zeros instead, and a zero gradient is still a step.
"""
import math

import torch
import torch.nn.functional as F


class Optimizer:
    """What every optimizer below shares: its parameters, their state, and zero_grad.

    Optimizer(params): params is any iterable of tensors (a list, or a generator such as
    model.parameters()), each a leaf with requires_grad=True. They are kept, in order, in a list
    `self.params` that can be walked at every step. A dict `self.state`, keyed by parameter, is
    a convenient home for the per-parameter state of the subclasses.

    Raises ValueError if params is empty.

    zero_grad(set_to_none=True): for every parameter whose .grad is not None, set .grad to None
    (set_to_none=True), or fill it with zeros, keeping its shape (set_to_none=False). A .grad
    that is None stays None. As torch.optim.Optimizer.zero_grad does.

    step() does nothing here: each optimizer defines its own.

    Loops: allowed (one step per parameter tensor).
    Forbidden: torch.optim.
    """

    def __init__(self, params):
        raise NotImplementedError("09_modules_optim/optimizers: Optimizer.__init__ is not implemented yet; stuck? run `kata hint 09_modules_optim/optimizers Optimizer`")

    def zero_grad(self, set_to_none: bool = True) -> None:
        raise NotImplementedError("09_modules_optim/optimizers: Optimizer.zero_grad is not implemented yet; stuck? run `kata hint 09_modules_optim/optimizers Optimizer`")

    def step(self) -> None:
        """Move the parameters; the base class moves nothing."""


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay.

    SGD(params, lr=1e-3, momentum=0.0, weight_decay=0.0, nesterov=False), an Optimizer.
    Raises ValueError if nesterov is True while momentum is 0.

    step(): for every parameter p whose p.grad is not None, in place and without recording
    anything in the autograd graph:
        g = p.grad + weight_decay * p
        with momentum > 0: b = g on p's first step, else b = momentum * b + g (b is kept per
            parameter); then g = g + momentum * b with nesterov, or g = b without;
        p = p - lr * g.
    Parameters with no grad are skipped and their buffer does not change. Over any number of
    steps the parameters follow torch.optim.SGD with the same arguments (dampening 0).

    Loops: allowed over the parameters (never over the elements of one tensor).
    Forbidden: torch.optim.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False):
        raise NotImplementedError("09_modules_optim/optimizers: SGD.__init__ is not implemented yet; stuck? run `kata hint 09_modules_optim/optimizers SGD`")

    def step(self) -> None:
        raise NotImplementedError("09_modules_optim/optimizers: SGD.step is not implemented yet; stuck? run `kata hint 09_modules_optim/optimizers SGD`")


class Adam(Optimizer):
    """Adam: per-number step sizes from running averages of the gradient and its square.

    Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), an Optimizer.

    step(): for every parameter p whose p.grad is not None, in place and without recording
    anything in the autograd graph, with (beta1, beta2) = betas:
        g = p.grad + weight_decay * p
        t = t + 1                          (p's own step count, starting from 0)
        m = beta1 * m + (1 - beta1) * g    (m and v start as zeros shaped like p)
        v = beta2 * v + (1 - beta2) * g * g
        p = p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)
    t, m and v are kept per parameter. Parameters with no grad are skipped, and their t, m and v
    do not change. Over any number of steps the parameters follow torch.optim.Adam with the
    same arguments.

    Loops: allowed over the parameters (never over the elements of one tensor).
    Forbidden: torch.optim.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        raise NotImplementedError("09_modules_optim/optimizers: Adam.__init__ is not implemented yet; stuck? run `kata hint 09_modules_optim/optimizers Adam`")

    def step(self) -> None:
        raise NotImplementedError("09_modules_optim/optimizers: Adam.step is not implemented yet; stuck? run `kata hint 09_modules_optim/optimizers Adam`")


class AdamW(Adam):
    """AdamW: Adam with the weight decay applied to the weights, not added to the gradient.

    AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2), an Optimizer (note
    the default weight decay of 0.01).

    step(): for every parameter p whose p.grad is not None, first p = p * (1 - lr * weight_decay),
    then Adam's update with the gradient p.grad alone (no weight_decay * p term). Parameters with
    no grad are skipped: not decayed, not moved, state unchanged. Over any number of steps the
    parameters follow torch.optim.AdamW with the same arguments.

    Loops: allowed over the parameters (never over the elements of one tensor).
    Forbidden: torch.optim.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2):
        raise NotImplementedError("09_modules_optim/optimizers: AdamW.__init__ is not implemented yet; stuck? run `kata hint 09_modules_optim/optimizers AdamW`")

    def step(self) -> None:
        raise NotImplementedError("09_modules_optim/optimizers: AdamW.step is not implemented yet; stuck? run `kata hint 09_modules_optim/optimizers AdamW`")


def run_optimizer(optimizer, params, targets, active, options, set_to_none=True):
    """Drive an optimizer through a small training loop and record where the parameters go.

    The grader calls this with your classes; you can call it too, to compare one of them with
    torch.optim (run_optimizer(torch.optim.Adam, ...)).

    Args:
        optimizer: an optimizer class, or the name of a class defined in this file ("SGD", ...).
        params: a list of leaf tensors with requires_grad=True, updated in place.
        targets: a list of tensors shaped like params. The loss pulls params[i] towards
            targets[i]: it is the sum of ((params[i] - targets[i]) ** 2).sum() over the
            parameters taking part in that step (F.mse_loss with reduction="sum").
        active: one list of bools per step: active[t][i] says whether params[i] takes part in
            step t. A parameter that takes no part gets no gradient that step.
        options: a dict of keyword arguments for the optimizer, e.g. {"lr": 0.1}.
        set_to_none: passed to every zero_grad call.

    The optimizer is built from a generator over params, as model.parameters() would be. Every
    step runs zero_grad, the loss, backward and step, in that order; zero_grad runs once more at
    the end.

    Returns:
        {"trajectory": a list with one tensor per parameter, of shape (steps + 1, *p.shape): its
        value before the first step, then after each step; "grads": each parameter's .grad after
        the final zero_grad}.
    """
    if isinstance(optimizer, str):
        optimizer = globals()[optimizer]
    opt = optimizer((p for p in params), **options)
    with torch.no_grad():
        history = [[p.clone()] for p in params]
    for flags in active:
        opt.zero_grad(set_to_none)
        with torch.enable_grad():  # backward needs it, even if the caller turned it off
            terms = [F.mse_loss(p, t, reduction="sum") for p, t, on in zip(params, targets, flags) if on]
            if terms:
                sum(terms).backward()
        opt.step()
        with torch.no_grad():
            for record, p in zip(history, params):
                record.append(p.clone())
    opt.zero_grad(set_to_none)
    return {"trajectory": [torch.stack(record) for record in history], "grads": [p.grad for p in params]}
