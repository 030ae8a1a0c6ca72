"""Hidden suite for 10_llm_blocks/rmsnorm.

The reference agrees with F.rms_norm bit for bit on every case below (values and gradients,
half precision included), so the default tolerances apply except where a comment says why.
"""
import torch

from checker.suite import Case, ModuleCase, Suite, strided, transposed

suite = Suite()


def rms_case(g, x_shape, group=1, *eps, dtype=torch.float32, scale=1.0, zero_rows=0, **options):
    """x of x_shape normalised over its trailing `group` dims by a random weight; the first
    `zero_rows` rows of x are all zeros."""
    x = g.randn(*x_shape, dtype=dtype, scale=scale)
    x[:zero_rows] = 0.0
    return Case(x, g.randn(*x_shape[len(x_shape) - group:], dtype=dtype), *eps, **options)


def rms_grow(g, batch=2, rows=3, features=4):
    return rms_case(g, (batch, rows, features))


@suite.function(grow=rms_grow)
def rms_norm(g):
    yield rms_case(g, (1, 1))                                   # one feature: y = sign(x) * weight
    yield rms_case(g, (4,))                                     # no batch dim at all
    yield rms_case(g, (2, 4), zero_rows=1)                      # an all-zero row: zeros, not NaN
    yield rms_case(g, (2, 5))
    yield rms_case(g, (3, 4), 1, 0.1)                           # a given eps must be used
    yield rms_case(g, (2, 3, 4), 2)                             # weight (3, 4): both dims together
    yield rms_case(g, (3, 6), dtype=torch.float64)              # eps=None is float64's epsilon here
    # Mean squares near 1e-8, below float32's epsilon (1.2e-7): the default eps dominates, so a
    # different default or eps outside the square root shows. Gradients are ~3e3 here.
    yield rms_case(g, (3, 5), scale=1e-4, rtol=1e-5)
    yield Case(transposed(g.randn(6, 4)), strided(g.randn(4)))
    # float16 activations of a few hundred: their squares overflow float16 (max 65504).
    yield rms_case(g, (3, 8), dtype=torch.float16, scale=300.0, grad=False, rtol=1e-2, atol=1e-2)
    # Small half inputs: the default eps must be float32's, not float16's 9.8e-4 or bfloat16's 7.8e-3.
    yield rms_case(g, (3, 8), dtype=torch.float16, scale=1e-2, grad=False, rtol=1e-2, atol=1e-2)
    yield rms_case(g, (3, 8), dtype=torch.bfloat16, scale=1e-2, grad=False, rtol=6e-2, atol=6e-2)


def module_case(g, shape, x_shape, **init_kwargs):
    return ModuleCase((shape,), init_kwargs, (g.randn(*x_shape),), compare_init=True)


def rms_module_grow(g, batch=2, rows=3, features=4):
    return ModuleCase((features,), inputs=(g.randn(batch, rows, features),))


# compare_init: a fresh layer must hold ones before the random state_dict is loaded.
@suite.module(grow=rms_module_grow, attributes=("normalized_shape", "eps", "elementwise_affine"))
def RMSNorm(g):
    yield module_case(g, 4, (2, 4))                               # an int shape means (4,)
    yield module_case(g, (3, 4), (2, 3, 4))
    yield module_case(g, 5, (3, 5), eps=0.1)
    yield module_case(g, 4, (3, 4), elementwise_affine=False)     # no parameter, empty state_dict
    yield module_case(g, [2, 3], (4, 2, 3), eps=1e-3, elementwise_affine=False)
    yield ModuleCase((6,), inputs=(g.randn(3, 6, scale=1e-4),))   # eps=None: float32's epsilon
