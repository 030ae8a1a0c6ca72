"""Mistake catalogue for 10_llm_blocks/rmsnorm.

The rms_norm entries are whole replacements. The RMSNorm entries replace one method of the
reference (its forward calls the kata's own rms_norm, so they isolate the layer's mistakes),
except the one that adds a bias, which needs both methods.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference
HALF = (torch.float16, torch.bfloat16)


def _settings(module, normalized_shape, eps, elementwise_affine):
    """The reference's bookkeeping, for entries whose mistake lies elsewhere."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    module.normalized_shape, module.eps, module.elementwise_affine = shape, eps, elementwise_affine


def _dims(weight):
    return tuple(range(-weight.dim(), 0))


# ---------------------------------------------------------------- rms_norm: mistakes

@catalogue.mistake("subtracts the mean first: that is LayerNorm, not RMSNorm",
                   hint="RMSNorm does not centre: divide x itself by sqrt(mean(x ** 2) + eps)")
def rms_norm(x, weight, eps=None):
    eps = torch.finfo(torch.float32).eps if eps is None else eps
    centred = x - x.mean(dim=_dims(weight), keepdim=True)
    return centred * torch.rsqrt(centred.pow(2).mean(dim=_dims(weight), keepdim=True) + eps) * weight


@catalogue.mistake("eps added outside the square root", hint="eps goes inside: sqrt(mean(x ** 2) + eps)")
def rms_norm(x, weight, eps=None):
    compute = torch.float32 if x.dtype in HALF else x.dtype
    eps = torch.finfo(compute).eps if eps is None else eps
    wide = x.to(compute)
    return (wide / (wide.pow(2).mean(dim=_dims(weight), keepdim=True).sqrt() + eps) * weight.to(compute)).to(x.dtype)


@catalogue.mistake("divides by the standard deviation (x.std()) instead of the root mean square",
                   hint="the statistic is sqrt(mean(x ** 2) + eps); std subtracts the mean and divides by n - 1")
def rms_norm(x, weight, eps=None):
    compute = torch.float32 if x.dtype in HALF else x.dtype
    eps = torch.finfo(compute).eps if eps is None else eps
    wide = x.to(compute)
    return (wide / torch.sqrt(wide.std(dim=_dims(weight), keepdim=True) ** 2 + eps) * weight.to(compute)).to(x.dtype)


@catalogue.mistake("eps=None replaced by Llama's 1e-6", hint="None means torch.finfo(<compute dtype>).eps")
def rms_norm(x, weight, eps=None):
    eps = 1e-6 if eps is None else eps
    wide = x.float() if x.dtype in HALF else x
    return (wide * torch.rsqrt(wide.pow(2).mean(dim=_dims(weight), keepdim=True) + eps) * weight.to(wide.dtype)).to(x.dtype)


@catalogue.mistake("eps=None taken from x's own dtype (float16's 9.8e-4), though the sums run in float32",
                   hint="take the epsilon of the dtype you compute in: float32's for half inputs")
def rms_norm(x, weight, eps=None):
    eps = torch.finfo(x.dtype).eps if eps is None else eps
    wide = x.float() if x.dtype in HALF else x
    return (wide * torch.rsqrt(wide.pow(2).mean(dim=_dims(weight), keepdim=True) + eps) * weight.to(wide.dtype)).to(x.dtype)


@catalogue.mistake("no float32 upcast: the squares of float16 activations overflow to inf",
                   hint="compute in float32 for float16/bfloat16 inputs and cast the result back")
def rms_norm(x, weight, eps=None):
    eps = torch.finfo(torch.float32 if x.dtype in HALF else x.dtype).eps if eps is None else eps
    return x * torch.rsqrt(x.pow(2).mean(dim=_dims(weight), keepdim=True) + eps) * weight


@catalogue.mistake("upcasts half inputs but forgets to cast the result back",
                   hint="finish with .to(x.dtype): the result keeps x's dtype")
def rms_norm(x, weight, eps=None):
    wide = x.float() if x.dtype in HALF else x
    eps = torch.finfo(wide.dtype).eps if eps is None else eps
    return wide * torch.rsqrt(wide.pow(2).mean(dim=_dims(weight), keepdim=True) + eps) * weight.to(wide.dtype)


