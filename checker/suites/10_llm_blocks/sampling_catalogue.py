"""Mistake catalogue for 10_llm_blocks/sampling.

Each entry replaces one function. Where the mistake lies past the argument handling, the entry
is wrapped in `_checked_p` or `_greedy_at_zero`, which put the reference's handling of p or of
the temperature around it, and sample_next_token entries call the pristine reference's filters
(`ref.top_k_filter`, `ref.top_p_filter`), so each entry isolates a single error.
"""
import functools

import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference
NEG_INF = float("-inf")


# ---------------------------------------------------------------- top_k_filter: mistakes

@catalogue.mistake("keeps exactly k tokens (topk indices + scatter), dropping ties with the k-th value",
                   hint="compare every logit with the k-th largest value: logits < threshold are removed")
def top_k_filter(logits, k):
    if k < 1:
        raise ValueError(k)
    indices = logits.topk(min(k, logits.shape[-1]), dim=-1).indices
    keep = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, indices, True)
    return logits.masked_fill(~keep, NEG_INF)


@catalogue.mistake("removes logits <= the k-th largest, so only k - 1 survive",
                   hint="use <, so the k-th largest itself is kept")
def top_k_filter(logits, k):
    if k < 1:
        raise ValueError(k)
    threshold = logits.topk(min(k, logits.shape[-1]), dim=-1).values[..., -1:]
    return logits.masked_fill(logits <= threshold, NEG_INF)


@catalogue.mistake("sets the removed logits to 0 instead of -inf (0 is still a likely logit)",
                   hint="a removed token needs probability 0, which means a logit of -inf")
def top_k_filter(logits, k):
    if k < 1:
        raise ValueError(k)
    threshold = logits.topk(min(k, logits.shape[-1]), dim=-1).values[..., -1:]
    return logits.masked_fill(logits < threshold, 0.0)


@catalogue.mistake("topk over dim 0 (across the rows) instead of over the vocabulary",
                   hint="the vocabulary is the last dim: topk(..., dim=-1)")
def top_k_filter(logits, k):
    if k < 1:
        raise ValueError(k)
    threshold = logits.topk(min(k, logits.shape[0]), dim=0).values[-1:]
    return logits.masked_fill(logits < threshold, NEG_INF)


@catalogue.mistake("k larger than the vocabulary passed straight to topk, which raises",
                   hint="clamp it: topk(min(k, V)); k >= V keeps everything")
def top_k_filter(logits, k):
    if k < 1:
        raise ValueError(k)
    threshold = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < threshold, NEG_INF)


@catalogue.mistake("filters in place with masked_fill_, overwriting the caller's logits",
                   hint="masked_fill (no underscore) returns a new tensor")
def top_k_filter(logits, k):
    if k < 1:
        raise ValueError(k)
    threshold = logits.topk(min(k, logits.shape[-1]), dim=-1).values[..., -1:]
    with torch.no_grad():
        return logits.masked_fill_(logits < threshold, NEG_INF)


@catalogue.mistake("no ValueError for k < 1", hint="raise ValueError when k < 1")
def top_k_filter(logits, k):
    threshold = logits.topk(max(min(k, logits.shape[-1]), 1), dim=-1).values[..., -1:]
    return logits.masked_fill(logits < threshold, NEG_INF)


@catalogue.mistake("a Python loop over the rows", expect="not-vectorised",
                   hint="topk and masked_fill work on every row at once")
def top_k_filter(logits, k):
    if k < 1:
        raise ValueError(k)
    rows = logits.reshape(-1, logits.shape[-1])
    kept = [row.masked_fill(row < row.topk(min(k, row.shape[0])).values[-1], NEG_INF) for row in rows]
    return torch.stack(kept).reshape(logits.shape) if kept else logits.clone()


# ---------------------------------------------------------------- top_p_filter: mistakes

def _checked_p(core):
    """core with the reference's handling of p around it: ValueError outside (0, 1], and p = 1
    keeps everything. Entries whose mistake lies in the filtering itself use it."""
    @functools.wraps(core)
    def checked(logits, p):
        if not 0.0 < p <= 1.0:
            raise ValueError(p)
        return logits.clone() if p == 1.0 else core(logits, p)
    return checked


def _sorted_probs(logits):
    probs = torch.softmax(logits.float(), dim=-1)
    return probs.sort(dim=-1, descending=True)


def _unsort(remove_sorted, order):
    return remove_sorted.scatter(-1, order, remove_sorted)


@catalogue.mistake("drops the token that crosses p (keeps a running total that includes itself < p)",
                   hint="a token is kept while the mass sorted before it is below p: the crossing token stays")
@_checked_p
def top_p_filter(logits, p):
    sorted_probs, order = _sorted_probs(logits)
    remove_sorted = sorted_probs.cumsum(dim=-1) >= p
    return logits.masked_fill(_unsort(remove_sorted, order), NEG_INF)


@catalogue.mistake("running total over the unsorted probabilities (vocabulary order)",
                   hint="sort the probabilities, most likely first, before the cumsum")
