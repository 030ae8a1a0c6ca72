"""Gradient clipping by global norm: a speed limit for the update.

Now and then one batch produces a huge gradient: a rare token, a bad sample, a steep cliff in the
loss surface. A plain step then throws the weights far away, and the loss turns into nan a few
steps later. Clipping caps the size of the step while keeping its direction.

Treat all the gradients of a model as one long vector, laid end to end, and measure its length:

    total = sqrt( sum over every parameter p of sum(p.grad ** 2) )

If total is above a limit max_norm, shrink *every* gradient by the same factor max_norm / total,
so the whole vector gets length max_norm and still points the same way. If it is below, leave
the gradients alone. Two gradients [3, 0] and [0, 4] have total 5; with max_norm = 1 both are
multiplied by 1/5 and become [0.6, 0] and [0, 0.8].

Clipping goes between backward() and the optimizer's step, and the returned total is worth
logging: a total that keeps hitting the limit says the learning rate is too high.

    loss.backward()
    total = clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()

Two details make torch's version robust, and this kata asks for both:
- the factor is max_norm / (total + 1e-6), so an all-zero gradient divides by 1e-6, not by 0;
- it never asks a Python `if` about a tensor. `if total > max_norm:` needs the number on the CPU,
  so a GPU must stop and wait for it (and on the meta device there is no number at all).
  Instead the factor is clamped at 1, torch.clamp(factor, max=1.0), and the gradients are always
  multiplied by it: multiplying by 1 leaves them as they were.

In float16 a gradient entry of 300 squares to 90000, more than float16 can hold (65504), so a
sum of squares taken in half precision overflows to inf. torch.linalg.vector_norm accumulates
in float32 internally and gives the right norm back in float16.
"""
import torch


def clip_grad_norm_(params, max_norm: float) -> torch.Tensor:
    """Scale the gradients of `params`, all together, so their global L2 norm is at most max_norm.

    Args:
        params: an iterable of tensors (leaves with requires_grad=True), all on one device with
            one dtype. Those whose .grad is None are skipped and keep .grad None.
        max_norm: the limit, a positive Python float.

    Let total be the L2 norm of all the gradients laid end to end, and
    coef = max_norm / (total + 1e-6). When coef < 1, every p.grad is multiplied by coef, in
    place (p.grad stays the same tensor object); otherwise the gradients keep their values. The
    parameters themselves are never changed. No Python `if` on a tensor's value: the function
    works on the meta device too. For float16 and bfloat16 gradients the norm must not overflow
    where the true norm fits the dtype.

    Returns:
        total, the norm before clipping: a 0-d tensor with the gradients' dtype and device.
        When no tensor has a gradient, torch.tensor(0.0) (float32, on the CPU), and nothing
        changes.

    Loops: allowed (over the tensors in params, never over their elements).
    Dtype: same as the gradients (float16 and bfloat16 included).
    Forbidden: torch.nn.utils.clip_grad_norm_, torch.nn.utils.clip_grad_norm,
        torch.nn.utils.clip_grads_with_norm_, torch.nn.utils.get_total_norm,
        torch.nn.utils.clip_grad_value_
    """
    # BEGIN SOLUTION
    # hint: Collect the gradients that exist: [p.grad for p in params if p.grad is not None]. With
    #   none, return torch.tensor(0.0).
    # hint: The global norm is the norm of the per-tensor norms: torch.linalg.vector_norm of each
    #   gradient, torch.stack them, and take vector_norm once more (exact in float16 as well).
    # hint: coef = max_norm / (total + 1e-6); clamp it with torch.clamp(coef, max=1.0) and
    #   multiply every gradient in place (g.mul_(coef)) without any `if` on the tensor.
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
    return total
    # END SOLUTION


# ------------------------------------------------------------------------------------------------
# The hidden suite runs your function on parameters it builds here, on the CPU and on the meta
# device, to see which tensors it changes and where its result lives. Leave it as it is.

def clip_report(device: str, max_norm: float) -> dict:
    """Two seeded parameters with gradients on `device`, handed to your clip_grad_norm_ as an
    iterator that can be read only once, as model.parameters() is."""
    generator = torch.Generator().manual_seed(0)
    params = [torch.randn(3, 4, generator=generator).to(device).requires_grad_(),
              torch.randn(5, generator=generator).to(device).requires_grad_()]
    for p in params:
        p.grad = torch.randn(p.shape, generator=generator).to(device)
    grads = [p.grad for p in params]
    try:
        total = clip_grad_norm_(iter(params), max_norm)
    except NotImplementedError:
        raise
    except Exception as error:
        return {"raised": f"{type(error).__name__}: {error}"}
    return {"raised": None, "total": total, "grads": [p.grad for p in params],
            "same_grad_tensors": [p.grad is g for p, g in zip(params, grads)]}
