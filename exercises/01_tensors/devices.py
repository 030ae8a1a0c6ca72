# 01_tensors/devices: Device-agnostic code: pick a device, move batches, follow the input
# Chapter 01_tensors: Tensors: creation, attributes, shapes, devices and precision
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/01_tensors/devices.py
#   stuck?             kata hint 01_tensors/devices NAME    (each call shows one more hint)
#   start over:        kata reset 01_tensors/devices   (your current file is backed up first)

"""Devices: writing code that runs wherever the hardware is.

Every tensor lives on one device: the CPU, an NVIDIA GPU ("cuda"), an Apple GPU ("mps"), or
"meta", a device with shapes and dtypes but no memory at all (more on it below). Code that
names a device only once, at the top, runs unchanged on a laptop and on a GPU server:

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = model.to(device)
    x = x.to(device)              # .to returns a moved copy: assign it, x itself stays put

Three habits make code device-agnostic.

Choose once, best first. Prefer cuda, then mps (torch.backends.mps.is_available()), then the
CPU, and pass the choice around instead of testing for hardware all over the program.

Move whole batches. A batch is often a dict, tuple or list of tensors, sometimes nested, with
labels or file names mixed in. Move every tensor in it, keep the container types and keys,
and leave the other values alone.

Follow the input. A function that makes new tensors (zeros for a running sum, a mask, position
ids) should create them where its input already is: `torch.zeros(n, device=x.device)`, or a
*_like factory, which copies the device by itself. A hard-coded "cuda", or a global device
variable, breaks the day the function gets a tensor from somewhere else.

The same-device rule. One operation cannot mix devices: adding a CPU tensor to a GPU tensor,
or feeding CPU inputs to a GPU model, raises "Expected all tensors to be on the same device".
A check where the data meets the model turns that into a message that says which tensor is
where.

The meta device makes all of this testable without a GPU. A tensor on "meta" has a shape, a
dtype and a device but no data, so `torch.nn.Linear(4096, 14336, device="meta")` costs no
memory. Code that follows its input keeps making meta tensors from meta inputs; code with a
hard-coded device gives itself away by returning a CPU tensor.
"""
import torch
from torch import nn


def best_device(cuda: bool | None = None, mps: bool | None = None) -> torch.device:
    """The fastest device available: cuda, else mps, else cpu.

    Args:
        cuda: whether CUDA is available; None (the default) asks torch.cuda.is_available().
        mps: whether Apple's MPS is available; None asks torch.backends.mps.is_available().
            Passing True or False answers for torch, to see what another machine would pick.

    Returns:
        torch.device("cuda"), torch.device("mps") or torch.device("cpu"), without a device
        index.

    Loops: allowed (there is nothing to loop over).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/devices: best_device is not implemented yet; stuck? run `kata hint 01_tensors/devices best_device`")


def move_batch(batch, device):
    """A copy of batch with every tensor in it moved to device.

    Args:
        batch: a tensor, or a dict (with str keys), list or tuple holding tensors, other
            values (ints, strings, None) and further dicts, lists and tuples, to any depth.
        device: a torch.device or a device string such as "cuda" or "meta".

    Returns:
        The same structure: a dict keeps its keys in their order, a list stays a list and a
        tuple a tuple; each tensor t becomes t.to(device) (same shape, dtype and values);
        every other value is kept as it is. The tensors in batch are left unchanged.

    Loops: allowed (over the items of each container).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/devices: move_batch is not implemented yet; stuck? run `kata hint 01_tensors/devices move_batch`")


def zeros_like_params(model: nn.Module, dtype: torch.dtype | None = None) -> dict:
    """Zero state for every parameter of model, as an optimizer keeps it (momentum, say).

    Args:
        model: an nn.Module on any device, the meta device included, possibly with frozen
            parameters (requires_grad=False).
        dtype: the dtype of the zeros; None (the default) means each parameter's own dtype.

    Returns:
        A plain dict (a dict itself, not an OrderedDict) with one entry per parameter of
        model.named_parameters(), frozen ones included, keyed by its name and in that order: a tensor of zeros with the
        parameter's shape, on the parameter's device, of `dtype`. The zeros are plain
        tensors: requires_grad is False and there is no grad_fn.

    Loops: allowed (over the parameters).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/devices: zeros_like_params is not implemented yet; stuck? run `kata hint 01_tensors/devices zeros_like_params`")


def check_same_device(model: nn.Module, batch) -> torch.device:
    """Check that a batch sits where the model is, before the forward pass fails on it.

    Args:
        model: an nn.Module with at least one parameter.
        batch: a tensor, or dicts, lists and tuples holding tensors and other values, nested
            to any depth (as move_batch takes). Values that are not tensors are ignored.

    Returns:
        The device that every parameter of model and every tensor of batch share, as a
        torch.device. A batch without tensors gives the model's device.

    Raises:
        ValueError if two of them are on different devices: a parameter and a batch tensor,
        or two parameters of the model.

    Loops: allowed (over parameters and the items of each container).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/devices: check_same_device is not implemented yet; stuck? run `kata hint 01_tensors/devices check_same_device`")
