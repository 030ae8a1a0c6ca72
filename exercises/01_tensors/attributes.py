# 01_tensors/attributes: Shape, dtype and device: float parameters and int64 token ids
# Chapter 01_tensors: Tensors: creation, attributes, shapes, devices and precision
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/01_tensors/attributes.py
#   stuck?             kata hint 01_tensors/attributes NAME    (each call shows one more hint)
#   start over:        kata reset 01_tensors/attributes   (your current file is backed up first)

"""What a tensor knows about itself: shape, dtype and device.

Three attributes describe every tensor, and most bugs show up in one of them first:

    x = torch.randn(2, 3)
    x.shape     # torch.Size([2, 3])  a tuple: 2 rows, 3 columns (x.size() says the same)
    x.dtype     # torch.float32       the type of every element
    x.device    # device(type='cpu')  where the numbers live: cpu, cuda, mps, ...

`x.shape` is a `torch.Size`, which is a tuple, so `rows, cols = x.shape` works. `x.ndim` is
its length and `x.numel()` the product of its sizes. Printing these three attributes is
the first thing to do when an error message mentions sizes, types or devices.

Two dtypes matter most, for two kinds of data.

Parameters (weights and biases) are floating point, float32 by default. Training moves them
by small fractions of their value, and autograd refuses anything else: asking an integer
tensor for gradients raises "Only Tensors of floating point dtype can require gradients".
A parameter is also a leaf: a tensor you created, not the result of an operation on tracked
tensors, so that backward() fills its `.grad`.

Token ids and class labels are whole numbers and live in int64 (`torch.long`). An embedding
table uses them as row numbers, so for a vocabulary of V tokens every id must lie in
0..V-1, and a language model expects them as a (batch, sequence length) grid:

    ids = torch.tensor([[15, 2, 7], [4, 4, 0]])   # int64, shape (2, 3)

A float id, a single sequence without its batch dim or an id equal to V fails deep inside
the model with a confusing message, or worse, on a GPU, with an asynchronous device error.
Checking ids where they enter, and raising a ValueError that says exactly what is wrong, turns
that into a one-line fix.
"""
import torch


def tensor_facts(x: torch.Tensor) -> tuple:
    """The three facts every tensor carries.

    Args:
        x: any tensor (0-d, empty and non-contiguous included), any dtype.

    Returns:
        (shape, dtype, device): shape as a tuple of ints (a torch.Size is one), dtype as a
        torch.dtype and device as a torch.device, all exactly as x reports them. x is left
        unchanged.

    Loops: allowed (there is nothing to loop over).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/attributes: tensor_facts is not implemented yet; stuck? run `kata hint 01_tensors/attributes tensor_facts`")


def validate_token_ids(ids: torch.Tensor, vocab_size: int) -> None:
    """Check that ids is a batch of token ids an embedding of vocab_size rows can look up.

    Args:
        ids: a tensor of any dtype, shape and layout.
        vocab_size: a positive int, the number of tokens in the vocabulary.

    Returns:
        None when ids is valid: its dtype is torch.int64, it has exactly 2 dims
        (batch, sequence length), and every id lies in [0, vocab_size). An empty batch (a
        size of 0 in either dim) is valid. ids is left unchanged.

    Raises:
        ValueError when any of those conditions fails: another dtype (float, int32, bool,
        even when the values are whole numbers), another number of dims, or an id below 0
        or at or above vocab_size.

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/attributes: validate_token_ids is not implemented yet; stuck? run `kata hint 01_tensors/attributes validate_token_ids`")


def as_parameter(values: torch.Tensor) -> torch.Tensor:
    """A trainable copy of values: a floating-point leaf tensor that requires grad.

    Args:
        values: a tensor of any shape and any real dtype (bool, integer or floating); it may
            itself require grad. It is left unchanged.

    Returns:
        A new tensor with values' shape, device and numbers, whose requires_grad is True and
        which is a leaf (no grad_fn), so backward() will fill its .grad. It owns its memory:
        it never shares storage with values. A plain tensor or an nn.Parameter.

    Dtype: same as values when values is floating (float16 and bfloat16 included); float32
        for bool and integer values.
    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/attributes: as_parameter is not implemented yet; stuck? run `kata hint 01_tensors/attributes as_parameter`")
