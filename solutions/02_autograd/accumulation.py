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
    # BEGIN SOLUTION
    # hint: Build a fresh loss = (w * x).sum() each time round the loop (a graph is freed by
    #   its backward), call loss.backward(), then record w.grad. Do not clear anything.
    # hint: Append w.grad.clone(), not w.grad itself: backward adds into that same tensor
    #   in place, so a bare reference would change with every later call.
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    history = []
    for _ in range(n):
        loss = (w * x).sum()
        loss.backward()                      # adds x into w.grad
        history.append(w.grad.clone())       # a snapshot: w.grad itself keeps changing
    return history
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: One loop over the examples: build loss_i, call backward, read w.grad. What must
    #   happen to w.grad before each backward so that row i holds example i alone?
    # hint: Clear it first (w.grad = None), then backward, then keep w.grad.clone(); stack
    #   the rows with torch.stack at the end.
    rows = []
    for i in range(X.shape[0]):
        w.grad = None                        # before the backward: no stale or earlier gradient
        loss = (X[i] @ w - y[i]) ** 2
        loss.backward()
        rows.append(w.grad.clone())
    return torch.stack(rows)
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Three moments: clear W.grad and b.grad once, before the loop; inside the loop
    #   never clear; after the loop do nothing. Check k first and raise ValueError if it is
    #   below 1 or does not divide X.shape[0].
    # hint: With m = N // k, micro-batch j is X[j*m:(j+1)*m] (and the same rows of y); call
    #   (((Xj @ W + b - yj) ** 2).mean() / k).backward() for each.
    N = X.shape[0]
    if k < 1 or N % k != 0:
        raise ValueError(f"k must be a positive divisor of the batch size {N}, got {k}")
    W.grad = None                            # stale gradients of an earlier step must not leak in
    b.grad = None
    m = N // k
    for start in range(0, N, m):
        X_micro, y_micro = X[start:start + m], y[start:start + m]
        loss = ((X_micro @ W + b - y_micro) ** 2).mean()
        (loss / k).backward()                # each micro-batch adds 1/k of its mean's gradient
    # END SOLUTION
