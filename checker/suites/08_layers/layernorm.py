"""Hidden suite for 08_layers/layernorm."""
import torch

from checker.suite import Case, ModuleCase, Suite, strided, transposed

suite = Suite()


# LayerNorm's backward subtracts each row's mean of the upstream gradient, so a gradient entry
# near zero carries the rounding of the row's largest entries. Over 400 draws per case, correct
# float32 codes (F.layer_norm, torch.var_mean + rsqrt, (var + eps) ** -0.5) would need atol 3e-5
# at the default rtol=1.3e-6; at rtol=1e-5 the default atol=1e-5 holds them (worst need 1.4e-6).
FLOAT32_RTOL = 1e-5


def ln_case(g, x_shape, group, *eps, dtype=torch.float32, scale=1.0, shift=0.0, **tolerance):
    """x of x_shape normalised over its trailing `group` dims, with random gamma and beta."""
    shape = x_shape[len(x_shape) - group:]
    if dtype == torch.float32:
        tolerance.setdefault("rtol", FLOAT32_RTOL)
    return Case(g.randn(*x_shape, dtype=dtype, scale=scale, shift=shift),
                g.randn(*shape, dtype=dtype), g.randn(*shape, dtype=dtype), *eps, **tolerance)


def ln_grow(g, batch=2, rows=3, features=4):
    return ln_case(g, (batch, rows, features), 1)


@suite.function(grow=ln_grow)
def layer_norm(g):
    yield ln_case(g, (1, 1), 1)                              # one feature: var 0, output is beta
    yield ln_case(g, (2, 5), 1)
    yield ln_case(g, (4,), 1)                                # no batch dim at all
    yield ln_case(g, (3, 4), 1, 0.1)                         # a non-default eps must be used
    yield ln_case(g, (3, 6), 1, dtype=torch.float64)         # eps outside the sqrt shows at 1e-7
    # var 1e-6 < eps, so where eps goes matters. Gradients here are ~300 (1 / sqrt(var + eps)) and
    # correct codes differ by up to 1.4e-5 on them; eps outside the sqrt is off by 100 or more.
    yield ln_case(g, (3, 5), 1, scale=1e-3, atol=1e-4)
    yield ln_case(g, (2, 3, 4), 2)                           # gamma (3, 4): normalise over both dims
    yield ln_case(g, (2, 2, 3, 2), 3, dtype=torch.float64)
    yield Case(transposed(g.randn(6, 4)), strided(g.randn(4)), g.randn(4), rtol=FLOAT32_RTOL)
    # Rows of 1e4 + unit noise in float32. Inputs there are 2**-10 ~ 1e-3 apart, so every float32
    # mean of them (two-pass, torch.var_mean, F.layer_norm's own) is off by about that much, and
    # after dividing by a unit std correct codes disagree: over 300 draws F.layer_norm's outputs and
    # gradients differ from the reference's by up to 0.9% (|diff| / (1 + |value|)). 2e-2 doubles
    # that; mean(x**2) - mean(x)**2 is off by 1.7 or more (often NaN), so it is still caught.
    yield ln_case(g, (4, 16), 1, shift=1e4, rtol=2e-2, atol=2e-2)


def module_case(g, shape, x_shape, **init_kwargs):
    return ModuleCase((shape,), init_kwargs, (g.randn(*x_shape),), compare_init=True)


# compare_init: a fresh layer must hold ones and zeros before the random state_dict is loaded.
# Every module case is float32, so the float32 rtol above applies to all of them.
def ln_module_grow(g, batch=2, rows=3, features=4):
    return ModuleCase((features,), inputs=(g.randn(batch, rows, features),))


# The attributes nn.LayerNorm exposes are part of the spec: normalized_shape is always a tuple.
@suite.module(grow=ln_module_grow, rtol=FLOAT32_RTOL, attributes=("normalized_shape", "eps", "elementwise_affine"))
def LayerNorm(g):
    yield module_case(g, 4, (2, 4))                             # an int shape means (4,)
    yield module_case(g, (3, 4), (2, 3, 4))
    yield module_case(g, 5, (3, 5), eps=0.1)
    yield module_case(g, 4, (3, 4), elementwise_affine=False)   # no parameters, empty state_dict
    yield module_case(g, (2, 3), (4, 2, 3), eps=1e-3, elementwise_affine=False)
    yield module_case(g, [3, 2], (2, 3, 2))                     # a list shape: kept as the tuple (3, 2)
