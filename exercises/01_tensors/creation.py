# 01_tensors/creation: Making tensors from data, from a shape and from a template
# Chapter 01_tensors: Tensors: creation, attributes, shapes, devices and precision
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/01_tensors/creation.py
#   stuck?             kata hint 01_tensors/creation NAME    (each call shows one more hint)
#   start over:        kata reset 01_tensors/creation   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   inferred_dtype:
#       torch.tensor, torch.as_tensor, torch.asarray, torch.Tensor.new_tensor

"""Making tensors: from data, from a shape, and from another tensor.

Almost every tensor in a program is born in one of three ways.

From data you already have. `torch.tensor` copies a (nested) Python list and picks a dtype
from what it finds in it:

    torch.tensor([[1, 2], [3, 4]]).dtype     # torch.int64    only ints
    torch.tensor([1, 2.5]).dtype             # torch.float32  one float makes it all float
    torch.tensor([True, False]).dtype        # torch.bool     only bools
    torch.tensor([]).dtype                   # torch.float32  nothing to look at: the default

Python floats are 64-bit, yet they arrive as float32, the default floating dtype of PyTorch:
model weights live in float32, and gradients need a floating type to nudge them by small
fractions. Whole numbers arrive as int64, the dtype class labels and token ids use. So a
feature written as `3` is an integer until you ask for `dtype=torch.float32`.

From a shape, when you know the size but not the values (weights before training, buffers):

    torch.zeros(2, 3)                # 0.0 everywhere, float32
    torch.ones(4)                    # 1.0 everywhere
    torch.full((2, 2), 7)            # 7 everywhere; the fill value sets the dtype: int64 here
    torch.arange(0, 10, 3)           # tensor([0, 3, 6, 9]): the end is left out
    torch.linspace(0, 1, 5)          # tensor([0.00, 0.25, 0.50, 0.75, 1.00]): both ends in
    torch.rand(2, 2)                 # uniform in [0, 1)
    torch.randn(2, 2)                # standard normal: mean 0, standard deviation 1

Random factories draw from a generator. Without one they use the global generator, which any
other code may also advance; a `torch.Generator` of your own, seeded once, gives the same
numbers every run and shares its stream with nobody:

    g = torch.Generator().manual_seed(0)
    torch.randn(2, 3, generator=g)   # the same two rows every time g starts from seed 0

The order and shape of draws matter: `randn(3, 2, generator=g).T` has the right shape for a
(2, 3) weight, but not the same numbers as `randn(2, 3, generator=g)`.

From a template. `torch.zeros_like(t)`, `ones_like`, `full_like`, `rand_like` and friends copy
the template's shape, dtype and device, and every one of them takes `dtype=` to change only
the type: `torch.zeros_like(token_ids, dtype=torch.float32)` is a float buffer shaped like a
batch of int64 ids, on whatever device the ids are on. The new tensor owns fresh memory and
knows nothing of the template's autograd history.
"""
import math

import torch


def inferred_dtype(data) -> torch.dtype:
    """The dtype `torch.tensor(data)` would choose, worked out from the rules.

    Args:
        data: a Python bool, int or float, or a rectangular (possibly nested, possibly empty)
            list of them.

    Returns:
        torch.bool if data holds only bools; torch.int64 if it holds ints (bools may be mixed
        in) and no floats; torch.float32 if it holds at least one float, and also for an
        empty list (there is nothing to look at, so the default floating dtype wins).

    Loops: allowed (a nested list has to be walked).
    Forbidden: torch.tensor, torch.as_tensor, torch.asarray, Tensor.new_tensor.
    """
    raise NotImplementedError("01_tensors/creation: inferred_dtype is not implemented yet; stuck? run `kata hint 01_tensors/creation inferred_dtype`")


