"""Hidden suite for 07_gradient_descent/gd_step."""
import math

import torch

from checker import judge as J
from checker.suite import Case, Suite, call, param, strided, transposed

suite = Suite()


def with_grad(g, *shape, dtype=torch.float32):
    """A leaf parameter whose .grad is already filled, as after loss.backward()."""
    return param(g.randn(*shape, dtype=dtype), grad=g.randn(*shape, dtype=dtype))


# inplace=True: the probe records every tensor's value, .grad, requires_grad and is_leaf after
# the call, and the judge compares them; the return value itself must be None.
@suite.function(inplace=True, grad=False)
def sgd_step_(g):
    yield Case([with_grad(g, 1)], 0.1)
    yield Case([with_grad(g, 3, 2), with_grad(g, 2)], 0.5)
    # A tensor that took no part in the loss keeps grad None: it must be skipped, mid-list too.
    yield Case([with_grad(g, 4, 3), param(g.randn(4)), with_grad(g, 3)], 0.1)
    yield Case([with_grad(g, 5, 2, dtype=torch.float64), with_grad(g, 2, dtype=torch.float64)], 1e-3)
    yield Case((with_grad(g, 2, 3), with_grad(g, 3)), 0.2)             # a tuple works as well as a list


def line_data(g, n, d, dtype=torch.float32):
    """Points near y = x @ w + 1 plus a little noise (the guide's y = 2x + 1 when d == 1)."""
    X = g.randn(n, d, dtype=dtype)
    w = torch.full((1, 1), 2.0, dtype=dtype) if d == 1 else g.randn(d, 1, dtype=dtype, scale=2.0)
    return X, X @ w + 1.0 + 0.1 * g.randn(n, 1, dtype=dtype)


# Correct float32 loops that only order the arithmetic differently (sum()/N against mean(),
# y - y_hat against y_hat - y) drift apart by up to ~4e-6 relative over 60 steps, because each
# step's rounding carries into the next: 1e-5 leaves room for that and nothing more.
FLOAT32_TRAJECTORY = dict(rtol=1e-5, atol=1e-6)
FLOAT64_TRAJECTORY = dict(rtol=1e-7, atol=1e-7)   # also holds the float losses to float64 precision


def float_losses(output, reference):
    """The losses as floats when `output` has the reference's form (W and b of its shapes and
    dtypes, then a list of numbers), else None: the ladder below explains other forms best."""
    try:
        same_form = all(output["items"][i][key] == reference["items"][i][key]
                        for i in (0, 1) for key in ("shape", "dtype")) and output["length"] == 3
        losses = output["items"][2]["items"]
    except (TypeError, KeyError, IndexError):   # not a sequence of tensors and a list
        return None
    return losses if same_form and all(type(v) in (float, int) for v in losses) else None


def leaf_problem(label, described) -> str | None:
    """The spec returns the trained leaves themselves, which still require grad."""
    if not described.get("requires_grad") or not described.get("is_leaf"):
        state = "is no longer a leaf" if not described.get("is_leaf") else "no longer requires grad"
        return (f"the returned {label} {state}. Return the very tensor you created with requires_grad=True and "
                f"updated in place under torch.no_grad(), not a copy (.detach(), .clone()) or a new tensor.")
    return None


def departure(step, want, have):
    """Where the learner's trajectory leaves the reference's, and what that usually means."""
    if step == 0:
        return (f"losses[0], the loss before any update, should be {want:.6g}, but it is {have:.6g}. "
                f"W and b start at zeros, so this first loss is the mean of y ** 2: check the starting "
                f"values, and that the loss is the mean (not the sum) of the squared errors, recorded "
                f"before the update.")
    if step == 1:
        return (f"losses[0] matches, but losses[1], the loss after 1 update, should be {want:.6g}, but it "
                f"is {have:.6g}. So the first update moved W or b wrongly: each step is "
                f"p -= lr * p.grad, for W and for b.")
    return (f"losses[0] to losses[{step - 1}] match, but losses[{step}], the loss after {step} updates, "
            f"should be {want:.6g}, but it is {have:.6g}. The first update was right, so something "
            f"carries over from one step to the next: are both grads zeroed after every update?")


@suite.check()
def fit_linear_regression(g):  # noqa: F811 - a second check of the same graded name
    """Registered before the ladder below, so a wrong trajectory is reported at the first step
    where it leaves the reference's, which says more than a wrong final W would."""
    runs = [(*line_data(g, 2, 1), 0.1, 3), (*line_data(g, 20, 3), 0.1, 30)]
    names = ["X", "y", "lr", "epochs"]

    def judge(expected, got):
        for args, exp, res in zip(runs, expected, got):
            wanted, had = exp["output"]["items"][2]["items"], float_losses(res["output"], exp["output"])
            shown = f"{J.format_call('fit_linear_regression', names, args)}\n{J.format_inputs(names, args)}\n  "
            for step, (want, have) in enumerate(zip(wanted, had or [])):
                if not math.isclose(have, want, rel_tol=FLOAT32_TRAJECTORY["rtol"], abs_tol=FLOAT32_TRAJECTORY["atol"]):
                    return shown + departure(step, want, have)
            if had is not None:   # the form is right, so W and b are tensors: are they the trained leaves?
                problem = leaf_problem("W", res["output"]["items"][0]) or leaf_problem("b", res["output"]["items"][1])
                if problem:
                    return shown + problem
        return None

    return [call("fit_linear_regression", *args) for args in runs], judge


# Trajectories stay short: each step costs a forward and a backward pass in both the learner's run
# and the reference's, and the whole curriculum's suites share one time budget.
@suite.function(grad=False, output_names=("W", "b", "losses"))
def fit_linear_regression(g):  # noqa: F811
    yield Case(*line_data(g, 1, 1), 0.1, 1, **FLOAT32_TRAJECTORY)
    yield Case(*line_data(g, 3, 1), 0.1, 0, **FLOAT32_TRAJECTORY)        # no steps: zeros and []
    yield Case(*line_data(g, 10, 1), 0.01, 60, **FLOAT32_TRAJECTORY)     # the guide's example
    yield Case(*line_data(g, 20, 3), 0.1, 30, **FLOAT32_TRAJECTORY)
    yield Case(*line_data(g, 12, 2, torch.float64), 0.05, 40, **FLOAT64_TRAJECTORY)
    X, y = line_data(g, 16, 4)
    yield Case(transposed(X), strided(y), 0.05, 25, **FLOAT32_TRAJECTORY)
