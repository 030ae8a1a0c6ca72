"""Hidden suite for 04_indexing/masks. Each check is named after the graded name it grades.

Shapes and dtypes are compared exactly, so a mask that turned float, a count that turned
float or kept its dim, or a selection that kept x's shape fails on its first case.
"""
import math

import torch

from checker import judge as J
from checker.suite import Case, Suite, call, device, strided, transposed

suite = Suite()

INF, NAN = math.inf, math.nan


# ---------------------------------------------------------------------------------------------
# Inputs left alone, said in words
# ---------------------------------------------------------------------------------------------

def leaves_inputs_alone(name, argnames, make_args):
    """A call without gradients that fails when any input changed. Registered before the
    ladder: there, an in-place write into an input would first meet autograd's refusal to edit
    a leaf that requires grad, a message that names the symptom rather than the mistake."""
    def check(g):
        args = make_args(g)

        def judge(expected, got):
            mutated = got[0].get("mutated")
            if not isinstance(mutated, list):
                raise J.Malformed("a call reply without its input-mutation record")
            if mutated:
                changed = ", ".join(argnames[i] for i in mutated if isinstance(i, int) and 0 <= i < len(argnames))
                return (f"{J.format_call(name, argnames, args)} changed its input {changed or ''} in place. "
                        f"The caller still needs the original: build the result in a new tensor "
                        f"(masked_fill without the underscore, or fill a .clone()).")
            return None

        return [call(name, *args)], judge

    check.__name__ = name
    suite.check()(check)


@suite.function(grow=lambda g, rows=3, cols=4: Case(g.randn(rows, cols), 0.0))
def values_above(g):
    yield Case(torch.tensor([[2.0]]), 1.0)
    yield Case(torch.tensor([[0.5]]), 1.0)                          # nothing above: an empty result
    yield Case(torch.tensor([1.0, 2.0, 2.0, 3.0]), 2.0)             # equal is not above
    yield Case(torch.tensor([[0, 1, 2, 3], [4, 5, 6, 7]]), 3)       # the guide's x > 3
    yield Case(g.randn(3, 4), 0.0)
    yield Case(g.randn(2, 3, 4), 0.5)
    yield Case(g.randn(4, 3, dtype=torch.float64), -0.3)
    yield Case(transposed(g.randn(4, 5)), -0.2)                     # order follows x's rows, not its memory


@suite.function(grow=lambda g, rows=3, cols=4: Case(g.randn(rows, cols), 0.0))
def count_above(g):
    yield Case(torch.tensor([[2.0]]), 1.0)
    yield Case(torch.tensor([[0, 1, 2, 3], [4, 5, 6, 7]]), 3)
    yield Case(g.randint(0, 4, (4, 5)), 2)                          # many elements equal the threshold
    yield Case(g.randn(3, 4), 0.0)
    yield Case(torch.empty(0, 3), 0.0)                              # no rows: (0,)
    yield Case(torch.empty(3, 0), 0.0)                              # empty rows: zeros
    yield Case(g.randn(5, 3, dtype=torch.float64), 0.5)
    yield Case(transposed(g.randn(6, 4)), -0.5)


leaves_inputs_alone("replace_masked", ["x", "mask", "value"], lambda g: (g.randn(3, 4), g.mask(3, 4), 0.0))


@suite.function(grow=lambda g, rows=3, cols=4: Case(g.randn(rows, cols), g.mask(rows, cols), 0.0))
def replace_masked(g):  # noqa: F811 - a second check of the same graded name
    yield Case(torch.tensor([1.5]), torch.tensor([True]), 0.0)
    yield Case(torch.tensor([1.5]), torch.tensor([False]), 0.0)
    # Masked-out inf and NaN must vanish (x * ~mask would keep them as NaN); an unmasked NaN stays.
    yield Case(torch.tensor([1.0, INF, -INF, NAN, NAN]), torch.tensor([False, True, True, True, False]), -2.0)
    yield Case(g.randn(3, 4), g.mask(3, 4), 0.0)
    yield Case(g.randn(2, 3, 4), g.mask(2, 3, 4, p=0.3), 7.5)
    yield Case(g.randint(-9, 9, (3, 5)), g.mask(3, 5), -1)
    yield Case(g.randn(4, 3, dtype=torch.float64), g.mask(4, 3), 1e6)
    yield Case(transposed(g.randn(5, 4)), transposed(g.mask(5, 4)), -3.0)


@suite.function(grow=lambda g, size=3: Case(size, device()))
def causal_mask(g):
    yield Case(0, device())
    yield Case(1, device())
    yield Case(2, device())
    yield Case(5, device())
    # device() is the probe's own device: on a GPU run, a mask left on the CPU fails. No 'meta'
    # case: the first meta triu or comparison in a process imports torch's Python meta kernels
    # (about 2 s), more than this whole kata's budget.


leaves_inputs_alone("mask_future", ["scores"], lambda g: (g.randn(2, 3, 3),))


@suite.function(grow=lambda g, batch=2, heads=2, time=3: Case(g.randn(batch, heads, time, time)))
def mask_future(g):  # noqa: F811
    yield Case(g.randn(1, 1))
    yield Case(g.randn(2, 0, 0))
    yield Case(g.randn(3, 3))
    yield Case(g.randn(2, 4, 4))                                    # a batch of score tables
    yield Case(g.randn(2, 2, 3, 3))                                 # batch and heads
    yield Case(g.randn(5, 5, dtype=torch.float64, scale=100.0))
    yield Case(transposed(g.randn(4, 4)))
    yield Case(strided(g.randn(2, 3, 3)))

