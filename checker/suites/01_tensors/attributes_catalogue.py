"""Mistake catalogue for 01_tensors/attributes: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch
from torch import nn

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- tensor_facts

@catalogue.mistake("returns x.size without calling it", hint="x.shape is an attribute; x.size is a method")
def tensor_facts(x):
    return x.size, x.dtype, x.device


@catalogue.mistake("returns the dtype and device as strings", hint="return the torch.dtype and torch.device objects")
def tensor_facts(x):  # noqa: F811 - each entry replaces the graded name
    return x.shape, str(x.dtype), str(x.device)


@catalogue.mistake("returns x.device.type (a str) for the device", hint="x.device itself is the torch.device")
def tensor_facts(x):  # noqa: F811
    return x.shape, x.dtype, x.device.type


@catalogue.mistake("returns the shape as a list", hint="a torch.Size is already a tuple of ints")
def tensor_facts(x):  # noqa: F811
    return list(x.shape), x.dtype, x.device


@catalogue.mistake("uses x.type() ('torch.FloatTensor') for the dtype", hint="x.dtype is the torch.dtype")
def tensor_facts(x):  # noqa: F811
    return x.shape, x.type(), x.device


# ---------------------------------------------------------------- validate_token_ids

@catalogue.mistake("accepts an id equal to vocab_size (> instead of >=)", hint="valid ids are 0 .. vocab_size - 1")
def validate_token_ids(ids, vocab_size):
    if ids.dtype != torch.int64 or ids.dim() != 2:
        raise ValueError("token ids must be an int64 (batch, seq_len) tensor")
    if ((ids < 0) | (ids > vocab_size)).any():
        raise ValueError("token id outside the vocabulary")


@catalogue.mistake("checks the range with ids.min() and ids.max(), which raise on an empty batch",
                   hint="compare elementwise and call .any(): that works on empty tensors")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype != torch.int64 or ids.dim() != 2:
        raise ValueError("token ids must be an int64 (batch, seq_len) tensor")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError("token id outside the vocabulary")


@catalogue.mistake("uses assert, which raises AssertionError (and vanishes under python -O)",
                   hint="raise ValueError(...) explicitly")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    assert ids.dtype == torch.int64 and ids.dim() == 2, "token ids must be an int64 (batch, seq_len) tensor"
    assert not ((ids < 0) | (ids >= vocab_size)).any(), "token id outside the vocabulary"


@catalogue.mistake("rejects only floating dtypes, so int32 and bool ids slip through",
                   hint="compare ids.dtype with torch.int64 itself")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.is_floating_point() or ids.dim() != 2:
        raise ValueError("token ids must be an integer (batch, seq_len) tensor")
    if ((ids < 0) | (ids >= vocab_size)).any():
        raise ValueError("token id outside the vocabulary")


@catalogue.mistake("never checks the number of dims", hint="ids must be 2-D: (batch, seq_len)")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype != torch.int64:
        raise ValueError("token ids must be int64")
    if ((ids < 0) | (ids >= vocab_size)).any():
        raise ValueError("token id outside the vocabulary")


@catalogue.mistake("returns early for any empty tensor, before checking its dims",
                   hint="an empty tensor must still be int64 and 2-D")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.numel() == 0:
        return
    if ids.dtype != torch.int64 or ids.dim() != 2:
        raise ValueError("token ids must be an int64 (batch, seq_len) tensor")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError("token id outside the vocabulary")


@catalogue.mistake("checks the range one sequence at a time in a Python loop", expect="not-vectorised",
                   hint="one elementwise comparison covers the whole batch")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype != torch.int64 or ids.dim() != 2:
        raise ValueError("token ids must be an int64 (batch, seq_len) tensor")
    for row in ids:
        if ((row < 0) | (row >= vocab_size)).any():
            raise ValueError("token id outside the vocabulary")


# ---------------------------------------------------------------- as_parameter

@catalogue.mistake("values.float().requires_grad_(): float64 becomes float32, and a float32 input is "
                   "returned itself", hint="copy with .detach().clone() and convert only non-floating values")
def as_parameter(values):
    return values.float().requires_grad_()


@catalogue.mistake("switches on requires_grad of the input itself", hint="return a copy; leave values alone")
def as_parameter(values):  # noqa: F811
    return values.requires_grad_()


@catalogue.mistake("clone() without detach(): a copy of a tensor that requires grad is not a leaf",
                   hint="values.detach().clone() cuts the history")
def as_parameter(values):  # noqa: F811
    copy = values.clone() if values.is_floating_point() else values.to(torch.float32)
    return copy.requires_grad_()


@catalogue.mistake("converts and copies but never switches on requires_grad", hint="finish with .requires_grad_()")
def as_parameter(values):  # noqa: F811
    copy = values.detach().clone()
    return copy if copy.is_floating_point() else copy.to(torch.float32)


@catalogue.mistake("nn.Parameter(values.detach()): shares memory with values", hint="clone before wrapping")
def as_parameter(values):  # noqa: F811
    data = values.detach()
    return nn.Parameter(data if data.is_floating_point() else data.to(torch.float32))


@catalogue.mistake("converts every input to float32, half precision included",
                   hint="keep floating dtypes; convert only bool and integer values")
def as_parameter(values):  # noqa: F811
    return values.detach().clone().to(torch.float32).requires_grad_()


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("tensor_facts through tuple(x.size())")
def tensor_facts(x):  # noqa: F811
    return tuple(x.size()), x.dtype, x.device


@catalogue.alternative("validate_token_ids with a guarded min/max and ndim")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype is not torch.long:
        raise ValueError(f"expected torch.long ids, got {ids.dtype}")
    if ids.ndim != 2:
        raise ValueError(f"expected (batch, seq_len) ids, got shape {tuple(ids.shape)}")
    if ids.numel() and (ids.min().item() < 0 or ids.max().item() >= vocab_size):
        raise ValueError(f"ids must lie in [0, {vocab_size})")


@catalogue.alternative("as_parameter as an nn.Parameter of a fresh copy")
def as_parameter(values):  # noqa: F811
    dtype = values.dtype if values.is_floating_point() else torch.float32
    return nn.Parameter(values.detach().to(dtype, copy=True))


@catalogue.alternative("as_parameter with empty_like(...).copy_(values)")
def as_parameter(values):  # noqa: F811
    dtype = values.dtype if values.is_floating_point() else torch.get_default_dtype()
    out = torch.empty_like(values, dtype=dtype)
    with torch.no_grad():
        out.copy_(values)
    return out.requires_grad_(True)


# ---------------------------------------------------------------- more mistakes (review)

@catalogue.mistake("hard-codes the device as the CPU (or CUDA when there is one)",
                   hint="x.device says where this tensor lives; return it")
def tensor_facts(x):  # noqa: F811
    return x.shape, x.dtype, torch.device("cuda" if torch.cuda.is_available() else "cpu")


@catalogue.mistake("returns x.numel() for the shape", hint="the shape is the size of every dim: x.shape")
def tensor_facts(x):  # noqa: F811
    return x.numel(), x.dtype, x.device


@catalogue.mistake("returns (dtype, shape, device)", hint="return (shape, dtype, device) in that order")
def tensor_facts(x):  # noqa: F811
    return x.dtype, x.shape, x.device


@catalogue.mistake("raises TypeError for a wrong dtype", hint="the spec asks for ValueError in every case")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype != torch.int64:
        raise TypeError(f"token ids must be torch.int64, not {ids.dtype}")
    if ids.dim() != 2:
        raise ValueError("token ids must be (batch, seq_len)")
    if ((ids < 0) | (ids >= vocab_size)).any():
        raise ValueError("token id outside the vocabulary")


@catalogue.mistake("checks only the upper end of the range", hint="ids below 0 are invalid too")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype != torch.int64 or ids.dim() != 2:
        raise ValueError("token ids must be an int64 (batch, seq_len) tensor")
    if not torch.all(ids < vocab_size):
        raise ValueError("token id outside the vocabulary")


@catalogue.mistake("returns False for invalid ids instead of raising", hint="raise ValueError; return None when valid")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype != torch.int64 or ids.dim() != 2:
        return False
    return None if not ((ids < 0) | (ids >= vocab_size)).any() else False


@catalogue.mistake("fixes bad ids in place with clamp_ instead of raising", hint="leave ids alone and raise ValueError")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype != torch.int64 or ids.dim() != 2:
        raise ValueError("token ids must be an int64 (batch, seq_len) tensor")
    ids.clamp_(0, vocab_size - 1)


@catalogue.mistake("detach() without clone(): the copy shares values' memory",
                   hint="values.detach().clone() owns its memory")
def as_parameter(values):  # noqa: F811
    data = values.detach()
    return (data if data.is_floating_point() else data.to(torch.float32)).requires_grad_()


@catalogue.mistake("converts integers to float64 with .double()", hint="integer and bool values become float32")
def as_parameter(values):  # noqa: F811
    copy = values.detach().clone()
    return (copy if copy.is_floating_point() else copy.double()).requires_grad_()


@catalogue.mistake("rebuilds it with torch.zeros(values.shape) and copy_: always on the CPU",
                   hint="make the copy on values.device (clone, or *_like factories)")
def as_parameter(values):  # noqa: F811
    dtype = values.dtype if values.is_floating_point() else torch.float32
    out = torch.zeros(tuple(values.shape), dtype=dtype)
    with torch.no_grad():
        out.copy_(values)
    return out.requires_grad_()


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("tensor_facts through torch.Size(x.size()) and getattr")
def tensor_facts(x):  # noqa: F811
    return torch.Size(x.size()), getattr(x, "dtype"), getattr(x, "device")


@catalogue.alternative("validate_token_ids with len(ids.shape), an all() of the valid range and a ValueError subclass")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    class TokenIdError(ValueError):
        pass

    if len(ids.shape) != 2 or ids.dtype not in (torch.long,):
        raise TokenIdError("ids must be a 2-D torch.long tensor")
    if not bool(((ids >= 0) & (ids < vocab_size)).all()):
        raise TokenIdError("ids out of range")


@catalogue.alternative("validate_token_ids with torch.any on lt and ge")
def validate_token_ids(ids, vocab_size):  # noqa: F811
    if ids.dtype != torch.int64:
        raise ValueError("wrong dtype")
    if ids.ndimension() != 2:
        raise ValueError("wrong number of dims")
    if torch.any(ids.lt(0)).item() or torch.any(ids.ge(vocab_size)).item():
        raise ValueError("id out of range")


@catalogue.alternative("as_parameter with .to(dtype, copy=True) then detach()")
def as_parameter(values):  # noqa: F811
    dtype = values.dtype if torch.is_floating_point(values) else torch.float32
    return values.to(dtype=dtype, copy=True).detach().requires_grad_(True)


@catalogue.alternative("as_parameter with torch.tensor(values, requires_grad=True) (copies, with a warning)")
def as_parameter(values):  # noqa: F811
    dtype = values.dtype if values.dtype.is_floating_point else torch.float
    return torch.tensor(values.detach(), dtype=dtype, device=values.device, requires_grad=True)
