# 10_llm_blocks/ffn: The Transformer feed-forward block
# Chapter 10_llm_blocks: LLM building blocks
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/10_llm_blocks/ffn.py
#   stuck?             kata hint 10_llm_blocks/ffn NAME    (each call shows one more hint)
#   start over:        kata reset 10_llm_blocks/ffn   (your current file is backed up first)

"""The Transformer feed-forward block, and how many parameters it holds.

Each block of a Transformer has two halves. Attention lets the positions of a sequence
exchange information; the feed-forward network (FFN) then processes every position on its
own. The FFN is nothing new: it is a two-layer MLP made of bricks you already know.

    x (..., embedding_dim)
      -> layer1: nn.Linear(embedding_dim, ffn_dim)    widen
      -> activation: nn.GELU()                         bend
      -> layer2: nn.Linear(ffn_dim, embedding_dim)    narrow back
      -> dropout                                       regularise (only while training)

Since nn.Linear acts on the last dim only, the same block works for one vector (E,), a batch
(B, E) or a whole batch of sequences (B, T, E). The names you give the submodules become the
state_dict keys (`layer1.weight`, `layer1.bias`, ...), which is how checkpoints find their
tensors, so they are part of the interface. Dropout has no parameters and adds no keys.

What makes an LLM large is width and repetition, not new kinds of layers. Llama 3 8B has
embedding_dim = 4096 and ffn_dim = 14336; this block at those sizes holds

    layer1: 4096 * 14336 weights + 14336 biases
    layer2: 14336 * 4096 weights +  4096 biases
    total:  117,458,944 parameters, about 470 MB in float32, and every block has its own

(Llama's real FFN is a gated variant with a third matrix and no biases, so it is bigger
still.) You can count them without allocating anything: build the block on the `meta`
device, where tensors have shapes and dtypes but no storage, and add up each numel().
"""
import torch
from torch import nn


class FeedForwardNetwork(nn.Module):
    """The position-wise feed-forward block: Linear -> GELU -> Linear -> dropout.

    FeedForwardNetwork(embedding_dim, ffn_dim, dropout=0.0) has exactly these submodules:
        layer1     = nn.Linear(embedding_dim, ffn_dim)
        activation = nn.GELU()            (the exact, erf-based GELU)
        layer2     = nn.Linear(ffn_dim, embedding_dim)
    plus a dropout with probability `dropout` applied to the output of layer2. Its
    state_dict keys are exactly layer1.weight, layer1.bias, layer2.weight, layer2.bias.

    forward(x): x has shape (..., embedding_dim) with any number of leading dims, e.g.
    (B, T, E); returns the same shape, dtype and device. The dropout is active only in
    training mode, so after model.eval() (or with dropout=0.0) the output is
    layer2(gelu(layer1(x))).

    Loops: not allowed.
    Forbidden: nothing.
    """

    def __init__(self, embedding_dim: int, ffn_dim: int, dropout: float = 0.0):
        raise NotImplementedError("10_llm_blocks/ffn: FeedForwardNetwork.__init__ is not implemented yet; stuck? run `kata hint 10_llm_blocks/ffn FeedForwardNetwork`")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("10_llm_blocks/ffn: FeedForwardNetwork.forward is not implemented yet; stuck? run `kata hint 10_llm_blocks/ffn FeedForwardNetwork`")


def count_parameters(module: nn.Module) -> int:
    """Count the trainable numbers in a module.

    Args:
        module: any nn.Module, possibly on the `meta` device and possibly with some
            parameters frozen (requires_grad=False).

    Returns:
        A Python int: the total number of elements over all of module's parameters
        (submodules included) whose requires_grad is True. Frozen parameters and buffers
        (such as BatchNorm's running statistics) do not count. Must not read tensor values,
        so it works on the meta device without allocating anything.

    Loops: allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("10_llm_blocks/ffn: count_parameters is not implemented yet; stuck? run `kata hint 10_llm_blocks/ffn count_parameters`")
