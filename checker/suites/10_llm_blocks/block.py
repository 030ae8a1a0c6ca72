"""Hidden suite for 10_llm_blocks/block.

FeedForwardNetwork and MultiHeadAttention are the learner's classes from the katas that taught
them, pasted in again; they are graded here by those katas' own checks, so a pasted class is
held to exactly the same bar. The block itself is compared after loading a random state_dict
shared with the reference, and count_block_parameters is asked for a block whose parameters
could never be allocated, which only a meta-device count survives.
"""
from checker import manifest, runner
from checker.suite import Case, ModuleCase, Suite, transposed

suite = Suite()


def reuse_checks(kata_id: str, name: str) -> None:
    """Grade `name` with every check (and the op-count probe) of the kata that taught it.
    The engine has no public call for this, so the taught suite's registrations are copied."""
    taught = runner.suite_for(manifest.get(kata_id))
    builders = [(graded, build) for graded, build in taught._builders if graded == name]
    if not builders or name not in taught.grow:
        raise RuntimeError(f"{kata_id} no longer grades {name}; update {__file__}")
    suite._builders.extend(builders)
    suite.grow[name] = taught.grow[name]


reuse_checks("10_llm_blocks/ffn", "FeedForwardNetwork")
reuse_checks("10_llm_blocks/multi_head", "MultiHeadAttention")

SUBMODULES = {"attention_norm": "LayerNorm", "attention": "MultiHeadAttention", "ffn_norm": "LayerNorm",
              "ffn": "FeedForwardNetwork"}


def block(g, heads, head_dim, hidden, batch, tokens, transpose=False):
    """DecoderBlock(heads * head_dim, heads, hidden) on x of shape (batch, tokens, heads * head_dim).
    x is scaled down so the attention weights stay soft and every token's mix shows."""
    width = heads * head_dim
    x = g.randn(batch, tokens, width, scale=0.5)
    return ModuleCase((width, heads, hidden), inputs=(transposed(x) if transpose else x,))


# Loops over heads or over the FFN's hidden units are the pasted classes' business, and their
# own checks above grow those dims; here the block's input dims grow (width = 2 heads * head_dim).
def block_grow(g, batch=2, tokens=3, head_dim=2):
    return block(g, 2, head_dim, 8, batch, tokens)


# Through two residual sublayers with unit-variance random weights the gradients reach a few
# hundred, and float32 rounding then leaves errors of up to 8e-4 against a float64 computation
# even in entries near 0 (measured over 60 seeds of these shapes), so two correct codes that
# batch or order the work differently can disagree by twice that. A wrong wiring is off by tens
# of percent of those magnitudes, so these tolerances still tell them apart.
@suite.module(grow=block_grow, children=SUBMODULES, rtol=1e-4, atol=3e-3)
def DecoderBlock(g):
    yield block(g, 1, 4, 8, 1, 1)                      # one token: attention can only see itself
    yield block(g, 2, 4, 16, 0, 3)                     # an empty batch
    yield block(g, 3, 4, 20, 2, 5)                     # ffn_dim is not 4 * embedding_dim here
    yield block(g, 2, 3, 12, 2, 4, transpose=True)     # a non-contiguous x
    yield ModuleCase((6, 4, 8), raises=ValueError)     # 4 heads cannot share 6 features


@suite.function(grad=False)
def count_block_parameters(g):
    yield Case(4, 1, 4)                                # ffn_dim is not 4 * embedding_dim here
    yield Case(768, 12, 3072)                          # GPT-2 small: 7,087,872
    yield Case(1600, 25, 6400)                         # GPT-2 XL: 30,740,800 per block
    # 2**48 weights per square matrix: 6.8 petabytes of float32 in all. Only a meta-device
    # build gets through; on the CPU the first nn.Linear already fails to allocate.
    yield Case(2**24, 16, 2**24)
