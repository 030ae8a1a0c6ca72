"""Hidden suite for 08_layers/linear.

Forward passes are compared with the reference's after loading a shared state_dict. The random
initial values are judged by statistics instead (any correct way of drawing U(-k, k) passes):
every value inside [-k, k], the largest close to k, about half of them within k/2 and about half
positive, with bounds from checker.stats; and the same seed must replay the same values.
"""
import math

import torch

from checker.stats import binomial_range
from checker.suite import Case, ModuleCase, Suite, construct, strided, transposed

suite = Suite()


def linear_case(g, batch=2, tokens=3, in_features=4, out_features=5):
    return Case(g.randn(batch, tokens, in_features), g.randn(out_features, in_features), g.randn(out_features))


@suite.function(grow=linear_case)
def linear(g):
    yield Case(g.randn(1, 1), g.randn(1, 1), g.randn(1))
    yield Case(g.randn(3), g.randn(2, 3), g.randn(2))                      # one vector, no leading dims
    yield Case(g.randn(4, 3), g.randn(5, 3))                               # bias=None
    yield Case(g.randn(3, 3), g.randn(3, 3), g.randn(3))                   # square: a missing .T still runs
    yield linear_case(g)                                                   # (B, T, in)
    yield Case(g.randn(0, 3), g.randn(2, 3), g.randn(2))                   # an empty batch
    yield Case(g.randn(2, 0), g.randn(3, 0), g.randn(3))                   # in_features 0: the bias alone
    yield Case(g.randn(2, 0), g.randn(3, 0))                               # ... and without a bias, zeros
    yield Case(g.randn(2, 5, 4, dtype=torch.float64), g.randn(3, 4, dtype=torch.float64),
               g.randn(3, dtype=torch.float64))
    yield Case(transposed(g.randn(6, 4)), transposed(g.randn(3, 4)), strided(g.randn(3)))


def linear_module_grow(g, batch=2, tokens=3, in_features=4, out_features=5):
    return ModuleCase((in_features, out_features), inputs=(g.randn(batch, tokens, in_features),))


@suite.module(grow=linear_module_grow, attributes=("in_features", "out_features"))
def Linear(g):
    yield ModuleCase((1, 1), inputs=(g.randn(1, 1),))
    yield ModuleCase((3, 2), inputs=(g.randn(3),))
    yield ModuleCase((4, 6), {"bias": False}, inputs=(g.randn(5, 4),))      # state_dict: weight only
    yield ModuleCase((4, 4), inputs=(g.randn(2, 3, 4),))
    yield ModuleCase((5, 3), inputs=(g.randn(0, 5),))
    yield ModuleCase((8, 2), inputs=(transposed(g.randn(6, 8, scale=3.0)),), train=False)


# ---------------------------------------------------------------------------------------------
# The initial values
# ---------------------------------------------------------------------------------------------

IN_FEATURES, OUT_FEATURES = 64, 256          # k = 1/8; out_features differs, so k from it is caught
TAIL = 20.0   # P(max |v| < k (1 - TAIL / n)) = (1 - TAIL / n) ** n < e**-20 for n uniform draws


def uniform_problem(values: torch.Tensor, bound: float, what: str) -> str | None:
    """Whether `values` look like independent draws from U(-bound, bound)."""
    n = values.numel()
    v = values.double().flatten()
    largest = v.abs().max().item()
    where = f"{what} ({n:,} values)"
    if largest > bound * (1 + 1e-6):
        return (f"{where}: every value should lie in [-k, k] with k = 1 / sqrt(in_features) = {bound:.4g}, "
                f"but one is {largest:.4g}. nn.Linear draws uniformly from [-k, k] (a normal distribution, "
                f"or nn.init.kaiming_uniform_ without a=math.sqrt(5), goes past k).")
    if largest < bound * (1 - TAIL / n):
        return (f"{where}: the values should spread over all of [-k, k] with k = 1 / sqrt(in_features) = "
                f"{bound:.4g}, but the largest magnitude is only {largest:.4g}"
                + (" (all are zero)." if largest == 0 else ". Check the bound: 1 / sqrt(in_features), "
                   "not 1 / in_features and not from out_features."))
    for label, seen, expected in (("positive", (v > 0).double().mean().item(), 0.5),
                                  ("within k/2 of 0", (v.abs() < bound / 2).double().mean().item(), 0.5)):
        low, high = binomial_range(expected, n)
        if not low <= seen <= high:
            return (f"{where}: about {expected:.0%} of uniform values in [-k, k] are {label} (anything from "
                    f"{low:.1%} to {high:.1%} is plausible), but {seen:.1%} are. Draw uniformly from [-k, k], "
                    f"e.g. tensor.uniform_(-k, k)" + (" (torch.rand alone only gives [0, 1))." if label == "positive"
                                                       else "."))
    return None


@suite.check(stochastic=True)
def Linear(g):  # noqa: F811 - a second check of the same graded name
    seed, other = g.integer(0, 2**31 - 1), g.integer(0, 2**31 - 1)
    specs = [construct("Linear", IN_FEATURES, OUT_FEATURES, seed=seed),
             construct("Linear", IN_FEATURES, OUT_FEATURES, seed=seed),
             construct("Linear", IN_FEATURES, OUT_FEATURES, seed=other)]
    where = f"Linear({IN_FEATURES}, {OUT_FEATURES}) built after torch.manual_seed(...)"
    bound = 1 / math.sqrt(IN_FEATURES)

    def judge(expected, got):
        states = [res.get("state") or {} for res in got]
        for state in states:
            if sorted(state) != ["bias", "weight"] or not all(isinstance(d, dict) and isinstance(
                    d.get("value"), torch.Tensor) for d in state.values()):
                return None   # the module check above explains a wrong state_dict
        for key in ("weight", "bias"):
            problem = uniform_problem(states[0][key]["value"], bound, f"the initial {key}")
            if problem:
                return f"{where}\n  {problem}"
        first, replay, reseeded = (s["weight"]["value"] for s in states)
        if not torch.equal(first, replay):
            return (f"{where}, twice with the same seed\n  the two layers got different initial weights. Draw "
                    f"them from torch's global generator (uniform_, torch.rand), so torch.manual_seed replays them.")
        if torch.equal(first, reseeded):
            return (f"{where}, with two different seeds\n  both layers got the same initial weights. Draw them "
                    f"from torch's global generator, not from a generator of your own with a fixed seed.")
        return None

    return specs, judge
