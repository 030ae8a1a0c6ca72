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
    # BEGIN SOLUTION
    # hint: LayerNorm normalises over the trailing gamma.dim() dims: those are the dims you
    #   reduce with mean(dim=..., keepdim=True).
    # hint: Use the biased variance (divide by the count, not count - 1), var = ((x - mean) **
    #   2).mean(dims, keepdim=True), and put eps inside the square root.
    dims = tuple(range(-gamma.dim(), 0))  # e.g. (-1,) for gamma (E,), (-2, -1) for (T, E)
    mean = x.mean(dim=dims, keepdim=True)  # keepdim so it broadcasts back against x
    centred = x - mean
    var = (centred ** 2).mean(dim=dims, keepdim=True)  # biased, and stable for large means
    return centred / torch.sqrt(var + eps) * gamma + beta
    # END SOLUTION


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
        # BEGIN SOLUTION
        # hint: Call super().__init__() first, and turn an int normalized_shape into a 1-tuple
        #   so the attribute is always a tuple.
        # hint: Store nn.Parameter(torch.ones(shape)) as `weight` and zeros as `bias`; with
        #   elementwise_affine=False register both as None.
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            # Attribute names become state_dict keys, so these must be `weight` and `bias`.
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))
        else:
            # Registering None (as nn.LayerNorm does) keeps the names defined, outside the state_dict.
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        if self.elementwise_affine:
            return layer_norm(x, self.weight, self.bias, self.eps)
        # Scaling by 1 and shifting by 0 leaves the plain normalisation.
        ones = x.new_ones(self.normalized_shape)
        return layer_norm(x, ones, torch.zeros_like(ones), self.eps)
        # END SOLUTION
