"""Mistakes the reductions suite must reject, and correct alternatives it must accept."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


# --- mistakes -------------------------------------------------------------------------------

@catalogue.mistake("column_sums reduces over dim=1: one total per student instead of per assignment",
                   hint="the dim you pass disappears: sum over dim=0 to keep one total per column")
def column_sums(scores):
    return scores.sum(dim=1)


@catalogue.mistake("row_sums adds up one student at a time in a Python loop over rows", expect="not-vectorised",
                   hint="one sum over dim=1 adds up every row at once")
def row_sums(scores):
    # Right values and dtype (each .sum() promotes like torch.sum), but a few ops per row.
    return torch.stack([row.sum() for row in scores])


@catalogue.mistake("row_sums leaves keepdim=True in: shape (S, 1) instead of (S,)",
                   hint="sum without keepdim: the result is (S,)")
def row_sums(scores):
    return scores.sum(dim=1, keepdim=True)


@catalogue.mistake("row_sums reduces over dim=0: one total per assignment instead of per student",
                   hint="the dim you pass disappears: sum over dim=1 to keep one total per row")
def row_sums(scores):
    return scores.sum(dim=0)


@catalogue.mistake("masked_mean divides by the full length of dim, not by how many entries are selected",
                   hint="divide by the number of selected entries: mask.sum(dim)")
def masked_mean(x, mask, dim):
    return (x * mask).sum(dim=dim) / x.shape[dim]


@catalogue.mistake("masked_mean has no guard for empty selections: 0 / 0 gives NaN",
                   hint="clamp the count to at least 1 before dividing")
def masked_mean(x, mask, dim):
    weights = mask.to(x.dtype)
    return (x * weights).sum(dim=dim) / weights.sum(dim=dim)


@catalogue.mistake("masked_mean patches 0 / 0 afterwards (torch.nan_to_num, or torch.where on the count): "
                   "right values, NaN gradients",
                   hint="guard the count before dividing (clamp it to at least 1): a patch applied after "
                        "the division leaves its NaN gradient behind")
def masked_mean(x, mask, dim):
    weights = mask.to(x.dtype)
    # The NaN is replaced in the forward pass, but backward still divides by the zero count.
    return torch.nan_to_num((x * weights).sum(dim=dim) / weights.sum(dim=dim))


@catalogue.mistake("masked_mean uses x[mask].mean(): boolean indexing flattens, so one mean for everything",
                   hint="keep the shape: multiply by the mask as numbers, then sum over dim")
def masked_mean(x, mask, dim):
    return x[mask].mean()


@catalogue.mistake("masked_mean zeroes the unselected entries of x in place (modifies the input)",
                   hint="build a new tensor: x * mask, or x.masked_fill(~mask, 0)")
def masked_mean(x, mask, dim):
    x[~mask] = 0
    return x.sum(dim=dim) / mask.sum(dim=dim).clamp(min=1)


@catalogue.mistake("logsumexp without subtracting the max: exp() overflows to inf at magnitude 1e4",
                   hint="subtract each slice's max before exp() and add it back after log()")
def logsumexp(x, dim):
    return torch.log(torch.exp(x).sum(dim=dim))


@catalogue.mistake("logsumexp subtracts the max but never adds it back",
                   hint="log(sum(exp(x))) = m + log(sum(exp(x - m))): add m back")
def logsumexp(x, dim):
    m = x.amax(dim=dim, keepdim=True)
    return torch.log(torch.exp(x - m).sum(dim=dim))


@catalogue.mistake("logsumexp calls the built-in torch.logsumexp", expect="forbidden-op",
                   hint="subtract each slice's max, exponentiate, sum, log, add the max back")
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


# --- more mistakes (review) -------------------------------------------------------------------

ref = catalogue.reference


@catalogue.mistake("column_sums sums in float32 'for precision': half-precision tables come back float32",
                   hint="keep the dtype torch.sum gives: scores.sum(dim=0)")
def column_sums(scores):  # noqa: F811
    return scores.sum(dim=0, dtype=torch.float32) if scores.is_floating_point() else scores.sum(dim=0)


@catalogue.mistake("row_sums keeps the dim and squeezes every size-1 dim: one student gives shape ()",
                   hint="squeeze only the summed dim, or sum without keepdim")
def row_sums(scores):  # noqa: F811
    return scores.sum(dim=1, keepdim=True).squeeze()


@catalogue.mistake("row_sums returns a Python list of totals", hint="return one tensor of shape (S,)")
def row_sums(scores):  # noqa: F811
    return scores.sum(dim=1).tolist()


@catalogue.mistake("masked_mean divides by count + 1e-8: in float16 the 1e-8 rounds to 0 and 0 / 0 is NaN",
                   hint="clamp the count to at least 1 instead of adding a tiny eps")
def masked_mean(x, mask, dim):  # noqa: F811
    weights = mask.to(x.dtype)
    return (x * weights).sum(dim=dim) / (weights.sum(dim=dim) + 1e-8)


@catalogue.mistake("masked_mean counts the selected entries of the whole tensor, not of each slice",
                   hint="count along dim too: mask.sum(dim=dim)")
def masked_mean(x, mask, dim):  # noqa: F811
    weights = mask.to(x.dtype)
    return (x * weights).sum(dim=dim) / weights.sum().clamp(min=1)


@catalogue.mistake("masked_mean keeps the averaged dim (keepdim=True)", hint="dim disappears from the result")
def masked_mean(x, mask, dim):  # noqa: F811
    return ref.masked_mean(x, mask, dim).unsqueeze(dim)


@catalogue.mistake("logsumexp shifts by the max of the whole tensor, not of each slice",
                   hint="each slice needs its own max: x.amax(dim=dim, keepdim=True)")
def logsumexp(x, dim):  # noqa: F811
    m = x.max()
    return m + torch.log(torch.exp(x - m).sum(dim=dim))


@catalogue.mistake("logsumexp adds back the max with keepdim=True: the result broadcasts to a wrong shape",
                   hint="squeeze the max along dim before adding it back")
def logsumexp(x, dim):  # noqa: F811
    m = x.amax(dim=dim, keepdim=True)
    return m + torch.log(torch.exp(x - m).sum(dim=dim))


@catalogue.mistake("logsumexp takes the last entry of torch.logcumsumexp", expect="forbidden-op",
                   hint="subtract each slice's max, exponentiate, sum, log, add the max back")
def logsumexp(x, dim):  # noqa: F811
    return torch.logcumsumexp(x, dim=dim).select(dim, -1)


@catalogue.mistake("logsumexp recovers it from F.cross_entropy against class 0", expect="forbidden-op",
                   hint="subtract each slice's max, exponentiate, sum, log, add the max back")
def logsumexp(x, dim):  # noqa: F811
    scores = x.movedim(dim, -1).reshape(-1, x.shape[dim])
    first = torch.zeros(scores.shape[0], dtype=torch.long)
    lse = torch.nn.functional.cross_entropy(scores, first, reduction="none") + scores[:, 0]
    return lse.reshape(x.movedim(dim, -1).shape[:-1])


# --- more alternatives (review) ---------------------------------------------------------------

@catalogue.alternative("column_sums through the transpose, summing the last axis")
def column_sums(scores):  # noqa: F811
    return scores.T.sum(-1)


@catalogue.alternative("column_sums as the last row of a cumulative sum")
def column_sums(scores):  # noqa: F811
    return torch.cumsum(scores, dim=0)[-1] if scores.shape[0] else scores.sum(dim=0)


@catalogue.alternative("row_sums with keepdim=True, then [:, 0]")
def row_sums(scores):  # noqa: F811
    return torch.sum(scores, dim=1, keepdim=True)[:, 0]


@catalogue.alternative("row_sums with a tuple of dims and a negative index")
def row_sums(scores):  # noqa: F811
    return scores.sum(dim=(-1,))


@catalogue.alternative("masked_mean with masked_fill and clamp_min on the integer count")
def masked_mean(x, mask, dim):  # noqa: F811
    return x.masked_fill(~mask, 0).sum(dim) / mask.sum(dim).clamp_min(1)


@catalogue.alternative("masked_mean with torch.maximum against ones")
def masked_mean(x, mask, dim):  # noqa: F811
    weights = mask.type_as(x)
    count = weights.sum(dim)
    return torch.sum(x * weights, dim) / torch.maximum(count, torch.ones_like(count))


@catalogue.alternative("logsumexp with a detached max (the shift cancels in the gradient)")
def logsumexp(x, dim):  # noqa: F811
    m = x.detach().amax(dim=dim, keepdim=True)
    return (x - m).exp().sum(dim=dim).log() + m.squeeze(dim)


@catalogue.alternative("logsumexp in float64, cast back to x's dtype")
def logsumexp(x, dim):  # noqa: F811
    x64 = x.double()
    m = x64.max(dim=dim, keepdim=True).values
    return (m.squeeze(dim) + torch.log(torch.sum(torch.exp(x64 - m), dim=dim))).to(x.dtype)
