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
    # BEGIN SOLUTION
    # hint: The update is not part of the model, so make it inside `with torch.no_grad():` and
    #   change each tensor in place (p -= lr * p.grad) so it stays the same leaf.
    # hint: Skip tensors whose .grad is None, and after the update zero the grad in place with
    #   p.grad.zero_().
    with torch.no_grad():
        for p in params:
            if p.grad is None:
                continue  # e.g. a tensor that took no part in the loss
            p -= lr * p.grad
            p.grad.zero_()
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Start from zeros with requires_grad=True, in X's dtype and device: W (D, 1) and b
    #   (1,).
    # hint: Each epoch: y_hat = X @ W + b, loss = ((y_hat - y) ** 2).mean(), record
    #   loss.item(), loss.backward(), then sgd_step_([W, b], lr).
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        y_hat = X @ W + b
        loss = ((y_hat - y) ** 2).mean()
        losses.append(loss.item())  # a float: keeping the tensor would keep its graph alive
        loss.backward()
        sgd_step_([W, b], lr)
    return W, b, losses
    # END SOLUTION
