"""Mistake catalogue for 07_gradient_descent/gd_step.

Each entry is a whole replacement for one graded name. The entries spell out their own update
and loss instead of calling another name of the kata: a function keeps the globals of the
module it was written in, so a call to `sgd_step_` from here would not reach the kata's
version.
"""
import torch
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- sgd_step_: mistakes

@catalogue.mistake("forgot to zero the grads after the update",
                   hint="after the update, p.grad.zero_(): backward() adds into .grad")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad


@catalogue.mistake("set p.grad = None instead of zeroing it in place",
                   hint="keep the grad tensor and clear it with p.grad.zero_()")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
                p.grad = None


@catalogue.mistake("rebinds p = p - lr * p.grad: a new non-leaf tensor, the caller's one never changes",
                   hint="change p itself: p -= lr * p.grad under torch.no_grad()")
def sgd_step_(params, lr):
    params = list(params)
    for p in params:
        if p.grad is not None:
            p = p - lr * p.grad
    for p in params:
        if p.grad is not None:
            p.grad.zero_()


@catalogue.mistake("adds the gradient, climbing the loss instead of descending",
                   hint="step against the gradient: p -= lr * p.grad")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p += lr * p.grad
                p.grad.zero_()


@catalogue.mistake("updates in place outside torch.no_grad (autograd refuses to edit the leaf)",
                   hint="wrap the update in `with torch.no_grad():`")
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad
            p.grad.zero_()


@catalogue.mistake("does not skip tensors whose grad is None",
                   hint="skip p when p.grad is None (it took no part in the loss)")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()


@catalogue.mistake("used torch.optim.SGD", expect="forbidden-op",
                   hint="write the update yourself: p -= lr * p.grad, then p.grad.zero_()")
def sgd_step_(params, lr):
    optimizer = torch.optim.SGD(list(params), lr=lr)
    optimizer.step()
    optimizer.zero_grad(set_to_none=False)


# ---------------------------------------------------------------- sgd_step_: alternatives

@catalogue.alternative("p.sub_(lr * p.grad) and p.grad.fill_(0)")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.sub_(lr * p.grad)
                p.grad.fill_(0)


@catalogue.alternative("the older p.data idiom: p.data.add_(p.grad, alpha=-lr)")
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p.data.add_(p.grad, alpha=-lr)  # .data is invisible to autograd, so no no_grad block
            p.grad.zero_()


# ---------------------------------------------------------------- fit_linear_regression: mistakes

def _train(X, y, W, b, lr, epochs):
    """The reference's loop from given starting leaves, for the entries that change only the start."""
    losses = []
    for _ in range(epochs):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                p -= lr * p.grad
                p.grad.zero_()
    return W, b, losses


@catalogue.mistake("keeps the loss tensors in `losses` instead of Python floats",
                   hint="record loss.item(), a Python float")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss)
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                p -= lr * p.grad
                p.grad.zero_()
    return W, b, losses


@catalogue.mistake("never zeroes the grads in the loop, so they pile up step after step",
                   hint="zero W.grad and b.grad after every update (sgd_step_ does it)")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
    return W, b, losses


