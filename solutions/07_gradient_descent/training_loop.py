"""The training loop, and how the learning rate decides whether it works.

Every training run repeats the same five moves:

    for step in range(steps):
        y_hat = X @ W + b                       # 1. forward: the model's guess
        loss = ((y_hat - y) ** 2).mean()        # 2. loss: how wrong, as one number
        loss.backward()                         # 3. backward: dloss/dparam into each .grad
        with torch.no_grad():                   # 4. update, outside the graph
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_(); b.grad.zero_()          # 5. clear, since backward() adds to .grad

Write loss.item() into a list on the way and you have the loss history, the first thing to
look at when training misbehaves.

How big a step? Take the guide's bowl f(x) = x**2 + 2x + 1 = (x + 1)**2, lowest at x = -1.
Its slope is 2(x + 1), so one step x <- x - lr * 2(x + 1) moves the distance to the minimum,
e = x + 1, to

    e <- (1 - 2 * lr) * e

Every step multiplies the distance by the same factor r = 1 - lr * h, where h = 2 is the
bowl's curvature (its second derivative). Everything follows from r:

    0 <= r < 1    (lr <= 1/h)          e shrinks, keeping its sign: the loop converges
    -1 <= r < 0   (1/h < lr <= 2/h)    e flips sign every step, x jumps across the minimum:
                                        it oscillates (and at lr = 2/h it bounces forever)
    r < -1        (lr > 2/h)           e grows while flipping: the loop diverges

So for this bowl lr = 0.1 creeps in, lr = 0.5 lands on the minimum in one step, lr = 0.75
zigzags in, and lr = 1.2 runs off to infinity. The largest stable rate is 2/h = 1.

Linear regression is a bowl too, just in several directions at once. With A = [X | 1] (a
column of ones for the bias), the mean squared error of X @ W + b is a quadratic in (W, b)
whose curvature is the matrix H = (2/N) * A.T @ A. Along each eigenvector of H the loop
behaves like the 1-D bowl with that eigenvalue as h. The steepest direction, the largest
eigenvalue, fails first, so the largest stable learning rate is 2 / lambda_max(H). For the
guide's data (one feature, roughly standard normal) H is close to 2 * I, so rates near 1 are
already at the edge and the guide's 0.01 is very safe.
"""
import torch


def train_linear_regression(X, y, W, b, lr, steps):
    """Train W and b in place by full-batch gradient descent on the mean squared error.

    Args:
        X: (N, D) floating-point tensor of inputs.
        y: (N, 1) tensor of targets, X's dtype and device.
        W: (D, 1) and b: (1,), leaf tensors with requires_grad=True in X's dtype and device;
            their .grad may be None or zeros at the start.
        lr: the learning rate, a Python float.
        steps: the number of updates, an int >= 0.

    Each step: y_hat = X @ W + b; loss = mean of (y_hat - y) ** 2 over all N entries; record
    loss.item(); loss.backward(); then under torch.no_grad() change W and b in place by
    -lr times their .grad; then zero both .grad (W.grad.zero_(), b.grad.zero_()).

    Returns:
        losses: a list of `steps` Python floats, losses[i] being the loss before update i.
        Afterwards W and b hold the trained values and are still leaves with
        requires_grad=True; after at least one step their .grad are tensors of zeros. X and
        y are not modified.

    Loops: allowed (one iteration per step).
    Forbidden: torch.optim (this is the loop an optimiser would hide).
    """
    # BEGIN SOLUTION
    # hint: Inside the loop: forward, loss, record loss.item(), loss.backward(), update, zero.
    #   Storing the loss tensor itself would keep every step's graph alive.
    # hint: Update with `W -= lr * W.grad` inside `with torch.no_grad():` so that W stays the
    #   caller's leaf, then W.grad.zero_() (and the same for b).
    losses = []
    for _ in range(steps):
        y_hat = X @ W + b
        loss = ((y_hat - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
    return losses
    # END SOLUTION


def minimize_quadratic(x, lr, steps):
    """Gradient descent on f(x) = x**2 + 2x + 1, moving x in place.

    Args:
        x: a 0-d float64 leaf tensor with requires_grad=True (and .grad None): the start.
        lr: the learning rate, a Python float.
        steps: the number of updates, an int >= 0.

    Each step: f = x**2 + 2*x + 1; f.backward(); under torch.no_grad() change x in place by
    -lr * x.grad; then zero x.grad (x.grad.zero_()).

    Returns:
        The trajectory: a list of steps + 1 Python floats, the value of x before the first
        update and after each one. Afterwards x holds the last value and is still a leaf with
        requires_grad=True; after at least one step x.grad is a tensor holding 0.

    Loops: allowed (one iteration per step).
    Forbidden: torch.optim.
    """
    # BEGIN SOLUTION
    # hint: Record x.item() once before the loop and once after every update.
    # hint: Each step: f = x ** 2 + 2 * x + 1, f.backward(), then under torch.no_grad()
    #   x -= lr * x.grad, then x.grad.zero_().
    trajectory = [x.item()]
    for _ in range(steps):
        f = x ** 2 + 2 * x + 1
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
        trajectory.append(x.item())
    return trajectory
    # END SOLUTION


def lr_regime(curvature, lr):
    """What gradient descent with rate lr does on a bowl of the given curvature.

    Args:
        curvature: h, the second derivative of a 1-D quadratic (2 for x**2 + 2x + 1), or an
            eigenvalue of a curvature matrix; a Python float > 0.
        lr: the learning rate, a Python float > 0.

    With r = 1 - lr * curvature, the factor that multiplies the distance to the minimum at
    every step:

    Returns:
        "converges" when 0 <= r < 1, "oscillates" when -1 <= r < 0, "diverges" when r < -1.

    Raises:
        ValueError when curvature <= 0 or lr <= 0.

    Loops: allowed (plain Python numbers).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: One step multiplies the distance to the minimum by r = 1 - lr * curvature: look
    #   at its sign and its size.
    # hint: A negative r flips the sign every step (oscillation); |r| > 1 makes the distance
    #   grow. Check the bad arguments first and raise ValueError.
    if curvature <= 0 or lr <= 0:
        raise ValueError(f"curvature and lr must be positive, got {curvature} and {lr}")
    r = 1.0 - lr * curvature
    if r >= 0:
        return "converges"
    if r >= -1:
        return "oscillates"
    return "diverges"
    # END SOLUTION


def largest_stable_lr(X):
    """The largest learning rate for which gradient descent on linear regression stays stable.

    The loss is the mean squared error of X @ W + b over N points; its curvature matrix is
    H = (2 / N) * A.T @ A with A = [X | 1], X with a column of ones appended.

    Args:
        X: (N, D) floating-point tensor, N >= 1, whose columns together with the ones column
            are linearly independent (so H is positive definite).

    Returns:
        2 / lambda_max(H) as a Python float: rates below it converge, rates above it diverge.
        X is not modified.

    Loops: not allowed.
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Append the ones column with torch.cat([X, torch.ones(N, 1, ...)], dim=1), then
    #   H = 2 / N * A.T @ A is a small (D + 1, D + 1) symmetric matrix.
    # hint: torch.linalg.eigvalsh(H) returns its eigenvalues in ascending order; the last is
    #   lambda_max. Return 2 / lambda_max as a float.
    N = X.shape[0]
    A = torch.cat([X, torch.ones(N, 1, dtype=X.dtype, device=X.device)], dim=1)
    H = 2.0 / N * (A.T @ A)
    return 2.0 / torch.linalg.eigvalsh(H)[-1].item()
    # END SOLUTION
