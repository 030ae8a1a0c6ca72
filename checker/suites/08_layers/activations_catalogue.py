"""Mistake catalogue for 08_layers/activations: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import math

import torch
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- relu: mistakes

@catalogue.mistake("multiplies by the mask, x * (x > 0), which turns -inf into nan",
                   hint="select instead of multiplying: torch.where(x > 0, x, 0.0)")
def relu(x):
    return x * (x > 0)


@catalogue.mistake("(x + |x|) / 2, which gives nan at -inf", hint="select with torch.where or clamp")
def relu(x):
    return (x + x.abs()) / 2


@catalogue.mistake("torch.max(x, 0), a reduction over dim 0, instead of an elementwise maximum",
                   hint="torch.max(x, 0) reduces dim 0; the elementwise form is torch.maximum or clamp(min=0)")
def relu(x):
    return torch.max(x, 0).values


@catalogue.mistake("zeroes the negatives of x itself, x[x < 0] = 0", hint="work on a copy: x.clone() first")
def relu(x):
    x[x < 0] = 0
    return x


@catalogue.mistake("clamps in float32, returning float32 for half inputs", hint="keep x's dtype")
def relu(x):
    return x.float().clamp(min=0)


@catalogue.mistake("calls torch.relu", expect="forbidden-op", hint="build it from torch.where or clamp")
def relu(x):
    return torch.relu(x)


# ---------------------------------------------------------------- relu: alternatives

@catalogue.alternative("x.clamp(min=0)")
def relu(x):
    return x.clamp(min=0)


@catalogue.alternative("torch.maximum with a zero tensor of x's dtype and device")
def relu(x):
    return torch.maximum(x, x.new_zeros(()))


@catalogue.alternative("a masked write into a clone")
def relu(x):
    out = x.clone()
    out[out < 0] = 0
    return out


# ---------------------------------------------------------------- gelu: mistakes

def _tanh_gelu(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def _check(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(approximate)


@catalogue.mistake("the tanh form for approximate='none' too", hint="'none' is the exact form, built on torch.erf")
def gelu(x, approximate="none"):
    _check(approximate)
    return _tanh_gelu(x)


@catalogue.mistake("the exact form whatever approximate says", hint="use the tanh formula when approximate='tanh'")
def gelu(x, approximate="none"):
    _check(approximate)
    return x * (1 + torch.erf(x / math.sqrt(2))) / 2


@catalogue.mistake("x * sigmoid(1.702 x), a third approximation", hint="compute Phi(x) with torch.erf")
def gelu(x, approximate="none"):
    _check(approximate)
    return x * torch.sigmoid(1.702 * x) if approximate == "none" else _tanh_gelu(x)


@catalogue.mistake("erf(x) instead of erf(x / sqrt(2))", hint="Phi(x) = (1 + erf(x / sqrt(2))) / 2")
def gelu(x, approximate="none"):
    _check(approximate)
    return x * (1 + torch.erf(x)) / 2 if approximate == "none" else _tanh_gelu(x)


@catalogue.mistake("forgets the factor 1/2", hint="Phi(x) is a probability: (1 + erf(...)) / 2, at most 1")
def gelu(x, approximate="none"):
    _check(approximate)
    if approximate == "none":
        return x * (1 + torch.erf(x / math.sqrt(2)))
    return x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


@catalogue.mistake("0.044715 * x**2 instead of x**3 in the tanh form", hint="the correction term is cubic")
def gelu(x, approximate="none"):
    _check(approximate)
    if approximate == "none":
        return ref.gelu(x)
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 2)))


@catalogue.mistake("any approximate other than 'tanh' silently means the exact form",
                   hint="raise ValueError for values other than 'none' and 'tanh'")
def gelu(x, approximate="none"):
    return _tanh_gelu(x) if approximate == "tanh" else x * (1 + torch.erf(x / math.sqrt(2))) / 2


@catalogue.mistake("calls F.gelu", expect="forbidden-op", hint="write the formula with torch.erf / torch.tanh")
def gelu(x, approximate="none"):
    return F.gelu(x, approximate=approximate)


# ---------------------------------------------------------------- gelu: alternatives

@catalogue.alternative("torch.special.ndtr (the normal CDF), and 0.5 * (1 + tanh(z)) as sigmoid(2z)")
def gelu(x, approximate="none"):
    if approximate == "none":
        return x * torch.special.ndtr(x)
    if approximate == "tanh":
        return x * torch.sigmoid(2 * math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x))
    raise ValueError(f"unknown approximate {approximate!r}")


# ---------------------------------------------------------------- softmax: mistakes

@catalogue.mistake("no shift: exp(x) / sum(exp(x)) overflows to inf / inf = nan",
                   hint="subtract the maximum along dim before torch.exp")
def softmax(x, dim):
    exps = torch.exp(x)
    return exps / exps.sum(dim=dim, keepdim=True)


@catalogue.mistake("shifts by the maximum of the whole tensor instead of each slice's",
                   hint="take the maximum along dim with keepdim=True; a distant slice underflows to 0 / 0")
def softmax(x, dim):
    if x.numel() == 0:        # x.max() refuses empty tensors: a guard a learner adds after a crash
        return x.clone()
    exps = torch.exp(x - x.max())
    return exps / exps.sum(dim=dim, keepdim=True)


@catalogue.mistake("sums without keepdim, so the division lines up the wrong dims",
                   hint="keepdim=True keeps the summed dim as size 1, so it broadcasts back")
def softmax(x, dim):
    exps = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return exps / exps.sum(dim=dim)


@catalogue.mistake("always normalises the last dim, whatever dim says", hint="use dim for the max and the sum")
def softmax(x, dim):
    return ref.softmax(x, -1)


@catalogue.mistake("divides by the sum over every element", hint="each slice along dim must add up to 1 on its own")
def softmax(x, dim):
    exps = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return exps / exps.sum()


@catalogue.mistake("subtracts the maximum in place, changing the caller's x", hint="x - m makes a new tensor; x -= m does not")
def softmax(x, dim):
    x -= x.amax(dim=dim, keepdim=True).detach()
    exps = torch.exp(x)
    return exps / exps.sum(dim=dim, keepdim=True)


@catalogue.mistake("a Python loop over the slices", expect="not-vectorised",
                   hint="amax, exp and sum with dim and keepdim handle every slice at once")
def softmax(x, dim):
    slices = [ref.softmax(s, -1) for s in x.movedim(dim, -1).reshape(-1, x.shape[dim])]
    out = torch.stack(slices) if slices else x.movedim(dim, -1).reshape(0, x.shape[dim])
    return out.reshape(x.movedim(dim, -1).shape).movedim(-1, dim)


@catalogue.mistake("exponentiates in float32, returning float32 for half inputs", hint="keep x's dtype")
def softmax(x, dim):
    return ref.softmax(x.float(), dim)


@catalogue.mistake("calls F.softmax", expect="forbidden-op", hint="build it from amax, exp and sum")
def softmax(x, dim):
    return F.softmax(x, dim=dim)


@catalogue.mistake("exp(log_softmax(x))", expect="forbidden-op", hint="log_softmax does the work for you: build it")
def softmax(x, dim):
    return torch.log_softmax(x, dim).exp()


# ---------------------------------------------------------------- softmax: alternatives

@catalogue.alternative("exp(x - logsumexp(x)), the log-domain form")
def softmax(x, dim):
    return torch.exp(x - torch.logsumexp(x, dim=dim, keepdim=True))


@catalogue.alternative("a detached maximum (the shift cancels, so its gradient does not matter)")
def softmax(x, dim):
    exps = (x - x.max(dim=dim, keepdim=True).values.detach()).exp()
    return exps / exps.sum(dim, keepdim=True)


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.mistake("relu through the in-place Tensor.relu_ on a copy", expect="forbidden-op",
                   hint="build it from torch.where or clamp: relu_ is the built-in")
def relu(x):  # noqa: F811
    return x.clone().relu_()


@catalogue.mistake("relu as F.leaky_relu with a zero slope", expect="forbidden-op",
                   hint="leaky_relu(x, 0) is ReLU itself: build it from torch.where or clamp")
def relu(x):  # noqa: F811
    return F.leaky_relu(x, negative_slope=0.0)


@catalogue.mistake("relu selects against torch.zeros(x.shape), a float32 tensor on the CPU",
                   hint="a plain 0.0 (or torch.zeros_like(x)) follows x's dtype and device")
def relu(x):  # noqa: F811
    return torch.where(x > 0, x, torch.zeros(x.shape))


@catalogue.mistake("relu clamps the caller's x in place, x.clamp_(min=0)", hint="x.clamp(min=0) returns a new tensor")
def relu(x):  # noqa: F811
    return x.clamp_(min=0)


@catalogue.mistake("the tanh form with sqrt(2 * pi) instead of sqrt(2 / pi)",
                   hint="the tanh form's scale is math.sqrt(2 / math.pi), about 0.798")
def gelu(x, approximate="none"):  # noqa: F811
    if approximate == "tanh":
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2 * math.pi) * (x + 0.044715 * x ** 3)))
    return ref.gelu(x, approximate)


@catalogue.mistake("gelu computes in float32 and returns float32 for half inputs", hint="keep x's dtype")
def gelu(x, approximate="none"):  # noqa: F811
    return ref.gelu(x.float(), approximate)


@catalogue.mistake("gelu multiplies the caller's x in place", hint="x * Phi(x) makes a new tensor; x.mul_ changes x")
def gelu(x, approximate="none"):  # noqa: F811
    if approximate == "none":
        return x.mul_(0.5 * (1.0 + torch.erf(x / math.sqrt(2.0))))
    return ref.gelu(x, approximate)


@catalogue.mistake("softmax takes the maximum without keepdim, so it lines up with the wrong dim",
                   hint="x.amax(dim, keepdim=True) keeps a size-1 dim that broadcasts back against x")
def softmax(x, dim):  # noqa: F811
    exps = torch.exp(x - x.amax(dim=dim))
    return exps / exps.sum(dim=dim, keepdim=True)


@catalogue.alternative("relu against a 0-d zero tensor (a 0-d tensor does not promote x's dtype)")
def relu(x):  # noqa: F811
    return torch.where(x <= 0, torch.tensor(0.0, dtype=x.dtype, device=x.device), x)


@catalogue.alternative("gelu through erfc (accurate for large negative x) and tanh written out")
def gelu(x, approximate="none"):  # noqa: F811
    if approximate not in ("none", "tanh"):
        raise ValueError(approximate)
    if approximate == "none":
        return 0.5 * x * torch.erfc(-x * math.sqrt(0.5))
    u = math.sqrt(2.0 / math.pi) * x * (1.0 + 0.044715 * x.pow(2))
    return x * (1.0 + u.tanh()) * 0.5


@catalogue.alternative("gelu in float64, cast back")
def gelu(x, approximate="none"):  # noqa: F811
    return ref.gelu(x.double(), approximate).to(x.dtype)


@catalogue.alternative("softmax moving dim to the end and back, with x.max(...).values")
def softmax(x, dim):  # noqa: F811
    last = x.movedim(dim, -1)
    exps = torch.exp(last - last.max(dim=-1, keepdim=True).values)
    return (exps / torch.sum(exps, dim=-1, keepdim=True)).movedim(-1, dim)


@catalogue.alternative("softmax in float64, cast back")
def softmax(x, dim):  # noqa: F811
    wide = x.double()
    exps = (wide - wide.amax(dim, keepdim=True)).exp()
    return (exps / exps.sum(dim, keepdim=True)).to(x.dtype)
