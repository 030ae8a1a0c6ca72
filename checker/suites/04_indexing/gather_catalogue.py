"""Mistake catalogue for 04_indexing/gather: wrong answers the suite must reject, right ones it must accept."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


@catalogue.mistake("pick_per_row squeezes the result to (N,)", hint="keep the (N, 1) shape that gather gives")
def pick_per_row(data, cols):
    return torch.gather(data, 1, cols).squeeze(1)


@catalogue.mistake("pick_per_row gathers along dim 0", hint="the columns are dim 1: torch.gather(data, 1, cols)")
def pick_per_row(data, cols):  # noqa: F811 - each entry replaces the graded name
    return torch.gather(data, 0, cols)


@catalogue.mistake("pick_per_row loops over rows in Python", expect="not-vectorised",
                   hint="one torch.gather(data, 1, cols) picks for every row")
def pick_per_row(data, cols):  # noqa: F811
    return torch.stack([data[i, cols[i, 0]] for i in range(data.shape[0])]).unsqueeze(1)


@catalogue.mistake("gather_2d calls torch.gather", expect="forbidden-op",
                   hint="build row and column grids with arange and index data with them")
def gather_2d(data, dim, index):
    return torch.gather(data, dim, index)


@catalogue.mistake("gather_2d swaps the roles of the two dims",
                   hint="dim 0: index picks the row, data[index, cols]; dim 1: index picks the column, data[rows, index]")
def gather_2d(data, dim, index):  # noqa: F811
    rows = torch.arange(index.shape[0]).unsqueeze(1).expand_as(index)
    cols = torch.arange(index.shape[1]).unsqueeze(0).expand_as(index)
    return data[rows, index] if dim % 2 == 0 else data[index, cols]


@catalogue.mistake("gather_2d ignores negative dims (treats -1 as 0)",
                   hint="normalise first: dim % 2 turns -1 into 1 and -2 into 0")
def gather_2d(data, dim, index):  # noqa: F811
    rows = torch.arange(index.shape[0]).unsqueeze(1).expand_as(index)
    cols = torch.arange(index.shape[1]).unsqueeze(0).expand_as(index)
    return data[rows, index] if dim == 1 else data[index, cols]


@catalogue.mistake("gather_2d picks whole rows with data[index] when dim=0",
                   hint="pair each index entry with its own column: data[index, cols]")
def gather_2d(data, dim, index):  # noqa: F811
    rows = torch.arange(index.shape[0]).unsqueeze(1).expand_as(index)
    return data[index] if dim % 2 == 0 else data[rows, index]


@catalogue.mistake("gather_2d loops over every index entry", expect="not-vectorised",
                   hint="index data once with whole grids of positions")
def gather_2d(data, dim, index):  # noqa: F811
    out = torch.empty(index.shape, dtype=data.dtype)
    flat = []
    for i in range(index.shape[0]):
        for j in range(index.shape[1]):
            flat.append(data[index[i, j], j] if dim % 2 == 0 else data[i, index[i, j]])
    return torch.stack(flat).reshape(out.shape)


@catalogue.mistake("token_log_probs takes log(softmax) with a naive exp (overflows at gaps of 1e3)",
                   hint="use torch.log_softmax, which subtracts the max first")
def token_log_probs(logits, targets):
    probs = logits.exp() / logits.exp().sum(-1, keepdim=True)
    return probs.log().gather(-1, targets.unsqueeze(-1)).squeeze(-1)


@catalogue.mistake("token_log_probs returns the raw logit of the target",
                   hint="normalise first: log_softmax over the vocabulary, then gather")
def token_log_probs(logits, targets):  # noqa: F811
    return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)


@catalogue.mistake("token_log_probs normalises over the time dim",
                   hint="the vocabulary is the last dim: log_softmax(logits, dim=-1)")
def token_log_probs(logits, targets):  # noqa: F811
    return torch.log_softmax(logits, dim=1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)


@catalogue.alternative("pick_per_row with advanced indexing")
def pick_per_row(data, cols):  # noqa: F811
    rows = torch.arange(data.shape[0], device=data.device).unsqueeze(1)
    return data[rows, cols]


@catalogue.alternative("gather_2d through a flat index into data.reshape(-1)")
def gather_2d(data, dim, index):  # noqa: F811
    rows = torch.arange(index.shape[0], device=index.device).unsqueeze(1)
    cols = torch.arange(index.shape[1], device=index.device).unsqueeze(0)
    if dim % 2 == 0:
        flat = index * data.shape[1] + cols
    else:
        flat = rows * data.shape[1] + index
    return data.reshape(-1)[flat]


@catalogue.alternative("token_log_probs as logit minus logsumexp")
def token_log_probs(logits, targets):  # noqa: F811
    picked = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return picked - torch.logsumexp(logits, dim=-1)


@catalogue.mistake("gather_2d calls the aten op behind torch.gather directly", expect="forbidden-op")
def gather_2d(data, dim, index):  # noqa: F811
    return torch.ops.aten.gather(data, dim, index)


@catalogue.mistake("gather_2d loops over the columns of index (one vectorised pick per column)",
                   expect="not-vectorised", hint="index with whole grids of row and column numbers at once")
def gather_2d(data, dim, index):  # noqa: F811
    rows = torch.arange(index.shape[0], device=index.device)
    columns = []
    for j in range(index.shape[1]):
        picked = data[index[:, j], j] if dim % 2 == 0 else data[rows, index[:, j]]
        columns.append(picked)
    return torch.stack(columns, dim=1)


@catalogue.mistake("token_log_probs loops over the time steps", expect="not-vectorised",
                   hint="log_softmax and gather work on the whole (B, T, V) tensor at once")
def token_log_probs(logits, targets):  # noqa: F811
    steps = [torch.log_softmax(logits[:, t], dim=-1).gather(-1, targets[:, t:t + 1]).squeeze(-1)
             for t in range(logits.shape[1])]
    return torch.stack(steps, dim=1)


@catalogue.mistake("pick_per_row returns float32 whatever the input dtype",
                   hint="keep data's dtype: do not cast the picked values")
def pick_per_row(data, cols):  # noqa: F811
    return torch.gather(data, 1, cols).float()


# --- more mistakes (review) -------------------------------------------------------------------

ref = catalogue.reference


@catalogue.mistake("pick_per_row indexes data[:, cols]: every row reads every row's column",
                   hint="pair row i with cols[i]: torch.gather(data, 1, cols)")
def pick_per_row(data, cols):  # noqa: F811
    return data[:, cols[:, 0]]


@catalogue.mistake("gather_2d builds the grids from data's shape instead of index's",
                   hint="the result is shaped like index: take the aranges from index.shape")
def gather_2d(data, dim, index):  # noqa: F811
    dim = dim % 2
    rows = torch.arange(data.shape[0]).unsqueeze(1).expand(data.shape[0], index.shape[1])
    cols = torch.arange(data.shape[1]).unsqueeze(0).expand(index.shape[0], data.shape[1])
    return data[index, cols] if dim == 0 else data[rows, index]


@catalogue.mistake("gather_2d goes through torch.take_along_dim", expect="forbidden-op",
                   hint="build row and column grids with arange and index data with them")
def gather_2d(data, dim, index):  # noqa: F811
    return torch.take_along_dim(data, index, dim)


@catalogue.mistake("token_log_probs keeps the gathered dim: (B, T, 1)", hint="squeeze(-1) after the gather")
def token_log_probs(logits, targets):  # noqa: F811
    return ref.token_log_probs(logits, targets).unsqueeze(-1)


@catalogue.mistake("token_log_probs returns the negative log-likelihood (the loss)",
                   hint="the log-probability itself, without the minus sign")
def token_log_probs(logits, targets):  # noqa: F811
    return -ref.token_log_probs(logits, targets)


@catalogue.mistake("token_log_probs computes in float32 and returns float32, for float64 and half logits alike",
                   hint="keep logits' dtype")
def token_log_probs(logits, targets):  # noqa: F811
    return ref.token_log_probs(logits.float(), targets)


# --- more alternatives (review) ---------------------------------------------------------------

@catalogue.alternative("pick_per_row with Tensor.gather")
def pick_per_row(data, cols):  # noqa: F811
    return data.gather(dim=1, index=cols)


@catalogue.alternative("pick_per_row with take_along_dim")
def pick_per_row(data, cols):  # noqa: F811
    return torch.take_along_dim(data, cols, dim=1)


@catalogue.alternative("gather_2d with broadcast aranges (no expand) for each dim")
def gather_2d(data, dim, index):  # noqa: F811
    if dim in (0, -2):
        return data[index, torch.arange(index.shape[1], device=index.device)[None, :]]
    return data[torch.arange(index.shape[0], device=index.device)[:, None], index]


@catalogue.alternative("gather_2d with torch.meshgrid(indexing='ij') grids")
def gather_2d(data, dim, index):  # noqa: F811
    rows, cols = torch.meshgrid(torch.arange(index.shape[0], device=index.device),
                                torch.arange(index.shape[1], device=index.device), indexing="ij")
    return data[index, cols] if dim % 2 == 0 else data[rows, index]


@catalogue.alternative("gather_2d along dim 0 as the transpose of a gather along dim 1")
def gather_2d(data, dim, index):  # noqa: F811
    if dim % 2 == 0:
        data, index = data.T, index.T
    rows = torch.arange(index.shape[0], device=index.device).unsqueeze(1)
    picked = data[rows, index]
    return picked.T if dim % 2 == 0 else picked


@catalogue.alternative("token_log_probs with F.cross_entropy per token, negated")
def token_log_probs(logits, targets):  # noqa: F811
    B, T, V = logits.shape
    nll = torch.nn.functional.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T), reduction="none")
    return -nll.reshape(B, T)


@catalogue.alternative("token_log_probs with advanced indexing into F.log_softmax")
def token_log_probs(logits, targets):  # noqa: F811
    log_probs = torch.nn.functional.log_softmax(logits, dim=2)
    B, T = targets.shape
    batch, time = torch.arange(B, device=targets.device), torch.arange(T, device=targets.device)
    return log_probs[batch[:, None], time[None, :], targets]


@catalogue.alternative("token_log_probs in float64, cast back")
def token_log_probs(logits, targets):  # noqa: F811
    log_probs = logits.double().log_softmax(-1)
    return log_probs.gather(-1, targets[..., None])[..., 0].to(logits.dtype)
