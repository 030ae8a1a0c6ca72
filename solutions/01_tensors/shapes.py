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
    # BEGIN SOLUTION
    # hint: Keep dim 0 and merge all the others. Mind a batch of size 0: a -1 cannot be
    #   worked out when there are no elements at all.
    # hint: x.flatten(1) (start merging at dim 1) works for every layout and every size;
    #   x.view(B, -1) fails both on non-contiguous input and on an empty batch.
    return x.flatten(1)
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: A new dim of size 1 changes no numbers; the question is only where it goes.
    # hint: x.unsqueeze(1) puts it between the batch dim and the height.
    return x.unsqueeze(1)
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Only dim 1 goes. What would squeeze() without an argument do to a batch of one
    #   image?
    # hint: x.squeeze(1) removes dim 1 and nothing else.
    return x.squeeze(1)
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Two steps: first split the last dim into (H, D) so the shape is (B, T, H, D),
    #   then swap the T and H dims.
    # hint: x.view(B, T, H, D).transpose(1, 2). Viewing straight to (B, H, T, D) has the
    #   right shape but mixes tokens and heads up. Check E % num_heads first.
    B, T, E = x.shape
    if E % num_heads:
        raise ValueError(f"{E} features cannot be split into {num_heads} equal heads")
    return x.view(B, T, num_heads, E // num_heads).transpose(1, 2)
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Reverse the two steps of split_heads in reverse order: swap H and T back, then
    #   merge the last two dims.
    # hint: After transpose(1, 2) the numbers are no longer stored in reading order, so
    #   view cannot merge them; use reshape, or .contiguous() before view.
    B, H, T, D = x.shape
    return x.transpose(1, 2).reshape(B, T, H * D)
    # END SOLUTION
