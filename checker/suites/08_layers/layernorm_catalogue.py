"""Mistake catalogue for 08_layers/layernorm.

Each entry is a whole replacement for one graded name. The LayerNorm entries normalise inside
forward() instead of calling layer_norm: a class keeps the globals of the module it was
written in, so a call from here would not reach the kata's layer_norm.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- layer_norm: mistakes

@catalogue.mistake("unbiased variance (divides by n - 1)")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("eps added outside the square root")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    return (x - mean) / (torch.sqrt(var) + eps) * gamma + beta


@catalogue.mistake("normalises over the last dim only, even when gamma has two dims")
def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("normalises over dim 0, across the batch (BatchNorm's axis)")
def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=0, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("variance as mean(x**2) - mean**2 (cancels to garbage for large means)")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = (x ** 2).mean(dim=dims, keepdim=True) - mean ** 2
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("statistics taken without keepdim, so they do not line up with x")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims)
    var = ((x - mean) ** 2).mean(dim=dims)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("mean and variance detached, so the input gradient misses their terms")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims, keepdim=True).detach()
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True).detach()
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("subtracts the mean in place, overwriting the caller's x")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    x -= x.mean(dim=dims, keepdim=True)
    var = (x ** 2).mean(dim=dims, keepdim=True)
    return x / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("called F.layer_norm", expect="forbidden-op")
def layer_norm(x, gamma, beta, eps=1e-5):
    return F.layer_norm(x, gamma.shape, gamma, beta, eps)


# ---------------------------------------------------------------- layer_norm: alternatives

@catalogue.alternative("torch.var_mean(correction=0) and torch.rsqrt")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    return (x - mean) * torch.rsqrt(var + eps) * gamma + beta


@catalogue.alternative("flattens the normalised dims into one and uses var(unbiased=False)")
def layer_norm(x, gamma, beta, eps=1e-5):
    groups = x.flatten(start_dim=x.dim() - gamma.dim())  # (*, prod(gamma.shape))
    mean = groups.mean(dim=-1, keepdim=True)
    var = groups.var(dim=-1, unbiased=False, keepdim=True)
    normalised = ((groups - mean) / (var + eps).sqrt()).reshape(x.shape)
    return normalised * gamma + beta


# ---------------------------------------------------------------- LayerNorm: mistakes

@catalogue.mistake("parameters named gamma and beta, so the state_dict keys differ from nn.LayerNorm")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.gamma = nn.Parameter(torch.ones(self.normalized_shape))
            self.beta = nn.Parameter(torch.zeros(self.normalized_shape))

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        out = (x - mean) / torch.sqrt(var + self.eps)
        if self.elementwise_affine:
            out = out * self.gamma + self.beta
        return out


@catalogue.mistake("weight and bias kept as plain tensors, not nn.Parameter")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = torch.ones(self.normalized_shape, requires_grad=True)
            self.bias = torch.zeros(self.normalized_shape, requires_grad=True)

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        out = (x - mean) / torch.sqrt(var + self.eps)
        if self.elementwise_affine:
            out = out * self.weight + self.bias
        return out


@catalogue.mistake("an int normalized_shape is stored as is, so len() fails on it")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = normalized_shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(normalized_shape))
            self.bias = nn.Parameter(torch.zeros(normalized_shape))

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        out = (x - mean) / torch.sqrt(var + self.eps)
        if self.elementwise_affine:
            out = out * self.weight + self.bias
        return out


@catalogue.mistake("weight initialised at random instead of ones")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.randn(self.normalized_shape))
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        out = (x - mean) / torch.sqrt(var + self.eps)
        if self.elementwise_affine:
            out = out * self.weight + self.bias
        return out


@catalogue.mistake("always creates weight and bias, ignoring elementwise_affine=False")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.weight = nn.Parameter(torch.ones(self.normalized_shape))
        self.bias = nn.Parameter(torch.zeros(self.normalized_shape))

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias


@catalogue.mistake("forward normalises over the last dim only, whatever normalized_shape says")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
        out = (x - mean) / torch.sqrt(var + self.eps)
        if self.elementwise_affine:
            out = out * self.weight + self.bias
        return out


@catalogue.mistake("forward ignores the eps it was given and always uses 1e-5")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        out = (x - mean) / torch.sqrt(var + 1e-5)
        if self.elementwise_affine:
            out = out * self.weight + self.bias
        return out


@catalogue.mistake("forgot super().__init__(), so nn.Module cannot register the parameters")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        out = (x - mean) / torch.sqrt(var + self.eps)
        if self.elementwise_affine:
            out = out * self.weight + self.bias
        return out


@catalogue.mistake("borrows nn.LayerNorm's parameters and calls F.layer_norm", expect="forbidden-op")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        inner = nn.LayerNorm(normalized_shape, eps=eps, elementwise_affine=elementwise_affine)
        self.normalized_shape = inner.normalized_shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        # Borrow its parameters under our own names so the state_dict keys still match.
        self.weight = inner.weight
        self.bias = inner.bias

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)


# ---------------------------------------------------------------- LayerNorm: alternatives

@catalogue.alternative("parameters from torch.empty filled by nn.init in reset_parameters, torch.Size shape")
class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = [normalized_shape]
        self.normalized_shape = tuple(torch.Size(normalized_shape))
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.empty(self.normalized_shape))
            self.bias = nn.Parameter(torch.empty(self.normalized_shape))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            nn.init.ones_(self.weight)
            nn.init.zeros_(self.bias)

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
        out = (x - mean) * torch.rsqrt(var + self.eps)
        if self.weight is not None:
            out = out * self.weight + self.bias
        return out
