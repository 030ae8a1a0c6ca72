# 05_forward/linear_regression: Synthetic data, parameters and the forward pass of linear regression
# Chapter 05_forward: The forward pass
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/05_forward/linear_regression.py
#   stuck?             kata hint 05_forward/linear_regression NAME    (each call shows one more hint)
#   start over:        kata reset 05_forward/linear_regression   (your current file is backed up first)

"""Linear regression, part 1: data, parameters and the forward pass.

The model guesses a number from D input features with one weight per feature and one bias:

    y_hat = X @ W + b        X: (N, D)   W: (D, 1)   b: (1,)   y_hat: (N, 1)

The matrix product turns each row of X into one number, and b is added to every row.

Data to learn from. Without a real data set we make one whose answer we know: points on the
line y = 2x + 1, blurred by a little Gaussian noise. A model that learns W close to 2 and b
close to 1 has found the line.

Reproducible randomness. torch.randn normally draws from one global generator that every
other part of a program draws from too, so the numbers you get depend on what ran before.
A torch.Generator is a private stream: seed it and it hands out the same numbers every
time, in the same order, whatever else happens. Pass it to each draw:

    g = torch.Generator().manual_seed(0)
    a = torch.randn(3, 1, generator=g)     # the next 3 numbers of g's stream
    b = torch.randn(3, 1, generator=g)     # the 3 after those: not the same as a

Because the stream is consumed in order, the order of the draws is part of the recipe.

Parameters. W and b are what training will change, so they are created with
requires_grad=True. They must be *leaves*: tensors you made directly, not results of an
operation. Scaling after creating, torch.randn(..., requires_grad=True) * 0.01, gives a
tensor with a grad_fn whose .grad stays empty after backward(); create the values first and
switch on gradients last.

The broadcasting trap. Predictions are (N, 1). Targets often arrive flat, as (N,). PyTorch
broadcasts (N, 1) - (N,) to an (N, N) table of every prediction minus every target, without
any error, and a loss averaged over that table is simply wrong. Give the targets the
predictions' shape before subtracting.
"""
import torch


def make_data(n: int, generator: torch.Generator, noise: float = 0.1):
    """n points near the line y = 2x + 1.

    Args:
        n: the number of points, n >= 0.
        generator: a seeded torch.Generator; every random number comes from it.
        noise: the standard deviation of the noise added to y, a Python float >= 0.

    Draw exactly two tensors from `generator`, in this order, each with one torch.randn call
    of shape (n, 1) on generator.device: first X, then a standard normal `eps`. Then
    y = 2 * X + 1 + noise * eps. The same seed therefore always gives the same data.

    Returns:
        A tuple (X, y) of float32 tensors of shape (n, 1) on generator.device.

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("05_forward/linear_regression: make_data is not implemented yet; stuck? run `kata hint 05_forward/linear_regression make_data`")


def init_params(D: int, generator: torch.Generator):
    """Random starting values for the weight and the bias.

    Args:
        D: the number of input features, D >= 1.
        generator: a seeded torch.Generator.

    Draw W with torch.randn of shape (D, 1) from `generator`, then b with torch.randn of
    shape (1,), both float32 on generator.device.

    Returns:
        A tuple (W, b): W of shape (D, 1) and b of shape (1,), both leaf tensors with
        requires_grad=True (no grad_fn).

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("05_forward/linear_regression: init_params is not implemented yet; stuck? run `kata hint 05_forward/linear_regression init_params`")


def predict(X: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The forward pass y_hat = X @ W + b.

    Args:
        X: (N, D) floating-point tensor of inputs.
        W: (D, 1) weights and b: (1,) bias, X's dtype and device.

    Returns:
        (N, 1) tensor in X's dtype and device, differentiable with respect to X, W and b.
        No input is modified.

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("05_forward/linear_regression: predict is not implemented yet; stuck? run `kata hint 05_forward/linear_regression predict`")


def residuals(X: torch.Tensor, W: torch.Tensor, b: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Prediction minus target for every point: y_hat - y with y_hat = X @ W + b.

    Args:
        X, W, b: as for predict.
        y: the targets, X's dtype and device, shaped either (N,) or (N, 1).

    Returns:
        (N, 1) tensor with out[i, 0] = y_hat[i, 0] - y[i], whichever shape y arrived in:
        never (N, N). Differentiable with respect to X, W, b and y. No input is modified.

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("05_forward/linear_regression: residuals is not implemented yet; stuck? run `kata hint 05_forward/linear_regression residuals`")
