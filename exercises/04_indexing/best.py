# 04_indexing/best: argmax and topk: the best items, accuracy and top-k accuracy
# Chapter 04_indexing: Indexing and selection
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/04_indexing/best.py
#   stuck?             kata hint 04_indexing/best NAME    (each call shows one more hint)
#   start over:        kata reset 04_indexing/best   (your current file is backed up first)

"""argmax and topk: finding the best items, and scoring a classifier with them.

A model's output is usually a table of scores, one row per example and one column per
candidate (a class, a token, a product). Two questions come up again and again: which
column wins, and which few columns come first?

    scores = torch.tensor([[10, 0, 5, 20, 1],
                           [ 1, 30, 2, 5, 0]])
    torch.argmax(scores, dim=1)         # tensor([3, 1]): the column of each row's maximum
    values, indices = torch.topk(scores, k=3, dim=1)
    # values  = [[20, 10, 5], [30, 5, 2]]  the 3 largest scores, largest first
    # indices = [[ 3,  0, 2], [ 1, 3, 2]]  and where they sit in the row

argmax gives positions only (int64) and drops the dim it searched. topk gives both the
values, which keep the scores' dtype and carry gradients back to them, and the int64
positions. Like every reduction, pick the dim you search along: dim=1 searches within a row.

Ties. When a row's maximum appears more than once, argmax returns the first (lowest)
position; PyTorch documents this. topk makes no such promise: among equal scores it may list
the positions in any order, so code that needs a fixed order among ties must impose it.

Accuracy. A classifier's prediction for a row is the argmax of its logits (softmax does not
change which entry is largest), and accuracy is the fraction of rows whose prediction equals
the true class. Comparing gives a bool tensor; turn it into numbers before taking the mean.
Top-k accuracy is more forgiving: a row counts when its true class is anywhere among the k
highest logits. It is the usual score for tasks with many plausible answers, such as
ImageNet's "top-5".
"""
import torch


def best_item(scores: torch.Tensor) -> torch.Tensor:
    """The column of each row's highest score.

    Args:
        scores: (N, C) tensor of any real dtype, C >= 1.

    Returns:
        (N,) int64 tensor on scores' device: entry i is the column of row i's maximum. When
        the maximum appears more than once in a row, the lowest such column.

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/best: best_item is not implemented yet; stuck? run `kata hint 04_indexing/best best_item`")


def top_k(scores: torch.Tensor, k: int):
    """The k highest scores of each row, with their columns.

    Args:
        scores: (N, C) tensor of any real dtype.
        k: how many to keep, 0 <= k <= C.

    Returns:
        A plain tuple (values, indices), both of shape (N, k), on scores' device:
        values[i] holds row i's k largest scores from largest to smallest, in scores' dtype,
        and differentiable with respect to scores; indices (int64) holds their columns, so
        scores[i, indices[i, j]] == values[i, j]. Among equal scores the columns may come in
        any order, but each column appears at most once per row.

    Loops: not allowed.
    Dtype: same as scores (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/best: top_k is not implemented yet; stuck? run `kata hint 04_indexing/best top_k`")


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """The fraction of rows whose highest logit sits at the true class.

    Args:
        logits: (N, C) floating-point tensor of class scores, N >= 1.
        targets: (N,) int64 tensor of true classes in [0, C).

    Returns:
        A Python float in [0, 1]. A row's prediction is its argmax, so on a tie the lowest
        tied column is the prediction.

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/best: accuracy is not implemented yet; stuck? run `kata hint 04_indexing/best accuracy`")


def top_k_accuracy(logits: torch.Tensor, targets: torch.Tensor, k: int) -> float:
    """The fraction of rows whose true class is among the k highest logits.

    Args:
        logits: (N, C) floating-point tensor of class scores, N >= 1; within a row no two
            scores are equal, so the k highest are never ambiguous.
        targets: (N,) int64 tensor of true classes in [0, C).
        k: 1 <= k <= C.

    Returns:
        A Python float in [0, 1]; with k == 1 it equals accuracy(logits, targets).

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/best: top_k_accuracy is not implemented yet; stuck? run `kata hint 04_indexing/best top_k_accuracy`")
