"""Hidden suite for 05_forward/linear_regression.

make_data and init_params are random, so they are judged by replaying the seed: each call
gets a fresh torch.Generator seeded alike for the reference and the learner, and the draws
must match exactly. When they do not, make_data's first check looks at the numbers' statistics
to say what went wrong (no generator, a uniform draw, an unscaled noise, a swapped order).
init_params' first check reads what the probe reports about each tensor: requires_grad,
grad_fn and whether it is a leaf. residuals gets flat (N,) targets, the shape that broadcasts
a careless subtraction to (N, N).
"""
import math

import torch

from checker import judge as J
from checker.suite import Case, Suite, call, generator, strided, transposed

suite = Suite()

SIGMAS = 6.0   # statistical bounds sit this many standard errors from the exact value


# ---------------------------------------------------------------------------------------------
# make_data
# ---------------------------------------------------------------------------------------------

def looks_normal(t: torch.Tensor, std: float) -> bool:
    """Whether the entries plausibly are n independent draws from N(0, std**2)."""
    n = t.numel()
    t = t.double()
    mean_ok = abs(t.mean().item()) <= SIGMAS * std / math.sqrt(n)
    std_ok = abs(t.std().item() - std) <= SIGMAS * std / math.sqrt(2 * n)
    return mean_ok and std_ok


def two_tensors(output, shape) -> bool:
    """Whether a described output is a tuple of two float32 tensors of `shape`."""
    return (isinstance(output, dict) and output.get("__out__") == "tuple" and output.get("length") == 2
            and all(isinstance(t, dict) and t.get("__out__") == "tensor" and t.get("dtype") == "float32"
                    and t.get("shape") == list(shape) and isinstance(t.get("value"), torch.Tensor)
                    for t in output["items"]))


def data_problem(n: int, noise: float, expected, got) -> str | None:
    """What is wrong with a make_data answer whose form is right but whose draws differ."""
    want_X, want_y = (t["value"] for t in expected["items"])
    X, y = (t["value"] for t in got["items"])
    if not torch.equal(X, want_X):
        if not looks_normal(X, 1.0):
            return (f"X does not look like standard normal draws (mean {X.mean().item():.3f}, std "
                    f"{X.std().item():.3f}, where about 0 and 1 are expected): draw it with torch.randn, "
                    f"not torch.rand.")
        return ("X holds normal numbers, but not the ones `generator` gives first for this seed. Draw every "
                "tensor from the generator passed in (torch.randn(n, 1, generator=generator)), X first, "
                "and do not re-seed anything.")
    if torch.allclose(y, want_y, rtol=1e-6, atol=1e-6):
        return None
    noise_part = y - (2 * X + 1)
    if noise > 0 and looks_normal(noise_part, 1.0):
        return "y's noise has standard deviation about 1: multiply the standard normal eps by `noise`."
    if noise > 0 and looks_normal(noise_part, noise):
        return ("y's noise has the right size but not the right numbers: eps must be the generator's second "
                "draw, a torch.randn(n, 1, generator=generator) made right after X.")
    return (f"y should be 2 * X + 1 + noise * eps, with eps the generator's second draw; with noise={noise}, "
            f"y - (2 * X + 1) should look like N(0, {noise}**2) draws, but its mean is "
            f"{noise_part.mean().item():.3g} and its std {noise_part.std().item():.3g}.")


@suite.check()
def make_data(g):
    """Registered before the ladder: on a large draw, a wrong answer is explained by its statistics."""
    runs = [(1000, g.integer(0, 2**31 - 1), 0.1), (1000, g.integer(0, 2**31 - 1), 0.5)]

    def judge(expected, got):
        for (n, seed, noise), exp, res in zip(runs, expected, got):
            shown = f"make_data(n={n}, generator=torch.Generator().manual_seed({seed}), noise={noise})"
            if not two_tensors(res.get("output"), (n, 1)):
                return f"{shown}\n  " + (J.compare(exp["output"], res.get("output"), "the result", 0.0, 0.0)
                                         or "the result should be a tuple (X, y) of two float32 (n, 1) tensors.")
            problem = data_problem(n, noise, exp["output"], res["output"])
            if problem:
                return f"{shown}\n  {problem}"
        return None

    return [call("make_data", n, generator(seed), noise) for n, seed, noise in runs], judge


