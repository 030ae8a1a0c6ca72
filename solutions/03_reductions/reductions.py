"""Reductions and the `dim` argument: which axis collapses.

A reduction (sum, mean, max, ...) turns many numbers into fewer. With no `dim` it folds the
whole tensor into one number; with `dim=d` only axis d disappears and every other axis stays.
Picture a table of scores with one row per student and one column per assignment:

    scores = torch.tensor([[10., 20., 30.],    # student 1
                           [ 5., 10., 15.]])   # student 2
    scores.sum()        # tensor(90.)                  everything at once
    scores.sum(dim=0)   # tensor([15., 30., 45.])      the student axis goes: one total per assignment
    scores.sum(dim=1)   # tensor([60., 30.])           the assignment axis goes: one total per student
    scores.sum(dim=1, keepdim=True).shape   # (2, 1)   keepdim leaves a size-1 axis in its place

So read `dim` as "the axis I am adding along", not "the axis I want to keep".
Negative dims count from the end: for a 2-D table dim=-1 is dim=1.

Two reductions need more care. A masked mean averages only the entries a boolean mask selects,
so it divides by how many were selected (and must decide what an empty selection means). And
log(sum(exp(x))) overflows in float32 as soon as an entry passes about 88, because exp(89)
is already too big. Subtracting the largest entry m first fixes it without changing the answer:
log(sum(exp(x))) = m + log(sum(exp(x - m))), and now every exponent is <= 0.

No Python loops in this kata: each function is a handful of whole-tensor operations.
"""
import torch


def column_sums(scores: torch.Tensor) -> torch.Tensor:
    """Total of each column of a 2-D table (one total per assignment).

    Args:
        scores: shape (S, A), any numeric dtype.

    Returns:
        Shape (A,): entry j is the sum of scores[:, j]. The dtype is whatever `torch.sum`
        gives for the input (float stays float; integer and bool inputs give int64).
        Stays on the input's device and keeps the autograd graph.

    Loops: not allowed.
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: The `dim` you pass is the axis that disappears: a (students, assignments) table
    #   summed over dim=0 leaves one number per assignment.
    # hint: One call does it: scores.sum(dim=0).
    # Summing over dim 0 collapses the rows (students) and leaves one number per column.
    return scores.sum(dim=0)
    # END SOLUTION


def row_sums(scores: torch.Tensor) -> torch.Tensor:
    """Total of each row of a 2-D table (one total per student).

    Args:
        scores: shape (S, A), any numeric dtype.

    Returns:
        Shape (S,), not (S, 1): entry i is the sum of scores[i, :]. Dtype as `torch.sum`
        gives, same device, keeps the autograd graph.

    Loops: not allowed.
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Which axis must disappear to leave one total per student: the rows or the columns?
    # hint: Sum over dim=1 without keepdim, so the result is (S,) rather than (S, 1).
    return scores.sum(dim=1)
    # END SOLUTION


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    """Mean over `dim` of only the entries of `x` where `mask` is True.

    Args:
        x: a floating-point tensor of any shape.
        mask: a bool tensor with the same shape as x; True marks an entry to include.
        dim: the axis to average over; negative values count from the end.

    Returns:
        x's shape with `dim` removed, x's dtype and device. Where the mask selects
        nothing along `dim`, the result is 0 (not NaN). Gradients flow back to x: each
        selected entry receives 1 / (number selected), masked-out entries receive 0.
        Neither input is modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Turn the mask into numbers with mask.to(x.dtype): 1 where an entry counts and 0
    #   where it does not.
    # hint: Sum x * mask and the mask itself over dim, then divide the first by the second
    #   clamped to at least 1, so an empty selection gives 0 instead of NaN.
    # As numbers, the mask is 1.0 where an entry counts and 0.0 where it does not.
    weights = mask.to(x.dtype)
    total = (x * weights).sum(dim=dim)
    count = weights.sum(dim=dim)
    # An empty selection has total 0 and count 0; dividing by at least 1 turns 0/0 into 0.
    return total / count.clamp(min=1)
    # END SOLUTION


def logsumexp(x: torch.Tensor, dim: int) -> torch.Tensor:
    """log(sum(exp(x))) over `dim`, computed so that it never overflows.

    Args:
        x: a floating-point tensor of any shape with finite entries.
        dim: the axis to reduce; negative values count from the end.

    Returns:
        x's shape with `dim` removed, x's dtype and device. The result stays finite and
        accurate for entries as large as 1e4 (or as small as -1e4) in float32, where exp()
        alone would give inf or 0. Gradients flow back to x.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: torch.logsumexp, Tensor.logsumexp, torch.special.logsumexp,
        torch.logcumsumexp, Tensor.logcumsumexp, torch.softmax, Tensor.softmax, F.softmax,
        torch.log_softmax, Tensor.log_softmax, F.log_softmax, torch.special.softmax,
        torch.special.log_softmax, F.softmin, F.cross_entropy (they do the stable part for you)
    """
    # BEGIN SOLUTION
    # hint: exp() overflows past about 88 in float32, so shift every slice first: subtracting
    #   a constant c gives log(sum(exp(x))) = c + log(sum(exp(x - c))).
    # hint: Take m = x.amax(dim, keepdim=True); the answer is m.squeeze(dim) + log(sum(exp(x -
    #   m)) over dim).
    # Shift every slice by its own largest entry so the biggest exponent is exp(0) = 1.
    m = x.amax(dim=dim, keepdim=True)
    shifted_sum = torch.exp(x - m).sum(dim=dim)
    # Add the shift back; squeeze m so it loses `dim` just like the sum did.
    return m.squeeze(dim) + torch.log(shifted_sum)
    # END SOLUTION
