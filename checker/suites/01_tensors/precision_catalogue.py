"""Mistake catalogue for 01_tensors/precision: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- bytes_per_element

@catalogue.mistake("counts bits (torch.finfo(dtype).bits)", hint="a byte is 8 bits")
def bytes_per_element(dtype):
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    return info.bits


@catalogue.mistake("a table that prices bfloat16 like float32 (the 'b' is for brain, not big)",
                   hint="bfloat16 is a 16-bit format: 2 bytes")
def bytes_per_element(dtype):  # noqa: F811 - each entry replaces the graded name
    table = {torch.float64: 8, torch.float32: 4, torch.bfloat16: 4, torch.float16: 2, torch.int64: 8,
             torch.int32: 4, torch.int16: 2, torch.int8: 1, torch.uint8: 1, torch.bool: 1}
    return table[dtype]


@catalogue.mistake("a table that covers the float dtypes only", hint="cover every dtype the spec lists")
def bytes_per_element(dtype):  # noqa: F811
    return {torch.float64: 8, torch.float32: 4, torch.bfloat16: 2, torch.float16: 2}[dtype]


@catalogue.mistake("torch.finfo for every dtype (it rejects integer dtypes)",
                   hint="element_size() works for every dtype")
def bytes_per_element(dtype):  # noqa: F811
    return torch.finfo(dtype).bits // 8


@catalogue.mistake("returns a tensor instead of an int", hint="return a Python int")
def bytes_per_element(dtype):  # noqa: F811
    return torch.tensor(torch.empty((), dtype=dtype).element_size())


# ---------------------------------------------------------------- parameter_bytes

@catalogue.mistake("counts only trainable parameters", hint="frozen parameters take memory too")
def parameter_bytes(model, dtype=None):
    return sum(p.numel() * (p.element_size() if dtype is None else ref.bytes_per_element(dtype))
               for p in model.parameters() if p.requires_grad)


@catalogue.mistake("ignores dtype and always uses each parameter's own size",
                   hint="price every parameter in dtype when it is given")
def parameter_bytes(model, dtype=None):  # noqa: F811
    return sum(p.numel() * p.element_size() for p in model.parameters())


@catalogue.mistake("counts parameters, not bytes", hint="multiply numel() by the bytes of one element")
def parameter_bytes(model, dtype=None):  # noqa: F811
    return sum(p.numel() for p in model.parameters())


@catalogue.mistake("sums over model.modules(), so a parameter is counted once per enclosing module",
                   hint="model.parameters() already visits every parameter exactly once")
def parameter_bytes(model, dtype=None):  # noqa: F811
    return sum(p.numel() * (p.element_size() if dtype is None else ref.bytes_per_element(dtype))
               for module in model.modules() for p in module.parameters())


@catalogue.mistake("returns gigabytes as a float", hint="return the exact number of bytes, an int")
def parameter_bytes(model, dtype=None):  # noqa: F811
    return sum(p.numel() * (p.element_size() if dtype is None else ref.bytes_per_element(dtype))
               for p in model.parameters()) / 1e9


# ---------------------------------------------------------------- cast_floating

@catalogue.mistake("casts every tensor, integer buffers included", hint="convert only floating-point tensors")
def cast_floating(state_dict, dtype):
    return {name: t.to(dtype) for name, t in state_dict.items()}


@catalogue.mistake("converts only float32 entries", hint="float64 and float16 entries are floating point too")
def cast_floating(state_dict, dtype):  # noqa: F811
    return {name: t.to(dtype) if t.dtype == torch.float32 else t for name, t in state_dict.items()}


@catalogue.mistake("drops the integer entries", hint="keep every entry; convert only the floating ones")
def cast_floating(state_dict, dtype):  # noqa: F811
    return {name: t.to(dtype) for name, t in state_dict.items() if t.is_floating_point()}


@catalogue.mistake("always converts with .half()", hint="use the dtype you are given: t.to(dtype)")
def cast_floating(state_dict, dtype):  # noqa: F811
    return {name: t.half() if t.is_floating_point() else t for name, t in state_dict.items()}


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("bytes_per_element from dtype.itemsize")
def bytes_per_element(dtype):  # noqa: F811
    return dtype.itemsize


@catalogue.alternative("bytes_per_element from finfo/iinfo bits")
def bytes_per_element(dtype):  # noqa: F811
    if dtype == torch.bool:
        return 1
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    return info.bits // 8


@catalogue.alternative("parameter_bytes from p.nbytes, rescaled for another dtype")
def parameter_bytes(model, dtype=None):  # noqa: F811
    if dtype is None:
        return sum(p.nbytes for p in model.parameters())
    return sum(p.numel() for p in model.parameters()) * torch.empty(0, dtype=dtype).element_size()


@catalogue.alternative("parameter_bytes by casting a meta copy of each parameter")
def parameter_bytes(model, dtype=None):  # noqa: F811
    total = 0
    for p in model.parameters():
        shadow = torch.empty(p.shape, dtype=p.dtype if dtype is None else dtype, device="meta")
        total += shadow.numel() * shadow.element_size()
    return total


@catalogue.alternative("cast_floating with torch.is_floating_point and a loop")
def cast_floating(state_dict, dtype):  # noqa: F811
    out = {}
    for name, t in state_dict.items():
        out[name] = t.to(dtype=dtype) if torch.is_floating_point(t) else t
    return out


# ---------------------------------------------------------------- more mistakes (review)

@catalogue.mistake("finfo/iinfo bits // 8 with no case for bool (iinfo rejects it)",
                   hint="bool takes 1 byte; element_size() knows every dtype")
def bytes_per_element(dtype):  # noqa: F811
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    return info.bits // 8


@catalogue.mistake("torch.empty(0, dtype=dtype).nbytes: an empty tensor takes 0 bytes",
                   hint="ask element_size(), which does not depend on how many elements there are")
def bytes_per_element(dtype):  # noqa: F811
    return torch.empty(0, dtype=dtype).nbytes


@catalogue.mistake("len(p) for the element count: only the size of the first dim",
                   hint="p.numel() counts every element")
def parameter_bytes(model, dtype=None):  # noqa: F811
    return sum(len(p) * (p.element_size() if dtype is None else ref.bytes_per_element(dtype))
               for p in model.parameters())


@catalogue.mistake("counts with np.prod, which returns a NumPy integer", hint="return a Python int: p.numel(), or int(...)")
def parameter_bytes(model, dtype=None):  # noqa: F811
    import numpy as np
    return sum(np.prod(p.shape) * (p.element_size() if dtype is None else ref.bytes_per_element(dtype))
               for p in model.parameters())


@catalogue.mistake("a hand-written list of floating dtypes that misses float16 and bfloat16",
                   hint="t.is_floating_point() covers every floating dtype")
def cast_floating(state_dict, dtype):  # noqa: F811
    return {name: t.to(dtype) if t.dtype in (torch.float32, torch.float64) else t
            for name, t in state_dict.items()}


@catalogue.mistake("moves every entry to the CPU while casting, as for a checkpoint file",
                   hint="keep each tensor on its device: t.to(dtype) only")
def cast_floating(state_dict, dtype):  # noqa: F811
    return {name: t.detach().cpu().to(dtype) if t.is_floating_point() else t.cpu()
            for name, t in state_dict.items()}


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("bytes_per_element from a 0-d tensor's untyped storage size")
def bytes_per_element(dtype):  # noqa: F811
    return torch.zeros((), dtype=dtype).untyped_storage().nbytes()


@catalogue.alternative("parameter_bytes from named_parameters() with math.prod of the shape")
def parameter_bytes(model, dtype=None):  # noqa: F811
    import math
    total = 0
    for _, p in model.named_parameters():
        itemsize = (dtype or p.dtype).itemsize
        total += math.prod(p.shape) * itemsize
    return int(total)


@catalogue.alternative("cast_floating with dtype.is_floating_point and Tensor.type(dtype)")
def cast_floating(state_dict, dtype):  # noqa: F811
    return {name: (t.type(dtype) if t.dtype.is_floating_point else t) for name, t in state_dict.items()}


@catalogue.alternative("cast_floating that clones the entries it keeps")
def cast_floating(state_dict, dtype):  # noqa: F811
    out = dict()
    for key in state_dict:
        value = state_dict[key]
        out[key] = value.to(dtype, copy=True) if value.is_floating_point() else value.clone()
    return out
