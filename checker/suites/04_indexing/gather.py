"""Hidden suite for 04_indexing/gather."""
import torch

from checker.suite import Case, Suite, strided, transposed

suite = Suite()


def pick_case(g, n=3, m=4, dtype=torch.float32):
    return Case(g.randn(n, m, dtype=dtype), g.randint(0, m, (n, 1)))


@suite.function(grow=pick_case)
def pick_per_row(g):
    yield pick_case(g, 1, 1)
    yield pick_case(g, 3, 4)
    yield pick_case(g, 5, 3, torch.float64)
    yield Case(transposed(g.randn(6, 4)), g.randint(0, 4, (6, 1)))
    yield Case(g.randint(-50, 50, (4, 7)), g.randint(0, 7, (4, 1)))   # integer data: values only


def gather_case(g, data_shape, dim, index_shape, dtype=torch.float32):
    """An index that fits in data: along `dim` it may point anywhere, elsewhere it may be smaller."""
    data = g.randn(*data_shape, dtype=dtype)
    return Case(data, dim, g.randint(0, data_shape[dim], index_shape))


def gather_grow(g, rows=3, cols=4, picks=2):
    """Both dims of data and of index grow, for a pick along each dim."""
    data = g.randn(rows * 2, cols * 2)
    return Case(data, 1, g.randint(0, cols * 2, (rows, cols + picks)))


@suite.function(grow=gather_grow)
def gather_2d(g):
    yield gather_case(g, (1, 1), 0, (1, 1))
    yield gather_case(g, (3, 4), 1, (3, 2))          # fewer columns than data
    yield gather_case(g, (3, 4), 0, (2, 4))          # fewer rows than data
    yield gather_case(g, (4, 3), 0, (5, 2))          # more picks than rows, along dim
    yield gather_case(g, (3, 5), -1, (2, 7))
    yield gather_case(g, (5, 3), -2, (4, 3), torch.float64)
    yield Case(transposed(g.randn(4, 6)), 1, g.randint(0, 6, (4, 3)))
    yield Case(g.randn(6, 4), 0, transposed(g.randint(0, 6, (4, 4))))
    yield Case(strided(g.randn(5, 5)), 0, g.randint(0, 5, (3, 5)))


def token_case(g, b=2, t=3, v=4, scale=3.0, dtype=torch.float32):
    return Case(g.randn(b, t, v, dtype=dtype, scale=scale), g.randint(0, v, (b, t)))


@suite.function(grow=token_case)
def token_log_probs(g):
    yield token_case(g, 1, 1, 1)
    yield token_case(g, 1, 2, 5)
    yield token_case(g, 2, 3, 4, dtype=torch.float64)
    yield token_case(g, 2, 3, 6, scale=1000.0)       # logit gaps of 1e3: naive exp() overflows
    yield Case(transposed(g.randn(2, 6, 5)), g.randint(0, 5, (2, 6)))
