"""Mistakes the reductions suite must reject, and correct alternatives it must accept."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


# --- mistakes -------------------------------------------------------------------------------

@catalogue.mistake("column_sums reduces over dim=1: one total per student instead of per assignment")
def column_sums(scores):
    return scores.sum(dim=1)


@catalogue.mistake("row_sums adds up one student at a time in a Python loop over rows", expect="not-vectorised")
def row_sums(scores):
    # Right values and dtype (each .sum() promotes like torch.sum), but a few ops per row.
    return torch.stack([row.sum() for row in scores])


@catalogue.mistake("row_sums leaves keepdim=True in: shape (S, 1) instead of (S,)")
def row_sums(scores):
    return scores.sum(dim=1, keepdim=True)


@catalogue.mistake("row_sums reduces over dim=0: one total per assignment instead of per student")
def row_sums(scores):
    return scores.sum(dim=0)


@catalogue.mistake("masked_mean divides by the full length of dim, not by how many entries are selected")
def masked_mean(x, mask, dim):
    return (x * mask).sum(dim=dim) / x.shape[dim]


@catalogue.mistake("masked_mean has no guard for empty selections: 0 / 0 gives NaN")
def masked_mean(x, mask, dim):
    weights = mask.to(x.dtype)
    return (x * weights).sum(dim=dim) / weights.sum(dim=dim)


@catalogue.mistake("masked_mean patches 0 / 0 afterwards with torch.nan_to_num: right values, NaN gradients")
def masked_mean(x, mask, dim):
    weights = mask.to(x.dtype)
    # The NaN is replaced in the forward pass, but backward still divides by the zero count.
    return torch.nan_to_num((x * weights).sum(dim=dim) / weights.sum(dim=dim))


@catalogue.mistake("masked_mean uses x[mask].mean(): boolean indexing flattens, so one mean for everything")
def masked_mean(x, mask, dim):
    return x[mask].mean()


@catalogue.mistake("masked_mean zeroes the unselected entries of x in place (modifies the input)")
def masked_mean(x, mask, dim):
    x[~mask] = 0
    return x.sum(dim=dim) / mask.sum(dim=dim).clamp(min=1)


@catalogue.mistake("logsumexp without subtracting the max: exp() overflows to inf at magnitude 1e4")
def logsumexp(x, dim):
    return torch.log(torch.exp(x).sum(dim=dim))


@catalogue.mistake("logsumexp subtracts the max but never adds it back")
def logsumexp(x, dim):
    m = x.amax(dim=dim, keepdim=True)
    return torch.log(torch.exp(x - m).sum(dim=dim))


@catalogue.mistake("logsumexp calls the built-in torch.logsumexp", expect="forbidden-op")
def logsumexp(x, dim):
    return torch.logsumexp(x, dim=dim)


# --- correct alternatives -------------------------------------------------------------------

@catalogue.alternative("column_sums with a negative dim (dim=-2 is the row axis of a 2-D table)")
def column_sums(scores):
    return torch.sum(scores, dim=-2)


@catalogue.alternative("masked_mean with torch.where and an integer count")
def masked_mean(x, mask, dim):
    selected = torch.where(mask, x, torch.zeros_like(x))
    count = mask.sum(dim=dim).clamp(min=1)   # int64; dividing a float tensor by it keeps x's dtype
    return selected.sum(dim=dim) / count


@catalogue.alternative("masked_mean as a weighted sum whose weights already add up to 1")
def masked_mean(x, mask, dim):
    weights = mask.to(x.dtype)
    weights = weights / weights.sum(dim=dim, keepdim=True).clamp(min=1)
    return (x * weights).sum(dim=dim)


@catalogue.alternative("logsumexp with max().values, unsqueeze and Tensor methods")
def logsumexp(x, dim):
    m = x.max(dim=dim).values
    return m + (x - m.unsqueeze(dim)).exp().sum(dim=dim).log()


@catalogue.mistake("masked_mean computes in float32 and returns float32 for float16/bfloat16 input",
                   hint="keep x's dtype: turn the mask into x.dtype, not float32")
def masked_mean(x, mask, dim):  # noqa: F811
    weights = mask.float()
    return (x * weights).sum(dim=dim) / weights.sum(dim=dim).clamp(min=1)


@catalogue.mistake("column_sums loops over the columns", expect="not-vectorised",
                   hint="one sum over dim=0 adds up every column at once")
def column_sums(scores):  # noqa: F811
    return torch.stack([scores[:, j].sum() for j in range(scores.shape[1])])
