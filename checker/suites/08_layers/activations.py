"""Hidden suite for 08_layers/activations.

GELU has two forms that agree to about 1e-3, so a learner who mixes them up would only see "wrong
values". A first check compares both of the learner's forms with F.gelu's, computed here in the
trusted process, and says which form each call matched.
"""
import math

import torch
import torch.nn.functional as F

from checker import judge as J
from checker.suite import Case, Suite, call, strided, transposed

suite = Suite()
INF = math.inf


def elementwise_case(g, rows=3, cols=4):
    return Case(g.randn(rows, cols, scale=2.0))


@suite.function(grow=elementwise_case)
def relu(g):
    yield Case(g.randn(1))
    # The guide's example. It holds an exact 0, where the slope is not defined: values only.
    yield Case(torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0]), grad=False)
    yield Case(torch.tensor([-INF, -3.0, 3.0, INF]))        # relu(-inf) = 0: a mask product gives nan
    yield Case(g.randn(0, 3))
    yield elementwise_case(g)
    yield Case(g.randn(2, 3, 4, dtype=torch.float64))
    yield Case(transposed(g.randn(5, 3)))
    yield Case(strided(g.randn(2, 6)))


# ---------------------------------------------------------------------------------------------
# GELU: which of the two forms did the learner compute?
# ---------------------------------------------------------------------------------------------

FORMS = {"none": "the exact form x * (1 + erf(x / sqrt(2))) / 2",
         "tanh": "the tanh form 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))"}


@suite.check()
def gelu(g):
    x = torch.linspace(-6.0, 6.0, 97, dtype=torch.float64)   # the forms differ by up to ~5e-4 here
    exact, tanh = F.gelu(x), F.gelu(x, approximate="tanh")
    calls = [((), "none"), (("none",), "none"), (("tanh",), "tanh")]
    truth = {"none": exact, "tanh": tanh}

    def judge(expected, got):
        for (extra, form), exp, res in zip(calls, expected, got):
            shown = f"gelu(x=float64[97] from -6 to 6{''.join(f', approximate={a!r}' for a in extra)})"
            out = res["output"]
            problem = J.compare(exp["output"], out, "the result")
            if problem is None:
                continue
            other = "tanh" if form == "none" else "none"
            if isinstance(out.get("value"), torch.Tensor) and J.close(out["value"], truth[other]):
                return (f"{shown}\n  asked for {FORMS[form]}, it returned {FORMS[other]}: the two differ by "
                        f"up to ~5e-4. Check which branch runs for approximate={form!r}.")
            return f"{shown}\n  it should be {FORMS[form]}.\n  {problem}"
        return None

    return [call("gelu", x, *extra) for extra, _ in calls], judge


@suite.function(grow=elementwise_case)
def gelu(g):  # noqa: F811 - the full ladder, after the check that names the form
    yield Case(g.randn(1))
    yield Case(g.randn(1), "tanh")
    yield Case(torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0]))   # the guide's example
    yield Case(g.randn(0, 2), "tanh")
    yield Case(g.randn(3, 4, scale=3.0), "none")
    yield Case(g.randn(3, 4, scale=3.0), "tanh")
    yield Case(g.randn(2, 3, 4, dtype=torch.float64))
    yield Case(g.randn(2, 3, 4, dtype=torch.float64), "tanh")
    yield Case(transposed(g.randn(4, 5, scale=2.0)), "tanh")
    yield Case(strided(g.randn(3, 4)))
    yield Case(g.randn(2, 2), "exact", raises=ValueError)   # "exact" is spelled "none"
    yield Case(g.randn(2, 2), "sigmoid", raises=ValueError)


# ---------------------------------------------------------------------------------------------
# Softmax
# ---------------------------------------------------------------------------------------------

def softmax_grow(g, batch=2, rows=3, cols=4):
    return Case(g.randn(batch, rows, cols), 1)    # a middle dim, so every dim can grow


def with_minus_inf(g):
    x = g.randn(3, 4)
    x[0, 1] = x[2, 0] = x[2, 3] = -INF
    return x


@suite.function(grow=softmax_grow)
def softmax(g):
    yield Case(g.randn(1), 0)
    yield Case(g.randn(4, 1), -1)                                  # one class: every entry is 1
    yield Case(torch.tensor([[1.0, 3.0, 0.5, 1.5], [-1.0, 2.0, 1.0, 0.0]]), -1)   # the guide's logits
    yield Case(g.randn(3, 4), 0)
    yield Case(g.randn(3, 4), 1)
    yield Case(g.randn(0, 4), -1)
    yield Case(with_minus_inf(g), -1)
    yield Case(g.randn(2, 3, 4), 0)
    yield Case(g.randn(2, 3, 4), -2)
    yield Case(g.randn(3, 5, scale=1e4), -1)                       # exp(1e4) overflows to inf
    yield Case(g.randn(4, 3, scale=1e4, shift=-5e3), 0)
    yield Case(g.randn(2, 3, 5, dtype=torch.float64, scale=3.0), 2)
    yield Case(transposed(g.randn(5, 4)), -1)
    yield Case(strided(g.randn(3, 6)), 0)
