"""Hidden suite for 10_llm_blocks/attention.

The reference was checked against F.scaled_dot_product_attention (values and gradients, every
kind of case below) when this suite was written; the learner is compared with the reference.
"""
import torch

from checker.suite import Case, Suite, strided, transposed

suite = Suite()

NEG_INF = float("-inf")


def qkv(g, lead, queries, keys, width, value_width=None, dtype=torch.float32, scale=1.0):
    """query (*lead, L, E), key (*lead, S, E) and value (*lead, S, Ev)."""
    return (g.randn(*lead, queries, width, dtype=dtype, scale=scale),
            g.randn(*lead, keys, width, dtype=dtype, scale=scale),
            g.randn(*lead, keys, value_width or width, dtype=dtype))


def attention_grow(g, batch=2, heads=2, queries=3, keys=4, width=4, value_width=5):
    return Case(*qkv(g, (batch, heads), queries, keys, width, value_width), None, True)


def with_blocked_row(mask: torch.Tensor, row: int) -> torch.Tensor:
    """The bool mask with every key of one query row blocked."""
    mask = mask.clone()
    mask[..., row, :] = False
    return mask


@suite.function(grow=attention_grow)
def scaled_dot_product_attention(g):
    yield Case(g.randn(1, 1), g.randn(1, 1), g.randn(1, 1))               # one query, one key, no batch
    yield Case(*qkv(g, (2,), 3, 5, 4, 6))                                   # S != L and Ev != E
    yield Case(*qkv(g, (2,), 3, 4, 4), None, False, 0.3)                   # an explicit scale
    yield Case(*qkv(g, (2, 2), 4, 4, 3), None, True)                       # causal, square
    # Causal with L != S: the triangle starts at the top-left corner in both shapes.
    yield Case(*qkv(g, (2,), 2, 5, 3), None, True)
    yield Case(*qkv(g, (2,), 5, 2, 3), None, True)
    # A bool (L, S) mask broadcast over batch and heads, with one query that may see nothing.
    yield Case(*qkv(g, (2, 2), 3, 4, 4, 5), with_blocked_row(g.mask(3, 4), 1))
    # A key-padding mask of shape (B, 1, 1, S): the last keys of the second sequence are padding.
    padding = torch.ones(2, 1, 1, 5, dtype=torch.bool)
    padding[1, ..., 3:] = False
    yield Case(*qkv(g, (2, 2), 3, 5, 4), padding)
    # A float mask: finite biases are added to the scores (and get gradients), -inf removes a
    # key, and a row of -inf is a query with nothing to attend to.
    bias = g.randn(3, 4)
    bias[0, 1], bias[2] = NEG_INF, NEG_INF
    yield Case(*qkv(g, (2,), 3, 4, 4, 5), bias)
    # No keys at all: zeros. The spec promises no gradient here, so a learner may special-case it
    # with a fresh zeros tensor (reductions such as amax refuse an empty dim).
    yield Case(*qkv(g, (2,), 3, 0, 4, 5), grad=False)
    yield Case(*qkv(g, (2,), 0, 3, 4, 5))                                  # no queries: empty output
    yield Case(*qkv(g, (2,), 3, 4, 4, 5, dtype=torch.float64), None, True)
    query, key, value = qkv(g, (2,), 4, 5, 3)
    yield Case(transposed(query), strided(key), transposed(value), None, True)
    # Scores in the hundreds: exp() of them overflows float32, softmax does not. Rows are nearly
    # one-hot here, and correct codes that round the scores differently disagree by ~1e-5.
    yield Case(*qkv(g, (2,), 3, 4, 4, 5, scale=10.0), rtol=1e-4, atol=1e-4)
    # float16 with a causal mask and a blocked row: -inf and the zero rows must survive half.
    half = torch.float16
    yield Case(*qkv(g, (2,), 3, 4, 4, 5, dtype=half), with_blocked_row(g.mask(3, 4), 2), grad=False,
               rtol=1e-2, atol=1e-2)
    yield Case(*qkv(g, (2,), 3, 4, 4), torch.ones(3, 4, dtype=torch.bool), True, raises=ValueError)