@suite.function(grow=lambda g, n=3: Case(n, generator(11)), grad=False, output_names=("X", "y"))
def make_data(g):  # noqa: F811 - a second check of the same graded name
    yield Case(0, generator(g.integer(0, 2**31 - 1)))
    yield Case(1, generator(g.integer(0, 2**31 - 1)))
    yield Case(5, generator(g.integer(0, 2**31 - 1)))                  # noise left at its default
    yield Case(10, generator(g.integer(0, 2**31 - 1)), 0.0)            # no noise: exactly on the line
    yield Case(7, generator(g.integer(0, 2**31 - 1)), 0.5)


# ---------------------------------------------------------------------------------------------
# init_params
# ---------------------------------------------------------------------------------------------

@suite.check()
def init_params(g):
    """Registered before the ladder: W and b must be leaves that require grad."""
    D, seed = 3, g.integer(0, 2**31 - 1)

    def judge(expected, got):
        out = got[0].get("output")
        shown = f"init_params(D={D}, generator=torch.Generator().manual_seed({seed}))"
        if not (isinstance(out, dict) and out.get("__out__") == "tuple" and out.get("length") == 2):
            return f"{shown} should return a tuple (W, b), but it returned something else."
        for label, t in zip(("W", "b"), out["items"]):
            if not (isinstance(t, dict) and t.get("__out__") == "tensor"):
                return f"{shown}: {label} should be a tensor."
            if not t.get("requires_grad"):
                return (f"{shown}: {label} has requires_grad=False, so backward() would never fill its .grad and "
                        f"training could not change it. Create it with requires_grad=True.")
            if not t.get("is_leaf") or t.get("grad_fn"):
                return (f"{shown}: {label} is not a leaf: it is the result of an operation (grad_fn="
                        f"{t.get('grad_fn')}), so backward() leaves its .grad empty. Make the values first and "
                        f"switch gradients on last: torch.randn(..., requires_grad=True) with no arithmetic "
                        f"after it.")
        return None

    return [call("init_params", D, generator(seed))], judge


@suite.function(grow=lambda g, D=3: Case(D, generator(13)), grad=False, output_names=("W", "b"))
def init_params(g):  # noqa: F811
    yield Case(1, generator(g.integer(0, 2**31 - 1)))                  # the guide's single feature
    yield Case(3, generator(g.integer(0, 2**31 - 1)))
    yield Case(8, generator(g.integer(0, 2**31 - 1)))


# ---------------------------------------------------------------------------------------------
# predict and residuals
# ---------------------------------------------------------------------------------------------

def linear_case(g, n=3, d=2, dtype=torch.float32):
    return Case(g.randn(n, d, dtype=dtype), g.randn(d, 1, dtype=dtype), g.randn(1, dtype=dtype))


@suite.function(grow=linear_case)
def predict(g):
    yield linear_case(g, 1, 1)
    yield linear_case(g, 0, 2)                                         # no points: (0, 1)
    yield linear_case(g, 10, 1)                                        # the guide's X: (10, 1)
    yield linear_case(g, 5, 3)
    yield linear_case(g, 4, 4, torch.float64)
    yield Case(transposed(g.randn(6, 3)), g.randn(3, 1), g.randn(1))
    yield Case(strided(g.randn(4, 2)), transposed(g.randn(2, 1)), g.randn(1))


def residual_case(g, n=3, d=2, flat=True, dtype=torch.float32):
    X, W, b = linear_case(g, n, d, dtype).args
    return Case(X, W, b, g.randn(n, dtype=dtype) if flat else g.randn(n, 1, dtype=dtype))


@suite.function(grow=residual_case)
def residuals(g):
    yield residual_case(g, 1, 1)
    yield residual_case(g, 1, 1, flat=False)
    yield residual_case(g, 5, 1)                                       # a flat (N,) target: (5, 1), not (5, 5)
    yield residual_case(g, 5, 1, flat=False)
    yield residual_case(g, 6, 3)
    yield residual_case(g, 4, 2, dtype=torch.float64)
    yield Case(transposed(g.randn(5, 3)), g.randn(3, 1), g.randn(1), strided(g.randn(5, 1)))
