# 08_layers/layernorm: LayerNorm from scratch
# Chapter 08_layers: Layers from scratch
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/08_layers/layernorm.py
#   stuck?             kata hint 08_layers/layernorm NAME    (each call shows one more hint)
#   start over:        kata reset 08_layers/layernorm   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   layer_norm, LayerNorm:
#       torch.nn.functional.layer_norm, torch.layer_norm, torch.native_layer_norm,
#       torch.nn.LayerNorm, torch.nn.functional.group_norm, torch.group_norm,
#       torch.native_group_norm, torch.nn.functional.instance_norm, torch.instance_norm,
#       torch.nn.functional.batch_norm, torch.batch_norm, torch.native_batch_norm,
#       torch.nn.functional.rms_norm, torch.rms_norm

"""LayerNorm from scratch: re-centre and re-scale each sample's features.

Deep networks pass activations through many layers, and their scale can drift far from 1.
Layer normalisation pulls it back for every sample on its own (BatchNorm, by contrast, mixes
statistics across the batch). For one sample's feature vector x of H numbers:

    mean = sum(x) / H
    var  = sum((x - mean) ** 2) / H       # biased: divide by H, not H - 1
    x_hat = (x - mean) / sqrt(var + eps)  # eps keeps the division finite when var is 0
    y = gamma * x_hat + beta              # learnable scale and shift, one per feature

The guide's example normalises two word vectors of 3 features:

    x = torch.tensor([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]])   # shape (1, 2, 3)
    # [1, 2, 3] has mean 2 and biased std sqrt(2/3) ~ 0.816, so both rows become
    # [-1.2247, 0.0000, 1.2247]

The features may span several trailing dims: with gamma of shape (T, E), each (T, E) block
is normalised as one group. Work out the variance from the centred values x - mean rather
than as mean(x**2) - mean**2: for numbers like 10000 + noise, that difference subtracts two
huge, nearly equal float32 values and loses every digit of the noise.
"""
import torch
import torch.nn as nn


def layer_norm(x, gamma, beta, eps=1e-5):
    """Layer normalisation over the trailing gamma.dim() dims of x.

    Args:
        x: float tensor of shape (*, *S), where S = gamma.shape (one or more dims).
        gamma: float tensor of shape S, the scale (nn.LayerNorm calls it `weight`).
        beta: float tensor of shape S, the shift (nn.LayerNorm calls it `bias`).
        eps: small float added to the variance inside the square root.

    Returns:
        A tensor of x's shape, dtype and device: for every group of trailing dims,
        (x - mean) / sqrt(var + eps) * gamma + beta, where mean and var are taken over those
        dims only and var is the biased variance (divide by the group's element count).
        Values and gradients (for x, gamma and beta) match F.layer_norm(x, gamma.shape,
        gamma, beta, eps). It stays accurate for large-mean inputs such as 1e4 + noise in
        float32. Inputs are not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: F.layer_norm, torch.layer_norm, torch.native_layer_norm, nn.LayerNorm,
        F.group_norm, torch.group_norm, torch.native_group_norm, F.instance_norm,
        torch.instance_norm, F.batch_norm, torch.batch_norm, torch.native_batch_norm,
        F.rms_norm, torch.rms_norm (each normalises a group for you, given the right reshape)
    """
    raise NotImplementedError("08_layers/layernorm: layer_norm is not implemented yet; stuck? run `kata hint 08_layers/layernorm layer_norm`")


class LayerNorm(nn.Module):
    """A LayerNorm layer, a drop-in for nn.LayerNorm.

    Args:
        normalized_shape: an int E or a tuple/list/torch.Size S: the trailing dims to normalise
            over. An int E means (E,).
        eps: small float added to the variance inside the square root (default 1e-5).
        elementwise_affine: when True (default), the layer has learnable parameters
            `weight` (ones of shape S) and `bias` (zeros of shape S), so its state_dict keys
            are exactly "weight" and "bias", as for nn.LayerNorm. When False it has no
            parameters at all, and its state_dict is empty.

    Attributes, as on nn.LayerNorm: normalized_shape (always a tuple), eps, elementwise_affine.

    forward(x): x of shape (*, *S) -> the same shape, dtype and device, normalised as in
    layer_norm above (with scale 1 and shift 0 when there are no parameters). After loading
    the same state_dict, outputs and parameter gradients match nn.LayerNorm.

    Loops: not allowed.
    Forbidden: F.layer_norm, torch.layer_norm, torch.native_layer_norm, nn.LayerNorm,
        F.group_norm, torch.group_norm, torch.native_group_norm, F.instance_norm,
        torch.instance_norm, F.batch_norm, torch.batch_norm, torch.native_batch_norm,
        F.rms_norm, torch.rms_norm (each normalises a group for you, given the right reshape)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        raise NotImplementedError("08_layers/layernorm: LayerNorm.__init__ is not implemented yet; stuck? run `kata hint 08_layers/layernorm LayerNorm`")

    def forward(self, x):
        raise NotImplementedError("08_layers/layernorm: LayerNorm.forward is not implemented yet; stuck? run `kata hint 08_layers/layernorm LayerNorm`")
