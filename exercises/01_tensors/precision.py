# 01_tensors/precision: Precision and memory: bytes per element, model sizes, casting
# Chapter 01_tensors: Tensors: creation, attributes, shapes, devices and precision
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/01_tensors/precision.py
#   stuck?             kata hint 01_tensors/precision NAME    (each call shows one more hint)
#   start over:        kata reset 01_tensors/precision   (your current file is backed up first)

"""Precision: how many bytes a number takes, and what a model costs in memory.

Every element of a tensor takes a fixed number of bytes, set by its dtype:

    dtype               bytes   what it holds
    float64 (double)      8     slow on most GPUs and seldom needed in deep learning
    float32 (float)       4     the default for parameters
    bfloat16              2     float32's range (8 exponent bits), only 2 to 3 significant digits
    float16 (half)        2     more digits (10 mantissa bits) but a tiny range: max 65504
    int64 (long)          8     token ids, class labels, counters
    int32 / int16         4 / 2
    int8 / uint8 / bool   1

`x.element_size()` gives the bytes of one element of x, and `x.numel() * x.element_size()`
(also `x.nbytes`) the bytes of its data. Only the element count and the dtype matter: a
model's parameter memory is its number of parameters times the bytes per parameter. That
simple product is why precision matters for language models. Llama 3 8B has about 8.0e9
parameters, so its weights alone take about 32 GB in float32, 16 GB in bfloat16 or float16 and
8 GB in int8, before any activations, gradients or optimizer state.

You do not need that memory to do the arithmetic. On the meta device a layer has shapes and
dtypes but no storage, so

    head = torch.nn.Linear(4096, 128256, bias=False, device="meta")

costs nothing, and its 525,336,576 parameters can still be counted. Code that only reads
`numel()`, `dtype` and `element_size()` works there; code that looks at the values (`.cpu()`,
`.tolist()`, `.item()`) cannot, since there are none.

Casting a model. `model.to(torch.bfloat16)` (or `.half()`) converts the floating-point
parameters and buffers and leaves the rest alone: integer buffers such as BatchNorm's
`num_batches_tracked` counter or a table of position ids stay integers. That matters, because
a low-precision float cannot hold every whole number: bfloat16 rounds 257 to 256, so position
ids cast to bfloat16 would silently repeat. A checkpoint's state_dict needs the same care when
it is converted by hand.
"""
import torch
from torch import nn


def bytes_per_element(dtype: torch.dtype) -> int:
    """How many bytes one element of the given dtype takes.

    Args:
        dtype: one of torch.float64, float32, bfloat16, float16, int64, int32, int16, int8,
            uint8 and bool.

    Returns:
        A Python int: 8 for float64 and int64, 4 for float32 and int32, 2 for bfloat16,
        float16 and int16, 1 for int8, uint8 and bool.

    Loops: allowed (there is nothing to loop over).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/precision: bytes_per_element is not implemented yet; stuck? run `kata hint 01_tensors/precision bytes_per_element`")


def parameter_bytes(model: nn.Module, dtype: torch.dtype | None = None) -> int:
    """The memory a model's parameters take, in bytes, without touching their values.

    Args:
        model: an nn.Module on any device, the meta device included (where its parameters
            have no data), of any size; frozen parameters (requires_grad=False) count too.
        dtype: the dtype to price every parameter in (for instance torch.bfloat16, to ask
            what the model would take after casting); None (the default) prices each
            parameter in its own dtype.

    Returns:
        A Python int: the sum over model.parameters() of numel times the bytes of one
        element. Exact even beyond 2**31 bytes.

    Loops: allowed (over the parameters).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/precision: parameter_bytes is not implemented yet; stuck? run `kata hint 01_tensors/precision parameter_bytes`")


def cast_floating(state_dict: dict, dtype: torch.dtype) -> dict:
    """Convert a model's floating-point tensors to dtype, as model.to(dtype) would.

    Args:
        state_dict: a dict from names to tensors (parameters and buffers of a model, as
            model.state_dict() gives them), of any dtypes and devices.
        dtype: a floating dtype: torch.float64, float32, bfloat16 or float16.

    Returns:
        A new dict with the same keys in the same order. Each floating-point tensor t becomes
        t.to(dtype), rounded as .to rounds; every other tensor (integers, bools) is kept with
        its dtype and values. Devices do not change. The tensors in state_dict are left
        unchanged.

    Loops: allowed (over the entries).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/precision: cast_floating is not implemented yet; stuck? run `kata hint 01_tensors/precision cast_floating`")
