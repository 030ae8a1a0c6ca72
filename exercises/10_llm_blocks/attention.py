# 10_llm_blocks/attention: Scaled dot-product attention with masks
# Chapter 10_llm_blocks: LLM building blocks
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/10_llm_blocks/attention.py
#   stuck?             kata hint 10_llm_blocks/attention NAME    (each call shows one more hint)
#   start over:        kata reset 10_llm_blocks/attention   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   scaled_dot_product_attention:
#       torch.nn.functional.scaled_dot_product_attention,
#       torch._scaled_dot_product_attention_math,
#       torch._scaled_dot_product_flash_attention_for_cpu,
#       torch.nn.functional.multi_head_attention_forward, torch.nn.MultiheadAttention

"""Scaled dot-product attention: each position reads from the others.

The feed-forward block treats every position of a sequence on its own. Attention is the half of
a Transformer block where positions talk to each other. Each position asks a question (its
query), advertises what it holds (its key), and offers some content (its value). A query
compares itself with every key; the better the match, the more of that key's value it takes.

For L queries and S keys, all of width E, the recipe is four steps:

    scores  = query @ key.transpose(-2, -1)     # (L, S): one dot product per (query, key) pair
    scores  = scores * scale                     # scale = 1 / sqrt(E) by default
    weights = softmax(scores, dim=-1)            # each query's row now sums to 1 over the keys
    output  = weights @ value                    # (L, Ev): a weighted average of the values

Why divide by sqrt(E)? A dot product of two vectors of E random unit-variance numbers has a
variance of E, so with E = 64 typical scores are around 8 and softmax turns almost every row
into a one-hot choice, whose gradients are nearly zero. Scaling by 1 / sqrt(E) brings the
scores back to unit size. Any leading dims (batch, heads) simply come along: `@` batches over
them.

Masks say which keys a query may not look at. PyTorch's attention takes two spellings:
  * a bool mask, True where attending is allowed (careful: nn.MultiheadAttention uses the
    opposite convention, True meaning "blocked");
  * a float mask added to the scores: 0 leaves a score alone, -inf removes that key, since
    exp(-inf) = 0.
A language model must not peek at the future, so token i may only read tokens 0..i. That is
the causal mask, the lower triangle of an (L, S) grid of True values:

    [[1, 0, 0],
     [1, 1, 0],        torch.ones(3, 3, dtype=torch.bool).tril()
     [1, 1, 1]]

Two numerical traps wait here. First, exp(100) overflows float32, so a hand-written
exp(scores) / exp(scores).sum() turns large scores into inf / inf = NaN. torch.softmax
subtracts each row's maximum before exponentiating, which changes nothing mathematically and
keeps every exponent at most 0. Second, a query whose keys are all masked has a row of -inf
scores; softmax of it is 0 / 0 = NaN, and that NaN spreads through the next matmul and into
every gradient. PyTorch defines the answer for such a row as zeros, and so does this kata.
"""
import math

import torch


def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    """Attention of `query` over `key`/`value`, with an optional mask or causal flag.

    Args:
        query: float tensor of shape (*, L, E): L queries of width E. `*` is any number of
            leading dims (batch, heads, ...), possibly none.
        key: float tensor of shape (*, S, E): S keys, with query's leading dims and width.
        value: float tensor of shape (*, S, Ev): one value per key; Ev may differ from E.
        attn_mask: None, a bool tensor or a float tensor (of query's dtype) whose shape
            broadcasts to (*, L, S). A bool mask is True where query i may attend to key j.
            A float mask is added to the scaled scores: 0 keeps a score, -inf removes it.
        is_causal: when True, query i may attend to key j only when j <= i (the lower
            triangle of the (L, S) grid, counted from its top-left corner, even when L != S).
        scale: the number the scores are multiplied by; None means 1 / sqrt(E).

    Returns:
        A tensor of shape (*, L, Ev) with query's dtype and device:
        softmax(query @ key^T * scale + mask, over the keys) @ value.
        A query with no key left to attend to (all its keys masked out, or S == 0) gets a
        row of zeros, and that row passes no gradient back; nothing is ever NaN. Large scores
        (hundreds or more) must not overflow. Values and gradients (for query, key, value and
        a float attn_mask) match F.scaled_dot_product_attention. Inputs are not modified.

    Raises:
        ValueError: if attn_mask is given and is_causal is True (pick one).

    Loops: not allowed.
    Dtype: same as query (float16 and bfloat16 included).
    Forbidden: F.scaled_dot_product_attention, torch._scaled_dot_product_attention_math,
        torch._scaled_dot_product_flash_attention_for_cpu, F.multi_head_attention_forward,
        nn.MultiheadAttention
    """
    raise NotImplementedError("10_llm_blocks/attention: scaled_dot_product_attention is not implemented yet; stuck? run `kata hint 10_llm_blocks/attention scaled_dot_product_attention`")
