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

@catalogue.mistake("forgot to zero the grads after the update")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad


@catalogue.mistake("set p.grad = None instead of zeroing it in place")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
                p.grad = None


@catalogue.mistake("rebinds p = p - lr * p.grad: a new non-leaf tensor, the caller's one never changes")
def sgd_step_(params, lr):
    params = list(params)
    for p in params:
        if p.grad is not None:
            p = p - lr * p.grad
    for p in params:
        if p.grad is not None:
            p.grad.zero_()


@catalogue.mistake("adds the gradient, climbing the loss instead of descending")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p += lr * p.grad
                p.grad.zero_()


@catalogue.mistake("updates in place outside torch.no_grad (autograd refuses to edit the leaf)")
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad
            p.grad.zero_()


@catalogue.mistake("does not skip tensors whose grad is None")
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()


@catalogue.mistake("used torch.optim.SGD", expect="forbidden-op")
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

@catalogue.mistake("keeps the loss tensors in `losses` instead of Python floats")
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


@catalogue.mistake("never zeroes the grads in the loop, so they pile up step after step")
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


@catalogue.mistake("sum of squared errors instead of their mean")
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


@catalogue.mistake("W of shape (D,), so X @ W + b - y broadcasts to (N, N)")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, device=X.device, requires_grad=True)
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


@catalogue.mistake("starts from random W and b (torch.randn, as in the guide) instead of zeros")
def fit_linear_regression(X, y, lr, epochs):
    W = torch.randn(X.shape[1], 1, dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.randn(1, dtype=X.dtype, device=X.device, requires_grad=True)
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


@catalogue.mistake("b made without requires_grad, so the bias never learns")
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


@catalogue.mistake("records the loss measured after the update instead of before it")
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


@catalogue.mistake("used torch.optim.SGD for the update", expect="forbidden-op")
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
