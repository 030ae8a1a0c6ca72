"""Hidden suite for 01_tensors/shapes.

Non-contiguous inputs come on purpose: a transposed (B, C, H, W) batch cannot be flattened with
view, and heads moved next to the batch dim cannot be merged with view. Sizes of 1 sit in
every dim somewhere, so a bare squeeze() or a -1 in the wrong place shows, and sizes of 0
catch a view(B, -1) that cannot infer its -1.
"""
import torch

from checker.suite import Case, Suite, strided, transposed

suite = Suite()


def images(g, batch=2, channels=3, height=4, width=5):
    return Case(g.randn(batch, channels, height, width))


@suite.function(grow=images)
def flatten_images(g):
    yield images(g, 1, 1, 1, 1)
    yield images(g, 2, 3, 4, 5)
    yield images(g, 0, 3, 2, 2)                                   # an empty batch
    yield images(g, 2, 3, 0, 4)                                   # images with no pixels
    yield Case(g.randn(3, 2, 4, 4, dtype=torch.float64))
    yield Case(transposed(g.randn(2, 3, 5, 4)))                   # H and W swapped in memory
    yield Case(transposed(g.randn(0, 2, 3, 2)))
    yield Case(strided(g.randn(2, 1, 3, 3)))
    yield Case(g.randint(0, 256, (2, 1, 3, 3)))                   # raw pixel values


def planes(g, batch=2, height=3, width=4):
    return Case(g.randn(batch, height, width))


@suite.function(grow=planes)
def add_channel_dim(g):
    yield planes(g, 1, 1, 1)
    yield planes(g, 2, 3, 4)
    yield planes(g, 3, 3, 3)
    yield Case(g.randn(4, 2, 5, dtype=torch.float64))
    yield Case(transposed(g.randn(2, 5, 3)))
    yield Case(g.mask(2, 2, 3))


def single_channel(g, batch=2, height=3, width=4):
    return Case(g.randn(batch, 1, height, width))


@suite.function(grow=single_channel)
def remove_channel_dim(g):
    yield single_channel(g, 1, 1, 1)                              # every dim is 1: only dim 1 goes
    yield single_channel(g, 1, 3, 4)                              # a batch of one image
    yield single_channel(g, 3, 1, 4)                              # one pixel tall
    yield single_channel(g, 2, 3, 1)
    yield Case(g.randn(3, 1, 2, 2, dtype=torch.float64))
    yield Case(transposed(g.randn(2, 1, 4, 3)))
    yield Case(g.randint(0, 9, (2, 1, 2, 3)))


def tokens(g, batch=2, time=3, heads=2, head_dim=4):
    return Case(g.randn(batch, time, heads * head_dim), heads)


@suite.function(grow=tokens)
def split_heads(g):
    yield tokens(g, 1, 1, 1, 1)
    yield tokens(g, 1, 3, 1, 4)                                   # a single head
    yield tokens(g, 2, 3, 2, 4)
    yield tokens(g, 2, 4, 4, 1)                                   # heads of size 1
    yield tokens(g, 2, 3, 3, 3)                                   # T == H == D: no shape gives a wrong answer away
    yield Case(g.randn(2, 5, 6, dtype=torch.float64), 2)
    yield Case(transposed(g.randn(2, 5, 8)), 4)                   # (B, T, E) stored as (B, E, T)
    yield Case(g.randn(2, 3, 10), 4, raises=ValueError, label="10 features cannot make 4 equal heads")


def heads(g, batch=2, heads=2, time=3, head_dim=4):
    return Case(g.randn(batch, heads, time, head_dim))


@suite.function(grow=heads)
def merge_heads(g):
    yield heads(g, 1, 1, 1, 1)
    yield heads(g, 2, 3, 1, 4)                                    # one token: view would work here
    yield heads(g, 2, 2, 3, 4)
    yield heads(g, 1, 3, 3, 3)
    yield Case(g.randn(2, 4, 3, 2, dtype=torch.float64))
    yield Case(transposed(g.randn(2, 2, 4, 3)))
