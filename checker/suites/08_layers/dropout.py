"""Hidden suite for 08_layers/dropout.

A correct dropout may draw its mask in many ways (rand_like >= p, bernoulli, where(rand < 1-p)),
so random outputs are never compared with the reference's mask. The deterministic cases (eval,
p=0, p=1, bad p) go through the usual ladder; the random ones are judged by statistics whose
bounds sit 6 standard errors from the exact value, so a correct dropout fails with probability
about 1e-8 per test.
"""

import torch

from checker import judge as J
from checker.probe import projection
from checker.stats import binomial_range
from checker.suite import HALF_TOLERANCES, Case, ModuleCase, Suite, call, construct, strided, transposed

suite = Suite()


@suite.function(grow=lambda g, rows=3, cols=4: Case(g.randn(rows, cols), 0.3))
def dropout(g):
    yield Case(g.randn(1), 0.3, False)                               # eval: values unchanged
    yield Case(g.randn(1, 1), 0.0)                                   # p=0 keeps everything
    yield Case(g.randn(3, 4), 1.0, grad=False)                       # p=1: zeros, never 0/0 = NaN
    yield Case(g.randn(2, 3), 1.0, False)                            # eval wins over p=1
    yield Case(g.randn(2, 3), 1.5, raises=ValueError)
    yield Case(g.randn(2, 3), -0.1, raises=ValueError)
    yield Case(g.randn(2, 3), 2.0, False, raises=ValueError)          # bad p is an error in eval too
    yield Case(transposed(g.randn(4, 5, scale=1e4)), 0.8, False)
    yield Case(g.randn(3, 4, dtype=torch.float64), 0.0)
    yield Case(strided(g.randn(2, 6, dtype=torch.float64)), 1.0, grad=False)


# ---------------------------------------------------------------------------------------------
# Statistics of random masks
# ---------------------------------------------------------------------------------------------

def no_zeros(g, *shape, dtype=torch.float32):
    """Values with |v| >= 0.5, so an output element is 0 exactly when it was dropped."""
    return torch.sign(g.randn(*shape, dtype=dtype)) * g.rand(*shape, dtype=dtype, low=0.5, high=2.0)


def fraction_problem(dropped: torch.Tensor, p: float) -> str | None:
    low, high = binomial_range(p, dropped.numel())
    seen = dropped.double().mean().item()
    if low <= seen <= high:
        return None
    hint = ""
    if seen == 0.0:
        hint = " Nothing was dropped: is the mask applied while training?"
    elif seen == 1.0:
        hint = " Everything was dropped: each element needs its own coin flip."
    elif abs(seen - (1.0 - p)) < abs(seen - p):
        hint = " That is close to 1 - p: drop an element with probability p, keep it with probability 1 - p."
    return (f"with p={p}, about {p:.0%} of the {dropped.numel():,} elements should be zero "
            f"(anything from {max(low, 0):.1%} to {min(high, 1):.1%} is plausible), but {seen:.1%} were.{hint}")


def scale_problem(x: torch.Tensor, out: torch.Tensor, p: float) -> str | None:
    kept = out != 0
    if not kept.any():
        return None
    rtol, atol = HALF_TOLERANCES.get(str(x.dtype).removeprefix("torch."), (None, None))
    if not J.close(out[kept], x[kept] / (1.0 - p), rtol, atol):
        ratio = (out[kept] / x[kept]).median().item()
        return (f"every element that is kept should be x / (1 - p) = x * {1.0 / (1.0 - p):.3f} "
                f"(so the expected value stays x), but yours are about x * {ratio:.3f}.")
    return None


def shared_flip_problem(dropped: torch.Tensor) -> str | None:
    """A mask drawn with a size-1 dim (one flip per row, say) is constant along that dim."""
    for dim in range(dropped.dim()):
        if dropped.shape[dim] > 1 and torch.equal(dropped, dropped.narrow(dim, 0, 1).expand_as(dropped)):
            along = "all elements share one coin flip" if dropped.dim() == 1 else \
                f"elements along dim {dim} share one coin flip" + \
                (" (one flip per row)" if dim == dropped.dim() - 1 else "")
            return (f"{along}: they are always dropped or kept together. Each element needs its own "
                    f"coin flip: draw a mask with the full shape of x, e.g. torch.rand_like(x).")
    return None


