# 06_backward/manual_backward: The chain rule by hand
# Chapter 06_backward: The backward pass
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/06_backward/manual_backward.py
#   stuck?             kata hint 06_backward/manual_backward NAME    (each call shows one more hint)
#   start over:        kata reset 06_backward/manual_backward   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   graph_grads, linear_mse_grads, softmax_cross_entropy_grad:
#       torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad,
#       torch.autograd.functional, torch.func

"""The backward pass by hand: the chain rule without autograd.

`loss.backward()` is not magic. It walks the graph from the loss back to the inputs and, at
every node, multiplies the gradient arriving from above (the upstream gradient) by that
node's own local derivative. Here you do that walk yourself.

Start with the guide's tiny graph, y = a + b and z = x * y, at a = 2, b = 3, x = 4:

    y = a + b        # 5.0     local derivatives: dy/da = 1, dy/db = 1
    z = x * y        # 20.0    local derivatives: dz/dx = y, dz/dy = x
    # chain rule: dz/da = dz/dy * dy/da = x * 1 = 4.0,  dz/db = 4.0,  dz/dx = y = 5.0

With tensors, z = (x * (a + b)).sum() works element by element: a sum hands an upstream
gradient of 1 to every element it adds up, so each gradient has its input's shape.

The same recipe gives the gradients of a linear model under mean squared error. With the
residual r = X @ W + b - y, the loss is the mean of r**2 over all N*K entries, so
dL/dr = 2 * r / (N*K); a matrix product sends that back as X.T @ dL/dr, and the bias, which
was added to every row, collects the sum of dL/dr over the rows.

For mean cross-entropy over N rows the whole softmax-plus-log simplifies to
dL/dlogits = (softmax(logits) - one_hot(targets)) / N. The softmax must subtract each row's
maximum before exp(), or logits in the hundreds overflow to inf and the result turns to NaN.

Autograd is switched off for this kata: no .backward(), torch.autograd or torch.func.
Work on whole tensors too: a Python loop over rows is refused, since the checker counts the
operations your code runs at two input sizes.
"""
import torch
import torch.nn.functional as F


def graph_grads(a: torch.Tensor, b: torch.Tensor, x: torch.Tensor):
    """Gradients of z = (x * (a + b)).sum() with respect to a, b and x.

    Args:
        a, b, x: floating-point tensors, all of the same shape (any shape, scalars too).
            They do not require grad.

    Returns:
        A tuple (dz_da, dz_db, dz_dx) of three new tensors, each with the inputs' shape,
        dtype and device. The inputs are not modified.

    Loops: not allowed.
    Dtype: same as a (float16 and bfloat16 included).
    Forbidden: Tensor.backward, torch.autograd.backward, torch.autograd.grad,
        torch.autograd.functional, torch.func (autograd in any form: the point is to apply the
        chain rule yourself)
    """
    raise NotImplementedError("06_backward/manual_backward: graph_grads is not implemented yet; stuck? run `kata hint 06_backward/manual_backward graph_grads`")


def linear_mse_grads(X: torch.Tensor, W: torch.Tensor, b: torch.Tensor, y: torch.Tensor):
    """Gradients of the mean squared error of a linear model with respect to W and b.

    The loss is L = ((X @ W + b - y) ** 2).mean(), the mean over all N * K entries.

    Args:
        X: inputs, shape (N, D).
        W: weights, shape (D, K).
        b: bias, shape (K,).
        y: targets, shape (N, K). K may be larger than 1.
        All floating point, same dtype and device, none requiring grad.

    Returns:
        A tuple (dL_dW, dL_db) with shapes (D, K) and (K,), in the inputs' dtype and device.
        The inputs are not modified.

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: Tensor.backward, torch.autograd.backward, torch.autograd.grad,
        torch.autograd.functional, torch.func (autograd in any form: the point is to apply the
        chain rule yourself)
    """
    raise NotImplementedError("06_backward/manual_backward: linear_mse_grads is not implemented yet; stuck? run `kata hint 06_backward/manual_backward linear_mse_grads`")


def softmax_cross_entropy_grad(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Gradient of mean cross-entropy with respect to the logits.

    The loss is L = mean over rows i of -log(softmax(logits[i])[targets[i]]).

    Args:
        logits: shape (N, C), floating point: one row of class scores per example.
        targets: shape (N,), int64: the correct class of each row, in 0..C-1.

    Returns:
        dL/dlogits, shape (N, C), in the logits' dtype and device. It must stay finite for
        large logits (for example rows like [1000., 0., -1000.]). The inputs are not modified.

    Loops: not allowed.
    Dtype: same as logits (float16 and bfloat16 included).
    Forbidden: Tensor.backward, torch.autograd.backward, torch.autograd.grad,
        torch.autograd.functional, torch.func (autograd in any form: the point is to apply the
        chain rule yourself)
    """
    raise NotImplementedError("06_backward/manual_backward: softmax_cross_entropy_grad is not implemented yet; stuck? run `kata hint 06_backward/manual_backward softmax_cross_entropy_grad`")
