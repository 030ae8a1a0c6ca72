"""Mistake catalogue for 04_indexing/gather: wrong answers the suite must reject, right ones it must accept."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


@catalogue.mistake("pick_per_row squeezes the result to (N,)")
def pick_per_row(data, cols):
    return torch.gather(data, 1, cols).squeeze(1)


@catalogue.mistake("pick_per_row gathers along dim 0")
def pick_per_row(data, cols):  # noqa: F811 - each entry replaces the graded name
    return torch.gather(data, 0, cols)


@catalogue.mistake("pick_per_row loops over rows in Python", expect="not-vectorised")
def pick_per_row(data, cols):  # noqa: F811
    return torch.stack([data[i, cols[i, 0]] for i in range(data.shape[0])]).unsqueeze(1)


@catalogue.mistake("gather_2d calls torch.gather", expect="forbidden-op")
def gather_2d(data, dim, index):
    return torch.gather(data, dim, index)


@catalogue.mistake("gather_2d swaps the roles of the two dims")
def gather_2d(data, dim, index):  # noqa: F811
    rows = torch.arange(index.shape[0]).unsqueeze(1).expand_as(index)
    cols = torch.arange(index.shape[1]).unsqueeze(0).expand_as(index)
    return data[rows, index] if dim % 2 == 0 else data[index, cols]


@catalogue.mistake("gather_2d ignores negative dims (treats -1 as 0)")
def gather_2d(data, dim, index):  # noqa: F811
    rows = torch.arange(index.shape[0]).unsqueeze(1).expand_as(index)
    cols = torch.arange(index.shape[1]).unsqueeze(0).expand_as(index)
    return data[rows, index] if dim == 1 else data[index, cols]


@catalogue.mistake("gather_2d picks whole rows with data[index] when dim=0")
def gather_2d(data, dim, index):  # noqa: F811
    rows = torch.arange(index.shape[0]).unsqueeze(1).expand_as(index)
    return data[index] if dim % 2 == 0 else data[rows, index]


@catalogue.mistake("gather_2d loops over every index entry", expect="not-vectorised")
def gather_2d(data, dim, index):  # noqa: F811
    out = torch.empty(index.shape, dtype=data.dtype)
    flat = []
    for i in range(index.shape[0]):
        for j in range(index.shape[1]):
            flat.append(data[index[i, j], j] if dim % 2 == 0 else data[i, index[i, j]])
    return torch.stack(flat).reshape(out.shape)


@catalogue.mistake("token_log_probs takes log(softmax) with a naive exp (overflows at gaps of 1e3)")
def token_log_probs(logits, targets):
    probs = logits.exp() / logits.exp().sum(-1, keepdim=True)
    return probs.log().gather(-1, targets.unsqueeze(-1)).squeeze(-1)


@catalogue.mistake("token_log_probs returns the raw logit of the target")
def token_log_probs(logits, targets):  # noqa: F811
    return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)


@catalogue.mistake("token_log_probs normalises over the time dim")
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
