"""Hidden suite for 10_llm_blocks/multi_head.

Every case loads a random state_dict shared with the reference, so the outputs and the
gradients of x and of all eight parameters are compared. Inputs are scaled down (x * 0.3) so
the attention weights stay soft: with one-hot weights a wrong head split could hide.
"""
from checker.suite import ModuleCase, Suite, transposed

suite = Suite()

PROJECTIONS = {"q_proj": "Linear", "k_proj": "Linear", "v_proj": "Linear", "out_proj": "Linear"}


def attend(g, heads, head_dim, batch, tokens, *causal, transpose=False, **init_kwargs):
    """MultiHeadAttention(heads * head_dim, heads) on x of shape (batch, tokens, heads * head_dim)."""
    width = heads * head_dim
    x = g.randn(batch, tokens, width, scale=0.3)
    return ModuleCase((width, heads), init_kwargs, inputs=(transposed(x) if transpose else x, *causal))


def mha_grow(g, batch=2, tokens=3, heads=2, head_dim=2):
    return attend(g, heads, head_dim, batch, tokens, True)


# The random state_dict's unit-variance weights give outputs and gradients up to ~30, where
# float32 rounding leaves errors of up to 1.8e-5 against a float64 computation (measured over
# 60 seeds of these shapes); two correct codes (SDPA, a hand-written softmax, einsum) can then
# differ by twice that. A wrong split, merge or scale is off by 0.1 or more.
@suite.module(grow=mha_grow, children=PROJECTIONS, attributes=("num_heads", "head_dim"), rtol=1e-5, atol=1e-4)
def MultiHeadAttention(g):
    yield attend(g, 1, 4, 1, 1)                          # one head, one token
    yield attend(g, 2, 4, 0, 3)                          # an empty batch
    yield attend(g, 2, 4, 2, 1, True)                    # causal with a single token
    yield attend(g, 2, 4, 2, 3)
    yield attend(g, 2, 4, 2, 3, True)
    yield attend(g, 4, 2, 3, 4, bias=False)              # no bias keys at all
    yield attend(g, 3, 4, 2, 5, True)                    # E = 12: a head split the wrong way shows
    yield attend(g, 2, 3, 2, 5, False, transpose=True)   # a non-contiguous x
    yield ModuleCase((6, 4), raises=ValueError)          # 6 features cannot be cut into 4 heads
