# 10_llm_blocks/multi_head: Multi-head self-attention: split, attend, merge
# Chapter 10_llm_blocks: LLM building blocks
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/10_llm_blocks/multi_head.py
#   stuck?             kata hint 10_llm_blocks/multi_head NAME    (each call shows one more hint)
#   start over:        kata reset 10_llm_blocks/multi_head   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   MultiHeadAttention:
#       torch.nn.MultiheadAttention, torch.nn.functional.multi_head_attention_forward

"""Multi-head self-attention: several small attentions side by side.

In self-attention the queries, keys and values all come from the same sequence x of shape
(B, T, E): B sequences of T tokens, each token a vector of E numbers. Three learned linear maps
turn every token into its query, key and value, attention mixes the values, and a fourth linear
map turns the result back into the model's features:

    q, k, v = q_proj(x), k_proj(x), v_proj(x)       # each (B, T, E)
    out = out_proj(attention(q, k, v))              # (B, T, E)

One attention gives each token one set of weights over the others. But a token may need to
look at several things at once (the subject of its verb, the previous word, the opening
bracket). Multi-head attention splits the E features into H heads of D = E / H features each
and runs H independent attentions, one per slice, in parallel. GPT-2 small has E = 768 and
H = 12 heads of D = 64. The cost is the same as one attention of width E: the heads just
share the work.

The whole trick is in the shapes. Nothing is copied; the same numbers are only viewed
differently:

    q = q_proj(x)                     # (B, T, E)
    q = q.view(B, T, H, D)            # cut each token's E features into H slices of D
    q = q.transpose(1, 2)             # (B, H, T, D): heads become a batch dim
    o = attention(q, k, v)            # (B, H, T, D): every head attends on its own
    o = o.transpose(1, 2)             # (B, T, H, D)
    o = o.reshape(B, T, E)            # glue the heads back together, head 0 first

Head h owns features h*D to (h+1)*D - 1 of each projection. Two details bite. The scores are
scaled by 1 / sqrt(D), the width of one head, since that is the length of each dot product.
And after a transpose the tensor is no longer contiguous in memory, so .view(B, T, E) refuses
it: use .reshape (or .contiguous().view). Here you may use F.scaled_dot_product_attention,
which you rebuilt in 10_llm_blocks/attention, on the (B, H, T, D) tensors.

The four projections hold 4 * (E * E + E) parameters: 2,362,368 at GPT-2's E = 768.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiHeadAttention(nn.Module):
    """Multi-head self-attention with separate query, key, value and output projections.

    MultiHeadAttention(embedding_dim, num_heads, bias=True) has exactly four submodules,
        q_proj, k_proj, v_proj, out_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)
    so its state_dict keys are q_proj.weight, q_proj.bias, k_proj.weight, ... (no .bias keys
    when bias=False). It also stores the ints num_heads and head_dim = embedding_dim //
    num_heads. Raises ValueError when embedding_dim is not a multiple of num_heads.

    forward(x, causal=False): x has shape (B, T, embedding_dim) (it may be non-contiguous).
    Returns a tensor of the same shape, dtype and device:
      1. project x to q, k and v;
      2. split each into num_heads heads: head h takes features h*head_dim to
         (h+1)*head_dim - 1 of every token, giving (B, num_heads, T, head_dim);
      3. in every head, scaled dot-product attention with scale 1 / sqrt(head_dim); when
         causal is True, token i attends only to tokens 0..i;
      4. merge the heads back to (B, T, embedding_dim), head 0's features first;
      5. apply out_proj.
    After loading the same state_dict, outputs and gradients (for x and every parameter)
    match the reference. x is not modified.

    Loops: not allowed.
    Forbidden: nn.MultiheadAttention, F.multi_head_attention_forward
    """

    def __init__(self, embedding_dim: int, num_heads: int, bias: bool = True):
        raise NotImplementedError("10_llm_blocks/multi_head: MultiHeadAttention.__init__ is not implemented yet; stuck? run `kata hint 10_llm_blocks/multi_head MultiHeadAttention`")

    def forward(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
        raise NotImplementedError("10_llm_blocks/multi_head: MultiHeadAttention.forward is not implemented yet; stuck? run `kata hint 10_llm_blocks/multi_head MultiHeadAttention`")
