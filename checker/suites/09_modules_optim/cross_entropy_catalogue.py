"""Mistake catalogue for 09_modules_optim/cross_entropy: plausible wrong answers the suite must
reject, and correct alternatives it must accept. Each entry replaces one name of a fresh copy of
the reference; `kata validate` grades every entry."""
import torch
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- log_softmax: mistakes

@catalogue.mistake("log of the softmax: small probabilities round to 0 and their log is -inf",
                   hint="stay in log space: x - m - log(sum(exp(x - m)))")
def log_softmax(x, dim=-1):
    return torch.log(F.softmax(x, dim=dim))


@catalogue.mistake("no shift by the maximum: exp overflows for large logits",
                   hint="subtract the maximum along dim before exponentiating")
def log_softmax(x, dim=-1):
    return x - torch.log(torch.exp(x).sum(dim=dim, keepdim=True))


@catalogue.mistake("shifts by the maximum of the whole tensor, so a distant slice underflows to log(0)",
                   hint="take the maximum along dim, with keepdim=True")
def log_softmax(x, dim=-1):
    if x.numel() == 0:        # x.max() refuses empty tensors: a guard a learner adds after a crash
        return x.clone()
    shifted = x - x.max()
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))


@catalogue.mistake("subtracts the log-sum from x but forgets the shift it was computed with",
                   hint="log-sum-exp is m + log(sum(exp(x - m))): keep the m")
def log_softmax(x, dim=-1):
    m = x.amax(dim=dim, keepdim=True)
    return x - torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))


@catalogue.mistake("always works on the last dim, whatever dim says", hint="pass dim to amax and sum")
def log_softmax(x, dim=-1):
    return ref.log_softmax(x, -1)


@catalogue.mistake("a Python loop over the slices", expect="not-vectorised",
                   hint="amax, exp, sum and log with dim and keepdim handle every slice at once")
def log_softmax(x, dim=-1):
    moved = x.movedim(dim, -1)
    rows = [r - r.max() - torch.log(torch.exp(r - r.max()).sum()) for r in moved.reshape(-1, moved.shape[-1])]
    out = torch.stack(rows) if rows else moved.reshape(0, moved.shape[-1])
    return out.reshape(moved.shape).movedim(-1, dim)


@catalogue.mistake("computes in float32, returning float32 for half inputs", hint="keep x's dtype")
def log_softmax(x, dim=-1):
    return ref.log_softmax(x.float(), dim)


@catalogue.mistake("x - torch.logsumexp(x)", expect="forbidden-op", hint="write the log-sum-exp with the max shift")
def log_softmax(x, dim=-1):
    return x - torch.logsumexp(x, dim=dim, keepdim=True)


# ---------------------------------------------------------------- log_softmax: alternatives

@catalogue.alternative("a detached maximum, log-sum-exp assembled as m + log(sum)")
def log_softmax(x, dim=-1):
    m = x.max(dim=dim, keepdim=True).values.detach()
    return x - (m + (x - m).exp().sum(dim, keepdim=True).log())


# ---------------------------------------------------------------- cross_entropy: mistakes

def _check(reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction)


def _reduce(losses, keep, reduction):
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / keep.sum()


@catalogue.mistake("gathers with the raw targets, so an ignored -100 is used as an index",
                   hint="swap ignored targets for a valid class (torch.where) before gathering")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    _check(reduction)
    keep = targets != ignore_index
    picked = ref.log_softmax(logits).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return _reduce(torch.where(keep, -picked, 0.0), keep, reduction)


@catalogue.mistake("the mean divides by every position, ignored ones included",
                   hint="divide by the number of positions that count")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    losses = ref.cross_entropy(logits, targets, "none", ignore_index)
    _check(reduction)
    return losses.mean() if reduction == "mean" else _reduce(losses, None, reduction)


@catalogue.mistake("ignored positions keep the loss of the class they were swapped for",
                   hint="zero the loss where the target is ignore_index")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    _check(reduction)
    keep = targets != ignore_index
    picked = ref.log_softmax(logits).gather(-1, torch.where(keep, targets, 0).unsqueeze(-1)).squeeze(-1)
    return _reduce(-picked, keep, reduction)


@catalogue.mistake("averages over the classes too: -(log_probs * one_hot).mean()",
                   hint="sum over the classes (only the target's term is nonzero), average over positions")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    _check(reduction)
    keep = targets != ignore_index
    one_hot = F.one_hot(torch.where(keep, targets, 0), logits.shape[-1]).to(logits.dtype)
    losses = -(ref.log_softmax(logits) * one_hot).mean(-1)
    return _reduce(torch.where(keep, losses, 0.0), keep, reduction)


@catalogue.mistake("forgets the minus sign", hint="the loss is the NEGATIVE log-probability")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    return -ref.cross_entropy(logits, targets, reduction, ignore_index)


@catalogue.mistake("log of F.softmax: a tiny probability becomes log(0) = -inf",
                   hint="use your stable log_softmax")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    _check(reduction)
    keep = targets != ignore_index
    log_probs = torch.log(F.softmax(logits, dim=-1))
    picked = log_probs.gather(-1, torch.where(keep, targets, 0).unsqueeze(-1)).squeeze(-1)
    return _reduce(torch.where(keep, -picked, 0.0), keep, reduction)


