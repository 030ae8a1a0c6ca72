# 02_autograd/accumulation: Gradients add up: zeroing and micro-batch accumulation
# Chapter 02_autograd: Autograd: the graph, accumulation and no_grad
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/02_autograd/accumulation.py
#   stuck?             kata hint 02_autograd/accumulation NAME    (each call shows one more hint)
#   start over:        kata reset 02_autograd/accumulation   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   per_example_grads:
#       torch.func, torch.vmap, torch.autograd.functional

"""Gradients accumulate: backward() adds into .grad, and zeroing is your job.

`loss.backward()` does not *set* a leaf's `.grad`, it *adds* to it. The first call finds
`.grad` empty (None) and fills it; every later call adds its own gradient on top of what is
already there, until someone clears it. With w = 2 and loss = 3 * w:

    loss = 3 * w; loss.backward()     # w.grad is 3
    loss = 3 * w; loss.backward()     # w.grad is 6: 3 + 3, not 3
    w.grad = None                     # or w.grad.zero_()
    loss = 3 * w; loss.backward()     # w.grad is 3 again

Forgetting to clear is the classic autograd bug: every training step then follows the sum of
all earlier gradients. But the adding is deliberate, because it lets you split one big batch
into k micro-batches that fit in memory:

    clear the grads once
    for each of the k micro-batches:
        (loss on the micro-batch / k).backward()     # adds this part's share
    # .grad now holds the gradient of the full-batch loss

Why divide by k? A mean-squared error over N rows is the average of the k micro-batch means
(when every micro-batch has N/k rows), so it equals the sum of (micro-batch mean / k). The
gradient of a sum is the sum of the gradients, which is exactly what accumulation computes.
Skip the 1/k and the gradient comes out k times too large.

So the moment you clear matters:
  * before the first backward of a step: stale gradients from the last step must not leak in;
  * never between the micro-batches of one step: that would keep only the last one;
  * before each backward whose gradient you want on its own (per-example gradients).

Two ways to clear: `p.grad = None` drops the tensor (the next backward makes a fresh one),
`p.grad.zero_()` overwrites it with zeros in place. The second keeps the same tensor object,
and so does accumulation itself: backward adds into the existing `.grad` tensor in place. A
reference you kept to `p.grad` therefore changes under your feet; keep `p.grad.clone()`
when you want a snapshot.
"""
import torch


def grad_history(w: torch.Tensor, x: torch.Tensor, n: int) -> list:
    """Call backward n times on loss = (w * x).sum() and record w.grad after each call.

    Args:
        w: a floating-point leaf tensor that requires grad, of any shape. Its .grad may be
            None or may already hold a tensor of w's shape (an earlier, stale gradient).
        x: a tensor of w's shape and dtype that does not require grad.
        n: how many backward calls to make, n >= 0.

    Returns:
        A list of n new tensors: entry i is a copy of w.grad right after backward call
        number i + 1. Nothing is cleared, so with a stale gradient g0 already present entry i
        equals g0 + (i + 1) * x (with no stale gradient, (i + 1) * x). The entries are
        copies, so they keep their values when w.grad changes later. On return w.grad holds
        the last entry's value (and is left as it was when n is 0). w's values and x are not
        modified. n < 0 raises ValueError.

    Loops: allowed (one backward per call, n calls).
    Forbidden: nothing.
    """
    raise NotImplementedError("02_autograd/accumulation: grad_history is not implemented yet; stuck? run `kata hint 02_autograd/accumulation grad_history`")


def per_example_grads(w: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The gradient of each example's squared error with respect to w, one row per example.

    Example i has loss_i = (X[i] @ w - y[i]) ** 2.

    Args:
        w: shape (D,), a floating-point leaf that requires grad. Its .grad may already hold a
            stale gradient, which must not leak into any row.
        X: shape (N, D) with N >= 1, and y: shape (N,), same dtype as w, not requiring grad.

    Returns:
        Shape (N, D), w's dtype and device: row i is d loss_i / d w, computed by its own
        loss_i.backward(), and holding nothing of the other examples. The result records no
        graph (requires_grad=False, like .grad itself). w's values and requires_grad, X and y
        are not modified. Afterwards w.grad holds the last example's gradient alone, as its
        backward left it (so the rows cannot come from a formula or torch.autograd.grad,
        which leave w.grad alone).

    Loops: allowed (one backward per example).
    Forbidden: torch.func, torch.vmap, torch.autograd.functional (their grad, vmap and
        jacobian would compute per-example gradients for you)
    """
    raise NotImplementedError("02_autograd/accumulation: per_example_grads is not implemented yet; stuck? run `kata hint 02_autograd/accumulation per_example_grads`")


def microbatch_grads(W: torch.Tensor, b: torch.Tensor, X: torch.Tensor, y: torch.Tensor, k: int) -> None:
    """Accumulate the full-batch MSE gradient of a linear model over k micro-batches.

    The full-batch loss is L = ((X @ W + b - y) ** 2).mean(), over all N * K entries.

    Args:
        W: shape (D, K) and b: shape (K,), floating-point leaves that require grad. Their
            .grad may hold stale gradients from an earlier step, or be None.
        X: shape (N, D) and y: shape (N, K), same dtype, not requiring grad. N >= 1.
        k: the number of micro-batches; it must divide N.

    Returns:
        None. The work shows in W.grad and b.grad: clear them once, then split the rows into
        k micro-batches of N // k rows each (consecutive slices X[0:m], X[m:2m], ... are the
        simplest), and for each call backward on its mean squared error divided by k. Afterwards W.grad and b.grad equal
        the gradient of L (up to float rounding), whatever they held before. The values of W
        and b are not changed (no update step), they stay leaves that require grad, and X
        and y are not modified. k < 1, or a k that does not divide N, raises ValueError.

    Loops: allowed (one backward per micro-batch).
    Forbidden: nothing.
    """
    raise NotImplementedError("02_autograd/accumulation: microbatch_grads is not implemented yet; stuck? run `kata hint 02_autograd/accumulation microbatch_grads`")
