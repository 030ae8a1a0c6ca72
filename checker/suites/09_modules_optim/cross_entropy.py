"""Hidden suite for 09_modules_optim/cross_entropy.

The ladders compare with the reference. A last check compares cross_entropy's values and
gradients with F.cross_entropy itself, computed here in the trusted process, on the cases where
the two layouts agree, so the reference is held to torch's definition by the same judge.
"""
import math

import torch
import torch.nn.functional as F

from checker import judge as J
from checker.probe import projection
from checker.suite import Case, Suite, call, strided, transposed

suite = Suite()
INF = math.inf


def log_softmax_grow(g, batch=2, rows=3, cols=4):
    return Case(g.randn(batch, rows, cols), 1)   # a middle dim, so every dim can grow


def with_minus_inf(g):
    x = g.randn(3, 4)
    x[0, 2] = x[1, 0] = x[1, 3] = -INF
    return x


@suite.function(grow=log_softmax_grow)
def log_softmax(g):
    yield Case(g.randn(1))                                            # one class: log(1) = 0
    yield Case(g.randn(4, 1), -1)
    yield Case(torch.tensor([[2.0, 1.0, 0.1]]))                       # the lesson's example
    yield Case(g.randn(3, 4), 0)
    yield Case(g.randn(0, 4), -1)
    yield Case(with_minus_inf(g), -1)
    yield Case(g.randn(2, 3, 4), -2)
    yield Case(g.randn(3, 5, scale=1e4))                               # exp(1e4) = inf; log(0) = -inf
    yield Case(g.randn(4, 3, scale=1e4, shift=-5e3), 0)
    yield Case(g.randn(2, 3, 5, dtype=torch.float64, scale=3.0), 2)
    yield Case(transposed(g.randn(5, 4)), -1)
    yield Case(strided(g.randn(3, 6)), 0)


def targets_for(g, shape, classes, ignored=0.0, ignore_index=-100):
    """Random classes, with about `ignored` of the positions set to ignore_index."""
    targets = g.randint(0, classes, shape)
    return torch.where(g.rand(*shape) < ignored, torch.full_like(targets, ignore_index), targets)


def ce_case(g, batch=2, tokens=3, classes=5):
    return Case(g.randn(batch, tokens, classes), targets_for(g, (batch, tokens), classes, 0.3))


# Each entry: logits shape, then the extra arguments (reduction, ignore_index) and options.
def ce_cases(g):
    yield Case(g.randn(1, 1), torch.tensor([0]))                                       # one class: 0
    yield Case(g.randn(4), torch.tensor(2))                                            # one sample, no batch
    yield Case(torch.tensor([[2.0, 1.0, 0.1], [2.0, 1.0, 0.1]]), torch.tensor([0, 2]), "none")
    yield Case(g.randn(4, 3), targets_for(g, (4,), 3))
    yield Case(g.randn(5, 4), targets_for(g, (5,), 4), "sum")
    yield Case(g.randn(6, 3), torch.tensor([0, -100, 2, -100, 1, 1]))                 # mean over the 4 that count
    yield Case(g.randn(6, 3), torch.tensor([0, -100, 2, -100, 1, 1]), "sum")
    yield Case(g.randn(6, 3), torch.tensor([0, -100, 2, -100, 1, 1]), "none")
    yield Case(g.randn(5, 4), torch.tensor([0, 3, 0, 1, 0]), "mean", 0)               # class 0 is padding here
    yield Case(g.randn(3, 4), torch.full((3,), -100), "sum")                           # nothing counts: 0
    yield Case(g.randn(3, 4), torch.full((3,), -100), grad=False)                      # nothing counts: nan
    yield Case(g.randn(0, 4), torch.zeros(0, dtype=torch.long), "sum")
    yield Case(g.randn(0, 4), torch.zeros(0, dtype=torch.long), "none")
    yield ce_case(g)                                                                   # (B, T, V) logits
    yield Case(g.randn(2, 3, 6), targets_for(g, (2, 3), 6, 0.3), "none")
    yield Case(g.randn(4, 5, scale=1e4), targets_for(g, (4,), 5))                      # log(softmax) = -inf
    yield Case(g.randn(3, 7, dtype=torch.float64, scale=3.0), targets_for(g, (3,), 7, 0.3), "sum")
    yield Case(transposed(g.randn(6, 5)), strided(targets_for(g, (6,), 5)))
    yield Case(g.randn(2, 3), torch.tensor([0, 1]), "average", raises=ValueError)
    yield Case(g.randn(2, 3), torch.tensor([0, 1]), "batchmean", raises=ValueError)


@suite.function(grow=ce_case)
def cross_entropy(g):
    yield from ce_cases(g)


# ---------------------------------------------------------------------------------------------
# Against F.cross_entropy itself
# ---------------------------------------------------------------------------------------------

def torch_loss(logits, targets, reduction, ignore_index, seed):
    """F.cross_entropy's value and its gradient through the probe's projection weights."""
    leaf = logits.clone().requires_grad_()
    flat = F.cross_entropy(leaf.reshape(-1, leaf.shape[-1]), targets.reshape(-1), reduction=reduction,
                           ignore_index=ignore_index)
    loss = flat.reshape(targets.shape) if reduction == "none" else flat
    weights = projection([loss.detach()], seed)[0]
    (grad,) = torch.autograd.grad((loss * weights).sum(), leaf)
    return loss.detach(), grad


@suite.check()
def cross_entropy(g):  # noqa: F811 - after the ladder, against torch's own definition
    runs = [(g.randn(5, 4), targets_for(g, (5,), 4), "mean", -100),
            (g.randn(6, 5, scale=1e4), targets_for(g, (6,), 5, 0.3), "mean", -100),
            (g.randn(2, 4, 6), targets_for(g, (2, 4), 6, 0.3), "none", -100),
            (g.randn(6, 3, dtype=torch.float64), targets_for(g, (6,), 3, 0.4, 1), "sum", 1)]
    truth = [torch_loss(*run, seed=number) for number, run in enumerate(runs)]
    names = ["logits", "targets", "reduction", "ignore_index"]

    def judge(expected, got):
        for run, (loss, grad), res in zip(runs, truth, got):
            shown = f"{J.format_call('cross_entropy', names, run)}, compared with F.cross_entropy"
            out = res["output"]
            value = out.get("value") if isinstance(out, dict) and out.get("__out__") == "tensor" else None
            if not isinstance(value, torch.Tensor) or not J.close(value, loss):
                return (f"{shown}\n  the loss should be {J.show_tensor(loss, 6)}, but it is "
                        f"{J.show_tensor(value, 6) if isinstance(value, torch.Tensor) else 'not a tensor'}.")
            grads = res.get("grads") or [None]
            if not isinstance(grads[0], torch.Tensor) or not J.close(grads[0], grad):
                return f"{shown}\n  the gradient with respect to logits differs from F.cross_entropy's."
        return None

    return [dict(call("cross_entropy", *run, grad=True), projection_seed=number)
            for number, run in enumerate(runs)], judge
