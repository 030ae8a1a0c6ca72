"""Mistakes the manual-backward suite must reject, and correct alternatives it must accept."""
import torch
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()


# --- graph_grads: mistakes ------------------------------------------------------------------

@catalogue.mistake("graph_grads swaps the roles of a and x: dz/da = a + b and dz/dx = x",
                   hint="each factor's gradient is the OTHER factor: dz/dx = a + b, dz/da = dz/db = x")
def graph_grads(a, b, x):
    return a + b, x.clone(), x.clone()


@catalogue.mistake("graph_grads stops at the addition: dz/da = dz/db = 1, forgetting the factor x",
                   hint="chain rule: the upstream gradient dz/dy = x times the local derivative 1")
def graph_grads(a, b, x):  # noqa: F811
    return torch.ones_like(a), torch.ones_like(b), a + b


@catalogue.mistake("graph_grads lets autograd do it with z.backward()", expect="forbidden-op",
                   hint="no autograd here: write each gradient as a tensor expression")
def graph_grads(a, b, x):  # noqa: F811
    a, b, x = (t.detach().clone().requires_grad_(True) for t in (a, b, x))
    z = (x * (a + b)).sum()
    z.backward()
    return a.grad, b.grad, x.grad


@catalogue.mistake("graph_grads returns one tensor twice for dz/da and dz/db",
                   hint="the spec asks for three new tensors: clone one of the two equal gradients")
def graph_grads(a, b, x):  # noqa: F811
    shared = x * torch.ones_like(a)
    return shared, shared, a + b


@catalogue.mistake("graph_grads returns the input x itself as dz/da and dz/db",
                   hint="return new tensors (x.clone()), never the caller's own input")
def graph_grads(a, b, x):  # noqa: F811
    return x, x.clone(), a + b


@catalogue.mistake("graph_grads makes the upstream gradient with torch.ones(shape), always float32",
                   hint="torch.ones_like(y) keeps the inputs' dtype and device")
def graph_grads(a, b, x):  # noqa: F811
    y = a + b
    upstream = torch.ones(y.shape)
    return upstream * x, upstream * x, upstream * y


@catalogue.mistake("graph_grads sums each gradient to one number, like the loss",
                   hint="a gradient has its input's shape: one entry per element of a, b and x")
def graph_grads(a, b, x):  # noqa: F811
    return x.sum(), x.sum(), (a + b).sum()


@catalogue.mistake("graph_grads writes the gradients element by element in a Python loop", expect="not-vectorised",
                   hint="whole-tensor expressions give every element's gradient at once")
def graph_grads(a, b, x):  # noqa: F811
    dz_da = torch.empty(a.shape, dtype=a.dtype, device=a.device)
    dz_dx = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    flat_a, flat_x = dz_da.view(-1), dz_dx.view(-1)
    for i, (ai, bi, xi) in enumerate(zip(a.reshape(-1), b.reshape(-1), x.reshape(-1))):
        flat_a[i], flat_x[i] = xi, ai + bi
    return dz_da, dz_da.clone(), dz_dx


# --- linear_mse_grads: mistakes -------------------------------------------------------------

@catalogue.mistake("linear_mse_grads forgets the factor 2 from the square",
                   hint="d(r ** 2)/dr = 2 r")
def linear_mse_grads(X, W, b, y):
    residual = X @ W + b - y
    dL_dresidual = residual / residual.numel()
    return X.T @ dL_dresidual, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads divides by N instead of N * K (the mean is over every entry)",
                   hint="the mean runs over all N * K entries: divide by residual.numel()")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = X @ W + b - y
    dL_dresidual = 2 * residual / X.shape[0]
    return X.T @ dL_dresidual, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads does not sum dL/db over the rows: shape (N, K) instead of (K,)",
                   hint="b was added to every row, so its gradient sums dL/dr over dim 0")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = X @ W + b - y
    dL_dresidual = 2 * residual / residual.numel()
    return X.T @ dL_dresidual, dL_dresidual


