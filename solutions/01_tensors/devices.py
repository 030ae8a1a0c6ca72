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
    # BEGIN SOLUTION
    # hint: Replace each None by torch's own answer first, then test the two flags in order
    #   of preference.
    # hint: Return torch.device("cuda") when cuda is true, else torch.device("mps") when mps
    #   is true, else torch.device("cpu").
    if cuda is None:
        cuda = torch.cuda.is_available()
    if mps is None:
        mps = torch.backends.mps.is_available()
    if cuda:
        return torch.device("cuda")
    if mps:
        return torch.device("mps")
    return torch.device("cpu")
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Handle one level and let the function call itself for the rest: a tensor is
    #   moved, a dict, list or tuple is rebuilt from its moved items, anything else is
    #   returned as it is.
    # hint: .to(device) returns a new tensor rather than moving the old one, so use its
    #   result. Rebuild tuples with tuple(...), not a list comprehension alone.
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {key: move_batch(value, device) for key, value in batch.items()}
    if isinstance(batch, list):
        return [move_batch(value, device) for value in batch]
    if isinstance(batch, tuple):
        return tuple(move_batch(value, device) for value in batch)
    return batch
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Walk model.named_parameters(). Every new tensor must be made where its
    #   parameter lives, not on a device you picked yourself.
    # hint: torch.zeros(p.shape, device=p.device, dtype=...) makes plain zeros where p is;
    #   torch.zeros_like(p, dtype=dtype) does the same in one go (dtype=None keeps p's).
    # torch.zeros rather than zeros_like: on the meta device zeros_like runs a Python
    # implementation whose first use imports sympy (about a second).
    return {name: torch.zeros(p.shape, device=p.device, dtype=p.dtype if dtype is None else dtype)
            for name, p in model.named_parameters()}
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Collect every device involved, from model.parameters() and from every tensor
    #   found by walking the batch (the same recursion as move_batch), into a set.
    # hint: torch.device objects compare with ==, so a set of them has exactly one element
    #   when everything agrees; otherwise raise ValueError naming what you found.
    def tensors_in(value):
        if isinstance(value, torch.Tensor):
            return [value]
        items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else []
        return [t for item in items for t in tensors_in(item)]

    model_devices = {p.device for p in model.parameters()}
    if len(model_devices) > 1:
        raise ValueError(f"the model's parameters are spread over {sorted(map(str, model_devices))}")
    (device,) = model_devices
    for t in tensors_in(batch):
        if t.device != device:
            raise ValueError(f"a batch tensor of shape {tuple(t.shape)} is on {t.device}, but the model "
                             f"is on {device}; move the batch with .to({str(device)!r})")
    return device
    # END SOLUTION
