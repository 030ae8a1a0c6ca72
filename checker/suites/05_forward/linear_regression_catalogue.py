"""Mistake catalogue for 05_forward/linear_regression: plausible wrong answers the suite must
reject, and correct alternatives it must accept. Each entry replaces one name of a fresh copy of
the reference; `kata validate` grades every entry. Entries write the forward pass out instead of
calling `predict`: a function keeps the globals of the module it was written in."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- make_data

@catalogue.mistake("make_data draws from the global random stream, ignoring the generator",
                   hint="pass generator=generator to every torch.randn call")
def make_data(n, generator, noise=0.1):
    X = torch.randn(n, 1)
    return X, 2 * X + 1 + noise * torch.randn(n, 1)


@catalogue.mistake("make_data draws X with torch.rand, uniform on [0, 1)",
                   hint="standard normal draws come from torch.randn")
def make_data(n, generator, noise=0.1):  # noqa: F811 - each entry replaces the graded name
    X = torch.rand(n, 1, generator=generator, device=generator.device)
    return X, 2 * X + 1 + noise * torch.randn(n, 1, generator=generator, device=generator.device)


@catalogue.mistake("make_data draws the noise before X", hint="the order of draws is part of the recipe: X first")
def make_data(n, generator, noise=0.1):  # noqa: F811
    eps = torch.randn(n, 1, generator=generator, device=generator.device)
    X = torch.randn(n, 1, generator=generator, device=generator.device)
    return X, 2 * X + 1 + noise * eps


@catalogue.mistake("make_data draws a flat (n,) noise, which broadcasts y to (n, n)",
                   hint="draw eps with shape (n, 1), like X")
def make_data(n, generator, noise=0.1):  # noqa: F811
    X = torch.randn(n, 1, generator=generator, device=generator.device)
    return X, 2 * X + 1 + noise * torch.randn(n, generator=generator, device=generator.device)


@catalogue.mistake("make_data adds the noise without scaling it by `noise`", hint="y = 2 * X + 1 + noise * eps")
def make_data(n, generator, noise=0.1):  # noqa: F811
    X = torch.randn(n, 1, generator=generator, device=generator.device)
    return X, 2 * X + 1 + torch.randn(n, 1, generator=generator, device=generator.device)


@catalogue.mistake("make_data draws the points one at a time",
                   hint="one torch.randn(n, 1) call draws them all (and in the generator's own order)")
def make_data(n, generator, noise=0.1):  # noqa: F811
    X = torch.cat([torch.randn(1, 1, generator=generator) for _ in range(n)]) if n else torch.zeros(0, 1)
    eps = torch.cat([torch.randn(1, 1, generator=generator) for _ in range(n)]) if n else torch.zeros(0, 1)
    return X, 2 * X + 1 + noise * eps


# ---------------------------------------------------------------- init_params

@catalogue.mistake("init_params makes b without requires_grad", hint="b is learned too: requires_grad=True")
def init_params(D, generator):
    W = torch.randn(D, 1, generator=generator, device=generator.device, requires_grad=True)
    b = torch.randn(1, generator=generator, device=generator.device)
    return W, b


@catalogue.mistake("init_params scales W after creating it with requires_grad, so W is not a leaf",
                   hint="create the final values first, then switch on gradients")
def init_params(D, generator):  # noqa: F811
    W = torch.randn(D, 1, generator=generator, device=generator.device, requires_grad=True) * 1.0
    b = torch.randn(1, generator=generator, device=generator.device, requires_grad=True)
    return W, b


@catalogue.mistake("init_params shapes W as (1, D), nn.Linear's layout",
                   hint="X @ W needs W with D rows: shape (D, 1)")
def init_params(D, generator):  # noqa: F811
    W = torch.randn(1, D, generator=generator, device=generator.device, requires_grad=True)
    b = torch.randn(1, generator=generator, device=generator.device, requires_grad=True)
    return W, b


@catalogue.mistake("init_params makes b a 0-d scalar", hint="the bias has shape (1,): torch.randn(1, ...)")
def init_params(D, generator):  # noqa: F811
    W = torch.randn(D, 1, generator=generator, device=generator.device, requires_grad=True)
    b = torch.randn((), generator=generator, device=generator.device, requires_grad=True)
    return W, b


@catalogue.mistake("init_params draws b before W", hint="draw W first, then b")
def init_params(D, generator):  # noqa: F811
    b = torch.randn(1, generator=generator, device=generator.device, requires_grad=True)
    W = torch.randn(D, 1, generator=generator, device=generator.device, requires_grad=True)
    return W, b


@catalogue.mistake("init_params starts from zeros", hint="the spec asks for torch.randn draws from the generator")
def init_params(D, generator):  # noqa: F811
    W = torch.zeros(D, 1, device=generator.device, requires_grad=True)
    b = torch.zeros(1, device=generator.device, requires_grad=True)
    return W, b


# ---------------------------------------------------------------- predict

@catalogue.mistake("predict multiplies elementwise, X * W.T + b, which is (N, D) once D > 1",
                   hint="a matrix product: X @ W")
def predict(X, W, b):
    return X * W.T + b


@catalogue.mistake("predict uses X @ W.T, which only works when D == 1", hint="W is already (D, 1): X @ W")
def predict(X, W, b):  # noqa: F811
    return X @ W.T + b


@catalogue.mistake("predict adds b.item(), so no gradient reaches b", hint="add the tensor b itself")
def predict(X, W, b):  # noqa: F811
    return X @ W + b.item()


@catalogue.mistake("predict squeezes the result to (N,)", hint="keep the (N, 1) shape that X @ W gives")
def predict(X, W, b):  # noqa: F811
    return (X @ W).squeeze(1) + b


# ---------------------------------------------------------------- residuals

@catalogue.mistake("residuals subtracts a flat (N,) y from the (N, 1) predictions: an (N, N) table",
                   hint="reshape y to (N, 1) before subtracting")
def residuals(X, W, b, y):
    return X @ W + b - y


@catalogue.mistake("residuals always unsqueezes y, so an (N, 1) y becomes (N, 1, 1)",
                   hint="y.reshape(-1, 1) works for both shapes y may have")
def residuals(X, W, b, y):  # noqa: F811
    return X @ W + b - y.unsqueeze(1)


@catalogue.mistake("residuals flattens the predictions instead, giving (N,)", hint="the spec asks for (N, 1)")
def residuals(X, W, b, y):  # noqa: F811
    return (X @ W + b).reshape(-1) - y.reshape(-1)


@catalogue.mistake("residuals computes y - y_hat", hint="prediction minus target: y_hat - y")
def residuals(X, W, b, y):  # noqa: F811
    return y.reshape(-1, 1) - (X @ W + b)


# ---------------------------------------------------------------- correct alternatives

@catalogue.alternative("make_data with normal_(generator=...) on empty tensors and another order of terms")
def make_data(n, generator, noise=0.1):  # noqa: F811
    X = torch.empty(n, 1, device=generator.device).normal_(generator=generator)
    eps = torch.empty(n, 1, device=generator.device).normal_(generator=generator)
    return X, X * 2 + noise * eps + 1


@catalogue.alternative("init_params switching gradients on with requires_grad_() after the draw")
def init_params(D, generator):  # noqa: F811
    W = torch.randn((D, 1), generator=generator, device=generator.device).requires_grad_()
    b = torch.randn((1,), generator=generator, device=generator.device).requires_grad_()
    return W, b


@catalogue.alternative("predict with torch.addmm")
def predict(X, W, b):  # noqa: F811
    return torch.addmm(b, X, W)


@catalogue.alternative("residuals unsqueezing y only when it is flat")
def residuals(X, W, b, y):  # noqa: F811
    y_hat = X.matmul(W).add(b)
    return y_hat - (y.unsqueeze(1) if y.dim() == 1 else y)


# ---------------------------------------------------------------- more mistakes (review)

ref = catalogue.reference


@catalogue.mistake("make_data scales the noise by noise ** 2 (the variance) instead of noise",
                   hint="noise is the standard deviation: y = 2 * X + 1 + noise * eps")
def make_data(n, generator, noise=0.1):  # noqa: F811
    X = torch.randn(n, 1, generator=generator, device=generator.device)
    eps = torch.randn(n, 1, generator=generator, device=generator.device)
    return X, 2 * X + 1 + noise ** 2 * eps


@catalogue.mistake("make_data returns float64 data", hint="float32, the default floating dtype")
def make_data(n, generator, noise=0.1):  # noqa: F811
    X, y = ref.make_data(n, generator, noise)
    return X.double(), y.double()


@catalogue.mistake("predict computes W.T @ X.T: a (1, N) row instead of an (N, 1) column",
                   hint="X is (N, D) and W is (D, 1): X @ W")
def predict(X, W, b):  # noqa: F811
    return W.T @ X.T + b


@catalogue.mistake("predict adds the bias in place into the product with +=, on a tensor X @ W made under no_grad",
                   hint="X @ W + b builds a new tensor that stays in the graph")
def predict(X, W, b):  # noqa: F811
    with torch.no_grad():
        out = X @ W
    out += b
    return out


@catalogue.mistake("residuals squeezes the predictions and subtracts: one point gives shape ()",
                   hint="keep (N, 1): reshape y to the predictions' shape instead")
def residuals(X, W, b, y):  # noqa: F811
    return (X @ W + b).squeeze() - y.squeeze()


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("make_data with torch.normal(0, 1, size) draws from the generator")
def make_data(n, generator, noise=0.1):  # noqa: F811
    X = torch.normal(0.0, 1.0, size=(n, 1), generator=generator, device=generator.device)
    eps = torch.normal(0.0, 1.0, size=(n, 1), generator=generator, device=generator.device)
    return X, X * 2 + noise * eps + 1


@catalogue.alternative("init_params returning nn.Parameter leaves")
def init_params(D, generator):  # noqa: F811
    W = torch.nn.Parameter(torch.randn((D, 1), generator=generator, device=generator.device))
    b = torch.nn.Parameter(torch.randn((1,), generator=generator, device=generator.device))
    return W, b


@catalogue.alternative("predict with F.linear(X, W.T, b)")
def predict(X, W, b):  # noqa: F811
    return torch.nn.functional.linear(X, W.T, b)


@catalogue.alternative("predict with einsum")
def predict(X, W, b):  # noqa: F811
    return torch.einsum("nd,dk->nk", X, W) + b


@catalogue.alternative("predict as a broadcast product summed over the features")
def predict(X, W, b):  # noqa: F811
    return (X * W.T).sum(dim=1, keepdim=True) + b


@catalogue.alternative("residuals with y.view(-1, 1) after X.matmul(W).add(b)")
def residuals(X, W, b, y):  # noqa: F811
    return X.matmul(W).add(b) - y.reshape(-1).view(-1, 1)


@catalogue.alternative("residuals computed flat and given back its column dim")
def residuals(X, W, b, y):  # noqa: F811
    return ((X @ W).squeeze(-1) + b - y.flatten()).unsqueeze(-1)
