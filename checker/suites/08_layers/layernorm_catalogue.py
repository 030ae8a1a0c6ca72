"""Mistake catalogue for 08_layers/layernorm: each entry replaces one function or one method of a
fresh copy of the reference."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- layer_norm: mistakes

@catalogue.mistake("unbiased variance (divides by n - 1)",
                   hint="LayerNorm uses the biased variance: divide by the count (unbiased=False / correction=0)")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("eps added outside the square root",
                   hint="eps goes inside: sqrt(var + eps)")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    return (x - mean) / (torch.sqrt(var) + eps) * gamma + beta


@catalogue.mistake("normalises over the last dim only, even when gamma has two dims",
                   hint="reduce over the trailing gamma.dim() dims, not just -1")
def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("normalises over dim 0, across the batch (BatchNorm's axis)",
                   hint="LayerNorm reduces over the trailing (feature) dims of each sample")
def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=0, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("variance as mean(x**2) - mean**2 (cancels to garbage for large means)",
                   hint="centre first: var = ((x - mean) ** 2).mean(...)")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = (x ** 2).mean(dim=dims, keepdim=True) - mean ** 2
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("statistics taken without keepdim, so they do not line up with x",
                   hint="reduce with keepdim=True so mean and var broadcast back against x")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims)
    var = ((x - mean) ** 2).mean(dim=dims)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("mean and variance detached, so the input gradient misses their terms",
                   hint="keep mean and var in the graph: no .detach()")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    mean = x.mean(dim=dims, keepdim=True).detach()
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True).detach()
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("subtracts the mean in place, overwriting the caller's x",
                   hint="x - mean makes a new tensor; x -= mean changes the caller's x")
def layer_norm(x, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    x -= x.mean(dim=dims, keepdim=True)
    var = (x ** 2).mean(dim=dims, keepdim=True)
    return x / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("called F.layer_norm", expect="forbidden-op",
                   hint="normalise with mean and var yourself")
def layer_norm(x, gamma, beta, eps=1e-5):
    return F.layer_norm(x, gamma.shape, gamma, beta, eps)


@catalogue.mistake("computes in float32 and returns float32 for float16/bfloat16 input",
                   hint="keep x's dtype: cast the result back with .to(x.dtype)")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    return ref.layer_norm(x.float(), gamma.float(), beta.float(), eps)


@catalogue.mistake("normalises each feature vector in a Python loop", expect="not-vectorised",
                   hint="reduce over the trailing dims of the whole tensor at once")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    groups = x.reshape(-1, *gamma.shape)
    return torch.stack([ref.layer_norm(row, gamma, beta, eps) for row in groups]).reshape(x.shape)


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
# Deltas: each namespace class below replaces one method of the reference's LayerNorm.

class LayerNorm:
    @catalogue.mistake("parameters named gamma and beta, so the state_dict keys differ from nn.LayerNorm",
                       hint="name them weight and bias, as nn.LayerNorm does")
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.gamma = nn.Parameter(torch.ones(self.normalized_shape))
            self.beta = nn.Parameter(torch.zeros(self.normalized_shape))

    @catalogue.mistake("weight and bias kept as plain tensors, not nn.Parameter",
                       hint="wrap them in nn.Parameter so the module registers them")
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):  # noqa: F811
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = torch.ones(self.normalized_shape, requires_grad=True)
            self.bias = torch.zeros(self.normalized_shape, requires_grad=True)

    @catalogue.mistake("an int normalized_shape is stored as is, not as a 1-tuple",
                       hint="turn an int E into (E,) so normalized_shape is always a tuple")
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):  # noqa: F811
        super().__init__()
        self.normalized_shape, self.eps, self.elementwise_affine = normalized_shape, eps, elementwise_affine
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(shape))
            self.bias = nn.Parameter(torch.zeros(shape))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    @catalogue.mistake("normalized_shape stored as a list, where nn.LayerNorm keeps a tuple",
                       hint="store tuple(normalized_shape)")
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):  # noqa: F811
        ref.LayerNorm.__init__(self, normalized_shape, eps, elementwise_affine)
        self.normalized_shape = list(self.normalized_shape)

    @catalogue.mistake("weight initialised at random instead of ones", hint="start weight at ones and bias at zeros")
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):  # noqa: F811
        ref.LayerNorm.__init__(self, normalized_shape, eps, elementwise_affine)
        if elementwise_affine:
            self.weight = nn.Parameter(torch.randn(self.normalized_shape))

    @catalogue.mistake("always creates weight and bias, ignoring elementwise_affine=False",
                       hint="with elementwise_affine=False the layer has no parameters")
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):  # noqa: F811
        ref.LayerNorm.__init__(self, normalized_shape, eps, True)
        self.elementwise_affine = elementwise_affine

    @catalogue.mistake("forgot super().__init__(), so nn.Module cannot register the parameters",
                       hint="call super().__init__() first")
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):  # noqa: F811
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))

    @catalogue.mistake("forward normalises over the last dim only, whatever normalized_shape says",
                       hint="reduce over the last len(normalized_shape) dims")
    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        out = (x - mean) / torch.sqrt(((x - mean) ** 2).mean(dim=-1, keepdim=True) + self.eps)
        return out * self.weight + self.bias if self.elementwise_affine else out

    @catalogue.mistake("forward ignores the eps it was given and always uses 1e-5", hint="use self.eps")
    def forward(self, x):  # noqa: F811
        saved, self.eps = self.eps, 1e-5
        try:
            return ref.LayerNorm.forward(self, x)
        finally:
            self.eps = saved

    @catalogue.mistake("forward normalises one row at a time in a Python loop", expect="not-vectorised",
                       hint="normalise every row at once with mean(dim=..., keepdim=True)")
    def forward(self, x):  # noqa: F811
        rows = x.reshape(-1, *self.normalized_shape)
        return torch.stack([ref.LayerNorm.forward(self, row.unsqueeze(0))[0] for row in rows]).reshape(x.shape)

    @catalogue.mistake("borrows nn.LayerNorm's parameters and calls F.layer_norm", expect="forbidden-op",
                       hint="normalise with mean and var yourself")
    def forward(self, x):  # noqa: F811
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


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.mistake("layer_norm ignores the eps it is given and always uses 1e-5",
                   hint="add the eps argument: sqrt(var + eps)")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    return ref.layer_norm(x, gamma, beta)


@catalogue.mistake("layer_norm swaps gamma and beta: scales by beta and shifts by gamma",
                   hint="gamma (the weight) multiplies, beta (the bias) is added")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    return ref.layer_norm(x, beta, gamma, eps)


@catalogue.mistake("layer_norm normalises over the leading gamma.dim() dims, range(gamma.dim())",
                   hint="the normalised dims are the trailing ones: range(-gamma.dim(), 0)")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    dims = tuple(range(gamma.dim()))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@catalogue.mistake("layer_norm through F.batch_norm's native kernel on a reshaped x", expect="forbidden-op",
                   hint="compute the mean and the variance yourself")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    groups = x.reshape(1, -1, gamma.numel())              # every group becomes a "channel"
    out, _, _ = torch.native_batch_norm(groups, None, None, None, None, True, 0.0, eps)
    return out.reshape(x.shape) * gamma + beta


@catalogue.alternative("layer_norm with torch.std(correction=0), dividing by sqrt(std ** 2 + eps)")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    dims = list(range(x.dim() - gamma.dim(), x.dim()))
    mu = torch.mean(x, dims, keepdim=True)
    sigma = torch.std(x, dims, correction=0, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(sigma.pow(2) + eps) + beta


@catalogue.alternative("layer_norm in float64, cast back to x's dtype")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    return ref.layer_norm(x.double(), gamma.double(), beta.double(), eps).to(x.dtype)


@catalogue.alternative("layer_norm with torch.addcmul for the affine step")
def layer_norm(x, gamma, beta, eps=1e-5):  # noqa: F811
    dims = tuple(range(-gamma.dim(), 0))
    centred = x - x.mean(dims, keepdim=True)
    normalised = centred * (centred.square().mean(dims, keepdim=True) + eps).rsqrt()
    return torch.addcmul(beta, normalised, gamma)


class LayerNorm:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("never stores eps and elementwise_affine as attributes",
                       hint="keep normalized_shape, eps and elementwise_affine as attributes, as nn.LayerNorm does")
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = shape
        self._eps = eps
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(shape))
            self.bias = nn.Parameter(torch.zeros(shape))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    @catalogue.mistake("forward scales by self.weight even when there is none", expect="error",
                       hint="with elementwise_affine=False there are no parameters: skip the scale and shift")
    def forward(self, x):
        return layer_norm(x, self.weight, self.bias, self.eps)

    @catalogue.alternative("forward normalising itself and applying the affine step only when there are parameters")
    def forward(self, x):
        dims = tuple(range(x.dim() - len(self.normalized_shape), x.dim()))
        var, mean = torch.var_mean(x, dim=dims, unbiased=False, keepdim=True)
        y = (x - mean) / torch.sqrt(var + self.eps)
        return y if self.weight is None else y * self.weight + self.bias
