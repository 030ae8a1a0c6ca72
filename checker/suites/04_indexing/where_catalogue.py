"""Mistake catalogue for 04_indexing/where: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- replace_above

@catalogue.mistake("replace_above swaps the branches of torch.where",
                   hint="the True branch is what the element becomes: where(x > threshold, value, x)")
def replace_above(x, threshold, value):
    return torch.where(x > threshold, x, value)


@catalogue.mistake("replace_above replaces elements equal to the threshold too", hint="'above' is strict: x > threshold")
def replace_above(x, threshold, value):  # noqa: F811 - each entry replaces the graded name
    return torch.where(x >= threshold, value, x)


@catalogue.mistake("replace_above uses masked_fill", expect="forbidden-op", hint="write it with torch.where")
def replace_above(x, threshold, value):  # noqa: F811
    return x.masked_fill(x > threshold, value)


# ---------------------------------------------------------------- relu

@catalogue.mistake("relu multiplies x by its mask, so -inf * 0 gives NaN",
                   hint="select with torch.where instead of multiplying")
def relu(x):
    return x * (x > 0)


@catalogue.mistake("relu keeps x where x >= 0, so the slope at exactly 0 is 1",
                   hint="use the strict x > 0: torch.relu's slope at 0 is 0")
def relu(x):  # noqa: F811
    return torch.where(x >= 0, x, 0.0)


@catalogue.mistake("relu's zero branch is torch.zeros(x.shape), float32 whatever x's dtype",
                   hint="use a plain 0.0 or torch.zeros_like(x), which follow x's dtype and device")
def relu(x):  # noqa: F811
    return torch.where(x > 0, x, torch.zeros(x.shape))


@catalogue.mistake("relu calls torch.relu", expect="forbidden-op", hint="build it from torch.where")
def relu(x):  # noqa: F811
    return torch.relu(x)


# ---------------------------------------------------------------- clip

@catalogue.mistake("clip applies both wheres to the original x, so the second undoes the first",
                   hint="nest them: the outer where must work on the inner one's result")
def clip(x, low, high):
    out = torch.where(x < low, low, x)
    out = torch.where(x > high, high, x)
    return out


@catalogue.mistake("clip tests x <= low and x >= high, so the slope at both ends is 0",
                   hint="strict comparisons keep x itself at the ends (slope 1, as torch.clamp)")
def clip(x, low, high):  # noqa: F811
    return torch.where(x <= low, low, torch.where(x >= high, high, x))


@catalogue.mistake("clip swaps low and high", hint="values below low become low; values above high become high")
def clip(x, low, high):  # noqa: F811
    return torch.where(x < low, high, torch.where(x > high, low, x))


@catalogue.mistake("clip calls torch.clamp", expect="forbidden-op", hint="build it from two torch.where calls")
def clip(x, low, high):  # noqa: F811
    return torch.clamp(x, low, high)


# ---------------------------------------------------------------- huber

@catalogue.mistake("huber forgets the 0.5 in the quadratic piece", hint="the small-error piece is 0.5 * r**2")
def huber(pred, target, delta=1.0):
    r = pred - target
    return torch.where(r.abs() <= delta, r ** 2, delta * (r.abs() - 0.5 * delta))


@catalogue.mistake("huber's linear piece is delta * |r|, without the - 0.5 * delta shift",
                   hint="delta * (|r| - 0.5 * delta) meets the quadratic piece at |r| = delta")
def huber(pred, target, delta=1.0):  # noqa: F811
    r = pred - target
    return torch.where(r.abs() <= delta, 0.5 * r ** 2, delta * r.abs())


@catalogue.mistake("huber tests r <= delta instead of |r| <= delta",
                   hint="large negative errors are large too: compare r.abs() with delta")
def huber(pred, target, delta=1.0):  # noqa: F811
    r = pred - target
    return torch.where(r <= delta, 0.5 * r ** 2, delta * (r.abs() - 0.5 * delta))


@catalogue.mistake("huber writes the smooth L1 loss, which is Huber divided by delta",
                   hint="Huber's pieces are 0.5 * r**2 and delta * (|r| - 0.5 * delta)")
def huber(pred, target, delta=1.0):  # noqa: F811
    r = pred - target
    return torch.where(r.abs() <= delta, 0.5 * r ** 2 / delta, r.abs() - 0.5 * delta)


@catalogue.mistake("huber averages the losses into one number", hint="return every element's loss: no mean")
def huber(pred, target, delta=1.0):  # noqa: F811
    r = pred - target
    return torch.where(r.abs() <= delta, 0.5 * r ** 2, delta * (r.abs() - 0.5 * delta)).mean()


# ---------------------------------------------------------------- safe_log

@catalogue.mistake("safe_log uses a single where, so the gradient at 0 is NaN",
                   hint="swap the non-positive inputs for 1 before the log, with a first where")
def safe_log(x):
    return torch.where(x > 0, torch.log(x), 0.0)


@catalogue.mistake("safe_log clamps x to 1e-12 before the log, so x <= 0 gives log(1e-12), not 0",
                   hint="choose 0 for non-positive x with torch.where")
def safe_log(x):  # noqa: F811
    return torch.log(x.clamp(min=1e-12))


@catalogue.mistake("safe_log cleans log(x) with nan_to_num: the values are right, the gradient at 0 is NaN",
                   hint="keep the dangerous inputs away from log itself (a where before the log)")
def safe_log(x):  # noqa: F811
    return torch.nan_to_num(torch.log(x), nan=0.0, neginf=0.0)


@catalogue.mistake("safe_log counts 0 as positive, so log(0) = -inf comes through",
                   hint="only x > 0 has a log; 0 gives 0")
def safe_log(x):  # noqa: F811
    harmless = torch.where(x >= 0, x, 1.0)
    return torch.where(x >= 0, torch.log(harmless), 0.0)


# ---------------------------------------------------------------- correct alternatives

@catalogue.alternative("replace_above with the Tensor.where method: keep x where x <= threshold")
def replace_above(x, threshold, value):  # noqa: F811
    return x.where(x <= threshold, value)


@catalogue.alternative("relu with a zeros_like branch")
def relu(x):  # noqa: F811
    return torch.where(x > 0, x, torch.zeros_like(x))


@catalogue.alternative("clip with the high end handled first")
def clip(x, low, high):  # noqa: F811
    capped = torch.where(x > high, high, x)
    return torch.where(capped < low, low, capped)


@catalogue.alternative("huber as 0.5 * q**2 + delta * (|r| - q) with q = min(|r|, delta) from a where")
def huber(pred, target, delta=1.0):  # noqa: F811
    size = (pred - target).abs()
    q = torch.where(size < delta, size, delta)
    return 0.5 * q * q + delta * (size - q)


@catalogue.alternative("safe_log as the log of where(x > 0, x, 1), since log(1) = 0")
def safe_log(x):  # noqa: F811
    return torch.log(torch.where(x > 0, x, torch.ones_like(x)))


@catalogue.alternative("safe_log by writing the logs of the positive entries into zeros")
def safe_log(x):  # noqa: F811
    out = torch.zeros_like(x)
    positive = x > 0
    out[positive] = torch.log(x[positive])
    return out


# ---------------------------------------------------------------- more mistakes (review)

@catalogue.mistake("replace_above assigns into a copy, out[x > threshold] = value", expect="forbidden-op",
                   hint="this kata practises torch.where: where(x > threshold, value, x)")
def replace_above(x, threshold, value):  # noqa: F811
    out = x.clone()
    out[x > threshold] = value
    return out


@catalogue.mistake("replace_above builds the value branch as a float32 tensor: other dtypes come back float32",
                   hint="pass value as a plain number (or a tensor of x's dtype)")
def replace_above(x, threshold, value):  # noqa: F811
    return torch.where(x > threshold, torch.full(x.shape, value, dtype=torch.float32), x)


@catalogue.mistake("relu as (x + |x|) / 2: -inf + inf is NaN, and the slope at 0 is 1/2",
                   hint="select with torch.where(x > 0, x, 0.0)")
def relu(x):  # noqa: F811
    return (x + x.abs()) / 2


@catalogue.mistake("relu through F.leaky_relu with a slope of 0", expect="forbidden-op",
                   hint="build it from torch.where")
def relu(x):  # noqa: F811
    return torch.nn.functional.leaky_relu(x, 0.0)


@catalogue.mistake("clip through torch.max and torch.min against full tensors", expect="forbidden-op",
                   hint="build it from two torch.where calls")
def clip(x, low, high):  # noqa: F811
    return torch.min(torch.max(x, torch.full_like(x, low)), torch.full_like(x, high))


@catalogue.mistake("safe_log adds 1e-12 inside the log: negative inputs give NaN, tiny ones the wrong log",
                   hint="take the log only of positive inputs (swap the others for 1) and pick 0 for them")
def safe_log(x):  # noqa: F811
    return torch.log(x + 1e-12)


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("replace_above with a full_like value branch")
def replace_above(x, threshold, value):  # noqa: F811
    return torch.where(torch.gt(x, threshold), torch.full_like(x, value), x)


@catalogue.alternative("relu with the condition the other way round, x <= 0 picking 0")
def relu(x):  # noqa: F811
    return torch.where(x <= 0, torch.tensor(0.0, dtype=x.dtype, device=x.device), x)


@catalogue.alternative("clip with two Tensor.where calls conditioned on the original x")
def clip(x, low, high):  # noqa: F811
    return x.where(x <= high, high).where(x >= low, low)


@catalogue.alternative("huber with the condition on |r| > delta and pow")
def huber(pred, target, delta=1.0):  # noqa: F811
    r = pred - target
    return torch.where(r.abs() > delta, delta * (r.abs() - delta / 2), r.pow(2) / 2)


@catalogue.alternative("safe_log with masked_fill before and after the log")
def safe_log(x):  # noqa: F811
    hidden = x <= 0
    return x.masked_fill(hidden, 1.0).log().masked_fill(hidden, 0.0)
