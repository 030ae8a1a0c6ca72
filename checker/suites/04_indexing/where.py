"""Hidden suite for 04_indexing/where. Each check is named after the graded name it grades.

Gradients are compared for every case, so the branch a gradient flows through is checked
element by element: exact zeros and range ends are in the cases on purpose, where `>=`
instead of `>` gives the right value but the wrong slope. safe_log's zeros make a single
where produce a NaN gradient, which the gradient comparison reports as not finite.
"""
import math

import torch

from checker.suite import Case, Suite, strided, transposed

suite = Suite()

INF = math.inf


def grid(g, rows=3, cols=4, scale=1.0, dtype=torch.float32):
    return g.randn(rows, cols, scale=scale, dtype=dtype)


@suite.function(grow=lambda g, rows=3, cols=4: Case(grid(g, rows, cols), 0.5, -1.0))
def replace_above(g):
    yield Case(torch.tensor([3.0]), 4.0, -1.0)                        # kept
    yield Case(torch.tensor([5.0]), 4.0, -1.0)                        # replaced
    yield Case(torch.arange(10), 4, -1)                               # the guide's example: stays int64
    yield Case(torch.tensor([[1.0, 2.0], [2.0, 3.0]]), 2.0, 9.0)      # equal is not above
    yield Case(grid(g), 0.5, 0.0)
    yield Case(g.randn(2, 3, 4), 0.0, -2.5)
    yield Case(grid(g, 4, 3, dtype=torch.float64), -0.25, 100.0)
    yield Case(transposed(grid(g, 5, 4)), 0.3, 7.0)


@suite.function(grow=lambda g, rows=3, cols=4: Case(grid(g, rows, cols)))
def relu(g):
    yield Case(torch.tensor([0.0]))                                   # gradient 0 at exactly 0
    yield Case(torch.tensor([-1.0, 0.0, 2.0, -INF, INF]))             # -inf gives 0, not NaN
    yield Case(grid(g))
    yield Case(g.randn(2, 3, 4))
    yield Case(grid(g, 4, 3, dtype=torch.float64))
    yield Case(transposed(grid(g, 5, 4)))
    yield Case(strided(grid(g, 3, 5)))


@suite.function(grow=lambda g, rows=3, cols=4: Case(grid(g, rows, cols, scale=2.0), -1.0, 1.0))
def clip(g):
    yield Case(torch.tensor([0.5]), 0.0, 1.0)
    yield Case(torch.tensor([-1.0, 0.0, 0.5, 1.0, 2.0]), 0.0, 1.0)   # both ends: value and slope 1
    yield Case(torch.tensor([-INF, INF]), -1.0, 1.0)
    yield Case(g.randn(6), 0.2, 0.2)                                  # low == high
    yield Case(grid(g, scale=2.0), -1.0, 1.0)
    yield Case(g.randn(2, 3, 4, scale=3.0), -0.5, 2.0)
    yield Case(grid(g, 4, 3, scale=2.0, dtype=torch.float64), -0.5, 0.25)
    yield Case(transposed(grid(g, 5, 4, scale=2.0)), -1.5, 0.5)


def huber_case(g, rows=3, cols=4, delta=1.0, scale=2.0, dtype=torch.float32):
    return Case(grid(g, rows, cols, scale, dtype), grid(g, rows, cols, dtype=dtype), delta)


@suite.function(grow=lambda g, rows=3, cols=4: huber_case(g, rows, cols))
def huber(g):
    yield Case(torch.tensor([0.3]), torch.tensor([0.0]))              # delta left at its default
    yield Case(torch.tensor([2.5]), torch.tensor([0.0]))
    yield Case(torch.tensor([1.0, -1.0, 0.0]), torch.tensor([0.0, 0.0, 0.0]))    # |r| == delta exactly
    yield Case(torch.tensor([-3.0, -0.5]), torch.tensor([1.0, 0.0]))             # large negative r
    yield huber_case(g)
    yield huber_case(g, 2, 5, delta=0.5)
    yield huber_case(g, 4, 2, delta=2.0, scale=4.0)
    yield huber_case(g, 3, 3, delta=1.5, dtype=torch.float64)
    yield Case(transposed(grid(g, 5, 4, scale=2.0)), strided(grid(g, 5, 4)), 0.75)


@suite.function(grow=lambda g, rows=3, cols=4: Case(grid(g, rows, cols)))
def safe_log(g):
    yield Case(torch.tensor([0.0]))                                   # the NaN-gradient trap
    yield Case(torch.tensor([-2.0]))
    yield Case(torch.tensor([-2.0, 0.0, 1e-30, 0.5, 3.0]))            # tiny positives keep their own log
    yield Case(grid(g))
    yield Case(torch.where(g.mask(2, 3, 4), 0.0, g.rand(2, 3, 4, high=5.0)))
    yield Case(torch.tensor([[0.0, 1.0], [-1.0, 2.0]], dtype=torch.float64))
    yield Case(transposed(grid(g, 5, 4)))
