"""Mistake catalogue for 04_indexing/best: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- best_item

@catalogue.mistake("best_item calls argmax without dim: one position in the flattened table",
                   hint="pass dim=1 to search within each row")
def best_item(scores):
    return torch.argmax(scores)


@catalogue.mistake("best_item searches down the columns (dim=0)", hint="a row's candidates lie along dim 1")
def best_item(scores):  # noqa: F811 - each entry replaces the graded name
    return torch.argmax(scores, dim=0)


@catalogue.mistake("best_item keeps the searched dim: (N, 1)", hint="drop keepdim=True")
def best_item(scores):  # noqa: F811
    return torch.argmax(scores, dim=1, keepdim=True)


@catalogue.mistake("best_item returns the best scores instead of their columns",
                   hint="max(dim=1) gives .values and .indices; the columns are .indices (or use argmax)")
def best_item(scores):  # noqa: F811
    return scores.max(dim=1).values


@catalogue.mistake("best_item finds the maxima with nonzero(), which lists every tied maximum",
                   hint="argmax keeps exactly one column per row, the first of any tie")
def best_item(scores):  # noqa: F811
    return (scores == scores.max(dim=1, keepdim=True).values).nonzero()[:, 1]


@catalogue.mistake("best_item loops over the rows", expect="not-vectorised",
                   hint="one argmax call with dim=1 handles every row")
def best_item(scores):  # noqa: F811
    return torch.tensor([int(row.argmax()) for row in scores], dtype=torch.int64, device=scores.device)


# ---------------------------------------------------------------- top_k

@catalogue.mistake("top_k returns torch.topk's named tuple as it is",
                   hint="unpack it and return a plain tuple: values, indices = torch.topk(...)")
def top_k(scores, k):
    return torch.topk(scores, k, dim=1)


@catalogue.mistake("top_k keeps the k smallest scores (largest=False)", hint="the best scores are the largest")
def top_k(scores, k):  # noqa: F811
    values, indices = torch.topk(scores, k, dim=1, largest=False)
    return values, indices


@catalogue.mistake("top_k sorts ascending and keeps the last k, so the best comes last",
                   hint="sort with descending=True (or use topk) so the largest comes first")
def top_k(scores, k):  # noqa: F811
    values, indices = torch.sort(scores, dim=1)
    return values[:, scores.shape[1] - k:], indices[:, scores.shape[1] - k:]


@catalogue.mistake("top_k searches along dim 0", hint="rank each row's own columns: dim=1")
def top_k(scores, k):  # noqa: F811
    values, indices = torch.topk(scores, k, dim=0)
    return values, indices


@catalogue.mistake("top_k looks each value up by its first matching column, so tied values share one column",
                   hint="take the columns from topk (or sort) itself instead of searching for the values")
def top_k(scores, k):  # noqa: F811
    values = torch.sort(scores, dim=1, descending=True).values[:, :k]
    indices = (scores.unsqueeze(1) == values.unsqueeze(2)).int().argmax(dim=2)
    return values, indices


@catalogue.mistake("top_k loops over the rows", expect="not-vectorised", hint="topk with dim=1 ranks all rows at once")
def top_k(scores, k):  # noqa: F811
    pairs = [torch.topk(row, k) for row in scores]
    return torch.stack([v for v, _ in pairs]), torch.stack([i for _, i in pairs])


# ---------------------------------------------------------------- accuracy

@catalogue.mistake("accuracy returns a 0-d tensor instead of a Python float", hint="finish with .item()")
def accuracy(logits, targets):
    return (logits.argmax(dim=1) == targets).float().mean()


@catalogue.mistake("accuracy returns the number of right rows, not the fraction",
                   hint="divide by the number of rows (a mean, not a sum)")
def accuracy(logits, targets):  # noqa: F811
    return (logits.argmax(dim=1) == targets).float().sum().item()


@catalogue.mistake("accuracy takes the mean of the bool comparison directly", expect="error",
                   hint="mean needs numbers: call .float() on the comparison first")
def accuracy(logits, targets):  # noqa: F811
    return (logits.argmax(dim=1) == targets).mean().item()


@catalogue.mistake("accuracy compares the best logit's value with the class number",
                   hint="compare the position of the best logit (argmax), not the logit itself")
def accuracy(logits, targets):  # noqa: F811
    return (logits.max(dim=1).values == targets).float().mean().item()


# ---------------------------------------------------------------- top_k_accuracy

@catalogue.mistake("top_k_accuracy compares the (N, k) indices with targets without unsqueeze",
                   hint="targets.unsqueeze(1) is (N, 1) and lines up with each row's k entries")
def top_k_accuracy(logits, targets, k):
    best = torch.topk(logits, k, dim=1).indices
    return (best == targets).any(dim=1).float().mean().item()


@catalogue.mistake("top_k_accuracy ignores k and scores the argmax only", hint="take the k best classes with topk")
def top_k_accuracy(logits, targets, k):  # noqa: F811
    return (logits.argmax(dim=1) == targets).float().mean().item()


@catalogue.mistake("top_k_accuracy checks the k lowest logits", hint="the best classes have the largest logits")
def top_k_accuracy(logits, targets, k):  # noqa: F811
    worst = torch.topk(logits, k, dim=1, largest=False).indices
    return (worst == targets.unsqueeze(1)).any(dim=1).float().mean().item()


@catalogue.mistake("top_k_accuracy checks the k candidates one at a time", expect="not-vectorised",
                   hint="compare all k columns at once against targets.unsqueeze(1), then .any(dim=1)")
def top_k_accuracy(logits, targets, k):  # noqa: F811
    best = torch.topk(logits, k, dim=1).indices
    hits = torch.zeros_like(targets, dtype=torch.bool)
    for j in range(k):
        hits = hits | (best[:, j] == targets)
    return hits.float().mean().item()


# ---------------------------------------------------------------- correct alternatives

@catalogue.alternative("best_item as max(dim=1).indices")
def best_item(scores):  # noqa: F811
    return scores.max(dim=1).indices


@catalogue.alternative("top_k from a stable descending sort")
def top_k(scores, k):  # noqa: F811
    values, indices = torch.sort(scores, dim=1, descending=True, stable=True)
    return values[:, :k], indices[:, :k]


@catalogue.alternative("accuracy as a count of hits divided by the number of rows")
def accuracy(logits, targets):  # noqa: F811
    return (logits.argmax(dim=-1) == targets).sum().item() / len(targets)


@catalogue.alternative("top_k_accuracy by rank: fewer than k logits beat the target's")
def top_k_accuracy(logits, targets, k):  # noqa: F811
    target_logit = logits.gather(1, targets.unsqueeze(1))
    rank = (logits > target_logit).sum(dim=1)
    return (rank < k).double().mean().item()


# ---------------------------------------------------------------- more mistakes (review)

ref = catalogue.reference


@catalogue.mistake("best_item takes the last column of an ascending argsort: ties go to the highest column",
                   hint="argmax(dim=1) returns the lowest tied column")
def best_item(scores):  # noqa: F811
    return scores.argsort(dim=1, stable=True)[:, -1]


@catalogue.mistake("best_item searches for the smallest score (argmin)", hint="the best score is the largest: argmax")
def best_item(scores):  # noqa: F811
    return scores.argmin(dim=1)


@catalogue.mistake("top_k returns (indices, values)", hint="values first, then indices")
def top_k(scores, k):  # noqa: F811
    return ref.top_k(scores, k)[::-1]


@catalogue.mistake("top_k detaches the values, so no gradient reaches scores",
                   hint="return topk's values as they are: they are differentiable")
def top_k(scores, k):  # noqa: F811
    values, indices = ref.top_k(scores, k)
    return values.detach(), indices


@catalogue.mistake("accuracy rounds with integer division: the fraction comes out 0 or 1",
                   hint="divide with / (true division), or take the mean of the floats")
def accuracy(logits, targets):  # noqa: F811
    return float((logits.argmax(dim=1) == targets).sum().item() // targets.shape[0])


@catalogue.mistake("accuracy returns a percentage", hint="a fraction in [0, 1]: do not multiply by 100")
def accuracy(logits, targets):  # noqa: F811
    return (logits.argmax(dim=1) == targets).float().mean().item() * 100


@catalogue.mistake("top_k_accuracy needs every one of the k classes to match (all instead of any)",
                   hint="a row is a hit when any of its k best classes is the target: .any(dim=1)")
def top_k_accuracy(logits, targets, k):  # noqa: F811
    best = torch.topk(logits, k, dim=1).indices
    return (best == targets.unsqueeze(1)).all(dim=1).float().mean().item()


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("best_item as the first True of an equality mask against the row maximum")
def best_item(scores):  # noqa: F811
    is_max = scores == scores.max(dim=1, keepdim=True).values
    return is_max.to(torch.uint8).argmax(dim=1)


@catalogue.alternative("best_item as the first column of a stable descending argsort")
def best_item(scores):  # noqa: F811
    return torch.argsort(scores, dim=1, descending=True, stable=True)[:, 0]


@catalogue.alternative("top_k with keyword arguments on the last dim, largest=True and sorted=True")
def top_k(scores, k):  # noqa: F811
    result = scores.topk(k=k, dim=-1, largest=True, sorted=True)
    return (result.values, result.indices)


@catalogue.alternative("top_k from torch.sort, sliced to k")
def top_k(scores, k):  # noqa: F811
    values, indices = torch.sort(scores, dim=1, descending=True)
    return values[:, :k], indices[:, :k]


@catalogue.alternative("accuracy with eq, a float64 mean and float()")
def accuracy(logits, targets):  # noqa: F811
    return float(logits.argmax(-1).eq(targets).double().mean())


@catalogue.alternative("top_k_accuracy with a sum over the k columns")
def top_k_accuracy(logits, targets, k):  # noqa: F811
    best = logits.topk(k, dim=-1).indices
    hits = (best == targets[:, None]).sum(dim=-1) > 0
    return hits.sum().item() / len(targets)
