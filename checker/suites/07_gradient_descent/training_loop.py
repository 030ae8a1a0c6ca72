"""Hidden suite for 07_gradient_descent/training_loop.

The two loops are judged step for step: a first check per loop finds the step where the
learner's history leaves the reference's and says what that step points to, then reads the
trained leaves (still leaves, still requiring grad, .grad zeroed in place, which also proves
the slopes came from backward()). The usual in-place ladder follows with more cases.

The learning-rate answers are checked against the loop itself: lr_regime's messages show the
distance to the minimum step by step for the rate asked about, and largest_stable_lr's run plain
gradient descent (here, in the judge) just below and just above the learner's rate. The loop
itself is also run at 0.9 and 1.1 times the largest stable rate, where a slip in the update
shows most: every step's error is multiplied by nearly 1 in size there.
"""
import math

import torch

from checker import judge as J
from checker.suite import Case, Suite, call, param, strided, transposed

suite = Suite()

# Float32 loops that order their arithmetic differently drift apart by a few units of 1e-6 over
# a few dozen steps (each step's rounding carries into the next); float64 ones by far less.
FLOAT32_TRAJECTORY = dict(rtol=1e-5, atol=1e-6)
FLOAT64_TRAJECTORY = dict(rtol=1e-9, atol=1e-12)


def float_list(output, length: int) -> list | None:
    """The numbers of a described list of `length` Python numbers, else None."""
    if not (isinstance(output, dict) and output.get("__out__") == "list" and output.get("length") == length):
        return None
    items = output.get("items")
    if not (isinstance(items, list) and len(items) == length and all(type(v) in (float, int) for v in items)):
        return None
    return items


def departure(wanted, had, tolerance) -> int | None:
    """The first index where two number lists disagree beyond the tolerance, else None."""
    for step, (want, have) in enumerate(zip(wanted, had)):
        both_inf = math.isinf(want) and want == have
        if not (both_inf or math.isclose(have, want, rel_tol=tolerance["rtol"], abs_tol=tolerance["atol"])
                or (math.isnan(want) and math.isnan(have))):
            return step
    return None


def leaf_problem(label, state) -> str | None:
    """A trained parameter must still be a leaf requiring grad, with .grad zeroed in place."""
    if not isinstance(state, dict):
        raise J.Malformed("an in-place reply without a parameter's state")
    if not state.get("is_leaf") or state.get("grad_fn"):
        return (f"{label} is no longer a leaf (grad_fn={state.get('grad_fn')}): the update was recorded in the "
                f"graph. Make it in place inside `with torch.no_grad():`.")
    if not state.get("requires_grad"):
        return f"{label} no longer requires grad; keep the caller's tensor and update it in place."
    grad = state.get("grad")
    if grad is None:
        return (f"{label}.grad is None after the loop. The slopes must come from backward(), and the grad is "
                f"then zeroed in place with {label}.grad.zero_(), not set to None.")
    if not isinstance(grad, torch.Tensor):
        raise J.Malformed("a parameter state whose .grad is not a tensor")
    if bool((grad != 0).any()):
        return f"{label}.grad is not zero after the loop: zero it after every update with {label}.grad.zero_()."
    return None


# ---------------------------------------------------------------------------------------------
# train_linear_regression
# ---------------------------------------------------------------------------------------------

def line_data(g, n, d, dtype=torch.float32):
    """Points near y = x @ w + 1 plus a little noise (the guide's y = 2x + 1 when d == 1)."""
    X = g.randn(n, d, dtype=dtype)
    w = torch.full((1, 1), 2.0, dtype=dtype) if d == 1 else g.randn(d, 1, dtype=dtype, scale=2.0)
    return X, X @ w + 1.0 + 0.1 * g.randn(n, 1, dtype=dtype)


def start(g, d, dtype=torch.float32, grads=False):
    """Fresh leaves W (d, 1) and b (1,), with zero grads already present when grads=True."""
    W, b = g.randn(d, 1, dtype=dtype), g.randn(1, dtype=dtype)
    return (param(W, torch.zeros_like(W)), param(b, torch.zeros_like(b))) if grads else (param(W), param(b))


def stable_rate(X: torch.Tensor) -> float:
    """2 / lambda_max of the MSE's curvature matrix, computed here for the edge cases."""
    A = torch.cat([X.double(), torch.ones(X.shape[0], 1, dtype=torch.float64)], dim=1)
    return 2.0 / torch.linalg.eigvalsh(2.0 / X.shape[0] * A.T @ A)[-1].item()


LOSS_STEPS = {
    0: "losses[0], the loss before any update, is off: check the forward pass X @ W + b, that the loss is "
       "the mean (not the sum) of the squared errors, and that it is recorded before the update.",
    1: "losses[0] matches but losses[1] does not, so the first update moved W or b wrongly: each step is "
       "W -= lr * W.grad and b -= lr * b.grad.",
}


