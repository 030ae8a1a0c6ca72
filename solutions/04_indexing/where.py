"""torch.where: an elementwise if/else, and what it does to gradients.

`torch.where(condition, a, b)` builds a new tensor that takes a's element wherever condition
is True and b's element wherever it is False. condition is a bool tensor; a and b may be
tensors or plain numbers, and all three broadcast to one shape. The guide's example turns
every value above 4 into -1 and keeps the rest:

    x = torch.arange(10)                # tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    torch.where(x > 4, -1, x)           # tensor([0, 1, 2, 3, 4, -1, -1, -1, -1, -1])

A plain Python number adapts to the tensor's dtype, so the result above is still int64, and
a float16 x stays float16. x itself is left as it was.

Piecewise functions. Anything defined "this formula here, that formula there" is one where
call: ReLU is where(x > 0, x, 0); clipping to [low, high] is two nested wheres; the Huber loss
is quadratic for small errors and linear for large ones. Unlike `x * (x > 0)`, where never
multiplies the unused value by zero, so an inf in the unused place does not turn into NaN.

Gradients. Backward sends each element's gradient only into the branch that element came
from; the other branch gets exactly 0 there. For where(x > 0, x, 0) that is 1 for positive
x and 0 elsewhere, which is ReLU's derivative (at exactly 0 the False branch wins, so 0).

The trap. Both branches are computed for every element, and backward multiplies the unused
branch's local derivative by that 0. If the local derivative is inf or NaN there, 0 * inf is
NaN and the gradient is ruined even though the value looked fine:

    x = torch.tensor([0.0, 2.0], requires_grad=True)
    torch.where(x > 0, torch.log(x), 0.0).sum().backward()
    x.grad                              # tensor([nan, 0.5000]): log's slope at 0 is inf

The cure is a second where that first swaps the dangerous inputs for harmless ones, so the
unused branch never sees them:

    safe = torch.where(x > 0, x, 1.0)   # log(1) and its slope are finite
    torch.where(x > 0, torch.log(safe), 0.0)
"""
import torch


def replace_above(x: torch.Tensor, threshold, value) -> torch.Tensor:
    """x with every element above `threshold` replaced by `value`.

    Args:
        x: a tensor of any shape and any real dtype.
        threshold: a Python number; elements strictly greater than it are replaced.
        value: a Python number; an int when x has an integer dtype.

    Returns:
        A new tensor of x's shape, dtype and device. The gradient with respect to x is 1
        where an element was kept and 0 where it was replaced. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: torch.masked_fill, Tensor.masked_fill, Tensor.masked_fill_, Tensor.__setitem__,
        torch.index_put, Tensor.index_put, Tensor.index_put_, torch.masked_scatter,
        Tensor.masked_scatter, Tensor.masked_scatter_ (masked_fill, or assigning into a copy
        with out[mask] = value: this kata practises torch.where)
    """
    # BEGIN SOLUTION
    # hint: torch.where(condition, if_true, if_false) chooses element by element; plain
    #   numbers are allowed in either branch.
    # hint: The condition is x > threshold; the True branch is value and the False branch
    #   is x itself.
    return torch.where(x > threshold, value, x)
    # END SOLUTION


def relu(x: torch.Tensor) -> torch.Tensor:
    """ReLU written with torch.where: x where x > 0, else 0.

    Args:
        x: a floating-point tensor of any shape; it may hold inf and -inf.

    Returns:
        A new tensor of x's shape, dtype and device; -inf gives 0. The gradient with respect
        to x is 1 where x > 0 and 0 elsewhere, including at exactly 0 (as torch.relu).
        x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: torch.relu, Tensor.relu, F.relu, torch.relu_, Tensor.relu_, F.relu_, nn.ReLU,
        torch.clamp, Tensor.clamp, torch.clamp_, Tensor.clamp_, torch.clip, Tensor.clip,
        torch.clip_, Tensor.clip_, torch.clamp_min, Tensor.clamp_min, torch.clamp_min_,
        Tensor.clamp_min_, torch.maximum, Tensor.maximum, torch.max, Tensor.max, torch.fmax,
        Tensor.fmax, torch.threshold, torch.threshold_, F.threshold, F.threshold_, F.hardtanh,
        F.hardtanh_, F.leaky_relu, F.leaky_relu_, F.rrelu, F.rrelu_, F.prelu, F.elu, F.elu_,
        F.celu, F.celu_ (each is a ReLU, or one with the right arguments)
    """
    # BEGIN SOLUTION
    # hint: One torch.where: keep x where it is positive, 0 everywhere else.
    # hint: Use the strict x > 0 so that an input of exactly 0 takes the 0 branch and gets
    #   gradient 0. Multiplying by the mask instead would turn -inf into NaN.
    return torch.where(x > 0, x, 0.0)
    # END SOLUTION


