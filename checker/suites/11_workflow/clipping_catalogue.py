"""Mistake catalogue for 11_workflow/clipping. Entries spell out the whole function, as learners
write it; `grads_of` is only the list comprehension every version starts with."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


def grads_of(params):
    return [p.grad for p in params if p.grad is not None]


def global_norm(grads):
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))


# ---------------------------------------------------------------- mistakes

@catalogue.mistake("multiplies by max_norm / total even when the norm is under the limit (no clamp at 1)",
                   hint="clamp the coefficient: torch.clamp(coef, max=1.0)")
def clip_grad_norm_(params, max_norm):
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    total = global_norm(grads)
    for g in grads:
        g.mul_(max_norm / (total + 1e-6))
    return total


@catalogue.mistake("clips each gradient by its own norm instead of by the global norm",
                   hint="one norm over all gradients laid end to end, one coefficient for all")
def clip_grad_norm_(params, max_norm):  # noqa: F811 - each entry is separate
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    for g in grads:
        g.mul_(torch.clamp(max_norm / (torch.linalg.vector_norm(g) + 1e-6), max=1.0))
    return global_norm(grads)


@catalogue.mistake("returns the norm after clipping instead of before", hint="return the total measured first")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    coef = torch.clamp(max_norm / (global_norm(grads) + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
    return global_norm(grads)


@catalogue.mistake("divides by the bare total, without the + 1e-6", hint="coef = max_norm / (total + 1e-6)")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    total = global_norm(grads)
    coef = torch.clamp(max_norm / total, max=1.0)
    for g in grads:
        g.mul_(coef)
    return total


@catalogue.mistake("adds up the per-tensor norms instead of taking the norm of all entries",
                   hint="the global norm is sqrt(sum of squares): the norm of the per-tensor norms")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    total = sum(torch.linalg.vector_norm(g) for g in grads)
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
    return total


@catalogue.mistake("averages the squares (.mean()) instead of summing them",
                   hint="sum the squares of every entry, then take the square root")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    total = torch.cat([g.flatten() for g in grads]).pow(2).mean().sqrt()
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
    return total


@catalogue.mistake("calls torch.nn.utils.clip_grad_norm_", expect="forbidden-op",
                   hint="build it from vector_norm, clamp and mul_")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    return torch.nn.utils.clip_grad_norm_(params, max_norm)


@catalogue.mistake("returns the norm as a Python float (.item())", hint="return the 0-d tensor")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = grads_of(params)
    if not grads:
        return 0.0
    total = global_norm(grads)
    for g in grads:
        g.mul_(torch.clamp(max_norm / (total + 1e-6), max=1.0))
    return total.item()


@catalogue.mistake("decides with a Python `if` on the norm, which needs its value on the CPU",
                   hint="clamp the coefficient at 1 and always multiply")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    total = global_norm(grads)
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / (total + 1e-6))
    return total


@catalogue.mistake("sums the squares in the gradients' own dtype, which overflows in float16",
                   hint="torch.linalg.vector_norm accumulates in float32 for you")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    total = sum((g * g).sum() for g in grads).sqrt()
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
    return total


@catalogue.mistake("does not skip tensors whose .grad is None", hint="keep only the p.grad that are not None")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = [p.grad for p in params]
    if not grads:
        return torch.tensor(0.0)
    total = global_norm(grads)
    for g in grads:
        g.mul_(torch.clamp(max_norm / (total + 1e-6), max=1.0))
    return total


@catalogue.mistake("reads params twice: the second pass over model.parameters() finds nothing to scale",
                   hint="turn params into a list first: params = list(params)")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = grads_of(params)
    if not grads:
        return torch.tensor(0.0)
    total = global_norm(grads)
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for p in params:
        if p.grad is not None:
            p.grad.mul_(coef)
    return total


@catalogue.mistake("replaces p.grad with a new tensor (p.grad = p.grad * coef) instead of scaling it in place",
                   hint="scale in place: p.grad.mul_(coef)")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    params = [p for p in params if p.grad is not None]
    if not params:
        return torch.tensor(0.0)
    total = global_norm([p.grad for p in params])
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for p in params:
        p.grad = p.grad * coef
    return total


@catalogue.mistake("scales the parameters instead of their gradients", hint="multiply p.grad, never p")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    params = [p for p in params if p.grad is not None]
    if not params:
        return torch.tensor(0.0)
    total = global_norm([p.grad for p in params])
    with torch.no_grad():
        for p in params:
            p.mul_(torch.clamp(max_norm / (total + 1e-6), max=1.0))
    return total


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("one long vector from torch.cat, accumulated in float32, and torch.minimum for the clamp")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = [p.grad for p in list(params) if p.grad is not None]
    if len(grads) == 0:
        return torch.tensor(0.0)
    flat = torch.cat([g.reshape(-1).float() for g in grads])
    total = flat.pow(2).sum().sqrt().to(grads[0].dtype)
    coef = torch.minimum(max_norm / (total + 1e-6), torch.ones_like(total))
    for g in grads:
        g.mul_(coef.to(g.dtype))
    return total


@catalogue.alternative("per-tensor squared norms in float64, torch.where for the coefficient")
def clip_grad_norm_(params, max_norm):  # noqa: F811
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    squares = torch.stack([g.double().square().sum() for g in grads]).sum()
    total = squares.sqrt()
    coef = max_norm / (total + 1e-6)
    coef = torch.where(coef < 1, coef, torch.ones_like(coef))
    for g in grads:
        g.mul_(coef.to(g.dtype))
    return total.to(grads[0].dtype)