@catalogue.mistake("linear_mse_grads multiplies in the wrong order: dL/dW = dL/dr.T @ X, shape (K, D)",
                   hint="dL/dW has W's shape (D, K): X.T @ dL/dr")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = X @ W + b - y
    dL_dresidual = 2 * residual / residual.numel()
    return dL_dresidual.T @ X, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads asks torch.autograd.grad for the answer", expect="forbidden-op",
                   hint="no autograd here: apply the chain rule with X.T @ dL/dr")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    W = W.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    loss = ((X @ W + b - y) ** 2).mean()
    dL_dW, dL_db = torch.autograd.grad(loss, (W, b))
    return dL_dW, dL_db


@catalogue.mistake("linear_mse_grads takes the residual the other way round, y - prediction",
                   hint="r = X @ W + b - y; with y - (X @ W + b) every gradient flips sign")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = y - (X @ W + b)
    dL_dresidual = 2 * residual / residual.numel()
    return X.T @ dL_dresidual, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads averages dL/db over the rows instead of summing",
                   hint="b receives one gradient from every row: sum them (the 1/(N*K) is already in dL/dr)")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = X @ W + b - y
    dL_dresidual = 2 * residual / residual.numel()
    return X.T @ dL_dresidual, dL_dresidual.mean(dim=0)


@catalogue.mistake("linear_mse_grads leaves the bias out of the residual",
                   hint="the prediction is X @ W + b: the bias changes every residual")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = X @ W - y
    dL_dresidual = 2 * residual / residual.numel()
    return X.T @ dL_dresidual, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads builds the residual in the caller's y (y.sub_), changing it",
                   hint="compute a new tensor: X @ W + b - y")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = y.sub_(X @ W + b).neg_()
    dL_dresidual = 2 * residual / residual.numel()
    return X.T @ dL_dresidual, dL_dresidual.sum(dim=0)


@catalogue.mistake("linear_mse_grads accumulates dL/dW row by row in a Python loop", expect="not-vectorised",
                   hint="X.T @ dL/dr adds up every row's outer product in one matrix product")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = X @ W + b - y
    dL_dresidual = 2 * residual / residual.numel()
    dL_dW = torch.zeros_like(W)
    for n in range(X.shape[0]):
        dL_dW += torch.outer(X[n], dL_dresidual[n])
    return dL_dW, dL_dresidual.sum(dim=0)


# --- softmax_cross_entropy_grad: mistakes ---------------------------------------------------

@catalogue.mistake("softmax_cross_entropy_grad is not divided by N (gradient of the summed loss)",
                   hint="the loss is a mean over N rows, so every row's gradient is divided by N")
def softmax_cross_entropy_grad(logits, targets):
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    probs = exps / exps.sum(dim=1, keepdim=True)
    return probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)


@catalogue.mistake("softmax_cross_entropy_grad skips the max subtraction: NaN for large logits",
                   hint="subtract each row's maximum before exp(): exp(1000) is inf")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    exps = torch.exp(logits)
    probs = exps / exps.sum(dim=1, keepdim=True)
    return (probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad normalises over dim=0 (the batch) instead of the classes",
                   hint="each row is one example: max and sum over dim=1, the classes")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    exps = torch.exp(logits - logits.amax(dim=0, keepdim=True))
    probs = exps / exps.sum(dim=0, keepdim=True)
    return (probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad subtracts 1 at each target in a Python loop over rows",
                   expect="not-vectorised", hint="F.one_hot(targets, C) marks every row's target at once")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    grad = exps / exps.sum(dim=1, keepdim=True)
    for i in range(logits.shape[0]):
        grad[i, targets[i]] -= 1
    return grad / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad converts the one-hot with .float(), so half logits give float32",
                   hint="convert with .to(logits.dtype) so the gradient keeps the logits' dtype")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    probs = exps / exps.sum(dim=1, keepdim=True)
    return (probs - F.one_hot(targets, logits.shape[1]).float()) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad calls F.one_hot without num_classes, which guesses C from the targets",
                   hint="pass num_classes=logits.shape[1]: the largest target may be below C - 1")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    probs = exps / exps.sum(dim=1, keepdim=True)
    return (probs - F.one_hot(targets).to(logits.dtype)) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad forgets the one-hot: softmax / N alone",
                   hint="the target's own log-probability adds -1 at its class: (softmax - one_hot) / N")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    return exps / exps.sum(dim=1, keepdim=True) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad uses log-probabilities instead of probabilities",
                   hint="the gradient is softmax(logits) - one_hot, not log_softmax(logits) - one_hot")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return (log_probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad shifts by the largest logit of the whole batch, not each row's",
                   hint="take the max per row, amax(dim=1, keepdim=True): a row far below the batch max "
                        "underflows to 0/0")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    exps = torch.exp(logits - logits.max())
    probs = exps / exps.sum(dim=1, keepdim=True)
    return (probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]


