# 03_reductions/reductions: Reductions over dim: which axis collapses
# Chapter 03_reductions: Reductions and the dim argument
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/03_reductions/reductions.py
#   stuck?             kata hint 03_reductions/reductions NAME    (each call shows one more hint)
#   start over:        kata reset 03_reductions/reductions   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   logsumexp:
#       torch.logsumexp, torch.Tensor.logsumexp, torch.special.logsumexp, torch.logcumsumexp,
#       torch.Tensor.logcumsumexp, torch.softmax, torch.Tensor.softmax,
#       torch.nn.functional.softmax, torch.log_softmax, torch.Tensor.log_softmax,
#       torch.nn.functional.log_softmax, torch.special.softmax, torch.special.log_softmax,
#       torch.nn.functional.softmin, torch.nn.functional.cross_entropy

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
    raise NotImplementedError("03_reductions/reductions: column_sums is not implemented yet; stuck? run `kata hint 03_reductions/reductions column_sums`")


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
    raise NotImplementedError("03_reductions/reductions: row_sums is not implemented yet; stuck? run `kata hint 03_reductions/reductions row_sums`")


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
    raise NotImplementedError("03_reductions/reductions: masked_mean is not implemented yet; stuck? run `kata hint 03_reductions/reductions masked_mean`")


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
    raise NotImplementedError("03_reductions/reductions: logsumexp is not implemented yet; stuck? run `kata hint 03_reductions/reductions logsumexp`")
