"""Mistake catalogue for 10_llm_blocks/attention.

Most mistakes change one step of the reference, so they share `_masked_scores`, the reference's
masking written out once, and differ where the beginner went wrong. Every entry is a whole
replacement of scaled_dot_product_attention.
"""
import math

import torch
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()
NEG_INF = float("-inf")


def _masked_scores(scores, attn_mask, is_causal):
    """The reference's masking: -inf wherever a query may not attend."""
    if attn_mask is not None and is_causal:
        raise ValueError("both")
    if is_causal:
        allowed = torch.ones(scores.shape[-2:], dtype=torch.bool, device=scores.device).tril()
        return scores.masked_fill(~allowed, NEG_INF)
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        return scores.masked_fill(~attn_mask, NEG_INF)
    if attn_mask is not None:
        return scores + attn_mask
    return scores


def _safe_softmax(scores):
    """softmax over the keys with all-blocked rows set to zero (as the reference does)."""
    blocked = (scores == NEG_INF).all(dim=-1, keepdim=True)
    return torch.softmax(scores.masked_fill(blocked, 0.0), dim=-1).masked_fill(blocked, 0.0)


def _default_scale(query, scale):
    return 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale


# ---------------------------------------------------------------- mistakes: the scores

@catalogue.mistake("forgets the 1 / sqrt(E) scaling", hint="multiply the scores by 1 / math.sqrt(query.shape[-1])")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = query @ key.transpose(-2, -1) * (1.0 if scale is None else scale)
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