@catalogue.mistake("normalises over the last dim only, even when weight has two dims",
                   hint="reduce over the trailing weight.dim() dims")
def rms_norm(x, weight, eps=None):
    wide = x.float() if x.dtype in HALF else x
    eps = torch.finfo(wide.dtype).eps if eps is None else eps
    return (wide * torch.rsqrt(wide.pow(2).mean(dim=-1, keepdim=True) + eps) * weight.to(wide.dtype)).to(x.dtype)


@catalogue.mistake("mean of squares without keepdim, so it lines up with the wrong dim",
                   hint="mean(..., keepdim=True) keeps a size-1 dim that broadcasts back against x")
def rms_norm(x, weight, eps=None):
    wide = x.float() if x.dtype in HALF else x
    eps = torch.finfo(wide.dtype).eps if eps is None else eps
    return (wide * torch.rsqrt(wide.pow(2).mean(dim=_dims(weight)) + eps) * weight.to(wide.dtype)).to(x.dtype)


@catalogue.mistake("normalises x in place (x.mul_), overwriting the caller's tensor",
                   hint="compute a new tensor; never write into x")
def rms_norm(x, weight, eps=None):
    wide = x.float() if x.dtype in HALF else x
    eps = torch.finfo(wide.dtype).eps if eps is None else eps
    scale = torch.rsqrt(wide.pow(2).mean(dim=_dims(weight), keepdim=True) + eps)
    return x.mul_(scale.to(x.dtype)).mul_(weight)


@catalogue.mistake("calls F.rms_norm", expect="forbidden-op", hint="build it from pow, mean and rsqrt")
def rms_norm(x, weight, eps=None):
    return F.rms_norm(x, weight.shape, weight, eps)


# ---------------------------------------------------------------- rms_norm: alternatives

@catalogue.alternative("torch.linalg.vector_norm / sqrt(n), in float32 for half inputs")
def rms_norm(x, weight, eps=None):
    dims = _dims(weight)
    wide = x.float() if x.dtype in HALF else x
    if eps is None:
        eps = torch.finfo(wide.dtype).eps
    count = math.prod(weight.shape)
    mean_square = torch.linalg.vector_norm(wide, dim=dims, keepdim=True) ** 2 / count
    return (wide / torch.sqrt(mean_square + eps) * weight.to(wide.dtype)).to(x.dtype)


@catalogue.alternative("flattens the normalised dims and uses (x * x).mean(-1)")
def rms_norm(x, weight, eps=None):
    compute = torch.promote_types(x.dtype, torch.float32)
    if eps is None:
        eps = torch.finfo(compute).eps
    groups = x.to(compute).flatten(start_dim=x.dim() - weight.dim())
    normalised = groups / (groups * groups).mean(dim=-1, keepdim=True).add(eps).sqrt()
    return (normalised.reshape(x.shape) * weight.to(compute)).to(x.dtype)


# ---------------------------------------------------------------- RMSNorm: mistakes

