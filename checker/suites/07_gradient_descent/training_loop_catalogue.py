"""Mistake catalogue for 07_gradient_descent/training_loop: plausible wrong answers the suite
must reject, and correct alternatives it must accept. Each entry replaces one name of a fresh
copy of the reference; `kata validate` grades every entry."""
import torch
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- train_linear_regression

@catalogue.mistake("train_linear_regression never zeroes the grads, so every step also pushes with the old slopes",
                   hint="after each update: W.grad.zero_() and b.grad.zero_()")
def train_linear_regression(X, y, W, b, lr, steps):
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
    return losses


@catalogue.mistake("train_linear_regression clears the grads by setting them to None",
                   hint="zero them in place: W.grad.zero_()")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811 - each entry replaces the graded name
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad = None
        b.grad = None
    return losses


@catalogue.mistake("train_linear_regression updates W and b in place outside torch.no_grad", expect="error",
                   hint="wrap the update in `with torch.no_grad():`")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        W -= lr * W.grad
        b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
    return losses


@catalogue.mistake("train_linear_regression sums the squared errors instead of averaging them",
                   hint="the loss is the mean of (y_hat - y) ** 2")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
    return losses


@catalogue.mistake("train_linear_regression records the loss after the update", hint="record loss.item() before updating")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
            losses.append(((X @ W + b - y) ** 2).mean().item())
        W.grad.zero_()
        b.grad.zero_()
    return losses


@catalogue.mistake("train_linear_regression forgets to update b", hint="both parameters take a step: b -= lr * b.grad")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
        W.grad.zero_()
        b.grad.zero_()
    return losses


@catalogue.mistake("train_linear_regression keeps the loss tensors in the history", hint="append loss.item()")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss)
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
    return losses


@catalogue.mistake("train_linear_regression hands the update to torch.optim.SGD", expect="forbidden-op",
                   hint="write the update yourself under torch.no_grad()")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    optimizer = torch.optim.SGD([W, b], lr=lr)
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)
    return losses


# ---------------------------------------------------------------- minimize_quadratic

@catalogue.mistake("minimize_quadratic never zeroes x.grad", hint="x.grad.zero_() after every update")
def minimize_quadratic(x, lr, steps):
    trajectory = [x.item()]
    for _ in range(steps):
        (x ** 2 + 2 * x + 1).backward()
        with torch.no_grad():
            x -= lr * x.grad
        trajectory.append(x.item())
    return trajectory


@catalogue.mistake("minimize_quadratic writes the slope 2x + 2 by hand, so x.grad is never filled",
                   hint="let f.backward() compute the slope into x.grad")
def minimize_quadratic(x, lr, steps):  # noqa: F811
    trajectory = [x.item()]
    for _ in range(steps):
        with torch.no_grad():
            x -= lr * (2 * x + 2)
        trajectory.append(x.item())
    return trajectory


@catalogue.mistake("minimize_quadratic records f(x) instead of x", hint="the trajectory lists x's values: x.item()")
def minimize_quadratic(x, lr, steps):  # noqa: F811
    trajectory = []
    for _ in range(steps):
        f = x ** 2 + 2 * x + 1
        trajectory.append(f.item())
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
    trajectory.append((x ** 2 + 2 * x + 1).item())
    return trajectory


@catalogue.mistake("minimize_quadratic leaves out the starting value", hint="record x.item() once before the loop too")
def minimize_quadratic(x, lr, steps):  # noqa: F811
    trajectory = []
    for _ in range(steps):
        (x ** 2 + 2 * x + 1).backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
        trajectory.append(x.item())
    return trajectory


@catalogue.mistake("minimize_quadratic rebinds x = x - lr * x.grad, a new tensor without .grad", expect="error",
                   hint="change x in place (x -= ...) under torch.no_grad()")
def minimize_quadratic(x, lr, steps):  # noqa: F811
    trajectory = [x.item()]
    for _ in range(steps):
        (x ** 2 + 2 * x + 1).backward()
        x = x - lr * x.grad
        trajectory.append(x.item())
    return trajectory


# ---------------------------------------------------------------- lr_regime

@catalogue.mistake("lr_regime knows only two outcomes, stable or not", hint="a negative r flips the sign: 'oscillates'")
def lr_regime(curvature, lr):
    if curvature <= 0 or lr <= 0:
        raise ValueError("curvature and lr must be positive")
    return "converges" if abs(1.0 - lr * curvature) <= 1 else "diverges"


