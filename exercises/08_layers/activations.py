# 08_layers/activations: ReLU, GELU and a numerically stable softmax
# Chapter 08_layers: Layers from scratch
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/08_layers/activations.py
#   stuck?             kata hint 08_layers/activations NAME    (each call shows one more hint)
#   start over:        kata reset 08_layers/activations   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   relu:
#       torch.relu, torch.Tensor.relu, torch.nn.functional.relu, torch.nn.ReLU,
#       torch.nn.functional.relu_, torch.Tensor.relu_, torch.nn.functional.relu6,
#       torch.nn.ReLU6, torch.nn.functional.threshold, torch.nn.functional.threshold_,
#       torch.threshold, torch.nn.Threshold, torch.nn.functional.hardtanh,
#       torch.nn.functional.hardtanh_, torch.nn.Hardtanh, torch.nn.functional.leaky_relu,
#       torch.nn.functional.leaky_relu_, torch.nn.LeakyReLU, torch.nn.functional.elu,
#       torch.nn.functional.elu_, torch.nn.ELU, torch.nn.functional.rrelu,
#       torch.nn.functional.rrelu_, torch.nn.RReLU
#   gelu:
#       torch.nn.functional.gelu, torch.nn.GELU
#   softmax:
#       torch.softmax, torch.nn.functional.softmax, torch.Tensor.softmax, torch.special.softmax,
#       torch.nn.Softmax, torch.log_softmax, torch.nn.functional.log_softmax,
#       torch.Tensor.log_softmax, torch.special.log_softmax, torch.nn.LogSoftmax,
#       torch.nn.functional.softmin, torch.nn.Softmin

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
    raise NotImplementedError("08_layers/activations: relu is not implemented yet; stuck? run `kata hint 08_layers/activations relu`")


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
    raise NotImplementedError("08_layers/activations: gelu is not implemented yet; stuck? run `kata hint 08_layers/activations gelu`")


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
    raise NotImplementedError("08_layers/activations: softmax is not implemented yet; stuck? run `kata hint 08_layers/activations softmax`")
