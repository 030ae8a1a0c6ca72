# 07_gradient_descent/gd_step: A gradient-descent step and the training loop
# Chapter 07_gradient_descent: Gradient descent
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/07_gradient_descent/gd_step.py
#   stuck?             kata hint 07_gradient_descent/gd_step NAME    (each call shows one more hint)
#   start over:        kata reset 07_gradient_descent/gd_step   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   sgd_step_, fit_linear_regression:
#       torch.optim

"""Gradient descent: one update step, then the whole training loop.

Training repeats five moves until the loss is small: predict, measure the loss, call
backward() so every parameter's .grad holds dL/dparam, move each parameter a little against
its gradient, and clear the grads for the next round. The move is

    param <- param - lr * param.grad

where lr, the learning rate, sets the step length: too small and learning crawls, too large
and the loss grows instead of shrinking.

Two PyTorch details make the update work:
- The update is the optimiser's bookkeeping, not part of the model, so it runs inside
  `torch.no_grad()`. It also edits the tensor in place (`p -= ...`), so `p` stays the very
  leaf tensor the model reads. `p = p - ...` would only point a local name at a new tensor.
- backward() adds into .grad instead of overwriting it, so each grad goes back to zero
  after the step; otherwise the next step would also push with the old slopes.

The guide fits ten points made from the line y = 2x + 1 plus a little noise:

    X = torch.randn(10, 1)
    y = X @ torch.tensor([[2.0]]) + 1.0 + 0.1 * torch.randn(10, 1)
    W, b, losses = fit_linear_regression(X, y, lr=0.01, epochs=100)
    # losses shrink step after step while W heads for 2 and b for 1
"""
import torch


def sgd_step_(params, lr):
    """Take one plain gradient-descent step on `params`, in place.

    Args:
        params: a list or tuple of tensors (leaves with requires_grad=True), e.g. [W, b].
        lr: the learning rate, a Python float.

    For every tensor `p` whose `p.grad` is not None:
        - set p to p - lr * p.grad, changing p itself in place, without recording the update
          in the autograd graph (use torch.no_grad());
        - then zero p.grad (p.grad.zero_()), so it stays a tensor of zeros (do not set it
          to None).
    Tensors whose grad is None are left untouched. Afterwards every p is still a leaf with
    requires_grad=True, with its dtype, device and shape unchanged.

    Returns:
        None. The trailing underscore says the function works in place, as in Tensor.add_.

    Loops: allowed (one step per parameter is the point).
    Forbidden: torch.optim.
    """
    raise NotImplementedError("07_gradient_descent/gd_step: sgd_step_ is not implemented yet; stuck? run `kata hint 07_gradient_descent/gd_step sgd_step_`")


def fit_linear_regression(X, y, lr, epochs):
    """Fit y ~ X @ W + b with full-batch gradient descent on the mean squared error.

    Args:
        X: (N, D) float tensor of inputs.
        y: (N, 1) float tensor of targets, same dtype and device as X.
        lr: the learning rate, a Python float.
        epochs: how many update steps to take (an int >= 0).

    Start from W = zeros (D, 1) and b = zeros (1,), both with requires_grad=True and X's
    dtype and device. Then repeat `epochs` times:
        1. predict: y_hat = X @ W + b, shape (N, 1);
        2. loss: the mean of (y_hat - y) ** 2 over all N entries;
        3. record loss.item() in the list `losses`;
        4. loss.backward();
        5. sgd_step_([W, b], lr), your function above, which also zeroes the grads.

    Returns:
        (W, b, losses): W of shape (D, 1) and b of shape (1,), the trained leaf tensors, and
        losses, a list of `epochs` Python floats where losses[i] is the loss before update i.
        X and y are not modified.

    Loops: allowed (one iteration per epoch).
    Forbidden: torch.optim (this is the loop an optimiser would hide).
    """
    raise NotImplementedError("07_gradient_descent/gd_step: fit_linear_regression is not implemented yet; stuck? run `kata hint 07_gradient_descent/gd_step fit_linear_regression`")