def clip(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """x limited to the range [low, high] with torch.where.

    Args:
        x: a floating-point tensor of any shape.
        low, high: Python floats with low <= high.

    Returns:
        A new tensor of x's shape, dtype and device: low where x < low, high where x > high,
        x elsewhere. The gradient with respect to x is 1 where low <= x <= high (both ends
        included, as torch.clamp) and 0 outside. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: torch.clamp, Tensor.clamp, torch.clamp_, Tensor.clamp_, torch.clip, Tensor.clip,
        torch.clip_, Tensor.clip_, torch.clamp_min, Tensor.clamp_min, torch.clamp_min_,
        Tensor.clamp_min_, torch.clamp_max, Tensor.clamp_max, torch.clamp_max_,
        Tensor.clamp_max_, torch.maximum, Tensor.maximum, torch.minimum, Tensor.minimum,
        torch.max, Tensor.max, torch.min, Tensor.min, torch.fmax, Tensor.fmax, torch.fmin,
        Tensor.fmin, F.hardtanh, F.hardtanh_ (each clips, or does with the right arguments)
    """
    # BEGIN SOLUTION
    # hint: Two conditions need two wheres, one inside the other: the inner one handles one
    #   end of the range and the outer one works on the inner one's result.
    # hint: torch.where(x < low, low, torch.where(x > high, high, x)). Strict comparisons
    #   keep x itself at the ends, so the gradient there stays 1.
    return torch.where(x < low, low, torch.where(x > high, high, x))
    # END SOLUTION


def huber(pred: torch.Tensor, target: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """The elementwise Huber loss of pred against target.

    With r = pred - target, each element's loss is
        0.5 * r**2                    where |r| <= delta
        delta * (|r| - 0.5 * delta)   where |r| > delta
    Both pieces meet at |r| = delta with the same value and slope.

    Args:
        pred, target: floating-point tensors of the same shape, dtype and device.
        delta: a Python float > 0, where the quadratic piece hands over to the linear one.

    Returns:
        A new tensor of pred's shape (no reduction), dtype and device. Gradients flow to
        pred and target: with respect to pred, r where |r| <= delta and delta * sign(r)
        beyond; with respect to target, the negative of that. Inputs are not modified.

    Loops: not allowed.
    Dtype: same as pred (float16 and bfloat16 included).
    Forbidden: F.huber_loss, F.smooth_l1_loss, nn.HuberLoss, nn.SmoothL1Loss
    """
    # BEGIN SOLUTION
    # hint: Compute the residual r = pred - target and its size |r| once, then let
    #   torch.where choose between the two formulas elementwise.
    # hint: The condition is r.abs() <= delta; the True branch is 0.5 * r**2 and the False
    #   branch delta * (r.abs() - 0.5 * delta). Keep every element: no mean, no sum.
    r = pred - target
    size = r.abs()
    return torch.where(size <= delta, 0.5 * r ** 2, delta * (size - 0.5 * delta))
    # END SOLUTION


def safe_log(x: torch.Tensor) -> torch.Tensor:
    """log(x) where x > 0 and 0 elsewhere, with finite gradients everywhere.

    Args:
        x: a floating-point tensor of any shape without NaN; it may hold zeros, negative
            numbers and numbers as tiny as 1e-30.

    Returns:
        A new tensor of x's shape, dtype and device: torch.log(x) for every x > 0 (tiny ones
        included) and 0 for every x <= 0. The gradient with respect to x is 1 / x where
        x > 0 and exactly 0 elsewhere: finite everywhere, never NaN, including at x == 0.
        x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: where(x > 0, log(x), 0) gives the right values but a NaN gradient at x == 0:
    #   backward multiplies log's infinite slope there by where's 0.
    # hint: First replace the elements that are not positive by a harmless 1 (a where), take
    #   the log of that, then pick 0 for those elements with a second where.
    positive = x > 0
    harmless = torch.where(positive, x, 1.0)
    return torch.where(positive, torch.log(harmless), 0.0)
    # END SOLUTION
