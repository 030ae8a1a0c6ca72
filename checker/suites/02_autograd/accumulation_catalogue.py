"""Mistake catalogue for 02_autograd/accumulation: plausible wrong answers the suite must reject,
and correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# --- grad_history -----------------------------------------------------------------------------

@catalogue.mistake("grad_history appends w.grad itself, which backward keeps adding into",
                   hint="append w.grad.clone(), a snapshot")
def grad_history(w, x, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    history = []
    for _ in range(n):
        (w * x).sum().backward()
        history.append(w.grad)
    return history


@catalogue.mistake("grad_history clears w.grad before starting, dropping the gradient already there",
                   hint="nothing is cleared in this function: backward adds to what .grad holds")
def grad_history(w, x, n):
    w.grad = None
    return ref.grad_history(w, x, n)


@catalogue.mistake("grad_history clears w.grad before every backward, so nothing adds up",
                   hint="the point is to watch gradients add up: do not clear between calls")
def grad_history(w, x, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    history = []
    for _ in range(n):
        w.grad = None
        (w * x).sum().backward()
        history.append(w.grad.clone())
    return history


@catalogue.mistake("grad_history builds the loss once and calls backward on it n times",
                   hint="a backward frees its graph: build a new loss each time round the loop")
def grad_history(w, x, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    loss, history = (w * x).sum(), []
    for _ in range(n):
        loss.backward()
        history.append(w.grad.clone())
    return history


@catalogue.mistake("grad_history takes torch.autograd.grad's answer, which never lands in w.grad",
                   hint="call loss.backward(): only backward adds into .grad")
def grad_history(w, x, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    return [torch.autograd.grad((w * x).sum(), w)[0] for _ in range(n)]


@catalogue.mistake("grad_history records w.grad before the backward instead of after it",
                   hint="call backward first, then take the snapshot")
def grad_history(w, x, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    history = []
    for _ in range(n):
        history.append(w.grad.clone() if w.grad is not None else torch.zeros_like(w))
        (w * x).sum().backward()
    return history


@catalogue.mistake("grad_history does not check n: a negative n quietly gives []",
                   hint="raise ValueError when n < 0")
def grad_history(w, x, n):
    return ref.grad_history(w, x, max(n, 0))


def example_rows(w, X, y, clear=lambda w: setattr(w, "grad", None), loss=lambda error: error ** 2):
    """The reference's per-example loop with its clearing step or its loss changed."""
    rows = []
    for i in range(X.shape[0]):
        clear(w)
        loss(X[i] @ w - y[i]).backward()
        rows.append(w.grad.clone())
    return torch.stack(rows)


# --- per_example_grads ------------------------------------------------------------------------

@catalogue.mistake("per_example_grads never clears w.grad, so row i is the sum of examples 0..i",
                   hint="set w.grad = None before each example's backward")
def per_example_grads(w, X, y):
    return example_rows(w, X, y, clear=lambda w: None)


@catalogue.mistake("per_example_grads clears w.grad after each backward, so the stale gradient lands in row 0",
                   hint="clear before each backward: the first one too")
def per_example_grads(w, X, y):
    rows = []
    for i in range(X.shape[0]):
        ((X[i] @ w - y[i]) ** 2).backward()
        rows.append(w.grad.clone())
        w.grad.zero_()
    return torch.stack(rows)


@catalogue.mistake("per_example_grads zeroes w.grad in place and stores w.grad without a copy",
                   hint="every stored row is then the same tensor: store w.grad.clone()")
def per_example_grads(w, X, y):
    rows = []
    for i in range(X.shape[0]):
        if w.grad is not None:
            w.grad.zero_()
        ((X[i] @ w - y[i]) ** 2).backward()
        rows.append(w.grad)
    return torch.stack(rows)


@catalogue.mistake("per_example_grads writes the gradient formula on w itself: right numbers, but a graph",
                   hint="take the rows from w.grad after each backward; they record no graph")
def per_example_grads(w, X, y):
    return 2 * (X @ w - y)[:, None] * X


@catalogue.mistake("per_example_grads lets torch.func vmap the gradient", expect="forbidden-op",
                   hint="write the loop: clear, backward, copy")
def per_example_grads(w, X, y):
    def loss(weights, row, target):
        return (row @ weights - target) ** 2
    return torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))(w.detach(), X, y)


@catalogue.mistake("per_example_grads joins the rows with torch.cat: one long vector instead of (N, D)",
                   hint="torch.stack adds the new example dim; torch.cat joins along an existing one")
def per_example_grads(w, X, y):
    return ref.per_example_grads(w, X, y).reshape(-1)


