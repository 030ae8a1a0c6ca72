# 01_tensors/shapes: Reshaping: view, reshape, squeeze, flatten and attention heads
# Chapter 01_tensors: Tensors: creation, attributes, shapes, devices and precision
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/01_tensors/shapes.py
#   stuck?             kata hint 01_tensors/shapes NAME    (each call shows one more hint)
#   start over:        kata reset 01_tensors/shapes   (your current file is backed up first)

"""Changing a tensor's shape without changing its numbers.

A tensor is one flat run of numbers in memory plus a recipe for reading it as rows, columns
and so on: the shape, and a stride per dim saying how far to jump in memory to take one step
along that dim. Many shape changes only write a new recipe, so they are free and share memory
with the original:

    x = torch.arange(6)          # [0, 1, 2, 3, 4, 5]
    x.view(2, 3)                 # [[0, 1, 2], [3, 4, 5]]  same memory, read in rows of 3
    x.view(2, -1)                # -1: work this size out from the others (3 here)
    x.view(2, 3).unsqueeze(0)    # shape (1, 2, 3): a new dim of size 1 at position 0
    x.view(1, 6).squeeze(0)      # shape (6,): drop the size-1 dim 0
    torch.zeros(8, 3, 4, 4).flatten(1)   # shape (8, 48): merge every dim from 1 on

Reading order is row-major: the last dim moves fastest. Reshaping keeps that order, so
`x.view(3, 2)` is [[0, 1], [2, 3], [4, 5]], never a transpose.

`squeeze()` with no argument drops every size-1 dim. With a batch of one image, or an image
one pixel tall, that removes dims you meant to keep; say which dim: `squeeze(1)`.

Contiguity. `x.T`, `transpose` and `permute` also only rewrite strides, so afterwards the
elements are no longer stored in the order the new shape reads them: the tensor is not
contiguous (`x.is_contiguous()` is False). `view` never copies, so it refuses any shape that
would need the numbers in another order, with "view size is not compatible with input tensor's
size and stride". Two ways out: `reshape`, which views when it can and copies when it must, or
`.contiguous()` first, which makes a copy in the current reading order. `flatten` copies when
it must too.

Attention heads use all of this. A Transformer keeps each token's features as one vector of
size H*D, but attends with H heads of size D each, so the (B, T, H*D) activations are cut into
heads, and the heads moved next to the batch dim:

    (B, T, H*D) --view--> (B, T, H, D) --transpose(1, 2)--> (B, H, T, D)

and put back afterwards with the reverse steps. After that transpose the tensor is not
contiguous, so the merge back needs `reshape` (or `.contiguous().view`).
"""
import torch


def flatten_images(x: torch.Tensor) -> torch.Tensor:
    """Turn a batch of images into a batch of vectors, as a linear layer wants them.

    Args:
        x: shape (B, C, H, W), any dtype, possibly non-contiguous; any size may be 0.

    Returns:
        Shape (B, C*H*W): row b holds x[b] read in (C, H, W) order, so
        out[b, (c*H + h)*W + w] == x[b, c, h, w]. Differentiable; x is left unchanged.

    Dtype: same as x (float16 and bfloat16 included).
    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/shapes: flatten_images is not implemented yet; stuck? run `kata hint 01_tensors/shapes flatten_images`")


def add_channel_dim(x: torch.Tensor) -> torch.Tensor:
    """Give a batch of single-channel images its channel dim.

    Args:
        x: shape (B, H, W), any dtype, possibly non-contiguous.

    Returns:
        Shape (B, 1, H, W) with out[b, 0] == x[b]. Differentiable; x is left unchanged.

    Dtype: same as x (float16 and bfloat16 included).
    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/shapes: add_channel_dim is not implemented yet; stuck? run `kata hint 01_tensors/shapes add_channel_dim`")


def remove_channel_dim(x: torch.Tensor) -> torch.Tensor:
    """Drop the channel dim of a batch of single-channel images.

    Args:
        x: shape (B, 1, H, W), any dtype, possibly non-contiguous. B, H and W may be 1 too,
            and those dims must stay.

    Returns:
        Shape (B, H, W) with out[b] == x[b, 0]. Differentiable; x is left unchanged.

    Dtype: same as x (float16 and bfloat16 included).
    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/shapes: remove_channel_dim is not implemented yet; stuck? run `kata hint 01_tensors/shapes remove_channel_dim`")


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Cut each token's features into attention heads and move the heads before time.

    Args:
        x: shape (B, T, E), any dtype, possibly non-contiguous, where E = num_heads * D.
        num_heads: a positive int H.

    Returns:
        Shape (B, H, T, D) with out[b, h, t, d] == x[b, t, h*D + d]: head h owns features
        h*D to h*D + D - 1 of every token. Differentiable; x is left unchanged.

    Raises:
        ValueError if E is not a multiple of num_heads.

    Dtype: same as x (float16 and bfloat16 included).
    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/shapes: split_heads is not implemented yet; stuck? run `kata hint 01_tensors/shapes split_heads`")


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """Undo split_heads: put the heads of every token side by side again.

    Args:
        x: shape (B, H, T, D), any dtype, possibly non-contiguous (typically the output of
            split_heads or of attention).

    Returns:
        Shape (B, T, H*D) with out[b, t, h*D + d] == x[b, h, t, d], so that
        merge_heads(split_heads(y, H)) equals y. Differentiable; x is left unchanged.

    Dtype: same as x (float16 and bfloat16 included).
    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/shapes: merge_heads is not implemented yet; stuck? run `kata hint 01_tensors/shapes merge_heads`")