def independence_problem(dropped: torch.Tensor, p: float) -> str | None:
    """Neighbours along every dim must be dropped independently: both with chance p * p."""
    for dim in range(dropped.dim()):
        flips = dropped.movedim(dim, -1)
        pairs = flips.shape[-1] // 2
        if pairs == 0:
            continue
        both = flips[..., 0:2 * pairs:2] & flips[..., 1:2 * pairs:2]
        low, high = binomial_range(p * p, both.numel())
        seen = both.double().mean().item()
        if not low <= seen <= high:
            return (f"neighbouring elements along dim {dim} are not dropped independently: both should be "
                    f"zero in about {p * p:.0%} of neighbouring pairs (p * p), but {seen:.0%} were. Each "
                    f"element needs its own coin flip: draw a mask with the full shape of x.")
    return None


def output_problem(x: torch.Tensor, p: float, expected: dict, got: dict) -> str | None:
    """Everything a single dropout output must satisfy, whatever its mask."""
    out = got.get("output")
    # Shape, dtype and device only: the values depend on the mask, judged below.
    same_values = dict(out, value=expected["output"]["value"]) if isinstance(out, dict) else out
    problem = J.compare_tensor(expected["output"], same_values, "the result")
    if problem:
        return problem
    if got.get("mutated"):
        return "it modified its input x in place. Leave x untouched: compute a new tensor instead."
    out = out["value"]
    dropped = out == 0
    return (shared_flip_problem(dropped) or fraction_problem(dropped, p) or scale_problem(x, out, p)
            or independence_problem(dropped, p))


def grad_problem(p: float, got: dict, out: torch.Tensor, projection_seed: int, called_twice: bool) -> str | None:
    """The probe backpropagates sum(out * w); the gradient must be w * mask / (1 - p).
    called_twice: the gradient came from a second call under the same seed (function probes)."""
    if "disconnected" in got:
        return ("the result is not connected to the autograd graph, so no gradient reaches x. "
                "Compute it from x itself (not x.data or x.detach()).")
    grad = (got.get("grads") or [None])[0]
    if grad is None:
        return "no gradient reaches x: the result does not depend on x through autograd."
    weights = projection([out], projection_seed)[0]
    grad_dropped = (grad == 0) & (weights != 0)
    if called_twice and not torch.equal(grad_dropped, out == 0) and fraction_problem(grad_dropped, p) is None:
        return ("a second call after the same torch.manual_seed(...) dropped different elements (its gradient "
                "is 0 in other places than where the first result is 0). Draw the randomness from torch's "
                "global generator (torch.rand_like or torch.bernoulli), so the seed replays the mask.")
    expected = weights * (out != 0) / (1.0 - p)
    problem = J.compare_tensor(described(expected), described(grad), "the gradient with respect to x")
    if problem:
        return problem + "\n  It should be 1 / (1 - p) where an element was kept and 0 where it was dropped."
    return None


def described(t: torch.Tensor) -> dict:
    """A bare tensor in the described form the judge's comparisons expect."""
    return {"__out__": "tensor", "type": "Tensor", "value": t, "dtype": str(t.dtype).removeprefix("torch."),
            "shape": list(t.shape), "device": ""}


def show(spec_text: str, problem: str) -> str:
    return f"{spec_text}\n  {problem}"


