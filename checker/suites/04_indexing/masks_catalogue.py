"""Mistake catalogue for 04_indexing/masks: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- values_above

@catalogue.mistake("values_above uses >=, so elements equal to the threshold slip in",
                   hint="'above' is strict: x > threshold")
def values_above(x, threshold):
    return x[x >= threshold]


@catalogue.mistake("values_above multiplies x by the mask, which keeps x's shape and zeros",
                   hint="select with the mask in the brackets: x[mask] drops the other elements")
def values_above(x, threshold):  # noqa: F811 - each entry replaces the graded name
    return x * (x > threshold)


@catalogue.mistake("values_above returns the mask itself", hint="use the mask to index x: x[x > threshold]")
def values_above(x, threshold):  # noqa: F811
    return x > threshold


# ---------------------------------------------------------------- count_above

@catalogue.mistake("count_above counts per column (dim=0)", hint="one row's elements lie along dim 1")
def count_above(x, threshold):
    return (x > threshold).sum(dim=0)


@catalogue.mistake("count_above keeps the reduced dim: (N, 1)", hint="drop keepdim=True")
def count_above(x, threshold):  # noqa: F811
    return (x > threshold).sum(dim=1, keepdim=True)


@catalogue.mistake("count_above turns the mask into floats first, so the counts are float32",
                   hint="sum the bool mask directly: its sum is int64")
def count_above(x, threshold):  # noqa: F811
    return (x > threshold).float().sum(dim=1)


@catalogue.mistake("count_above sums the whole mask into one number", hint="pass dim=1 to the sum")
def count_above(x, threshold):  # noqa: F811
    return (x > threshold).sum()


@catalogue.mistake("count_above loops over the rows", expect="not-vectorised",
                   hint="one sum over dim=1 counts every row at once")
def count_above(x, threshold):  # noqa: F811
    return torch.tensor([int((row > threshold).sum()) for row in x], dtype=torch.int64, device=x.device)


# ---------------------------------------------------------------- replace_masked

@catalogue.mistake("replace_masked writes into x and returns it",
                   hint="x belongs to the caller: fill a copy (x.masked_fill or x.clone() first)")
def replace_masked(x, mask, value):
    x[mask] = value
    return x


@catalogue.mistake("replace_masked fills where the mask is False", hint="True marks the places to replace")
def replace_masked(x, mask, value):  # noqa: F811
    return x.masked_fill(~mask, value)


@catalogue.mistake("replace_masked blends x * ~mask + value * mask, which turns a masked inf into NaN",
                   hint="0 * inf is NaN: select instead of multiplying (masked_fill or torch.where)")
def replace_masked(x, mask, value):  # noqa: F811
    return x * ~mask + value * mask


# ---------------------------------------------------------------- causal_mask

@catalogue.mistake("causal_mask uses triu() without diagonal=1, hiding each token from itself",
                   hint="only j > i is the future: triu(diagonal=1)")
def causal_mask(size, device):
    return torch.ones(size, size, dtype=torch.bool, device=device).triu()


@catalogue.mistake("causal_mask marks the lower triangle (the past)", hint="future keys sit above the diagonal")
def causal_mask(size, device):  # noqa: F811
    return torch.ones(size, size, dtype=torch.bool, device=device).tril(diagonal=-1)


@catalogue.mistake("causal_mask returns a float mask of ones and zeros", hint="build it with dtype=torch.bool")
def causal_mask(size, device):  # noqa: F811
    return torch.ones(size, size, device=device).triu(diagonal=1)


@catalogue.mistake("causal_mask fills the mask row by row", expect="not-vectorised",
                   hint="torch.triu marks the whole triangle in one call")
def causal_mask(size, device):  # noqa: F811
    mask = torch.zeros(size, size, dtype=torch.bool, device=device)
    for i in range(size):
        mask[i, i + 1:] = True
    return mask


# ---------------------------------------------------------------- mask_future

@catalogue.mistake("mask_future fills with -1e9 instead of -inf", hint="use float('-inf') exactly")
def mask_future(scores):
    future = torch.ones(scores.shape[-1], scores.shape[-1], dtype=torch.bool, device=scores.device).triu(1)
    return scores.masked_fill(future, -1e9)


@catalogue.mistake("mask_future adds mask * -inf, which is 0 * -inf = NaN on the allowed entries",
                   hint="select with masked_fill or torch.where instead of multiplying")
def mask_future(scores):  # noqa: F811
    future = torch.ones(scores.shape[-1], scores.shape[-1], device=scores.device).triu(1)
    return scores + future * float("-inf")


@catalogue.mistake("mask_future also hides the diagonal", hint="a token may see itself: triu(diagonal=1)")
def mask_future(scores):  # noqa: F811
    future = torch.ones(scores.shape[-1], scores.shape[-1], dtype=torch.bool, device=scores.device).triu()
    return scores.masked_fill(future, float("-inf"))


@catalogue.mistake("mask_future fills scores in place with masked_fill_",
                   hint="masked_fill (no underscore) returns a new tensor and leaves scores alone")
def mask_future(scores):  # noqa: F811
    future = torch.ones(scores.shape[-1], scores.shape[-1], dtype=torch.bool, device=scores.device).triu(1)
    return scores.masked_fill_(future, float("-inf"))


@catalogue.mistake("mask_future walks the leading dims one table at a time", expect="not-vectorised",
                   hint="a (T, T) mask broadcasts over every leading dim: one masked_fill does it all")
def mask_future(scores):  # noqa: F811
    def one(table):
        if table.dim() > 2:
            return torch.stack([one(t) for t in table])
        future = torch.ones(table.shape[-1], table.shape[-1], dtype=torch.bool, device=table.device).triu(1)
        return table.masked_fill(future, float("-inf"))
    return one(scores)


# ---------------------------------------------------------------- correct alternatives

@catalogue.alternative("values_above with torch.masked_select")
def values_above(x, threshold):  # noqa: F811
    return torch.masked_select(x, x > threshold)


@catalogue.alternative("count_above with count_nonzero")
def count_above(x, threshold):  # noqa: F811
    return (x > threshold).count_nonzero(dim=1)


@catalogue.alternative("replace_masked on a clone with out[mask] = value")
def replace_masked(x, mask, value):  # noqa: F811
    out = x.clone()
    out[mask] = value
    return out


@catalogue.alternative("replace_masked with torch.where and a tensor full of value")
def replace_masked(x, mask, value):  # noqa: F811
    return torch.where(mask, torch.full_like(x, value), x)


@catalogue.alternative("causal_mask by comparing two aranges")
def causal_mask(size, device):  # noqa: F811
    positions = torch.arange(size, device=device)
    return positions.unsqueeze(0) > positions.unsqueeze(1)


@catalogue.alternative("mask_future with a bool ones_like(scores).triu(1) and torch.where")
def mask_future(scores):  # noqa: F811
    future = torch.ones_like(scores, dtype=torch.bool).triu(diagonal=1)
    return torch.where(future, torch.tensor(float("-inf"), dtype=scores.dtype, device=scores.device), scores)


# ---------------------------------------------------------------- more mistakes (review)

@catalogue.mistake("values_above reads the elements through x.view(-1), which fails on a non-contiguous x",
                   hint="x[x > threshold] works for every layout")
def values_above(x, threshold):  # noqa: F811
    flat = x.view(-1)
    return flat[flat > threshold]


@catalogue.mistake("values_above casts to float32 before comparing: integers and half types come back float32",
                   hint="index x itself: x[x > threshold] keeps x's dtype")
def values_above(x, threshold):  # noqa: F811
    values = x.float()
    return values[values > threshold]


@catalogue.mistake("count_above returns a Python list of counts", hint="return the (N,) int64 tensor itself")
def count_above(x, threshold):  # noqa: F811
    return (x > threshold).sum(dim=1).tolist()


@catalogue.mistake("replace_masked returns x.masked_fill_(...), which fills x itself",
                   hint="masked_fill without the underscore returns a filled copy")
def replace_masked(x, mask, value):  # noqa: F811
    return x.detach().masked_fill_(mask, value)


@catalogue.mistake("mask_future adds a 0/-inf mask: right values, but the gradient still flows to the hidden entries",
                   hint="replace the entries (masked_fill or torch.where): the spec wants gradient 0 there")
def mask_future(scores):  # noqa: F811
    size = scores.shape[-1]
    future = torch.ones(size, size, dtype=torch.bool, device=scores.device).triu(diagonal=1)
    additive = torch.zeros(size, size, dtype=scores.dtype, device=scores.device).masked_fill(future, float("-inf"))
    return scores + additive


@catalogue.mistake("mask_future builds the mask from the first dim of scores instead of the last",
                   hint="the (T, T) table is the last two dims: T = scores.shape[-1]")
def mask_future(scores):  # noqa: F811
    size = scores.shape[0]
    future = torch.ones(size, size, dtype=torch.bool, device=scores.device).triu(diagonal=1)
    return scores.masked_fill(future, float("-inf"))


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("values_above with the index tuple from torch.where")
def values_above(x, threshold):  # noqa: F811
    return x[torch.where(x > threshold)]


@catalogue.alternative("values_above by flattening first with reshape(-1)")
def values_above(x, threshold):  # noqa: F811
    flat = x.reshape(-1)
    return flat[torch.gt(flat, threshold)]


@catalogue.alternative("count_above with .long().sum(-1)")
def count_above(x, threshold):  # noqa: F811
    return (x > threshold).long().sum(-1)


@catalogue.alternative("replace_masked with torch.where and a Python scalar")
def replace_masked(x, mask, value):  # noqa: F811
    return torch.where(mask, value, x)


@catalogue.alternative("causal_mask as the complement of a lower triangle")
def causal_mask(size, device):  # noqa: F811
    return ~torch.tril(torch.ones(size, size, device=device)).bool()


@catalogue.alternative("causal_mask with torch.triu on ones and a bool cast")
def causal_mask(size, device):  # noqa: F811
    return torch.triu(torch.ones((size, size), device=device), diagonal=1).to(torch.bool)


@catalogue.alternative("mask_future with a mask from two aranges and masked_fill")
def mask_future(scores):  # noqa: F811
    t = torch.arange(scores.size(-1), device=scores.device)
    return scores.masked_fill(t[None, :] > t[:, None], -float("inf"))


@catalogue.alternative("mask_future on a clone, with the hidden entries assigned through an expanded mask")
def mask_future(scores):  # noqa: F811
    out = scores.clone()
    size = scores.shape[-1]
    future = torch.triu(torch.ones(size, size, dtype=torch.bool, device=scores.device), 1)
    out[future.expand_as(out)] = float("-inf")
    return out