@_checked_p
def top_p_filter(logits, p):
    probs = torch.softmax(logits.float(), dim=-1)
    return logits.masked_fill(probs.cumsum(dim=-1) - probs >= p, NEG_INF)


@catalogue.mistake("the mask stays in sorted order: it is applied to the wrong tokens",
                   hint="scatter the mask back to vocabulary order with the sort's indices")
@_checked_p
def top_p_filter(logits, p):
    sorted_probs, _ = _sorted_probs(logits)
    return logits.masked_fill(sorted_probs.cumsum(dim=-1) - sorted_probs >= p, NEG_INF)


@catalogue.mistake("sorts ascending, so it keeps the least likely tokens",
                   hint="sort with descending=True: the nucleus is the most probable tokens")
@_checked_p
def top_p_filter(logits, p):
    sorted_probs, order = torch.softmax(logits.float(), dim=-1).sort(dim=-1)
    remove_sorted = sorted_probs.cumsum(dim=-1) - sorted_probs >= p
    return logits.masked_fill(_unsort(remove_sorted, order), NEG_INF)


@catalogue.mistake("p = 1 not special-cased: a float32 running total of 1.0 drops the tiniest tokens",
                   hint="with p == 1 keep every token (return the logits unfiltered)")
def top_p_filter(logits, p):
    if not 0.0 < p <= 1.0:
        raise ValueError(p)
    sorted_probs, order = _sorted_probs(logits)
    remove_sorted = sorted_probs.cumsum(dim=-1) - sorted_probs >= p
    return logits.masked_fill(_unsort(remove_sorted, order), NEG_INF)


@catalogue.mistake("no ValueError for p outside (0, 1]", hint="raise ValueError unless 0 < p <= 1")
def top_p_filter(logits, p):
    if p >= 1.0:
        return logits.clone()
    sorted_probs, order = _sorted_probs(logits)
    remove_sorted = sorted_probs.cumsum(dim=-1) - sorted_probs >= p
    return logits.masked_fill(_unsort(remove_sorted, order), NEG_INF)


# ---------------------------------------------------------------- sample_next_token: mistakes