@catalogue.mistake("per_example_grads divides each example's loss by N, as for a batch mean",
                   hint="an example's own loss is not averaged over the batch")
def per_example_grads(w, X, y):
    return ref.per_example_grads(w, X, y) / X.shape[0]


# --- microbatch_grads -------------------------------------------------------------------------

def accumulate(W, b, X, y, k, clear_before=True, clear_inside=False, scale=None, size=None):
    """The reference's loop with one step changed, for the timing and scaling mistakes below."""
    N = X.shape[0]
    if k < 1 or N % k != 0:
        raise ValueError("k must divide N")
    if clear_before:
        W.grad = b.grad = None
    m = size or N // k
    for start in range(0, N, m):
        if clear_inside:
            W.grad = b.grad = None
        loss = ((X[start:start + m] @ W + b - y[start:start + m]) ** 2).mean()
        (loss / (k if scale is None else scale)).backward()


@catalogue.mistake("microbatch_grads forgets the 1/k: the gradient comes out k times too large",
                   hint="divide each micro-batch's mean loss by k before backward")
def microbatch_grads(W, b, X, y, k):
    accumulate(W, b, X, y, k, scale=1)


@catalogue.mistake("microbatch_grads never clears, so the stale gradient of the last step leaks in",
                   hint="set W.grad and b.grad to None once, before the loop")
def microbatch_grads(W, b, X, y, k):
    accumulate(W, b, X, y, k, clear_before=False)


@catalogue.mistake("microbatch_grads clears inside the loop, keeping only the last micro-batch",
                   hint="clear once before the loop; inside it, the gradients must add up")
def microbatch_grads(W, b, X, y, k):
    accumulate(W, b, X, y, k, clear_inside=True)


@catalogue.mistake("microbatch_grads zeroes the gradients after the loop, as if a step had been taken",
                   hint="there is no update step here: leave the accumulated gradients in .grad")
def microbatch_grads(W, b, X, y, k):
    accumulate(W, b, X, y, k)
    W.grad.zero_()
    b.grad.zero_()


@catalogue.mistake("microbatch_grads reads k as the micro-batch size rather than their number",
                   hint="k micro-batches of N // k rows each")
def microbatch_grads(W, b, X, y, k):
    accumulate(W, b, X, y, k, size=k)


@catalogue.mistake("microbatch_grads divides by N instead of k", hint="the mean is already per row: divide by k")
def microbatch_grads(W, b, X, y, k):
    accumulate(W, b, X, y, k, scale=X.shape[0])


@catalogue.mistake("microbatch_grads sums the squared errors of a micro-batch instead of averaging them",
                   hint="the full-batch loss is a mean: use .mean() on each micro-batch, then / k")
def microbatch_grads(W, b, X, y, k):
    W.grad = b.grad = None
    for X_micro, y_micro in zip(X.chunk(k), y.chunk(k)):
        (((X_micro @ W + b - y_micro) ** 2).sum() / k).backward()


@catalogue.mistake("microbatch_grads splits with torch.chunk and never checks k: uneven micro-batches pass",
                   hint="raise ValueError when k < 1 or k does not divide N")
def microbatch_grads(W, b, X, y, k):
    W.grad = b.grad = None
    for X_micro, y_micro in zip(X.chunk(k), y.chunk(k)):
        (((X_micro @ W + b - y_micro) ** 2).mean() / k).backward()


# --- correct alternatives ---------------------------------------------------------------------