@catalogue.mistake("scales by the value width sqrt(Ev) instead of the key width sqrt(E)",
                   hint="E is query.shape[-1], the width of the vectors in the dot product")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scale = 1.0 / math.sqrt(value.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


@catalogue.mistake("divides by E instead of sqrt(E)", hint="the scale is 1 / math.sqrt(E), not 1 / E")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scale = 1.0 / query.shape[-1] if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


@catalogue.mistake("ignores the scale argument", hint="use the given scale; only None means 1 / sqrt(E)")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


@catalogue.mistake("key.T instead of key.transpose(-2, -1): .T reverses every dim of a batch",
                   hint="transpose only the last two dims: key.transpose(-2, -1) or key.mT")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = query @ key.T * _default_scale(query, scale)
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


@catalogue.mistake("softmax over the queries (dim=-2) instead of the keys",
                   hint="each query's weights must sum to 1 over the keys: softmax(dim=-1)")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = _masked_scores(query @ key.transpose(-2, -1) * _default_scale(query, scale), attn_mask, is_causal)
    blocked = (scores == NEG_INF).all(dim=-2, keepdim=True)
    return torch.softmax(scores.masked_fill(blocked, 0.0), dim=-2).masked_fill(blocked, 0.0) @ value


@catalogue.mistake("scales the query in place (query *= scale), changing the caller's tensor",
                   hint="compute a new tensor: scores = query @ key.transpose(-2, -1) * scale")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scale = _default_scale(query, scale)
    with torch.no_grad():
        query *= scale
    scores = query @ key.transpose(-2, -1)
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


# ---------------------------------------------------------------- mistakes: the masks

@catalogue.mistake("bool mask read the nn.MultiheadAttention way round (True = blocked)",
                   hint="in this API True means 'may attend': fill -inf where the mask is False (~mask)")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        attn_mask = ~attn_mask
    scores = query @ key.transpose(-2, -1) * _default_scale(query, scale)
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


@catalogue.mistake("causal mask from triu: every query sees the future instead of the past",
                   hint="the allowed keys are the lower triangle: torch.ones(L, S, dtype=torch.bool).tril()")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = query @ key.transpose(-2, -1) * _default_scale(query, scale)
    if is_causal:
        allowed = torch.ones(scores.shape[-2:], dtype=torch.bool).triu()
        scores = scores.masked_fill(~allowed, NEG_INF)
    return _safe_softmax(_masked_scores(scores, attn_mask, False)) @ value


@catalogue.mistake("causal triangle aligned to the bottom-right corner when L != S",
                   hint="query i sees keys 0..i, counted from the top-left: tril() with the default diagonal=0")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = query @ key.transpose(-2, -1) * _default_scale(query, scale)
    if is_causal:
        length, width = scores.shape[-2:]
        allowed = torch.ones(length, width, dtype=torch.bool).tril(diagonal=width - length)
        scores = scores.masked_fill(~allowed, NEG_INF)
    return _safe_softmax(_masked_scores(scores, attn_mask, False)) @ value


@catalogue.mistake("masks by zeroing the weights after the softmax, so rows no longer sum to 1",
                   hint="mask the scores with -inf before the softmax, so the kept weights share all of 1")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    weights = torch.softmax(query @ key.transpose(-2, -1) * _default_scale(query, scale), dim=-1)
    if is_causal:
        weights = weights * torch.ones(weights.shape[-2:], dtype=torch.bool).tril()
    elif attn_mask is not None and attn_mask.dtype == torch.bool:
        weights = weights * attn_mask
    elif attn_mask is not None:
        weights = weights * torch.exp(attn_mask)
    return weights @ value


@catalogue.mistake("a float mask is only used to find -inf; its finite biases are dropped",
                   hint="add a float mask to the scores: scores + attn_mask")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    if attn_mask is not None and attn_mask.is_floating_point():
        attn_mask = attn_mask != NEG_INF
    scores = query @ key.transpose(-2, -1) * _default_scale(query, scale)
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


@catalogue.mistake("no ValueError when both attn_mask and is_causal are given (the mask wins silently)",
                   hint="raise ValueError when attn_mask is not None and is_causal is True")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = query @ key.transpose(-2, -1) * _default_scale(query, scale)
    if attn_mask is not None:
        is_causal = False
    return _safe_softmax(_masked_scores(scores, attn_mask, is_causal)) @ value


# ---------------------------------------------------------------- mistakes: stability and empty rows

@catalogue.mistake("hand-written softmax exp(s) / sum(exp(s)) overflows to NaN for large scores",
                   hint="subtract each row's maximum before exp, or use torch.softmax, which does")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = _masked_scores(query @ key.transpose(-2, -1) * _default_scale(query, scale), attn_mask, is_causal)
    exps = torch.exp(scores)
    total = exps.sum(dim=-1, keepdim=True)
    return exps / torch.where(total > 0, total, 1.0) @ value


@catalogue.mistake("a fully masked query row is left as softmax(-inf, ...) = NaN",
                   hint="find rows that are all -inf and give them zero weights")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = _masked_scores(query @ key.transpose(-2, -1) * _default_scale(query, scale), attn_mask, is_causal)
    return torch.softmax(scores, dim=-1) @ value


@catalogue.mistake("patches NaN with nan_to_num after the softmax: the values are right, the gradients NaN",
                   hint="replace the scores of fully masked rows before the softmax, then zero their weights")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = _masked_scores(query @ key.transpose(-2, -1) * _default_scale(query, scale), attn_mask, is_causal)
    return torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0) @ value


@catalogue.mistake("torch.where(all blocked, 0, softmax(scores)): NaN still reaches a float mask's gradient",
                   hint="torch.where hides NaN in the values only; give blocked rows finite scores before the softmax")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = _masked_scores(query @ key.transpose(-2, -1) * _default_scale(query, scale), attn_mask, is_causal)
    blocked = (scores == NEG_INF).all(dim=-1, keepdim=True)
    return torch.where(blocked, 0.0, torch.softmax(scores, dim=-1)) @ value


# ---------------------------------------------------------------- mistakes: how it is computed

@catalogue.mistake("a Python loop over the batch", expect="not-vectorised",
                   hint="@ and softmax work on every leading dim at once; drop the loop")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scale = _default_scale(query, scale)
    if query.dim() == 2:
        return _safe_softmax(_masked_scores(query @ key.transpose(-2, -1) * scale, attn_mask, is_causal)) @ value
    outputs = []
    for i in range(query.shape[0]):
        mask = attn_mask
        if mask is not None and mask.dim() == query.dim():
            mask = mask[i] if mask.shape[0] > 1 else mask[0]
        scores = _masked_scores(query[i] @ key[i].transpose(-2, -1) * scale, mask, is_causal)
        outputs.append(_safe_softmax(scores) @ value[i])
    return torch.stack(outputs)


