# 04_indexing/gather: Per-row lookups with torch.gather
# Chapter 04_indexing: Indexing and selection
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/04_indexing/gather.py
#   stuck?             kata hint 04_indexing/gather NAME    (each call shows one more hint)
#   start over:        kata reset 04_indexing/gather   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   gather_2d:
#       torch.gather, torch.Tensor.gather, torch.take_along_dim, torch.Tensor.take_along_dim

"""Per-row lookups with torch.gather.

Plain indexing picks the same column for every row: `data[:, 2]`. Often each row needs a
different column: the correct class of each example, the chosen action of each step, the
target token at each position. `torch.gather(data, dim, index)` does that lookup in one
vectorised call. The output has the shape of `index`, and along `dim` each index entry says
where to read from:

    dim=1:  out[i][j] = data[i][index[i][j]]
    dim=0:  out[i][j] = data[index[i][j]][j]

The guide's example picks one score per row:

    >>> data = torch.tensor([[10., 11., 12.], [13., 14., 15.], [16., 17., 18.]])
    >>> torch.gather(data, 1, torch.tensor([[0], [2], [1]]))
    tensor([[10.], [15.], [17.]])

`index` may be smaller than `data` along any dim; it must be int64 and have as many dims as
`data`. In language models the same lookup reads the log-probability of each target token
out of a (batch, time, vocabulary) tensor.
"""
import torch


def pick_per_row(data: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """Pick one entry per row.

    Args:
        data: (N, M) tensor of any dtype.
        cols: (N, 1) int64 tensor; row i asks for column cols[i, 0].

    Returns:
        (N, 1) tensor, same dtype and device as data, with out[i, 0] = data[i, cols[i, 0]].
        Differentiable with respect to data.

    Loops: not allowed.
    Dtype: same as data (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/gather: pick_per_row is not implemented yet; stuck? run `kata hint 04_indexing/gather pick_per_row`")


def gather_2d(data: torch.Tensor, dim: int, index: torch.Tensor) -> torch.Tensor:
    """Rebuild torch.gather for 2-D tensors, without gather.

    Args:
        data: (R, C) tensor of any dtype.
        dim: 0, 1, -1 or -2; the dim along which index picks.
        index: 2-D int64 tensor. Along `dim` its entries are positions in data; along the
            other dim its size may be smaller than data's (the lookup then reads the leading
            part of data).

    Returns:
        A tensor shaped like index, same dtype and device as data, equal to
        torch.gather(data, dim, index). Differentiable with respect to data.

    Loops: not allowed.
    Dtype: same as data (float16 and bfloat16 included).
    Forbidden: torch.gather, Tensor.gather, torch.take_along_dim, Tensor.take_along_dim.
    """
    raise NotImplementedError("04_indexing/gather: gather_2d is not implemented yet; stuck? run `kata hint 04_indexing/gather gather_2d`")


def token_log_probs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The log-probability a language model gives to each target token.

    Args:
        logits: (B, T, V) float tensor of unnormalised scores over a vocabulary of V tokens.
        targets: (B, T) int64 tensor of token ids in [0, V).

    Returns:
        (B, T) tensor with out[b, t] = log softmax(logits[b, t])[targets[b, t]], same dtype
        and device as logits. It must stay finite and accurate when logits differ by 1000 or
        more, and be differentiable with respect to logits.

    Loops: not allowed.
    Dtype: same as logits (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/gather: token_log_probs is not implemented yet; stuck? run `kata hint 04_indexing/gather token_log_probs`")