@suite.check(stochastic=True)
def dropout(g):  # noqa: F811 - a second check of the same graded name
    seeds = [g.integer(0, 2**31 - 1) for _ in range(5)]
    flat = no_zeros(g, 48, 64)
    wide = no_zeros(g, 4096, dtype=torch.float64)
    cube = no_zeros(g, 8, 16, 24)
    specs = [
        # With grad=True the probe calls twice under the same seed: the masks must agree.
        dict(call("dropout", flat, 0.3, seed=seeds[0], grad=True), projection_seed=7),
        call("dropout", flat, 0.3),                    # the very next call must draw a new mask
        call("dropout", wide, 0.8, seed=seeds[1]),
        call("dropout", transposed(cube), 0.3, seed=seeds[2]),
        # The spec promises x's dtype: half-precision inputs stay half (a float32 mask must not promote).
        call("dropout", flat.half(), 0.3, seed=seeds[3]),
        call("dropout", flat.bfloat16(), 0.3, seed=seeds[4]),
    ]
    shown = ["dropout(x=float32[48, 64], p=0.3) after torch.manual_seed(...)",
             "dropout(x=float32[48, 64], p=0.3), called again straight after",
             "dropout(x=float64[4096], p=0.8) after torch.manual_seed(...)",
             "dropout(x=float32[8, 16, 24] (non-contiguous), p=0.3) after torch.manual_seed(...)",
             "dropout(x=float16[48, 64], p=0.3) after torch.manual_seed(...)",
             "dropout(x=bfloat16[48, 64], p=0.3) after torch.manual_seed(...)"]
    inputs = [(flat, 0.3), (flat, 0.3), (wide, 0.8), (cube, 0.3), (flat.half(), 0.3), (flat.bfloat16(), 0.3)]

    def judge(expected, got):
        for text, (x, p), exp, res in zip(shown, inputs, expected, got):
            problem = output_problem(x, p, exp, res)
            if problem:
                return show(text, problem)
        first, next_call = (res["output"]["value"] for res in got[:2])
        if torch.equal(first == 0, next_call == 0):
            return show(shown[1], "two calls in a row dropped exactly the same elements. Every call needs a "
                                  "fresh mask from torch's global generator: do not reseed it (torch.manual_seed) "
                                  "inside the function, and do not draw from a generator of your own.")
        problem = grad_problem(0.3, got[0], first, 7, called_twice=True)
        return show(shown[0], problem) if problem else None

    return specs, judge


@suite.check(stochastic=True)
def Dropout(g):
    x, small = no_zeros(g, 32, 64), g.randn(2, 4)
    specs = [
        construct("Dropout", 0.3, inputs=[small], train=False),
        dict(construct("Dropout", 0.3, inputs=[x], train=True, grad=True, forward_seed=g.integer(0, 2**31 - 1)),
             projection_seed=11),
        construct("Dropout", inputs=[x], train=True, forward_seed=g.integer(0, 2**31 - 1)),
    ]
    shown = ["Dropout(0.3) in training mode, forward on float32[32, 64]",
             "Dropout() (default p=0.5) in training mode, forward on float32[32, 64]"]

    def judge(expected, got):
        evaluated, trained = got[0], got[1:]
        problem = J.compare(expected[0]["output"], evaluated["output"], "the output")
        if problem:   # checked first: it is the typical Dropout mistake, so name the cause
            return show(f"Dropout(0.3) after .eval(), forward on:\n    input = {J.show_tensor(small, column=12)}",
                        problem + "\n  In eval mode Dropout must return its input unchanged. Test "
                        "self.training (an attribute that .train() and .eval() set), not self.train "
                        "(a method, always truthy).")
        for text, p, exp, res in zip(shown, (0.3, 0.5), expected[1:], trained):
            problem = output_problem(x, p, exp, res)
            if problem:
                return show(text, problem)
        problem = grad_problem(0.3, trained[0], trained[0]["output"]["value"], 11, called_twice=False)
        return show(shown[0], problem) if problem else None

    return specs, judge


# Registered after the statistics on purpose: a learner sees the first failing check per name,
# and the eval-mode probe above names the usual cause (self.train instead of self.training).
# attributes: the spec says Dropout stores p (as nn.Dropout does).
@suite.module(grow=lambda g, rows=3, cols=4: ModuleCase((0.3,), inputs=(g.randn(rows, cols),)), attributes=("p",))
def Dropout(g):  # noqa: F811 - a second check of the same graded name
    yield ModuleCase((0.3,), inputs=(g.randn(2, 3),), train=False)
    yield ModuleCase((), inputs=(transposed(g.randn(4, 5)),), train=False)
    yield ModuleCase((0.0,), inputs=(g.randn(3, 4, dtype=torch.float64),), train=True)
    yield ModuleCase((1.0,), inputs=(g.randn(2, 5),), train=True, grad=False)
    yield ModuleCase((1.5,), raises=ValueError)     # the spec: anything outside [0, 1] raises
    yield ModuleCase((-0.2,), raises=ValueError)
