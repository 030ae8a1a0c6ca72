"""Mistake catalogue for 10_llm_blocks/ffn: each entry replaces one function or one method of a
fresh copy of the reference."""
import math

import torch

import torch.nn.functional as F
from torch import nn

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- FeedForwardNetwork: mistakes (deltas)

class FeedForwardNetwork:
    @catalogue.mistake("submodules named fc1/fc2, so the state_dict keys are fc1.weight, ...",
                       hint="name them layer1 and layer2: attribute names become state_dict keys")
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.fc1, self.activation = nn.Linear(embedding_dim, ffn_dim), nn.GELU()
        self.fc2, self.dropout = nn.Linear(ffn_dim, embedding_dim), nn.Dropout(dropout)

    @catalogue.mistake("ReLU instead of GELU", hint="the activation is nn.GELU()")
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):  # noqa: F811
        ref.FeedForwardNetwork.__init__(self, embedding_dim, ffn_dim, dropout)
        self.activation = nn.ReLU()

    @catalogue.mistake("tanh-approximate GELU instead of the exact one (off by up to ~1e-3)",
                       hint="use the exact, erf-based nn.GELU() (approximate='none')")
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):  # noqa: F811
        ref.FeedForwardNetwork.__init__(self, embedding_dim, ffn_dim, dropout)
        self.activation = nn.GELU(approximate="tanh")

    @catalogue.mistake("Linear layers built with bias=False (no layer1.bias / layer2.bias keys)",
                       hint="nn.Linear keeps its bias by default")
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):  # noqa: F811
        ref.FeedForwardNetwork.__init__(self, embedding_dim, ffn_dim, dropout)
        self.layer1 = nn.Linear(embedding_dim, ffn_dim, bias=False)
        self.layer2 = nn.Linear(ffn_dim, embedding_dim, bias=False)

    @catalogue.mistake("the dropout argument is ignored: no dropout on the output while training",
                       hint="apply nn.Dropout(dropout) to layer2's output")
    def forward(self, x):
        return self.layer2(self.activation(self.layer1(x)))

    @catalogue.mistake("dropout applied to the hidden activations instead of the output",
                       hint="dropout goes after layer2")
    def forward(self, x):  # noqa: F811
        return self.layer2(self.dropout(self.activation(self.layer1(x))))

    @catalogue.mistake("runs the block one token at a time in a Python loop", expect="not-vectorised",
                       hint="nn.Linear works on any leading dims: call it on the whole tensor")
    def forward(self, x):  # noqa: F811
        flat = x.reshape(-1, x.shape[-1])
        return torch.stack([ref.FeedForwardNetwork.forward(self, row) for row in flat]).reshape(x.shape)


# ---------------------------------------------------------------- count_parameters: mistakes

@catalogue.mistake("counts frozen parameters too (no requires_grad filter)",
                   hint="keep only parameters with p.requires_grad")
def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


@catalogue.mistake("counts parameter tensors instead of their elements",
                   hint="add up p.numel(), the number of elements of each tensor")
def count_parameters(module):
    return len([p for p in module.parameters() if p.requires_grad])


@catalogue.mistake("counts every state_dict entry (frozen parameters and buffers included)",
                   hint="walk module.parameters() and filter on requires_grad")
def count_parameters(module):
    return sum(t.numel() for t in module.state_dict().values())


@catalogue.mistake("goes through NumPy (.cpu().numpy().size), which fails on the meta device",
                   hint="p.numel() reads the shape only, so it works on the meta device")
def count_parameters(module):
    return int(sum(p.detach().cpu().numpy().size for p in module.parameters() if p.requires_grad))


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("forward as one expression with F.dropout(..., training=self.training)")
class FeedForwardNetwork(nn.Module):
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.layer1 = nn.Linear(embedding_dim, ffn_dim)
        self.activation = nn.GELU()
        self.layer2 = nn.Linear(ffn_dim, embedding_dim)
        self.p = dropout

    def forward(self, x):
        return F.dropout(self.layer2(self.activation(self.layer1(x))), self.p, self.training)


@catalogue.alternative("forward through F.linear and F.gelu on the submodules' tensors")
class FeedForwardNetwork(nn.Module):
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.layer1 = nn.Linear(embedding_dim, ffn_dim)
        self.activation = nn.GELU()
        self.layer2 = nn.Linear(ffn_dim, embedding_dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        hidden = F.gelu(F.linear(x, self.layer1.weight, self.layer1.bias))
        out = F.linear(hidden, self.layer2.weight, self.layer2.bias)
        return self.drop(out)


@catalogue.alternative("math.prod of each shape over named_parameters()")
def count_parameters(module):
    total = 0
    for _name, param in module.named_parameters():
        if param.requires_grad:
            total += math.prod(param.shape)
    return total


# ---------------------------------------------------------------- more entries (review 2)

class FeedForwardNetwork:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("calls F.dropout without training=self.training, so eval mode still drops",
                       hint="F.dropout(x, p, training=self.training), or call the nn.Dropout submodule")
    def forward(self, x):
        return F.dropout(self.layer2(self.activation(self.layer1(x))), self.dropout.p)

    @catalogue.mistake("applies the activation after layer2 as well", hint="GELU sits between the two layers only")
    def forward(self, x):
        return self.dropout(self.activation(self.layer2(self.activation(self.layer1(x)))))

    @catalogue.alternative("forward in steps, reusing one name")
    def forward(self, x):
        x = self.layer1(x)
        x = self.activation(x)
        x = self.layer2(x)
        return self.dropout(x)


@catalogue.mistake("count_parameters returns a tensor (torch.tensor(shape).prod() per parameter)",
                   hint="return a Python int: p.numel() is already one")
def count_parameters(module):  # noqa: F811
    return sum(torch.tensor(p.shape).prod() for p in module.parameters() if p.requires_grad)


@catalogue.alternative("count_parameters with nelement() over a filtered list")
def count_parameters(module):  # noqa: F811
    trainable = list(filter(lambda p: p.requires_grad, module.parameters()))
    return sum(p.nelement() for p in trainable)
