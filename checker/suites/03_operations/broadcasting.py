"""Hidden suite for 03_operations/broadcasting.

Square inputs sit next to rectangular ones wherever a wrong broadcast would go unnoticed on
one of them: on a square matrix a 1-D column vector silently adds along the rows, and on
equal-length vectors x - y quietly gives n numbers instead of an n x n table.
"""
import torch

from checker.suite import Case, Suite, strided, transposed

suite = Suite()


def tensors(g, *shapes, dtype=torch.float32, wrap=lambda t: t):
    return Case(*(wrap(g.randn(*shape, dtype=dtype)) for shape in shapes))


@suite.function(grad=False)
def broadcast_shape(g):
    yield Case((3, 1), (1, 4))                       # the trap: (3, 4)
    yield Case((), ())
    yield Case((5,), ())                             # a scalar fits anything
    yield Case((), (2, 3))
    yield Case((3, 4), (4,))                         # a row vector
    yield Case((8, 1, 6, 1), (7, 1, 5))              # lengths differ: (8, 7, 6, 5)
    yield Case((2, 1), (4, 2, 3))                    # the shorter one on the left: (4, 2, 3)
    yield Case((1,), (0,))                           # 1 gives way to 0
    yield Case((0, 1), (1, 3))
    yield Case((1, 1), (1,))
    yield Case((3, 4), (3,), raises=ValueError)      # 4 against 3
    yield Case((0,), (2,), raises=ValueError)
    yield Case((2, 3), (3, 2), raises=ValueError)
    yield Case((2, 1), (8, 4, 3), raises=ValueError)


def matrix_and_vector(g, m, n, length, dtype=torch.float32, wrap=lambda t: t):
    return Case(wrap(g.randn(m, n, dtype=dtype)), g.randn(length, dtype=dtype))


@suite.function(grow=lambda g, m=3, n=4: matrix_and_vector(g, m, n, n))
def add_to_rows(g):
    yield Case(torch.zeros(2, 3), torch.tensor([10.0, 20.0, 30.0]))   # every row becomes [10, 20, 30]
    yield matrix_and_vector(g, 0, 3, 3)
    yield matrix_and_vector(g, 3, 3, 3)
    yield matrix_and_vector(g, 4, 2, 2, dtype=torch.float64)
    yield matrix_and_vector(g, 3, 5, 5, wrap=transposed)
    yield Case(g.randn(4, 3), strided(g.randn(3)))


@suite.function(grow=lambda g, m=3, n=4: matrix_and_vector(g, m, n, m))
def add_to_columns(g):
    yield Case(torch.zeros(2, 3), torch.tensor([10.0, 20.0]))         # row i becomes all col[i]
    yield matrix_and_vector(g, 3, 0, 3)
    yield matrix_and_vector(g, 3, 3, 3)                               # square: col + matrix has no error
    yield matrix_and_vector(g, 4, 2, 4, dtype=torch.float64)
    yield matrix_and_vector(g, 5, 3, 5, wrap=transposed)
    yield Case(g.randn(3, 4), strided(g.randn(3)))


@suite.function(grow=lambda g, m=3, n=4: tensors(g, (m,), (n,)))
def pairwise_differences(g):
    yield Case(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([10.0, 20.0, 30.0, 40.0]))   # (3, 1) - (1, 4)
    yield tensors(g, (0,), (2,))
    yield tensors(g, (1,), (1,))
    yield tensors(g, (4,), (4,))                                      # equal lengths: x - y has no error
    yield tensors(g, (2,), (5,), dtype=torch.float64)
    yield Case(strided(g.randn(4)), g.randn(3))


def points(g, m, n, d, dtype=torch.float32, wrap=lambda t: t):
    return Case(wrap(g.randn(m, d, dtype=dtype)), g.randn(n, d, dtype=dtype))


@suite.function(grow=lambda g, m=3, n=4, d=2: points(g, m, n, d))
def pairwise_distances(g):
    yield Case(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0], [1.0, 0.0]]))   # distances 5 and 1
    yield points(g, 0, 3, 2)
    yield points(g, 3, 2, 1)                                          # one feature: |x - y|
    yield points(g, 3, 3, 3)                                          # as many points on both sides
    yield points(g, 4, 2, 5, dtype=torch.float64)
    yield points(g, 3, 4, 2, wrap=transposed)


def table(g, m, n, dtype=torch.float32, wrap=lambda t: t):
    return Case(wrap(g.randn(m, n, dtype=dtype, scale=2.0, shift=1.0)))


@suite.function(grow=lambda g, m=4, n=3: table(g, m, n))
def normalize_columns(g):
    yield table(g, 1, 3)                                              # one sample: zeros
    yield table(g, 3, 0)
    yield table(g, 4, 4)                                              # square: normalising rows has no error
    yield table(g, 5, 2, dtype=torch.float64)
    yield Case(torch.stack([torch.full((4,), 7.0), g.randn(4)], dim=1))   # a constant column becomes zeros
    yield Case(g.randn(6, 3) * torch.tensor([1.0, 0.01, 50.0]))      # tiny spreads: eps inside the sqrt matters
    yield Case(g.randn(5, 3), 0.5)                                    # another eps
    yield table(g, 6, 3, wrap=transposed)
