"""Mistakes the manual-backward suite must reject, and correct alternatives it must accept."""
import torch
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()


# --- mistakes -------------------------------------------------------------------------------

@catalogue.mistake("graph_grads swaps the roles of a and x: dz/da = a + b and dz/dx = x")
def graph_grads(a, b, x):
    return a + b, x.clone(), x.clone()


@catalogue.mistake("graph_grads stops at the addition: dz/da = dz/db = 1, forgetting the factor x")
def graph_grads(a, b, x):
    return torch.ones_like(a), torch.ones_like(b), a + b


@catalogue.mistake("graph_grads lets autograd do it with z.backward()", expect="forbidden-op")
def graph_grads(a, b, x):
    a, b, x = (t.detach().clone().requires_grad_(True) for t in (a, b, x))
    z = (x * (a + b)).sum()
    z.backward()
    return a.grad, b.grad, x.grad


@catalogue.mistake("linear_mse_grads forgets the factor 2 from the square")
def linear_mse_grads(X, W, b, y):
    residual = X @ W + b - y
    dL_dresidual = residual / residual.numel()
    return X.T @ dL_dresidual, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads divides by N instead of N * K (the mean is over every entry)")
def linear_mse_grads(X, W, b, y):
    residual = X @ W + b - y
    dL_dresidual = 2 * residual / X.shape[0]
    return X.T @ dL_dresidual, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads does not sum dL/db over the rows: shape (N, K) instead of (K,)")
def linear_mse_grads(X, W, b, y):
    residual = X @ W + b - y
    dL_dresidual = 2 * residual / residual.numel()
    return X.T @ dL_dresidual, dL_dresidual


@catalogue.mistake("linear_mse_grads multiplies in the wrong order: dL/dW = dL/dr.T @ X, shape (K, D)")
def linear_mse_grads(X, W, b, y):
    residual = X @ W + b - y
    dL_dresidual = 2 * residual / residual.numel()
    return dL_dresidual.T @ X, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads asks torch.autograd.grad for the answer", expect="forbidden-op")
def linear_mse_grads(X, W, b, y):
    W = W.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    loss = ((X @ W + b - y) ** 2).mean()
    dL_dW, dL_db = torch.autograd.grad(loss, (W, b))
    return dL_dW, dL_db


@catalogue.mistake("softmax_cross_entropy_grad is not divided by N (gradient of the summed loss)")
def softmax_cross_entropy_grad(logits, targets):
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    probs = exps / exps.sum(dim=1, keepdim=True)
    return probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)


@catalogue.mistake("softmax_cross_entropy_grad skips the max subtraction: NaN for large logits")
def softmax_cross_entropy_grad(logits, targets):
    exps = torch.exp(logits)
    probs = exps / exps.sum(dim=1, keepdim=True)
    return (probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad normalises over dim=0 (the batch) instead of the classes")
def softmax_cross_entropy_grad(logits, targets):
    exps = torch.exp(logits - logits.amax(dim=0, keepdim=True))
    probs = exps / exps.sum(dim=0, keepdim=True)
    return (probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad subtracts 1 at each target in a Python loop over rows",
                   expect="not-vectorised")
def softmax_cross_entropy_grad(logits, targets):
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    grad = exps / exps.sum(dim=1, keepdim=True)
    for i in range(logits.shape[0]):
        grad[i, targets[i]] -= 1
    return grad / logits.shape[0]


# --- correct alternatives -------------------------------------------------------------------

@catalogue.alternative("graph_grads written directly from the derivatives: x, x and a + b")
def graph_grads(a, b, x):
    return x.clone(), x.clone(), a + b


@catalogue.alternative("linear_mse_grads with einsum for dL/dW and a mean for dL/db")
def linear_mse_grads(X, W, b, y):
    N, K = y.shape
    residual = X @ W + b - y
    dL_dW = torch.einsum("nd,nk->dk", X, residual) * (2 / (N * K))
    dL_db = residual.mean(dim=0) * (2 / K)
    return dL_dW, dL_db


@catalogue.alternative("softmax_cross_entropy_grad subtracting 1 at the targets with index_put")
def softmax_cross_entropy_grad(logits, targets):
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    grad = exps / exps.sum(dim=1, keepdim=True)
    rows = torch.arange(logits.shape[0], device=logits.device)
    minus_one = torch.full_like(targets, -1, dtype=logits.dtype)
    grad = grad.index_put((rows, targets), minus_one, accumulate=True)
    return grad / logits.shape[0]


@catalogue.alternative("softmax_cross_entropy_grad via exp(logits - logsumexp) and scatter")
def softmax_cross_entropy_grad(logits, targets):
    probs = torch.exp(logits - torch.logsumexp(logits, dim=1, keepdim=True))
    one_hot = torch.zeros_like(logits).scatter(1, targets.unsqueeze(1), 1.0)
    return (probs - one_hot) / logits.shape[0]


@catalogue.mistake("graph_grads returns one tensor twice for dz/da and dz/db",
                   hint="the spec asks for three new tensors: clone one of the two equal gradients")
def graph_grads(a, b, x):  # noqa: F811
    shared = x * torch.ones_like(a)
    return shared, shared, a + b


@catalogue.mistake("graph_grads returns the input x itself as dz/da and dz/db",
                   hint="return new tensors (x.clone()), never the caller's own input")
def graph_grads(a, b, x):  # noqa: F811
    return x, x.clone(), a + b