@suite.check()
def train_linear_regression(g):
    """Registered before the ladder: the first step where the history departs, then the leaves."""
    X, y = line_data(g, 10, 1)
    edge_X, edge_y = line_data(g, 12, 2, torch.float64)
    edge = stable_rate(edge_X)
    runs = [((X, y, *start(g, 1), 0.1, 20), FLOAT32_TRAJECTORY),
            ((edge_X, edge_y, *start(g, 2, torch.float64), 0.9 * edge, 30), FLOAT64_TRAJECTORY),
            ((edge_X, edge_y, *start(g, 2, torch.float64), 1.1 * edge, 30), FLOAT64_TRAJECTORY)]
    names = ["X", "y", "W", "b", "lr", "steps"]

    def judge(expected, got):
        for (args, tolerance), exp, res in zip(runs, expected, got):
            shown = f"{J.format_call('train_linear_regression', names, args)}\n{J.format_inputs(names, args)}\n  "
            wanted, steps = exp["output"]["items"], args[-1]
            had = float_list(res.get("output"), steps)
            if had is None:
                return shown + (J.compare(exp["output"], res.get("output"), "the result")
                                or f"the result should be a list of {steps} Python floats (use loss.item()).")
            step = departure(wanted, had, tolerance)
            if step is not None:
                explain = LOSS_STEPS.get(step) or (
                    f"losses[0] to losses[{step - 1}] match, so one update is right, but losses[{step}] does not: "
                    f"something carries over from step to step. Zero both grads after every update.")
                return shown + f"losses[{step}] should be {wanted[step]:.10g}, but it is {had[step]:.10g}.\n  {explain}"
            after = res.get("after")
            if not (isinstance(after, list) and len(after) == 4):
                raise J.Malformed("an in-place reply that does not list every tensor")
            problem = leaf_problem("W", after[2]) or leaf_problem("b", after[3])
            if problem:
                return shown + problem
        return None

    return [call("train_linear_regression", *args, inplace=True) for args, _ in runs], judge


@suite.function(inplace=True, grad=False)
def train_linear_regression(g):  # noqa: F811 - a second check of the same graded name
    yield Case(*line_data(g, 1, 1), *start(g, 1), 0.1, 1, **FLOAT32_TRAJECTORY)
    yield Case(*line_data(g, 3, 1), *start(g, 1), 0.1, 0, **FLOAT32_TRAJECTORY)       # no steps: nothing moves
    yield Case(*line_data(g, 10, 1), *start(g, 1, grads=True), 0.05, 25, **FLOAT32_TRAJECTORY)
    yield Case(*line_data(g, 20, 3), *start(g, 3), 0.1, 15, **FLOAT32_TRAJECTORY)
    yield Case(*line_data(g, 12, 2, torch.float64), *start(g, 2, torch.float64), 0.2, 20, **FLOAT64_TRAJECTORY)
    X, y = line_data(g, 16, 4)
    yield Case(transposed(X), strided(y), *start(g, 4), 0.05, 10, **FLOAT32_TRAJECTORY)


# ---------------------------------------------------------------------------------------------
# minimize_quadratic
# ---------------------------------------------------------------------------------------------

def start_at(x0: float):
    return param(torch.tensor(x0, dtype=torch.float64))


X_STEPS = {
    0: "the trajectory must start with x's value before any update.",
    1: "the first value matches but the second does not, so the first update is wrong: it is "
       "x -= lr * x.grad, with x.grad = 2x + 2 from f.backward().",
}


@suite.check()
def minimize_quadratic(g):
    """Registered before the ladder: one run per regime, judged at the first step that departs."""
    runs = [(start_at(3.0), 0.1, 10, "converges"), (start_at(3.0), 0.75, 8, "oscillates"),
            (start_at(3.0), 1.2, 8, "diverges")]

    def judge(expected, got):
        for (x, lr, steps, regime), exp, res in zip(runs, expected, got):
            shown = (f"minimize_quadratic(x=tensor(3., dtype=torch.float64, requires_grad=True), lr={lr}, "
                     f"steps={steps}), a rate at which the loop {regime}\n  ")
            wanted = exp["output"]["items"]
            had = float_list(res.get("output"), steps + 1)
            if had is None:
                return shown + (J.compare(exp["output"], res.get("output"), "the result")
                                or f"the result should be a list of {steps + 1} Python floats (use x.item()).")
            step = departure(wanted, had, FLOAT64_TRAJECTORY)
            if step is not None:
                explain = X_STEPS.get(step) or (
                    f"the first {step} values match, so one update is right, but the next is not: something "
                    f"carries over from step to step. Zero x.grad after every update.")
                return shown + f"value {step} should be {wanted[step]:.10g}, but it is {had[step]:.10g}: {explain}"
            after = res.get("after")
            if not (isinstance(after, list) and len(after) == 1):
                raise J.Malformed("an in-place reply that does not list x")
            problem = leaf_problem("x", after[0])
            if problem:
                return shown + problem
        return None

    return [call("minimize_quadratic", x, lr, steps, inplace=True) for x, lr, steps, _ in runs], judge


