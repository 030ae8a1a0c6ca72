"""RMSNorm: keep LayerNorm's rescaling, drop its re-centring.

LayerNorm does two things to each token's feature vector: it subtracts the mean, then divides
by the standard deviation. RMSNorm, used by Llama, Mistral and Gemma instead of LayerNorm,
keeps only the second half. It divides every vector by its root mean square,

    rms(x) = sqrt(mean(x ** 2) + eps)          # over the feature dims only
    y      = x / rms(x) * weight               # weight: one learnable scale per feature

and has no mean, no bias and so one statistic less to compute. It turns out that the
re-scaling is what keeps activations well behaved; the re-centring was not earning its cost.

A small example: x = [1, 2, 3, 4] has mean(x ** 2) = (1 + 4 + 9 + 16) / 4 = 7.5, so
rms(x) is about 2.7386 and, with weight all ones, y is about [0.3651, 0.7303, 1.0954, 1.4606].
Note that y is not centred (its mean is 0.91) but its mean square is 1.

eps keeps an all-zero vector from becoming 0 / 0. PyTorch's nn.RMSNorm does not default it to
a round number such as 1e-5: with eps=None it takes the machine epsilon of the float type the
statistic is computed in, torch.finfo(torch.float32).eps, about 1.19e-7, for float32 inputs.

Half precision needs care. float16 cannot hold numbers above 65504, so an activation of 300
squares to inf in float16 and the whole vector normalises to 0. The usual fix, which
F.rms_norm and Llama's own code both apply, is to do the arithmetic in float32 and cast only
the result back:

    x = torch.tensor([300.0, -200.0, 100.0, 50.0], dtype=torch.float16)
    x.pow(2).mean()               # inf: float16 overflowed
    x.float().pow(2).mean()       # 35625.0
"""
import torch
import torch.nn as nn


def rms_norm(x, weight, eps=None):
    """Root-mean-square normalisation over the trailing weight.dim() dims of x.

    Args:
        x: float tensor of shape (*, *S), where S = weight.shape (one or more dims).
        weight: float tensor of shape S (x's dtype): one scale per normalised element.
        eps: a float added to the mean of squares inside the square root. None means the
            machine epsilon of the float type the computation runs in (see below), the way
            nn.RMSNorm does it.

    Returns:
        A tensor of x's shape, dtype and device: x / sqrt(mean(x ** 2) + eps) * weight, the
        mean taken over the trailing weight.dim() dims only. For float16 and bfloat16 inputs
        the whole computation (weight included) runs in float32, with float32's epsilon when
        eps is None, and only the result is cast back, so values whose squares overflow
        float16 still normalise correctly. float32 and float64 inputs are computed in their
        own dtype. An all-zero group gives zeros, never NaN. Values and gradients (for x and
        weight) match F.rms_norm(x, weight.shape, weight, eps). Inputs are not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: F.rms_norm, torch.rms_norm, torch._fused_rms_norm, nn.RMSNorm
    """
    # BEGIN SOLUTION
    # hint: Reduce over the trailing weight.dim() dims, dims = tuple(range(-weight.dim(), 0)),
    #   with keepdim=True so the statistic lines up with x. There is no mean to subtract.
    # hint: eps goes inside the square root: x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True)
    #   + eps) * weight.
    # hint: For half inputs compute in float32: x.float(), weight.float(), and when eps is
    #   None use torch.finfo(torch.float32).eps (the dtype you compute in, not x's); cast the
    #   result back with .to(x.dtype).
    dims = tuple(range(-weight.dim(), 0))
    # float16 overflows above 65504, so half inputs are squared and summed in float32.
    compute = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    if eps is None:
        eps = torch.finfo(compute).eps
    wide = x.to(compute)
    scale = torch.rsqrt(wide.pow(2).mean(dim=dims, keepdim=True) + eps)
    return (wide * scale * weight.to(compute)).to(x.dtype)
    # END SOLUTION


class RMSNorm(nn.Module):
    """An RMSNorm layer, a drop-in for nn.RMSNorm.

    Args:
        normalized_shape: an int E or a tuple/list/torch.Size S: the trailing dims to normalise
            over. An int E means (E,).
        eps: as in rms_norm: a float, or None (the default) for the machine epsilon.
        elementwise_affine: when True (default) the layer has one learnable parameter,
            `weight`, of shape S, initialised to ones, so its state_dict key is exactly
            "weight", as for nn.RMSNorm. There is no bias. When False it has no parameters and
            an empty state_dict.

    Attributes, as on nn.RMSNorm: normalized_shape (always a tuple), eps (as given, None
    included), elementwise_affine.

    forward(x): x of shape (*, *S) -> the same shape, dtype and device, normalised as rms_norm
    does (with a weight of ones when there is no parameter). After loading the same
    state_dict, outputs and gradients (for x and weight) match nn.RMSNorm.

    Loops: not allowed.
    Forbidden: F.rms_norm, torch.rms_norm, torch._fused_rms_norm, nn.RMSNorm
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        # BEGIN SOLUTION
        # hint: Call super().__init__() first, turn an int normalized_shape into a 1-tuple, and
        #   store normalized_shape, eps and elementwise_affine as attributes.
        # hint: The only parameter is nn.Parameter(torch.ones(shape)) named `weight`; with
        #   elementwise_affine=False register it as None instead.
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
        else:
            # As nn.RMSNorm does: the name exists, but holds no tensor and adds no state_dict key.
            self.register_parameter("weight", None)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        weight = self.weight if self.weight is not None else x.new_ones(self.normalized_shape)
        return rms_norm(x, weight, self.eps)
        # END SOLUTION