@catalogue.mistake("ignores the ignore_index argument and always skips -100",
                   hint="compare the targets with ignore_index, whatever its value")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    return ref.cross_entropy(logits, targets, reduction, -100)


@catalogue.mistake("reduction='none' keeps only the positions that count (boolean indexing)",
                   hint="'none' returns one loss per position, shape (*), with 0 where ignored")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    losses = ref.cross_entropy(logits, targets, "none", ignore_index)
    if reduction == "none":
        return losses[targets != ignore_index]
    return ref.cross_entropy(logits, targets, reduction, ignore_index)


@catalogue.mistake("no ValueError for an unknown reduction (anything else means mean)",
                   hint="raise ValueError unless reduction is 'mean', 'sum' or 'none'")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    if reduction in ("sum", "none"):
        return ref.cross_entropy(logits, targets, reduction, ignore_index)
    return ref.cross_entropy(logits, targets, "mean", ignore_index)


@catalogue.mistake("returns loss.item(), a Python float", hint="return the tensor: backward needs it")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    loss = ref.cross_entropy(logits, targets, reduction, ignore_index)
    return loss.item() if loss.dim() == 0 else loss


@catalogue.mistake("a Python loop over the positions", expect="not-vectorised",
                   hint="gather picks every position's target log-probability at once")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    _check(reduction)
    log_probs = ref.log_softmax(logits).reshape(-1, logits.shape[-1])
    flat = targets.reshape(-1)
    rows = [-log_probs[i, max(t, 0)] * (t != ignore_index) for i, t in enumerate(flat.tolist())]
    losses = (torch.stack(rows) if rows else log_probs[:0, 0]).reshape(targets.shape)  # stack refuses []
    return _reduce(losses, targets != ignore_index, reduction)


@catalogue.mistake("calls F.cross_entropy", expect="forbidden-op", hint="build it from your log_softmax")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    flat = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction=reduction,
                           ignore_index=ignore_index)
    return flat.reshape(targets.shape) if reduction == "none" else flat


# ---------------------------------------------------------------- cross_entropy: alternatives

@catalogue.alternative("one-hot sum over the classes, and a mask product instead of torch.where")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    _check(reduction)
    keep = targets != ignore_index
    one_hot = F.one_hot(targets * keep, logits.shape[-1]).to(logits.dtype)
    losses = -(ref.log_softmax(logits) * one_hot).sum(-1) * keep
    if reduction == "none":
        return losses
    total = losses.sum()
    return total if reduction == "sum" else total / keep.sum()


@catalogue.alternative("advanced indexing on the flattened positions, logits[arange(N), target]")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):
    _check(reduction)
    classes = logits.shape[-1]
    log_probs = ref.log_softmax(logits).reshape(-1, classes)
    flat = targets.reshape(-1)
    keep = flat != ignore_index
    picked = log_probs[torch.arange(flat.numel(), device=flat.device), flat.clamp(0, classes - 1)]
    losses = torch.where(keep, -picked, torch.zeros_like(picked)).reshape(targets.shape)
    if reduction == "none":
        return losses
    return losses.sum() / (keep.sum() if reduction == "mean" else 1)


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.mistake("cross_entropy zeroes ignored positions with torch.zeros(shape), a float32 tensor",
                   hint="torch.where(keep, -picked, 0.0) keeps the logits' dtype")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):  # noqa: F811
    _check(reduction)
    keep = targets != ignore_index
    picked = ref.log_softmax(logits).gather(-1, torch.where(keep, targets, 0).unsqueeze(-1)).squeeze(-1)
    losses = torch.where(keep, -picked, torch.zeros(targets.shape))
    return _reduce(losses, keep, reduction)


@catalogue.mistake("cross_entropy gathers along dim 1, which is the classes only for 2-D logits",
                   hint="the classes are on the last dim: gather(-1, ...)")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):  # noqa: F811
    _check(reduction)
    keep = targets != ignore_index
    log_probs = ref.log_softmax(logits)
    dim = 1 if logits.dim() > 1 else 0
    picked = log_probs.gather(dim, torch.where(keep, targets, 0).unsqueeze(dim)).squeeze(dim)
    losses = torch.where(keep, -picked, 0.0)
    return _reduce(losses, keep, reduction)


@catalogue.alternative("log_softmax in float64, cast back")
def log_softmax(x, dim=-1):  # noqa: F811
    return ref.log_softmax(x.double(), dim).to(x.dtype)


@catalogue.alternative("cross_entropy with torch.take_along_dim, clamped targets and a boolean-mask mean")
def cross_entropy(logits, targets, reduction="mean", ignore_index=-100):  # noqa: F811
    if reduction not in {"none", "sum", "mean"}:
        raise ValueError(reduction)
    keep = targets.ne(ignore_index)
    index = targets.clamp(0, logits.shape[-1] - 1).unsqueeze(-1)
    nll = -torch.take_along_dim(ref.log_softmax(logits, -1), index, dim=-1).squeeze(-1)
    nll = nll.masked_fill(~keep, 0.0)
    if reduction == "none":
        return nll
    if reduction == "sum":
        return nll.sum()
    return nll[keep].mean()          # the mean of nothing is nan, as F.cross_entropy says