@catalogue.mistake("softmax_cross_entropy_grad subtracts the row maximum in place, changing the caller's logits",
                   hint="logits - m makes a new tensor; logits -= m overwrites the input")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    logits -= logits.amax(dim=1, keepdim=True)
    exps = torch.exp(logits)
    probs = exps / exps.sum(dim=1, keepdim=True)
    return (probs - F.one_hot(targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]


# --- correct alternatives -------------------------------------------------------------------

@catalogue.alternative("graph_grads written directly from the derivatives: x, x and a + b")
def graph_grads(a, b, x):  # noqa: F811
    return x.clone(), x.clone(), a + b


@catalogue.alternative("graph_grads with torch.add, expand_as and detach().clone()")
def graph_grads(a, b, x):  # noqa: F811
    dz_dy = x.expand_as(a).detach().clone()
    return dz_dy, dz_dy.clone(), torch.add(a, b)


@catalogue.alternative("graph_grads computing in float64 and casting back")
def graph_grads(a, b, x):  # noqa: F811
    y = a.double() + b.double()
    dz_dy = x.double() * torch.ones_like(y)
    # .to() returns the tensor itself when the dtype already matches, so clone the second copy.
    return dz_dy.to(a.dtype), dz_dy.to(a.dtype).clone(), y.to(a.dtype)


@catalogue.alternative("linear_mse_grads with einsum for dL/dW and a mean for dL/db")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    N, K = y.shape
    residual = X @ W + b - y
    dL_dW = torch.einsum("nd,nk->dk", X, residual) * (2 / (N * K))
    dL_db = residual.mean(dim=0) * (2 / K)
    return dL_dW, dL_db


@catalogue.alternative("linear_mse_grads with torch.addmm, transpose(0, 1) and a ones-vector product for b")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    residual = torch.addmm(b, X, W)
    residual -= y                                   # in place, on a fresh tensor
    residual.mul_(2.0 / residual.numel())
    ones = torch.ones(X.shape[0], dtype=X.dtype, device=X.device)
    return torch.matmul(X.transpose(0, 1), residual), ones @ residual


@catalogue.alternative("linear_mse_grads in float64, cast back to X's dtype")
def linear_mse_grads(X, W, b, y):  # noqa: F811
    X64, residual = X.double(), X.double() @ W.double() + b.double() - y.double()
    dL_dr = 2 * residual / residual.numel()
    return (X64.T @ dL_dr).to(X.dtype), dL_dr.sum(0).to(X.dtype)


@catalogue.alternative("softmax_cross_entropy_grad subtracting 1 at the targets with index_put")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    exps = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    grad = exps / exps.sum(dim=1, keepdim=True)
    rows = torch.arange(logits.shape[0], device=logits.device)
    minus_one = torch.full_like(targets, -1, dtype=logits.dtype)
    grad = grad.index_put((rows, targets), minus_one, accumulate=True)
    return grad / logits.shape[0]


@catalogue.alternative("softmax_cross_entropy_grad via exp(logits - logsumexp) and scatter")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    probs = torch.exp(logits - torch.logsumexp(logits, dim=1, keepdim=True))
    one_hot = torch.zeros_like(logits).scatter(1, targets.unsqueeze(1), 1.0)
    return (probs - one_hot) / logits.shape[0]


@catalogue.alternative("softmax_cross_entropy_grad with torch.softmax and an in-place -= 1 at the targets")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    grad = torch.softmax(logits, dim=1)
    grad[torch.arange(len(targets)), targets] -= 1
    return grad / len(targets)


@catalogue.alternative("softmax_cross_entropy_grad with rows of an identity matrix as the one-hot")
def softmax_cross_entropy_grad(logits, targets):  # noqa: F811
    N, C = logits.shape
    one_hot = torch.eye(C, dtype=logits.dtype, device=logits.device)[targets]
    probs = (logits - logits.max(dim=1, keepdim=True).values).softmax(dim=1)
    return (probs - one_hot).div(N)