@catalogue.mistake("calls F.scaled_dot_product_attention", expect="forbidden-op",
                   hint="build it from @, a mask and softmax: that is the point of the kata")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask, is_causal=is_causal, scale=scale)


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("einsum scores and a hand-written stable softmax (detached row maximum)")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    if attn_mask is not None and is_causal:
        raise ValueError("attn_mask and is_causal are exclusive")
    scale = query.shape[-1] ** -0.5 if scale is None else scale
    scores = torch.einsum("...le,...se->...ls", query, key) * scale
    if is_causal:
        rows = torch.arange(scores.shape[-2], device=query.device)[:, None]
        cols = torch.arange(scores.shape[-1], device=query.device)[None, :]
        scores = torch.where(cols <= rows, scores, NEG_INF)
    elif attn_mask is not None:
        scores = torch.where(attn_mask, scores, NEG_INF) if attn_mask.dtype == torch.bool else scores + attn_mask
    if scores.shape[-1] == 0:
        return value.new_zeros(*scores.shape[:-1], value.shape[-1])
    peak = scores.amax(dim=-1, keepdim=True).detach()
    peak = torch.where(torch.isinf(peak), 0.0, peak)          # all -inf: exp gives zeros below
    exps = torch.exp(scores - peak)
    total = exps.sum(dim=-1, keepdim=True)
    weights = exps / torch.where(total > 0, total, 1.0)
    return torch.einsum("...ls,...sv->...lv", weights, value)


@catalogue.alternative("an additive bias built from either mask, as in PyTorch's documented reference")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    if is_causal and attn_mask is not None:
        raise ValueError("is_causal with an explicit mask")
    length, width = query.shape[-2], key.shape[-2]
    bias = torch.zeros(length, width, dtype=query.dtype, device=query.device)
    if is_causal:
        bias = bias.masked_fill(~torch.ones(length, width, dtype=torch.bool, device=query.device).tril(), NEG_INF)
    elif attn_mask is not None and attn_mask.dtype == torch.bool:
        bias = bias.masked_fill(~attn_mask, NEG_INF)
    elif attn_mask is not None:
        bias = bias + attn_mask
    factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    scores = torch.matmul(query * factor, key.mT) + bias
    blocked = torch.isneginf(scores).all(dim=-1, keepdim=True)
    weights = torch.where(blocked, 0.0, torch.softmax(torch.where(blocked, 0.0, scores), dim=-1))
    return torch.matmul(weights, value)


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.alternative("Hugging Face's fill value torch.finfo(dtype).min, with fully masked rows zeroed after")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):  # noqa: F811
    if attn_mask is not None and is_causal:
        raise ValueError("attn_mask and is_causal are exclusive")
    L, S = query.shape[-2], key.shape[-2]
    scores = torch.matmul(query, key.transpose(-1, -2)) * _default_scale(query, scale)
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool, device=query.device).tril()
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        scores = scores.masked_fill(~attn_mask, torch.finfo(scores.dtype).min)
        blocked = ~attn_mask.expand(scores.shape).any(dim=-1, keepdim=True)
    else:
        if attn_mask is not None:
            scores = scores + attn_mask
        blocked = torch.isneginf(scores).all(dim=-1, keepdim=True)
        scores = scores.masked_fill(blocked, 0.0)
    weights = scores.softmax(dim=-1).masked_fill(blocked, 0.0)
    return weights @ value


@catalogue.alternative("in float64, cast back to the query's dtype")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):  # noqa: F811
    mask = attn_mask.double() if attn_mask is not None and attn_mask.is_floating_point() else attn_mask
    scores = _masked_scores(query.double() @ key.double().mT * _default_scale(query, scale), mask, is_causal)
    return (_safe_softmax(scores) @ value.double()).to(query.dtype)


@catalogue.mistake("scale applied after the softmax, to the weights", hint="scale the scores before the softmax")
def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):  # noqa: F811
    scores = _masked_scores(query @ key.transpose(-2, -1), attn_mask, is_causal)
    return _safe_softmax(scores) * _default_scale(query, scale) @ value