def _greedy_at_zero(core):
    """core with the reference's handling of the temperature around it: ValueError below 0 and
    greedy argmax at 0. Entries whose mistake lies in the sampling itself use it."""
    @functools.wraps(core)
    def sampler(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
        if temperature < 0:
            raise ValueError(temperature)
        if temperature == 0:
            return logits.argmax(dim=-1)
        return core(logits, temperature, top_k, top_p, generator)
    return sampler


def _draw(scaled, generator):
    probs = torch.softmax(scaled.float(), dim=-1)
    return torch.multinomial(probs.reshape(-1, probs.shape[-1]), 1, generator=generator).reshape(scaled.shape[:-1])


def _filtered(scaled, top_k, top_p):
    if top_k is not None:
        scaled = ref.top_k_filter(scaled, top_k)
    if top_p is not None:
        scaled = ref.top_p_filter(scaled, top_p)
    return scaled


@catalogue.mistake("multiplies the logits by the temperature instead of dividing",
                   hint="softmax(logits / temperature): a low temperature must sharpen the distribution")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    return _draw(_filtered(logits * temperature, top_k, top_p), generator)


@catalogue.mistake("temperature 0 not special-cased: logits / 0 is inf and NaN",
                   hint="temperature == 0 means greedy: return logits.argmax(dim=-1)")
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature < 0:
        raise ValueError(temperature)
    return _draw(_filtered(logits / temperature, top_k, top_p), generator)


@catalogue.mistake("filters before applying the temperature",
                   hint="divide by the temperature first; top-p then sees the reshaped probabilities")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    return _draw(_filtered(logits, top_k, top_p) / temperature, generator)


@catalogue.mistake("top-p before top-k, so top-p sees probabilities that top-k has not renormalised",
                   hint="top-k first, then top-p on what top-k left")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    scaled = logits / temperature
    if top_p is not None:
        scaled = ref.top_p_filter(scaled, top_p)
    if top_k is not None:
        scaled = ref.top_k_filter(scaled, top_k)
    return _draw(scaled, generator)


@catalogue.mistake("filters computed but the draw uses the unfiltered probabilities",
                   hint="softmax the filtered logits, whose removed tokens are -inf")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    scaled = logits / temperature
    _filtered(scaled, top_k, top_p)
    return _draw(scaled, generator)


@catalogue.mistake("ignores the generator and draws from torch's global generator",
                   hint="pass generator=generator to torch.multinomial (or whatever draws the randomness)")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    return _draw(_filtered(logits / temperature, top_k, top_p), None)


@catalogue.mistake("seeds a generator of its own, so every call draws the same tokens",
                   hint="use the generator you are given; None means torch's global generator")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    return _draw(_filtered(logits / temperature, top_k, top_p), torch.Generator().manual_seed(0))


@catalogue.mistake("returns multinomial's (N, 1) column instead of one index per row",
                   hint="reshape the draw to logits.shape[:-1]")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    probs = torch.softmax(_filtered(logits / temperature, top_k, top_p), dim=-1)
    return torch.multinomial(probs.reshape(-1, probs.shape[-1]), 1, generator=generator)


@catalogue.mistake("one draw shared by every row of the batch",
                   hint="each row draws its own token: multinomial on the (N, V) probabilities")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    probs = torch.softmax(_filtered(logits / temperature, top_k, top_p).float(), dim=-1)
    rows = probs.reshape(-1, probs.shape[-1])
    token = torch.multinomial(rows[0], 1, generator=generator)
    return token.expand(rows.shape[0]).reshape(logits.shape[:-1])


@catalogue.mistake("greedy with argmax over dim 0 instead of the vocabulary",
                   hint="the vocabulary is the last dim: argmax(dim=-1)")
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature < 0:
        raise ValueError(temperature)
    if temperature == 0:
        return logits.argmax(dim=0)
    return _draw(_filtered(logits / temperature, top_k, top_p), generator)


@catalogue.mistake("a Python loop drawing one row at a time", expect="not-vectorised",
                   hint="torch.multinomial draws for every row of a 2-D input in one call")
@_greedy_at_zero
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    probs = torch.softmax(_filtered(logits / temperature, top_k, top_p).float(), dim=-1)
    rows = probs.reshape(-1, probs.shape[-1])
    tokens = [torch.multinomial(row, 1, generator=generator) for row in rows]
    return torch.cat(tokens).reshape(logits.shape[:-1])


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("top-k by sorting and comparing with the k-th sorted value")
def top_k_filter(logits, k):
    if k < 1:
        raise ValueError("k must be positive")
    ranked = logits.sort(dim=-1, descending=True).values
    kth = ranked[..., min(k, logits.shape[-1]) - 1].unsqueeze(-1)
    return torch.where(logits >= kth, logits, torch.full_like(logits, NEG_INF))


@catalogue.alternative("top-p the Hugging Face way: ascending sort, remove where the running total <= 1 - p")
def top_p_filter(logits, p):
    if p <= 0 or p > 1:
        raise ValueError("p must be in (0, 1]")
    sorted_logits, order = logits.sort(dim=-1)
    totals = torch.softmax(sorted_logits.double(), dim=-1).cumsum(dim=-1)
    remove_sorted = totals <= 1 - p
    remove_sorted[..., -1] = False                       # the most probable token always stays
    return logits.masked_fill(remove_sorted.scatter(-1, order, remove_sorted), NEG_INF)


@catalogue.alternative("Gumbel-max: argmax(logits + Gumbel noise drawn from the generator)")
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    if temperature == 0:
        return torch.argmax(logits, dim=-1)
    scaled = logits / temperature
    if top_k is not None:
        scaled = ref.top_k_filter(scaled, top_k)
    if top_p is not None:
        scaled = ref.top_p_filter(scaled, top_p)
    uniform = torch.rand(scaled.shape, generator=generator, device=scaled.device).clamp_(1e-20, 1.0)
    return (scaled.float() - torch.log(-torch.log(uniform))).argmax(dim=-1)


@catalogue.alternative("inverse CDF: one uniform per row from the generator, searchsorted in the cumsum")
def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    if temperature == 0:
        return logits.argmax(-1)
    scaled = logits / temperature
    if top_k is not None:
        scaled = ref.top_k_filter(scaled, top_k)
    if top_p is not None:
        scaled = ref.top_p_filter(scaled, top_p)
    cdf = torch.softmax(scaled.double(), dim=-1).cumsum(dim=-1)
    uniform = torch.rand(*scaled.shape[:-1], 1, generator=generator, dtype=torch.float64) * cdf[..., -1:]
    tokens = torch.searchsorted(cdf, uniform, right=True).squeeze(-1)
    return tokens.clamp(max=logits.shape[-1] - 1)


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.alternative("top-k threshold from torch.kthvalue (the (V - k + 1)-th smallest)")
def top_k_filter(logits, k):  # noqa: F811
    if k < 1:
        raise ValueError("k must be at least 1")
    V = logits.size(-1)
    threshold = torch.kthvalue(logits, max(V - k + 1, 1), dim=-1, keepdim=True).values
    return logits.masked_fill(logits < threshold, float("-inf"))


@catalogue.alternative("top-p with a cumulative sum that excludes the token itself, scattered back in place")
def top_p_filter(logits, p):  # noqa: F811
    if not (0 < p <= 1):
        raise ValueError(f"bad top_p {p}")
    if p == 1:
        return logits.clone()
    probs, order = torch.sort(torch.softmax(logits.double(), dim=-1), dim=-1, descending=True)
    before = torch.cumsum(probs, dim=-1)
    before[..., 1:] = before[..., :-1].clone()
    before[..., 0] = 0.0
    remove = torch.zeros_like(logits, dtype=torch.bool)
    remove.scatter_(-1, order, before >= p)
    return logits.masked_fill(remove, float("-inf"))
