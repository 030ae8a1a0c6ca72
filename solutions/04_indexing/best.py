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
    # BEGIN SOLUTION
    # hint: torch.argmax returns positions; its dim says where to search.
    # hint: torch.argmax(scores, dim=1) searches along each row and already returns the first
    #   position of a tied maximum.
    return torch.argmax(scores, dim=1)
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: torch.topk(scores, k, dim=1) returns a named tuple with .values and .indices,
    #   largest first.
    # hint: Unpack it and return a plain tuple: values, indices = torch.topk(...); then
    #   return values, indices.
    values, indices = torch.topk(scores, k, dim=1)
    return values, indices
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: A row's prediction is its highest-scoring class (best_item finds exactly that);
    #   comparing the predictions with targets gives one bool per row.
    # hint: Turn the bools into floats, take their mean, and return it as a Python number
    #   with .item().
    predictions = logits.argmax(dim=1)
    return (predictions == targets).float().mean().item()
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: torch.topk(logits, k, dim=1).indices lists each row's k best classes as an
    #   (N, k) tensor.
    # hint: Compare it with targets.unsqueeze(1), which is (N, 1) and broadcasts along k;
    #   a row is a hit when any of its k entries matches. Then take the mean as a float.
    best = torch.topk(logits, k, dim=1).indices
    hits = (best == targets.unsqueeze(1)).any(dim=1)
    return hits.float().mean().item()
    # END SOLUTION