@catalogue.alternative("grad_history with one graph kept alive by retain_graph=True")
def grad_history(w, x, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    loss, history = (w * x).sum(), []
    for _ in range(n):
        loss.backward(retain_graph=True)
        history.append(w.grad.detach().clone())
    return history


@catalogue.alternative("per_example_grads zeroing in place (when there is a grad) and copying with torch.clone")
def per_example_grads(w, X, y):
    rows = []
    for x_row, target in zip(X, y):
        if w.grad is not None:
            w.grad.zero_()
        torch.autograd.backward((x_row @ w - target) ** 2)
        rows.append(torch.clone(w.grad))
    return torch.stack(rows)


@catalogue.alternative("microbatch_grads with torch.split and zero_(), weighting each part by its share m / N")
def microbatch_grads(W, b, X, y, k):
    N = X.shape[0]
    if k < 1 or N % k:
        raise ValueError("k must divide N")
    for p in (W, b):
        if p.grad is not None:
            p.grad.zero_()
    m = N // k
    for X_micro, y_micro in zip(torch.split(X, m), torch.split(y, m)):
        (torch.mean((X_micro @ W + b - y_micro) ** 2) * (m / N)).backward()


@catalogue.alternative("microbatch_grads with interleaved micro-batches X[j::k]: the same sum of means")
def microbatch_grads(W, b, X, y, k):
    N = X.shape[0]
    if k < 1 or N % k:
        raise ValueError("k must divide N")
    W.grad = b.grad = None
    for j in range(k):
        (((X[j::k] @ W + b - y[j::k]) ** 2).mean() / k).backward()


# --- more mistakes (review) -------------------------------------------------------------------

@catalogue.mistake("grad_history records w.grad.tolist(): Python lists, not tensors",
                   hint="record tensors: w.grad.clone()")
def grad_history(w, x, n):
    return [entry.tolist() for entry in ref.grad_history(w, x, n)]


@catalogue.mistake("grad_history stacks the snapshots into one tensor", hint="return a Python list of n tensors")
def grad_history(w, x, n):
    return torch.stack(ref.grad_history(w, x, n)) if n else torch.empty(0)


@catalogue.mistake("grad_history takes the mean of w * x instead of its sum",
                   hint="the loss is (w * x).sum(); a mean divides every gradient by numel")
def grad_history(w, x, n):
    return ref.grad_history(w, x / max(x.numel(), 1), n)    # (w * x).mean() is (w * x / numel).sum()


@catalogue.mistake("per_example_grads calls w.grad.zero_() before each backward, but w.grad starts as None",
                   hint="w.grad is None until the first backward: set w.grad = None instead, or check first")
def per_example_grads(w, X, y):
    return example_rows(w, X, y, clear=lambda w: w.grad.zero_())


@catalogue.mistake("per_example_grads forgets the square: each loss is the error itself",
                   hint="loss_i = (X[i] @ w - y[i]) ** 2")
def per_example_grads(w, X, y):
    return example_rows(w, X, y, loss=lambda error: error)


@catalogue.mistake("microbatch_grads calls .zero_() on gradients that may still be None",
                   hint="W.grad is None before any backward: set it to None, or zero it only when it exists")
def microbatch_grads(W, b, X, y, k):
    W.grad.zero_()
    b.grad.zero_()
    accumulate(W, b, X, y, k, clear_before=False)


@catalogue.mistake("microbatch_grads divides each micro-batch's mean by its size m instead of by k",
                   hint="the k means add up to k times the full mean: divide each by k")
def microbatch_grads(W, b, X, y, k):
    accumulate(W, b, X, y, k, scale=X.shape[0] // k if k >= 1 and X.shape[0] % k == 0 else 1)


# --- more alternatives (review) ---------------------------------------------------------------

@catalogue.alternative("grad_history with torch.sum(w * x), torch.autograd.backward and detach().clone()")
def grad_history(w, x, n):
    if n < 0:
        raise ValueError(f"n={n} is negative")
    snapshots = []
    while len(snapshots) < n:
        torch.autograd.backward(torch.sum(w * x))
        snapshots.append(w.grad.detach().clone())
    return snapshots


@catalogue.alternative("per_example_grads setting w.grad = None and keeping w.grad itself (a fresh tensor each time)")
def per_example_grads(w, X, y):
    rows = []
    for i in range(len(X)):
        w.grad = None
        loss = (torch.dot(X[i], w) - y[i]).pow(2)
        loss.backward()
        rows.append(w.grad)
    return torch.stack(rows, dim=0)


@catalogue.alternative("microbatch_grads resetting with zeros_like and summing squared errors over N * K")
def microbatch_grads(W, b, X, y, k):
    N = X.shape[0]
    if k < 1 or N % k != 0:
        raise ValueError("k must be a positive divisor of N")
    W.grad, b.grad = torch.zeros_like(W), torch.zeros_like(b)
    total = y.numel()
    for X_micro, y_micro in zip(X.split(N // k), y.split(N // k)):
        (((X_micro @ W + b) - y_micro).pow(2).sum() / total).backward()


@catalogue.mistake("per_example_grads writes the gradient formula and detaches it: w.grad is never written",
                   hint="take each row from w.grad after that example's loss_i.backward()")
def per_example_grads(w, X, y):
    return (2 * (X @ w - y)[:, None] * X).detach()


@catalogue.mistake("per_example_grads asks torch.autograd.grad for each row, which leaves w.grad alone",
                   hint="call loss_i.backward() and read w.grad: the kata is about what backward writes there")
def per_example_grads(w, X, y):
    return torch.stack([torch.autograd.grad((X[i] @ w - y[i]) ** 2, w)[0] for i in range(X.shape[0])])


@catalogue.mistake("per_example_grads takes the Jacobian of the loss vector", expect="forbidden-op",
                   hint="write the loop: clear, backward, copy")
def per_example_grads(w, X, y):
    return torch.autograd.functional.jacobian(lambda weights: (X @ weights - y) ** 2, w.detach())