@catalogue.mistake("sum of squared errors instead of their mean",
                   hint="the loss is the mean of (y_hat - y) ** 2: .mean()")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = ((X @ W + b - y) ** 2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                p -= lr * p.grad
                p.grad.zero_()
    return W, b, losses


@catalogue.mistake("W of shape (D,), so X @ W + b - y broadcasts to (N, N)",
                   hint="W is (D, 1), so X @ W is (N, 1) like y")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    return _train(X, y, W, b, lr, epochs)


@catalogue.mistake("starts from random W and b (torch.randn, as in the guide) instead of zeros",
                   hint="start W and b at zeros (torch.zeros)")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.randn(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.randn(1, dtype=X.dtype, device=X.device, requires_grad=True)
    return _train(X, y, W, b, lr, epochs)


@catalogue.mistake("b made without requires_grad, so the bias never learns",
                   hint="create b with requires_grad=True too")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device)
    losses = []
    for _ in range(epochs):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                if p.grad is not None:
                    p -= lr * p.grad
                    p.grad.zero_()
    return W, b, losses


@catalogue.mistake("records the loss measured after the update instead of before it",
                   hint="append loss.item() before the update: losses[i] is the loss before step i")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = ((X @ W + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                p -= lr * p.grad
                p.grad.zero_()
            losses.append(((X @ W + b - y) ** 2).mean().item())
    return W, b, losses


@catalogue.mistake("used torch.optim.SGD for the update", expect="forbidden-op",
                   hint="write the update yourself, or call your sgd_step_")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()
    optimizer.zero_grad(set_to_none=False)
    return W, b, losses


# ---------------------------------------------------------------- fit_linear_regression: alternatives

@catalogue.alternative("F.mse_loss for the loss and torch.addmm for the prediction")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = F.mse_loss(torch.addmm(b, X, W), y)
        losses.append(float(loss.detach()))
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                p -= lr * p.grad
                p.grad.zero_()
    return W, b, losses


@catalogue.alternative("X.new_zeros(...).requires_grad_() and the loss as (r * r).sum() / r.numel()")
def fit_linear_regression(X, y, lr, epochs):
    N, D = X.shape
    W = X.new_zeros(D, 1).requires_grad_()
    b = X.new_zeros(1).requires_grad_()
    losses = []
    for _ in range(epochs):
        residual = X @ W + b - y
        loss = (residual * residual).sum() / residual.numel()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W.sub_(lr * W.grad)
            b.sub_(lr * b.grad)
        W.grad.zero_()
        b.grad.zero_()
    return W, b, losses


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.mistake("sgd_step_ zeroes the grad before using it, so nothing moves",
                   hint="update first (p -= lr * p.grad), then p.grad.zero_()")
def sgd_step_(params, lr):  # noqa: F811
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.grad.zero_()
                p -= lr * p.grad


@catalogue.mistake("sgd_step_ wraps only the zeroing in torch.no_grad(), not the update", expect="error",
                   hint="the in-place update is what must run under torch.no_grad()")
def sgd_step_(params, lr):  # noqa: F811
    for p in params:
        if p.grad is not None:
            p.sub_(lr * p.grad)
            with torch.no_grad():
                p.grad.zero_()


@catalogue.mistake("sgd_step_ stops at the first tensor whose grad is None (break instead of continue)",
                   hint="skip a tensor whose grad is None (continue) instead of stopping (break)")
def sgd_step_(params, lr):  # noqa: F811
    with torch.no_grad():
        for p in params:
            if p.grad is None:
                break
            p -= lr * p.grad
            p.grad.zero_()


@catalogue.alternative("sgd_step_ replacing p.data and clearing the grad through p.grad.data")
def sgd_step_(params, lr):  # noqa: F811
    for p in params:
        if p.grad is None:
            continue
        p.data = p.data - lr * p.grad.data
        p.grad.data.zero_()


@catalogue.alternative("sgd_step_ with copy_ under the no_grad decorator and a list comprehension filter")
@torch.no_grad()
def sgd_step_(params, lr):  # noqa: F811
    for p in [q for q in params if q.grad is not None]:
        p.copy_(p - lr * p.grad)
        p.grad.mul_(0)


@catalogue.mistake("fit_linear_regression returns detached copies of W and b",
                   hint="return the trained leaves themselves: W, b (they still require grad)")
def fit_linear_regression(X, y, lr, epochs):  # noqa: F811
    W, b, losses = ref.fit_linear_regression(X, y, lr, epochs)
    return W.detach(), b.detach(), losses


@catalogue.mistake("fit_linear_regression runs one epoch too many", hint="range(epochs) runs exactly `epochs` updates")
def fit_linear_regression(X, y, lr, epochs):  # noqa: F811
    return ref.fit_linear_regression(X, y, lr, epochs + 1)


@catalogue.mistake("fit_linear_regression makes b of shape (1, 1)", hint="b is a vector of one number: torch.zeros(1)")
def fit_linear_regression(X, y, lr, epochs):  # noqa: F811
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, 1, dtype=X.dtype, device=X.device, requires_grad=True)
    return _train(X, y, W, b, lr, epochs)


@catalogue.mistake("fit_linear_regression makes W and b in the default float32, whatever X's dtype",
                   hint="create them with dtype=X.dtype and device=X.device")
def fit_linear_regression(X, y, lr, epochs):  # noqa: F811
    W = torch.zeros(X.shape[1], 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return _train(X.float(), y.float(), W, b, lr, epochs)


@catalogue.mistake("fit_linear_regression rebinds W = W - lr * W.grad, so W stops being a leaf", expect="error",
                   hint="update in place under torch.no_grad(): W -= lr * W.grad")
def fit_linear_regression(X, y, lr, epochs):  # noqa: F811
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        W = W - lr * W.grad
        b = b - lr * b.grad
    return W, b, losses


@catalogue.alternative("fit_linear_regression clearing the grads at the top of each epoch, "
                       "with the loss as a (1,) mean over dim 0")
def fit_linear_regression(X, y, lr, epochs):  # noqa: F811
    W = torch.zeros((X.shape[1], 1), dtype=X.dtype, device=X.device).requires_grad_(True)
    b = torch.zeros((1,), dtype=X.dtype, device=X.device).requires_grad_(True)
    losses = []
    for _ in range(epochs):
        W.grad = None
        b.grad = None
        loss = torch.mean((y - torch.matmul(X, W) - b) ** 2, dim=0)   # shape (1,): backward accepts one element
        loss.backward()
        losses.append(float(loss))
        with torch.no_grad():
            W.sub_(lr * W.grad)
            b.sub_(lr * b.grad)
    return W, b, losses


@catalogue.alternative("fit_linear_regression calling the kata's own sgd_step_")
def fit_linear_regression(X, y, lr, epochs):  # noqa: F811
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = (X @ W + b - y).pow(2).mean()
        losses.append(loss.item())
        loss.backward()
        ref.sgd_step_((W, b), lr)
    return W, b, losses