@catalogue.mistake("lr_regime calls r = 0 (one step onto the minimum) oscillating",
                   hint="r = 0 lands on the minimum: 0 <= r < 1 converges")
def lr_regime(curvature, lr):  # noqa: F811
    if curvature <= 0 or lr <= 0:
        raise ValueError("curvature and lr must be positive")
    r = 1.0 - lr * curvature
    return "converges" if r > 0 else "oscillates" if r >= -1 else "diverges"


@catalogue.mistake("lr_regime divides the rate by the curvature", hint="the step factor is r = 1 - lr * curvature")
def lr_regime(curvature, lr):  # noqa: F811
    if curvature <= 0 or lr <= 0:
        raise ValueError("curvature and lr must be positive")
    r = 1.0 - lr / curvature
    return "converges" if r >= 0 else "oscillates" if r >= -1 else "diverges"


@catalogue.mistake("lr_regime accepts a zero or negative rate", hint="raise ValueError when lr <= 0 or curvature <= 0")
def lr_regime(curvature, lr):  # noqa: F811
    r = 1.0 - lr * curvature
    return "converges" if r >= 0 else "oscillates" if r >= -1 else "diverges"


# ---------------------------------------------------------------- largest_stable_lr

@catalogue.mistake("largest_stable_lr leaves out the ones column of the bias",
                   hint="b is a parameter too: A = [X | 1]")
def largest_stable_lr(X):
    H = 2.0 / X.shape[0] * (X.T @ X)
    return 2.0 / torch.linalg.eigvalsh(H)[-1].item()


@catalogue.mistake("largest_stable_lr forgets the 2 / N of the mean squared error",
                   hint="the MSE's curvature matrix is 2 / N * A.T @ A")
def largest_stable_lr(X):  # noqa: F811
    A = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype)], dim=1)
    return 2.0 / torch.linalg.eigvalsh(A.T @ A)[-1].item()


@catalogue.mistake("largest_stable_lr returns 1 / lambda_max, where oscillation begins",
                   hint="divergence begins at 2 / lambda_max")
def largest_stable_lr(X):  # noqa: F811
    A = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype)], dim=1)
    return 1.0 / torch.linalg.eigvalsh(2.0 / X.shape[0] * (A.T @ A))[-1].item()


@catalogue.mistake("largest_stable_lr takes the smallest eigenvalue", hint="the steepest direction fails first: the largest")
def largest_stable_lr(X):  # noqa: F811
    A = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype)], dim=1)
    return 2.0 / torch.linalg.eigvalsh(2.0 / X.shape[0] * (A.T @ A))[0].item()


@catalogue.mistake("largest_stable_lr adds up the curvature one point at a time", expect="not-vectorised",
                   hint="A.T @ A sums every point's outer product in one matrix product")
def largest_stable_lr(X):  # noqa: F811
    A = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype)], dim=1)
    H = torch.zeros(A.shape[1], A.shape[1], dtype=X.dtype)
    for row in A:
        H = H + torch.outer(row, row)
    return 2.0 / torch.linalg.eigvalsh(2.0 / X.shape[0] * H)[-1].item()


# ---------------------------------------------------------------- correct alternatives

@catalogue.alternative("train_linear_regression with F.mse_loss and one update loop over the parameters")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        loss = F.mse_loss(X @ W + b, y)
        losses.append(float(loss))
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                p.sub_(lr * p.grad)
                p.grad.zero_()
    return losses


@catalogue.alternative("minimize_quadratic on the factored form (x + 1) ** 2, updating x.data")
def minimize_quadratic(x, lr, steps):  # noqa: F811
    trajectory = [float(x)]
    for _ in range(steps):
        ((x + 1) ** 2).backward()
        x.data -= lr * x.grad
        x.grad.zero_()
        trajectory.append(float(x))
    return trajectory


@catalogue.alternative("lr_regime comparing the rate with 1 / curvature and 2 / curvature")
def lr_regime(curvature, lr):  # noqa: F811
    if curvature <= 0 or lr <= 0:
        raise ValueError("both must be positive")
    if lr <= 1 / curvature:
        return "converges"
    return "oscillates" if lr <= 2 / curvature else "diverges"


