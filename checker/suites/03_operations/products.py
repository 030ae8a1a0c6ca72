"""Hidden suite for 03_operations/products.

Square inputs sit next to rectangular ones in every ladder: a rectangular case turns a
confused `*` or a transposed operand into a shape error, a square one into wrong numbers
with the right shape, and a suite needs both to catch both.
"""
import torch

from checker.suite import Case, Suite, strided, transposed

suite = Suite()


def pair(g, *shapes, dtype=torch.float32, wrap=lambda t: t):
    return Case(*(wrap(g.randn(*shape, dtype=dtype)) for shape in shapes))


@suite.function(grow=lambda g, n=4: pair(g, (n,), (n,)))
def dot(g):
    yield Case(torch.zeros(0), torch.zeros(0))                     # no entries: the sum is 0
    yield Case(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0, 6.0]))   # 4 + 10 + 18 = 32
    yield pair(g, (6,), (6,), dtype=torch.float64)
    yield Case(strided(g.randn(5)), g.randn(5))


@suite.function(grow=lambda g, m=3, n=4: pair(g, (m, n), (n,)))
def matvec(g):
    yield pair(g, (1, 1), (1,))
    yield pair(g, (0, 3), (3,))                                    # no rows: an empty result
    yield pair(g, (2, 0), (0,))                                    # empty rows: zeros
    yield pair(g, (3, 3), (3,))                                    # square: v @ A has the right shape
    yield pair(g, (4, 2), (2,), dtype=torch.float64)
    yield Case(transposed(g.randn(3, 5)), strided(g.randn(5)))


@suite.function(grow=lambda g, b=2, m=3, n=4, p=2: pair(g, (b, m, n), (b, n, p)))
def batched_matmul(g):
    yield pair(g, (1, 1, 1), (1, 1, 1))
    yield pair(g, (2, 0, 3), (2, 3, 2))
    yield pair(g, (3, 2, 2), (3, 2, 2))                            # square: B @ A has the right shape
    yield pair(g, (4, 2, 3), (4, 3, 1))
    yield pair(g, (3, 2, 4), (3, 4, 3), dtype=torch.float64)
    yield Case(transposed(g.randn(2, 3, 4)), g.randn(2, 4, 5))


@suite.function(grow=lambda g, m=3, n=4: pair(g, (m,), (n,)))
def outer(g):
    yield pair(g, (0,), (3,))
    yield Case(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0, 5.0]))   # [[3, 4, 5], [6, 8, 10]]
    yield pair(g, (3,), (3,))                                      # equal lengths: u * v has no error
    yield pair(g, (4,), (2,), dtype=torch.float64)
    yield Case(strided(g.randn(5)), g.randn(3))


@suite.function(grow=lambda g, batch=2, m=3, n=4, p=2: pair(g, (batch, m, n), (batch, n, p)))
def matmul_by_broadcasting(g):
    yield Case(torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
               torch.tensor([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]))   # the guide's [[58, 64], [139, 154]]
    yield pair(g, (2, 0), (0, 3))                                  # nothing to sum: zeros
    yield pair(g, (3, 3), (3, 3))                                  # square: A * B has the right shape
    yield pair(g, (2, 5), (5, 4), dtype=torch.float64)
    yield pair(g, (2, 3, 4), (2, 4, 2))                            # one batch dim
    yield pair(g, (2, 1, 2, 3), (2, 1, 3, 2))                      # two batch dims
    yield Case(transposed(g.randn(4, 3)), strided(g.randn(3, 5)))
