"""Mistake catalogue for 01_tensors/shapes: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import math

import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


def _sizes(x, num_heads):
    """(B, T, E) of x, after the ValueError the spec asks for (a helper for the entries below)."""
    B, T, E = _sizes(x, num_heads)
    return B, T, E


# ---------------------------------------------------------------- flatten_images

@catalogue.mistake("x.view(B, -1): fails on an empty batch and on a non-contiguous one",
                   hint="use x.flatten(1)")
def flatten_images(x):
    return x.view(x.shape[0], -1)


@catalogue.mistake("x.view(B, C*H*W): view cannot merge the dims of a non-contiguous batch",
                   hint="use reshape or flatten, which copy when they must")
def flatten_images(x):  # noqa: F811
    B, C, H, W = x.shape
    return x.view(B, C * H * W)


@catalogue.mistake("x.reshape(B, -1): cannot infer -1 for an empty batch", hint="x.flatten(1) needs no -1")
def flatten_images(x):  # noqa: F811 - each entry replaces the graded name
    return x.reshape(x.shape[0], -1)


@catalogue.mistake("x.reshape(-1, C*H*W): cannot infer -1 when the images have no pixels",
                   hint="name the batch size, or use x.flatten(1)")
def flatten_images(x):  # noqa: F811
    return x.reshape(-1, x.shape[1] * x.shape[2] * x.shape[3])


@catalogue.mistake("x.flatten(): merges the batch dim too", hint="start flattening at dim 1")
def flatten_images(x):  # noqa: F811
    return x.flatten()


@catalogue.mistake("moves channels last before flattening, so features come in (H, W, C) order",
                   hint="flatten in (C, H, W) order, as the tensor already is")
def flatten_images(x):  # noqa: F811
    return x.permute(0, 2, 3, 1).flatten(1)


# ---------------------------------------------------------------- add_channel_dim / remove_channel_dim

@catalogue.mistake("unsqueeze(0) puts the new dim before the batch", hint="the channel dim is dim 1")
def add_channel_dim(x):
    return x.unsqueeze(0)


@catalogue.mistake("unsqueeze(-1) puts the new dim last (channels-last)", hint="the channel dim is dim 1")
def add_channel_dim(x):  # noqa: F811
    return x.unsqueeze(-1)


@catalogue.mistake("squeeze() drops every size-1 dim, the batch of one image included",
                   hint="squeeze(1) drops only the channel dim")
def remove_channel_dim(x):
    return x.squeeze()


@catalogue.mistake("squeeze(0) aims at the batch dim", hint="the channel dim is dim 1")
def remove_channel_dim(x):  # noqa: F811
    return x.squeeze(0)


# ---------------------------------------------------------------- split_heads / merge_heads

@catalogue.mistake("views straight to (B, H, T, D), without the transpose",
                   hint="view to (B, T, H, D) first, then transpose(1, 2)")
def split_heads(x, num_heads):
    B, T, E = _sizes(x, num_heads)
    return x.reshape(B, num_heads, T, E // num_heads)


@catalogue.mistake("splits the features as (D, H) instead of (H, D)",
                   hint="head h owns the h-th block of D consecutive features")
def split_heads(x, num_heads):  # noqa: F811
    B, T, E = _sizes(x, num_heads)
    return x.reshape(B, T, E // num_heads, num_heads).permute(0, 3, 1, 2)


@catalogue.mistake("no check that the features divide into heads (view raises RuntimeError instead)",
                   hint="raise ValueError when E % num_heads != 0")
def split_heads(x, num_heads):  # noqa: F811
    B, T, E = x.shape
    return x.reshape(B, T, num_heads, -1).transpose(1, 2)


@catalogue.mistake("transpose(1, 2).view(...): view cannot merge dims of a transposed tensor",
                   hint="use reshape, or .contiguous() before view")
def merge_heads(x):
    B, H, T, D = x.shape
    return x.transpose(1, 2).view(B, T, H * D)


@catalogue.mistake("reshapes to (B, T, H*D) without moving the heads back", hint="transpose(1, 2) first")
def merge_heads(x):  # noqa: F811
    B, H, T, D = x.shape
    return x.reshape(B, T, H * D)


@catalogue.mistake("concatenates the heads one by one in a Python loop", expect="not-vectorised",
                   hint="one transpose and one reshape move every head at once")
def merge_heads(x):  # noqa: F811
    return torch.cat([x[:, h] for h in range(x.shape[1])], dim=-1)


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("flatten_images with reshape(B, C*H*W), sizes spelled out")
def flatten_images(x):  # noqa: F811
    return x.reshape(x.shape[0], math.prod(x.shape[1:]))


@catalogue.alternative("flatten_images as x.contiguous().view(B, C*H*W)")
def flatten_images(x):  # noqa: F811
    B, C, H, W = x.shape
    return x.contiguous().view(B, C * H * W)


@catalogue.alternative("channel dims by indexing: x[:, None] and x[:, 0]")
def add_channel_dim(x):  # noqa: F811
    return x[:, None]


@catalogue.alternative("remove_channel_dim by indexing")
def remove_channel_dim(x):  # noqa: F811
    return x[:, 0]


@catalogue.alternative("split_heads with unflatten")
def split_heads(x, num_heads):  # noqa: F811
    if x.shape[-1] % num_heads != 0:
        raise ValueError("features do not split into equal heads")
    return x.unflatten(-1, (num_heads, x.shape[-1] // num_heads)).transpose(1, 2)


@catalogue.alternative("merge_heads with permute, contiguous and view")
def merge_heads(x):  # noqa: F811
    B, H, T, D = x.shape
    return x.permute(0, 2, 1, 3).contiguous().view(B, T, H * D)


# ---------------------------------------------------------------- more mistakes (review)

@catalogue.mistake("flattens each image in a Python loop and stacks them",
                   hint="x.flatten(1) flattens every image at once (and an empty batch too)")
def flatten_images(x):  # noqa: F811
    return torch.stack([image.flatten() for image in x])


@catalogue.mistake("x.reshape(B, C, H*W): merges only the pixels, not the channels",
                   hint="every dim after the batch merges into one: (B, C*H*W)")
def flatten_images(x):  # noqa: F811
    B, C, H, W = x.shape
    return x.reshape(B, C, H * W)


@catalogue.mistake("x.unsqueeze_(1): adds the dim to the input itself", hint="x.unsqueeze(1) returns a new view")
def add_channel_dim(x):  # noqa: F811
    return x.unsqueeze_(1)


@catalogue.mistake("x.squeeze_(1): removes the dim from the input itself", hint="x.squeeze(1) returns a new view")
def remove_channel_dim(x):  # noqa: F811
    return x.squeeze_(1)


@catalogue.mistake("x[0]: takes the first image instead of the only channel", hint="the channel is dim 1: x[:, 0]")
def remove_channel_dim(x):  # noqa: F811
    return x[0]


@catalogue.mistake("forgets the transpose: returns (B, T, H, D)", hint="finish with .transpose(1, 2)")
def split_heads(x, num_heads):  # noqa: F811
    B, T, E = _sizes(x, num_heads)
    return x.view(B, T, num_heads, E // num_heads)


@catalogue.mistake("head size E / num_heads (a float), which view rejects",
                   hint="use integer division: E // num_heads")
def split_heads(x, num_heads):  # noqa: F811
    B, T, E = _sizes(x, num_heads)
    return x.view(B, T, num_heads, E / num_heads).transpose(1, 2)


@catalogue.mistake("raises AssertionError (assert) for features that do not divide",
                   hint="raise ValueError when E % num_heads != 0")
def split_heads(x, num_heads):  # noqa: F811
    B, T, E = x.shape
    assert E % num_heads == 0, "features do not split into equal heads"
    return x.view(B, T, num_heads, E // num_heads).transpose(1, 2)


@catalogue.mistake("permute(0, 2, 3, 1) puts the head index last: features come out in (D, H) order",
                   hint="transpose(1, 2) gives (B, T, H, D); then merge H and D")
def merge_heads(x):  # noqa: F811
    B, H, T, D = x.shape
    return x.permute(0, 2, 3, 1).reshape(B, T, H * D)


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("flatten_images with nn.Flatten()")
def flatten_images(x):  # noqa: F811
    return torch.nn.Flatten()(x)


@catalogue.alternative("flatten_images with torch.flatten(start_dim=1) after a contiguous copy")
def flatten_images(x):  # noqa: F811
    return torch.flatten(x.contiguous(), start_dim=1)


@catalogue.alternative("add_channel_dim with reshape(B, 1, H, W)")
def add_channel_dim(x):  # noqa: F811
    B, H, W = x.shape
    return x.reshape(B, 1, H, W)


@catalogue.alternative("add_channel_dim with torch.unsqueeze(x, dim=-3)")
def add_channel_dim(x):  # noqa: F811
    return torch.unsqueeze(x, dim=-3)


@catalogue.alternative("remove_channel_dim with view(B, H, W)")
def remove_channel_dim(x):  # noqa: F811
    return x.view(x.shape[0], x.shape[2], x.shape[3])


@catalogue.alternative("remove_channel_dim with torch.squeeze(x, dim=1)")
def remove_channel_dim(x):  # noqa: F811
    return torch.squeeze(x, dim=1)


@catalogue.alternative("split_heads with reshape and permute(0, 2, 1, 3)")
def split_heads(x, num_heads):  # noqa: F811
    batch, time, embed = x.size()
    if embed % num_heads != 0:
        raise ValueError(f"embed {embed} is not divisible by {num_heads}")
    head_dim = embed // num_heads
    return x.reshape(batch, time, num_heads, head_dim).permute(0, 2, 1, 3)


@catalogue.alternative("merge_heads with transpose(1, 2).flatten(2)")
def merge_heads(x):  # noqa: F811
    return x.transpose(1, 2).flatten(2)


@catalogue.alternative("merge_heads with reshape(B, T, -1) after a contiguous transpose")
def merge_heads(x):  # noqa: F811
    B, _, T, _ = x.shape
    return x.transpose(1, 2).contiguous().reshape(B, T, -1)


@catalogue.alternative("split_heads by chunking the features and stacking the chunks on dim 1")
def split_heads(x, num_heads):  # noqa: F811
    if x.shape[-1] % num_heads:
        raise ValueError("features do not split into equal heads")
    return torch.stack(x.chunk(num_heads, dim=-1), dim=1)


@catalogue.alternative("merge_heads by unbinding the heads and concatenating them")
def merge_heads(x):  # noqa: F811
    return torch.cat(x.unbind(1), dim=-1)