def from_records(records: list) -> tuple[torch.Tensor, torch.Tensor]:
    """Split labelled examples into a label tensor and a feature tensor.

    Args:
        records: a list of N >= 1 pairs (label, features): label is an int class id and
            features a list of F >= 1 numbers, ints or floats in any mix.

    Returns:
        (labels, features): labels is int64 of shape (N,); features is float32 of shape
        (N, F), float32 even when every feature is written as an int. Both on the CPU.

    Loops: allowed (the pairs have to be taken apart).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/creation: from_records is not implemented yet; stuck? run `kata hint 01_tensors/creation from_records`")


def ticks(start, stop, step) -> torch.Tensor:
    """start, start + step, start + 2 * step, ... up to but never including stop.

    Args:
        start, stop, step: Python ints or floats with stop >= start and step > 0. The
            test values are chosen so that no point lands within rounding distance of stop.

    Returns:
        A 1-D tensor on the CPU, empty when stop == start. int64 when start, stop and step
        are all ints; float32 as soon as one of them is a float.

    Loops: allowed (there is no tensor to loop over).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/creation: ticks is not implemented yet; stuck? run `kata hint 01_tensors/creation ticks`")


def evenly_spaced(start, stop, count: int) -> torch.Tensor:
    """count points from start to stop, both ends included, evenly spaced.

    Args:
        start, stop: Python ints or floats.
        count: int >= 1; with count == 1 the only point is start.

    Returns:
        float32 tensor of shape (count,) on the CPU, with out[0] == start and, for
        count >= 2, out[-1] == stop.

    Loops: allowed (there is no tensor to loop over).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/creation: evenly_spaced is not implemented yet; stuck? run `kata hint 01_tensors/creation evenly_spaced`")


def filled_like(template: torch.Tensor, value, dtype: torch.dtype) -> torch.Tensor:
    """A new tensor with template's shape and device, the given dtype, and value everywhere.

    Args:
        template: a tensor of any shape (empty and 0-d included), dtype and layout. Only its
            shape and device are used; it is left unchanged.
        value: a Python bool, int or float that dtype represents exactly.
        dtype: the dtype of the result, which may differ from template's.

    Returns:
        A tensor of template.shape, on template.device, of `dtype`, filled with value. It
        owns its memory (never a view of template) and is a plain tensor: requires_grad is
        False and there is no grad_fn, even when template requires grad.

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/creation: filled_like is not implemented yet; stuck? run `kata hint 01_tensors/creation filled_like`")


def init_linear(in_features: int, out_features: int,
                generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Reproducible starting weights for a linear layer y = x @ weight.T + bias.

    Args:
        in_features, out_features: positive ints.
        generator: a seeded torch.Generator; the only source of randomness.

    Returns:
        (weight, bias) on generator.device, both float32 leaf tensors with
        requires_grad=True (ready for training):
          weight, shape (out_features, in_features): one draw
            torch.randn((out_features, in_features), generator=generator) divided by
            sqrt(in_features), so that with unit-variance inputs every output starts with
            variance about 1. It is drawn in exactly that shape, as the first and only draw
            from generator, so the same seed gives the same weight.
          bias, shape (out_features,): zeros.

    Loops: allowed (there is nothing to loop over).
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/creation: init_linear is not implemented yet; stuck? run `kata hint 01_tensors/creation init_linear`")


def random_mask(shape: tuple, keep_prob: float, generator: torch.Generator) -> torch.Tensor:
    """A reproducible random boolean mask: each element True with probability keep_prob.

    Args:
        shape: a tuple of ints (sizes of 0 allowed).
        keep_prob: a float in [0, 1].
        generator: a seeded torch.Generator; the only source of randomness.

    Returns:
        A bool tensor of `shape` on generator.device: one draw
        u = torch.rand(shape, generator=generator), then True exactly where u < keep_prob.
        So keep_prob 0 gives all False, keep_prob 1 gives all True, and the same seed gives
        the same mask.

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("01_tensors/creation: random_mask is not implemented yet; stuck? run `kata hint 01_tensors/creation random_mask`")