class RMSNorm:
    @catalogue.mistake("the parameter is named scale, so the state_dict key differs from nn.RMSNorm",
                       hint="name the parameter `weight`")
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        _settings(self, normalized_shape, eps, elementwise_affine)
        self.scale = nn.Parameter(torch.ones(self.normalized_shape)) if elementwise_affine else None
        self.weight = None

    @catalogue.mistake("weight kept as a plain tensor, not an nn.Parameter",
                       hint="wrap it: nn.Parameter(torch.ones(shape))")
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        _settings(self, normalized_shape, eps, elementwise_affine)
        self.weight = torch.ones(self.normalized_shape, requires_grad=True) if elementwise_affine else None

    @catalogue.mistake("weight initialised at random instead of ones", hint="start from torch.ones(shape)")
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        _settings(self, normalized_shape, eps, elementwise_affine)
        self.weight = nn.Parameter(torch.randn(self.normalized_shape)) if elementwise_affine else None

    @catalogue.mistake("an int normalized_shape stored as is, not as a 1-tuple",
                       hint="normalized_shape is always a tuple: (E,) for an int E")
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = normalized_shape
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = nn.Parameter(torch.ones(normalized_shape)) if elementwise_affine else None

    @catalogue.mistake("always creates weight, ignoring elementwise_affine=False",
                       hint="with elementwise_affine=False there is no parameter: register_parameter('weight', None)")
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        _settings(self, normalized_shape, eps, elementwise_affine)
        self.weight = nn.Parameter(torch.ones(self.normalized_shape))

    @catalogue.mistake("eps=None stored as 1e-5, so the attribute and the default both differ",
                       hint="keep eps exactly as given; None is a valid value")
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = 1e-5 if eps is None else eps
        self.elementwise_affine = elementwise_affine
        self.weight = nn.Parameter(torch.ones(self.normalized_shape)) if elementwise_affine else None

    @catalogue.mistake("forgot super().__init__(), so nn.Module cannot register the weight",
                       hint="call super().__init__() before assigning anything")
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = nn.Parameter(torch.ones(self.normalized_shape)) if elementwise_affine else None

    @catalogue.mistake("borrows nn.RMSNorm", expect="forbidden-op", hint="write the normalisation yourself")
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        self.inner = nn.RMSNorm(normalized_shape, eps=eps, elementwise_affine=elementwise_affine)

    @catalogue.mistake("forward ignores self.eps and always uses the default",
                       hint="pass self.eps on to rms_norm")
    def forward(self, x):
        weight = self.weight if self.weight is not None else x.new_ones(self.normalized_shape)
        return ref.rms_norm(x, weight)

    @catalogue.mistake("forward normalises over the last dim only, whatever normalized_shape says",
                       hint="normalise over all len(self.normalized_shape) trailing dims")
    def forward(self, x):
        compute = torch.float32 if x.dtype in HALF else x.dtype
        eps = torch.finfo(compute).eps if self.eps is None else self.eps
        out = x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)
        return out * self.weight if self.weight is not None else out


@catalogue.mistake("adds a LayerNorm-style bias parameter, an extra state_dict key",
                   hint="RMSNorm has no bias: its only parameter is weight")
class RMSNorm(nn.Module):
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        _settings(self, normalized_shape, eps, elementwise_affine)
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        out = x * torch.rsqrt(x.pow(2).mean(dim=dims, keepdim=True) + eps)
        return out * self.weight + self.bias if self.elementwise_affine else out


# ---------------------------------------------------------------- RMSNorm: alternatives

@catalogue.alternative("weight from torch.empty filled in reset_parameters; normalises in forward itself")
class RMSNorm(nn.Module):
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(torch.Size(shape))
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.empty(self.normalized_shape))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            nn.init.ones_(self.weight)

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        wide = x.float() if x.dtype in HALF else x
        eps = torch.finfo(wide.dtype).eps if self.eps is None else self.eps
        out = wide * (wide.square().mean(dim=dims, keepdim=True) + eps).rsqrt()
        if self.weight is not None:
            out = out * self.weight.to(wide.dtype)
        return out.to(x.dtype)


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.alternative("Llama's layout: normalise in float32, cast back, then multiply by the weight")
def rms_norm(x, weight, eps=None):  # noqa: F811
    dims = tuple(range(-weight.dim(), 0))
    wide = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    eps = torch.finfo(wide.dtype).eps if eps is None else eps
    normed = wide * torch.rsqrt(wide.pow(2).mean(dims, keepdim=True) + eps)
    return normed.type_as(x) * weight


@catalogue.alternative("the root mean square as sqrt and a division, computed in float64 for every dtype")
def rms_norm(x, weight, eps=None):  # noqa: F811
    dims = list(range(x.dim() - weight.dim(), x.dim()))
    compute = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    eps = torch.finfo(compute).eps if eps is None else eps
    wide = x.double()
    rms = torch.sqrt(torch.mean(wide * wide, dim=dims, keepdim=True) + eps)
    return (wide / rms * weight.double()).to(x.dtype)


@catalogue.mistake("multiplies by the root mean square instead of dividing by it",
                   hint="x / sqrt(mean(x ** 2) + eps): rsqrt, or a division by the square root")
def rms_norm(x, weight, eps=None):  # noqa: F811
    compute = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    eps = torch.finfo(compute).eps if eps is None else eps
    wide = x.to(compute)
    scale = torch.sqrt(wide.pow(2).mean(_dims(weight), keepdim=True) + eps)
    return (wide * scale * weight.to(compute)).to(x.dtype)