@catalogue.alternative("largest_stable_lr from the largest singular value of A")
def largest_stable_lr(X):  # noqa: F811
    A = torch.cat([X, X.new_ones(X.shape[0], 1)], dim=1)
    sigma = torch.linalg.matrix_norm(A, ord=2).item()
    return X.shape[0] / sigma ** 2


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.mistake("train_linear_regression clears the grads before each backward, which fails while they are None",
                   expect="error", hint="zero after the update, or skip a .grad that is still None")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        W.grad.zero_()
        b.grad.zero_()
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
    return losses


@catalogue.mistake("train_linear_regression starts from fresh zeros instead of the caller's W and b",
                   hint="train the W and b you are given: they are updated in place")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    return ref.train_linear_regression(X, y, torch.zeros_like(W, requires_grad=True),
                                       torch.zeros_like(b, requires_grad=True), lr, steps)


@catalogue.mistake("train_linear_regression zeroes only W.grad",
                   hint="both parameters collect gradients: zero b.grad too")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        loss = ((X @ W + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_()
    return losses


@catalogue.mistake("minimize_quadratic loops over range(steps + 1), one update too many",
                   hint="range(steps) makes the updates; the list has steps + 1 values with the start")
def minimize_quadratic(x, lr, steps):  # noqa: F811
    return ref.minimize_quadratic(x, lr, steps + 1)


@catalogue.mistake("lr_regime calls r = -1 (bouncing forever between two points) diverging",
                   hint="at r = -1 the distance keeps its size: -1 <= r < 0 oscillates")
def lr_regime(curvature, lr):  # noqa: F811
    if curvature <= 0 or lr <= 0:
        raise ValueError("curvature and lr must be positive")
    r = 1.0 - lr * curvature
    return "converges" if r >= 0 else "oscillates" if r > -1 else "diverges"


@catalogue.mistake("largest_stable_lr returns a 0-d tensor instead of a Python float",
                   hint="finish with .item() (or float(...))")
def largest_stable_lr(X):  # noqa: F811
    A = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype)], dim=1)
    return 2.0 / torch.linalg.eigvalsh(2.0 / X.shape[0] * A.T @ A)[-1]


@catalogue.mistake("largest_stable_lr divides by N - 1 (the sample covariance's count)",
                   hint="the loss is a mean over all N points: H = 2 / N * A.T @ A")
def largest_stable_lr(X):  # noqa: F811
    A = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype)], dim=1)
    return 2.0 / torch.linalg.eigvalsh(2.0 / (X.shape[0] - 1) * A.T @ A)[-1].item()


@catalogue.alternative("train_linear_regression updating through .data (no no_grad block needed), with torch.square")
def train_linear_regression(X, y, W, b, lr, steps):  # noqa: F811
    losses = []
    for _ in range(steps):
        loss = torch.mean(torch.square(y - X.matmul(W) - b))
        loss.backward()
        losses.append(loss.detach().item())
        W.data.add_(W.grad, alpha=-lr)
        b.data.add_(b.grad, alpha=-lr)
        for p in (W, b):
            p.grad.data.zero_()
    return losses


@catalogue.alternative("minimize_quadratic with torch.autograd.backward and sub_")
def minimize_quadratic(x, lr, steps):  # noqa: F811
    trajectory = [x.detach().item()]
    for _ in range(steps):
        torch.autograd.backward(x.pow(2) + 2 * x + 1)
        with torch.no_grad():
            x.sub_(lr * x.grad)
            x.grad.zero_()
        trajectory.append(x.detach().item())
    return trajectory


@catalogue.alternative("lr_regime from the size and sign of r")
def lr_regime(curvature, lr):  # noqa: F811
    if not (curvature > 0 and lr > 0):
        raise ValueError("curvature and lr must both be positive")
    r = 1 - lr * curvature
    if abs(r) > 1:
        return "diverges"
    return "converges" if r >= 0 else "oscillates"


@catalogue.alternative("largest_stable_lr from the spectral norm of H (its largest eigenvalue, H being symmetric PSD)")
def largest_stable_lr(X):  # noqa: F811
    N = X.shape[0]
    A = torch.hstack([X, torch.ones_like(X[:, :1])])
    H = (2 / N) * torch.einsum("ni,nj->ij", A, A)
    return float(2 / torch.linalg.matrix_norm(H, ord=2))