@suite.function(inplace=True, grad=False)
def minimize_quadratic(g):  # noqa: F811
    yield Case(start_at(3.0), 0.1, 0, **FLOAT64_TRAJECTORY)          # no steps: [3.0], x untouched
    yield Case(start_at(3.0), 0.5, 2, **FLOAT64_TRAJECTORY)          # r = 0: the minimum in one step
    yield Case(start_at(-1.0), 0.3, 3, **FLOAT64_TRAJECTORY)         # already at the minimum
    yield Case(start_at(3.0), 1.0, 5, **FLOAT64_TRAJECTORY)          # r = -1: bounces between 3 and -5
    yield Case(start_at(-2.5), 0.05, 30, **FLOAT64_TRAJECTORY)
    yield Case(start_at(10.0), 1.1, 12, **FLOAT64_TRAJECTORY)


# ---------------------------------------------------------------------------------------------
# lr_regime
# ---------------------------------------------------------------------------------------------

REGIME_RUNS = [(2.0, 0.1), (2.0, 0.5), (2.0, 0.75), (2.0, 1.0), (2.0, 1.2), (4.0, 0.2), (4.0, 0.3),
               (0.5, 3.0), (0.5, 5.0), (10.0, 0.05)]


@suite.check()
def lr_regime(g):
    """Each answer is shown next to what the loop itself does at that rate."""
    def judge(expected, got):
        for (h, lr), exp, res in zip(REGIME_RUNS, expected, got):
            problem = J.compare(exp["output"], res.get("output"), "the result")
            if problem:
                r = 1.0 - lr * h
                path = ", ".join(f"{r ** t:.4g}" for t in range(6))
                return (f"lr_regime(curvature={h}, lr={lr})\n  {problem}\n  The loop itself: starting at distance "
                        f"1 from the minimum, each step multiplies the distance by r = 1 - lr * curvature = "
                        f"{r:.4g}, giving {path}, ...")
        return None

    return [call("lr_regime", h, lr) for h, lr in REGIME_RUNS], judge


@suite.function(grad=False)
def lr_regime(g):  # noqa: F811
    yield Case(2.0, 0.5)                                   # r = 0 exactly: converges
    yield Case(2.0, 1.0)                                   # r = -1 exactly: oscillates
    yield Case(2.0, 1.0000001)                             # just past the edge: diverges
    yield Case(2.0, 0.0, raises=ValueError)
    yield Case(2.0, -0.1, raises=ValueError)
    yield Case(0.0, 0.1, raises=ValueError)
    yield Case(-2.0, 0.1, raises=ValueError)


# ---------------------------------------------------------------------------------------------
# largest_stable_lr
# ---------------------------------------------------------------------------------------------

def loop_growth(X: torch.Tensor, lr: float, steps: int = 200) -> float:
    """How much gradient descent on this X's MSE stretches a start's distance to the minimum:
    below 1 it converged, far above 1 it diverged."""
    A = torch.cat([X.double(), torch.ones(X.shape[0], 1, dtype=torch.float64)], dim=1)
    step = torch.eye(A.shape[1], dtype=torch.float64) - lr * 2.0 / X.shape[0] * A.T @ A
    distance = torch.ones(A.shape[1], dtype=torch.float64)
    for _ in range(steps):
        distance = step @ distance
    return distance.norm().item() / math.sqrt(A.shape[1])


def rate_case(g, n=4, d=2, dtype=torch.float32, scale=1.0):
    return Case(g.randn(n, d, dtype=dtype, scale=scale), rtol=1e-5, atol=0.0)


@suite.check()
def largest_stable_lr(g):
    """On a wrong rate, say what the loop does just below and just above it."""
    inputs = [g.randn(10, 1), g.randn(20, 3, dtype=torch.float64), g.randn(8, 2) * torch.tensor([3.0, 0.5])]

    def judge(expected, got):
        for X, exp, res in zip(inputs, expected, got):
            problem = J.compare(exp["output"], res.get("output"), "the result", 1e-5, 0.0)
            if not problem:
                continue
            shown = f"largest_stable_lr(X={J.spec_summary(X)})\n    X = {J.show_tensor(X)}\n  {problem}"
            rate = res.get("output")
            if type(rate) in (float, int) and math.isfinite(rate) and rate > 0:
                below, above = loop_growth(X, 0.95 * rate), loop_growth(X, 1.05 * rate)
                if below > 1.0:
                    shown += (f"\n  The loop itself disagrees: at 0.95 x your rate gradient descent already "
                              f"diverges (the distance to the minimum grows {below:.3g}-fold in 200 steps).")
                elif above < 1.0:
                    shown += ("\n  The loop itself disagrees: at 1.05 x your rate gradient descent still "
                              "converges, so your rate is below the edge.")
            return shown + ("\n  The curvature matrix is H = 2 / N * A.T @ A with A = X plus a column of ones, "
                            "and the rate is 2 / (its largest eigenvalue).")
        return None

    return [call("largest_stable_lr", X) for X in inputs], judge


@suite.function(grow=rate_case, grad=False)
def largest_stable_lr(g):  # noqa: F811
    yield rate_case(g, 2, 1)
    yield rate_case(g, 10, 1)                                        # the guide's shape
    yield rate_case(g, 6, 3, scale=4.0)
    yield rate_case(g, 30, 2, torch.float64)
    yield Case(transposed(g.randn(7, 3)), rtol=1e-5, atol=0.0)
