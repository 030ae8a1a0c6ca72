"""Hidden suite for 03_reductions/reductions."""
import torch

from checker.suite import Case, Suite, strided, transposed

suite = Suite()


def table_cases(g):
    """(S, A) score tables shared by column_sums and row_sums. S != A where it matters, so a
    sum over the wrong dim shows up as a wrong shape, not just wrong numbers."""
    yield Case(g.randn(1, 1))
    yield Case(g.randn(1, 4))
    yield Case(g.randn(3, 1))
    yield Case(g.randn(3, 5))
    yield Case(g.randn(4, 6, dtype=torch.float64))
    yield Case(g.randint(-9, 10, (3, 4)))                    # integers: the sum stays int64
    yield Case(g.randint(-9, 10, (2, 5)).to(torch.int32))    # int32 sums to int64, as torch.sum does
    yield Case(g.mask(4, 3))                                 # bool counts: int64 as well
    yield Case(transposed(g.randn(5, 3)))
    yield Case(strided(g.randn(3, 4)))
    # Half precision stays half (torch.sum keeps a float dtype). Bounds as for the engine's
    # half copies: summing in float32 and rounding once may differ from a half sum by an ulp.
    yield Case(g.randn(3, 4).half(), rtol=1e-2, atol=1e-2)
    yield Case(g.randn(2, 5).bfloat16(), rtol=6e-2, atol=6e-2)


def table(g, students=3, assignments=4):
    return Case(g.randn(students, assignments))


@suite.function(grow=table)
def column_sums(g):
    yield from table_cases(g)


@suite.function(grow=table)
def row_sums(g):
    yield from table_cases(g)


def masked_case(g, shape, dim, dtype=torch.float32, wrap=lambda t: t):
    """Random selections with one slice along `dim` that selects nothing (must give 0, not NaN)
    and, where there are several slices, one selecting every other entry (a partial count)."""
    x, mask = g.randn(*shape, dtype=dtype), g.mask(*shape)
    first, last = [0] * len(shape), [-1] * len(shape)
    first[dim] = last[dim] = slice(None)
    if any(s > 1 for i, s in enumerate(shape) if i != dim % len(shape)):
        mask[tuple(last)] = torch.arange(shape[dim]) % 2 == 0
    mask[tuple(first)] = False
    return Case(wrap(x), mask, dim)


@suite.function(grow=lambda g, rows=3, cols=4, depth=2: masked_case(g, (rows, cols, depth), 1))
def masked_mean(g):
    yield masked_case(g, (1, 1), 0)
    yield Case(g.randn(1, 1), torch.ones(1, 1, dtype=torch.bool), -1)
    yield masked_case(g, (5,), -1)                                         # 1-D: the result is 0-dim
    yield Case(g.randn(4), torch.tensor([True, False, True, True]), 0)
    yield masked_case(g, (3, 1), -1)
    yield masked_case(g, (4, 6), 1)
    yield masked_case(g, (4, 6), -2, torch.float64)
    yield Case(g.randn(2, 3), torch.zeros(2, 3, dtype=torch.bool), 1)       # nothing selected at all
    for dim in (0, 1, 2, -1, -2, -3):                                      # every dim of a 3-D tensor
        yield masked_case(g, (3, 4, 5), dim)
    yield masked_case(g, (5, 4), 0, wrap=transposed)
    yield masked_case(g, (3, 6), -1, torch.float64, wrap=strided)
    yield Case(g.randn(4, 5), transposed(g.mask(4, 5)), 0)


def lse_case(g, shape, dim, dtype=torch.float32, scale=1.0, shift=0.0, wrap=lambda t: t):
    return Case(wrap(g.randn(*shape, dtype=dtype, scale=scale, shift=shift)), dim)


@suite.function(grow=lambda g, rows=3, cols=4, depth=2: lse_case(g, (rows, cols, depth), 1))
def logsumexp(g):
    yield lse_case(g, (1, 1), 0)
    yield lse_case(g, (4,), 0)
    yield lse_case(g, (2, 1), -1)
    yield lse_case(g, (3, 5), 1)
    yield lse_case(g, (3, 5), 0, torch.float64)
    yield lse_case(g, (2, 3, 4), -2)
    yield Case(torch.full((2, 3), 7.0), 1)                                 # ties: log(3) above 7
    yield lse_case(g, (3, 6), -1, scale=1e4)                # entries of +-1e4: exp() alone overflows
    yield lse_case(g, (4, 5), 1, shift=-1e4, scale=10.0)    # all near -1e4: exp() alone gives 0, log(0)
    yield lse_case(g, (5, 3), 0, torch.float64, scale=1e3)  # float64 overflows past about 709 too
    yield lse_case(g, (4, 6), 1, wrap=transposed)
