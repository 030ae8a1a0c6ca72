"""Mistake catalogue for 08_layers/linear: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name (or one method) of a fresh copy
of the reference; `kata validate` grades every entry."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- linear: mistakes

@catalogue.mistake("multiplies by weight instead of weight.T", hint="weight is (out, in): use x @ weight.T")
def linear(x, weight, bias=None):
    out = x @ weight
    return out + bias if bias is not None else out


@catalogue.mistake("computes weight @ x.T, which puts the outputs on dim 0",
                   hint="keep the batch first: x @ weight.T has shape (*, out_features)")
def linear(x, weight, bias=None):
    out = weight @ x.T
    return out + bias.unsqueeze(-1) if bias is not None else out


@catalogue.mistake("never adds the bias", hint="add bias after the product when it is not None")
def linear(x, weight, bias=None):
    return x @ weight.T


@catalogue.mistake("uses x.mm(...), which only takes 2-D inputs",
                   hint="@ (torch.matmul) handles any number of leading dims; mm needs exactly two")
def linear(x, weight, bias=None):
    out = x.mm(weight.t())
    return out + bias if bias is not None else out


@catalogue.mistake("bias as a column, bias.unsqueeze(1), so it broadcasts the wrong way",
                   hint="the bias has one value per output feature, the last dim: add it as it is")
def linear(x, weight, bias=None):
    out = x @ weight.T
    return out + bias.unsqueeze(1) if bias is not None else out


@catalogue.mistake("a Python loop over the output features", expect="not-vectorised",
                   hint="one matrix product computes every output feature at once")
def linear(x, weight, bias=None):
    columns = [x @ weight[j] + (bias[j] if bias is not None else 0) for j in range(weight.shape[0])]
    return torch.stack(columns, dim=-1)


@catalogue.mistake("computes in float32 and returns float32 for half-precision inputs",
                   hint="leave the dtype alone: x @ weight.T already keeps x's dtype")
def linear(x, weight, bias=None):
    out = x.float() @ weight.float().T
    return out + bias.float() if bias is not None else out


@catalogue.mistake("calls F.linear", expect="forbidden-op", hint="write the product yourself: x @ weight.T + bias")
def linear(x, weight, bias=None):
    return F.linear(x, weight, bias)


# ---------------------------------------------------------------- linear: alternatives

@catalogue.alternative("torch.einsum over the last dim")
def linear(x, weight, bias=None):
    out = torch.einsum("...i,oi->...o", x, weight)
    return out if bias is None else out + bias


@catalogue.alternative("flattens the leading dims, torch.addmm, then restores them")
def linear(x, weight, bias=None):
    flat = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])   # -1 would be ambiguous for 0 elements
    if bias is None:
        out = flat @ weight.mT
    else:
        out = torch.addmm(bias, flat, weight.mT)
    return out.reshape(*x.shape[:-1], weight.shape[0])


# ---------------------------------------------------------------- Linear: mistakes

def _uniform(*shape, bound):
    return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))


class Linear:
    @catalogue.mistake("stores weight as (in, out), the shape of the hand-written W",
                       hint="nn.Linear's weight is (out_features, in_features), one row per output")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = _uniform(in_features, out_features, bound=bound)
        self.bias = _uniform(out_features, bound=bound) if bias else None

    @catalogue.mistake("plain tensors with requires_grad=True instead of nn.Parameter",
                       hint="wrap them in nn.Parameter so parameters() and the state_dict see them")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = torch.empty(out_features, in_features).uniform_(-bound, bound).requires_grad_()
        self.bias = torch.empty(out_features).uniform_(-bound, bound).requires_grad_() if bias else None

    @catalogue.mistake("initial weights from torch.randn", hint="nn.Linear draws uniformly from [-k, k], k = 1/sqrt(in)")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.randn(out_features, in_features))
        self.bias = nn.Parameter(torch.randn(out_features)) if bias else None

    @catalogue.mistake("initial values from torch.rand(...) * k, all positive",
                       hint="shift the draw to [-k, k]: (2 * torch.rand(...) - 1) * k, or uniform_(-k, k)")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.rand(out_features, in_features) * bound)
        self.bias = nn.Parameter(torch.rand(out_features) * bound) if bias else None

    @catalogue.mistake("bias starts at zeros", hint="nn.Linear's bias is drawn from [-k, k] like the weight")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = _uniform(out_features, in_features, bound=1 / math.sqrt(in_features))
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    @catalogue.mistake("bound 1 / sqrt(out_features)", hint="the bound comes from the number of inputs summed")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(out_features)
        self.weight = _uniform(out_features, in_features, bound=bound)
        self.bias = _uniform(out_features, bound=bound) if bias else None

    @catalogue.mistake("bound 1 / in_features, without the square root", hint="k = 1 / math.sqrt(in_features)")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / in_features
        self.weight = _uniform(out_features, in_features, bound=bound)
        self.bias = _uniform(out_features, bound=bound) if bias else None

    @catalogue.mistake("nn.init.kaiming_uniform_ with its default a=0 (bound sqrt(6 / in))",
                       hint="nn.Linear passes a=math.sqrt(5), which makes the bound 1 / sqrt(in_features)")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        nn.init.kaiming_uniform_(self.weight)
        self.bias = _uniform(out_features, bound=1 / math.sqrt(in_features)) if bias else None

    @catalogue.mistake("draws from a torch.Generator of its own with a fixed seed",
                       hint="use torch's global generator, so torch.manual_seed decides the values")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        generator = torch.Generator().manual_seed(0)
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound, generator=generator))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound, generator=generator)) \
            if bias else None

    @catalogue.mistake("ignores bias=False and always makes a bias", hint="with bias=False register bias as None")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = _uniform(out_features, in_features, bound=bound)
        self.bias = _uniform(out_features, bound=bound)

    @catalogue.mistake("forgets super().__init__()", hint="call super().__init__() before assigning parameters")
    def __init__(self, in_features, out_features, bias=True):
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = _uniform(out_features, in_features, bound=bound)
        self.bias = _uniform(out_features, bound=bound) if bias else None

    @catalogue.mistake("borrows nn.Linear's parameters", expect="forbidden-op",
                       hint="create the two parameters yourself")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        inner = nn.Linear(in_features, out_features, bias=bias)
        self.in_features, self.out_features = in_features, out_features
        self.weight, self.bias = inner.weight, inner.bias


@catalogue.mistake("parameters named W and b, so the state_dict keys differ from nn.Linear's",
                   hint="attribute names are state_dict keys: call them weight and bias")
class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.W = _uniform(out_features, in_features, bound=bound)
        self.b = _uniform(out_features, bound=bound) if bias else None

    def forward(self, x):
        out = x @ self.W.T
        return out + self.b if self.b is not None else out


# ---------------------------------------------------------------- Linear: alternatives

class Linear:  # noqa: F811 - a namespace for one method replacement
    @catalogue.alternative("nn.Linear's own recipe: kaiming_uniform_(a=sqrt(5)) and a uniform bias")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None   # None adds no state_dict key
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(in_features)
            nn.init.uniform_(self.bias, -bound, bound)

    @catalogue.alternative("(2 * torch.rand(...) - 1) * k, then wrapped in nn.Parameter")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter((2 * torch.rand(out_features, in_features) - 1) * bound)
        if bias:
            self.bias = nn.Parameter((2 * torch.rand(out_features) - 1) * bound)
        else:
            self.register_parameter("bias", None)


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.mistake("tests `if bias:` instead of `if bias is not None:`",
                   hint="a tensor of several numbers has no single truth value: compare with None")
def linear(x, weight, bias=None):  # noqa: F811
    out = x @ weight.T
    if bias:
        out = out + bias
    return out


@catalogue.mistake("transposes with weight.t_(), which flips the caller's weight in place",
                   hint="weight.T (or weight.t()) makes a transposed view; t_() changes weight itself")
def linear(x, weight, bias=None):  # noqa: F811
    out = x @ weight.t_()
    return out if bias is None else out + bias


@catalogue.alternative("broadcast multiply and sum over the input features")
def linear(x, weight, bias=None):  # noqa: F811
    out = (x.unsqueeze(-2) * weight).sum(dim=-1)
    return out + bias if bias is not None else out


@catalogue.alternative("torch.tensordot on the last dim, then torch.add")
def linear(x, weight, bias=None):  # noqa: F811
    out = torch.tensordot(x, weight, dims=([-1], [1]))
    return out if bias is None else torch.add(out, bias)


@catalogue.alternative("in float64, cast back to x's dtype")
def linear(x, weight, bias=None):  # noqa: F811
    out = torch.matmul(x.double(), weight.double().t())
    if bias is not None:
        out += bias.double()
    return out.to(x.dtype)


class Linear:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("forward adds self.bias even when it is None", expect="error",
                       hint="with bias=False self.bias is None: add it only when it is not None")
    def forward(self, x):
        return x @ self.weight.T + self.bias

    @catalogue.mistake("never stores in_features and out_features",
                       hint="keep both sizes as attributes, as nn.Linear does")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = _uniform(out_features, in_features, bound=bound)
        self.bias = _uniform(out_features, bound=bound) if bias else None

    @catalogue.mistake("draws the initial weights with torch.randn(...) * k (a normal, not a uniform)",
                       hint="draw uniformly from [-k, k]: tensor.uniform_(-k, k)")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.randn(out_features, in_features) * bound)
        self.bias = nn.Parameter(torch.randn(out_features) * bound) if bias else None

    @catalogue.alternative("bias drawn before the weight, both filled by nn.init.uniform_ on zeros")
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        bound = in_features ** -0.5
        if bias:
            self.bias = nn.Parameter(nn.init.uniform_(torch.zeros(out_features), -bound, bound))
        else:
            self.bias = None
        self.weight = nn.Parameter(nn.init.uniform_(torch.zeros(out_features, in_features), -bound, bound))

    @catalogue.alternative("forward through torch.matmul and an explicit None check")
    def forward(self, x):
        y = torch.matmul(x, self.weight.transpose(0, 1))
        if self.bias is None:
            return y
        return y + self.bias
