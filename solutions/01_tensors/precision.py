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
    # BEGIN SOLUTION
    # hint: A tensor can tell you: make an empty (or 0-d) tensor of that dtype and ask for its
    #   element_size(). A table works too, if it covers every dtype listed.
    # hint: torch.empty((), dtype=dtype).element_size() is an int already. Careful with
    #   torch.finfo(dtype).bits: that counts bits, and it knows floating dtypes only.
    return torch.empty((), dtype=dtype).element_size()
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Every parameter contributes numel() elements; multiply by the bytes of one element
    #   and add up. bytes_per_element, above, answers for any dtype.
    # hint: With dtype=None use each parameter's own p.element_size(); otherwise the size of
    #   dtype. Read only numel() and dtype: on the meta device there are no values to read.
    total = 0
    for p in model.parameters():
        size = p.element_size() if dtype is None else bytes_per_element(dtype)
        total += p.numel() * size
    return total
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Decide entry by entry: t.is_floating_point() says whether t is one to convert.
    # hint: {name: t.to(dtype) if t.is_floating_point() else t for name, t in ...items()}
    #   keeps the keys in order; integer buffers must not become floats.
    return {name: t.to(dtype) if t.is_floating_point() else t for name, t in state_dict.items()}
    # END SOLUTION
