"""Activation functions: ReLU, GELU and a softmax that never overflows.

Stack two linear layers and you get one linear layer: (x @ A.T) @ B.T is x @ (B @ A).T. To learn
curved patterns a network needs a non-linear function between its layers, applied to every
element on its own. None of these has parameters.

ReLU keeps positives and zeroes negatives: relu(x) = max(0, x).

    relu([-2.0, -0.5, 0.0, 0.5, 2.0]) = [0.0, 0.0, 0.0, 0.5, 2.0]

Its slope is 1 for positive inputs and 0 for negative ones, so a unit that only ever sees
negative inputs gets no gradient at all.

GELU, the activation of BERT and GPT, bends instead of snapping: gelu(x) = x * Phi(x), where
Phi(x) = (1 + erf(x / sqrt(2))) / 2 is the chance that a standard normal variable is below x.
Large positive x pass almost unchanged, large negative x fade to 0, and small negative x come
out slightly negative, so their gradient is not zero:

    gelu([-2.0, -0.5, 0.0, 0.5, 2.0]) = [-0.0455, -0.1543, 0.0000, 0.3457, 1.9545]

Older code (and PyTorch's `approximate="tanh"`) replaces erf by a tanh curve that was cheaper to
compute:

    gelu_tanh(x) = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))

The two agree to about 1e-3, close but not equal: a model trained with one should run with the
same one.

Softmax turns a row of scores (logits) into probabilities: exponentiate, then divide by the sum,
so every entry is positive and each row adds up to 1. It works along one dim, the one holding
the classes:

    softmax([[1.0, 3.0, 0.5, 1.5]], dim=-1) = [[0.0939, 0.6942, 0.0570, 0.1549]]

Written as exp(x) / sum(exp(x)) it breaks on large logits: exp(1000.) is inf in float32, and
inf / inf is nan. Shifting every logit of a row by the same amount changes nothing, because the
factor exp(-c) cancels between the top and the bottom. So subtract the row's maximum first: the
largest entry becomes exp(0) = 1, nothing can overflow, and the sum is at least 1.
"""
import math

import torch


def relu(x: torch.Tensor) -> torch.Tensor:
    """The rectified linear unit, max(0, x), elementwise.

    Args:
        x: float tensor of any shape (empty included), on any device. It may hold -inf or
            +inf: relu(-inf) is 0 and relu(inf) is inf.

    Returns:
        A new tensor of x's shape, dtype and device: x where x > 0, and 0 elsewhere. Its
        gradient is 1 where x > 0 and 0 where x < 0 (at exactly 0 either is accepted; torch
        uses 0). x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: torch.relu, Tensor.relu, F.relu, nn.ReLU, F.relu_, Tensor.relu_, F.relu6,
        nn.ReLU6, F.threshold, F.threshold_, torch.threshold, nn.Threshold, F.hardtanh,
        F.hardtanh_, nn.Hardtanh, F.leaky_relu, F.leaky_relu_, nn.LeakyReLU, F.elu, F.elu_,
        nn.ELU, F.rrelu, F.rrelu_, nn.RReLU (each computes ReLU with the right arguments).
    """
    # BEGIN SOLUTION
    # hint: Keep an element where it is positive and use 0 where it is not: torch.where(cond,
    #   a, b) picks between two values elementwise.
    # hint: torch.where(x > 0, x, 0.0) keeps x's dtype and device. Multiplying by a mask, x *
    #   (x > 0), looks equivalent but gives -inf * 0 = nan.
    return torch.where(x > 0, x, 0.0)
    # END SOLUTION


GELU_TANH_SCALE = math.sqrt(2.0 / math.pi)   # the tanh form's constants, written once
GELU_TANH_CUBIC = 0.044715


def gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """The Gaussian error linear unit, elementwise, in its exact or its tanh form.

    Args:
        x: float tensor of any shape (empty included), on any device.
        approximate: "none" (default) for the exact GELU, x * (1 + erf(x / sqrt(2))) / 2;
            "tanh" for 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3))). These match
            F.gelu(x, approximate=...) in values and gradients.

    Returns:
        A new tensor of x's shape, dtype and device. x is not modified.

    Raises:
        ValueError: if approximate is neither "none" nor "tanh".

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: F.gelu, nn.GELU.
    """
    # BEGIN SOLUTION
    # hint: The exact form needs the normal CDF, Phi(x) = (1 + erf(x / sqrt(2))) / 2, and
    #   torch.erf computes erf elementwise. Mind the sqrt(2) inside.
    # hint: For "tanh", write the docstring's formula as it is, with torch.tanh and the two
    #   constants sqrt(2 / pi) and 0.044715. Check `approximate` first and raise ValueError
    #   for any other value.
    if approximate == "none":
        return x * (1.0 + torch.erf(x / math.sqrt(2.0))) / 2.0
    if approximate == "tanh":
        inner = GELU_TANH_SCALE * (x + GELU_TANH_CUBIC * x ** 3)
        return 0.5 * x * (1.0 + torch.tanh(inner))
    raise ValueError(f"approximate must be 'none' or 'tanh', not {approximate!r}")
    # END SOLUTION


def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Softmax along `dim`, computed so that large logits cannot overflow.

    Args:
        x: float tensor of any shape, on any device. Other dims than `dim` may be empty. x
            may hold logits as large as +-1e4; an entry of -inf gets probability 0 (as long
            as its slice along `dim` has a finite entry).
        dim: the dim whose entries become probabilities; negative values count from the end.

    Returns:
        A new tensor of x's shape, dtype and device, where every slice along `dim` is
        exp(x) / exp(x).sum(dim), so its entries lie in [0, 1] and add up to 1. Values and
        gradients match torch.softmax(x, dim) with no inf or nan for finite inputs, however
        large. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: torch.softmax, F.softmax, Tensor.softmax, torch.special.softmax, nn.Softmax,
        torch.log_softmax, F.log_softmax, Tensor.log_softmax, torch.special.log_softmax,
        nn.LogSoftmax, F.softmin, nn.Softmin.
    """
    # BEGIN SOLUTION
    # hint: Work along `dim` only: the maximum and the sum are both taken over that dim, with
    #   keepdim=True so they line up with x again.
    # hint: Subtract each slice's maximum before exponentiating, x - x.amax(dim,
    #   keepdim=True): the result is unchanged, and the largest exponent becomes exp(0) = 1.
    shifted = x - x.amax(dim=dim, keepdim=True)  # the shift cancels out, overflow cannot happen
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=dim, keepdim=True)
    # END SOLUTION
