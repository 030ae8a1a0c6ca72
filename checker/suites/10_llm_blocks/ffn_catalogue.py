"""Mistake catalogue for 10_llm_blocks/ffn.

Every entry is self-contained: the catalogue rebinds `FeedForwardNetwork` and
`count_parameters` once per entry, so no entry may call another one through those names.
"""
import math

import torch.nn.functional as F
from torch import nn

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- FeedForwardNetwork: mistakes

@catalogue.mistake("submodules named fc1/fc2, so the state_dict keys are fc1.weight, ...")
class FeedForwardNetwork(nn.Module):
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(embedding_dim, ffn_dim)
        self.activation = nn.GELU()
        self.fc2 = nn.Linear(ffn_dim, embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.fc2(self.activation(self.fc1(x))))


@catalogue.mistake("ReLU instead of GELU")
class FeedForwardNetwork(nn.Module):
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.layer1 = nn.Linear(embedding_dim, ffn_dim)
        self.activation = nn.ReLU()
        self.layer2 = nn.Linear(ffn_dim, embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.layer2(self.activation(self.layer1(x))))


@catalogue.mistake("tanh-approximate GELU instead of the exact one (off by up to ~1e-3)")
class FeedForwardNetwork(nn.Module):
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.layer1 = nn.Linear(embedding_dim, ffn_dim)
        self.activation = nn.GELU(approximate="tanh")
        self.layer2 = nn.Linear(ffn_dim, embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.layer2(self.activation(self.layer1(x))))


@catalogue.mistake("Linear layers built with bias=False (no layer1.bias / layer2.bias keys)")
class FeedForwardNetwork(nn.Module):
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.layer1 = nn.Linear(embedding_dim, ffn_dim, bias=False)
        self.activation = nn.GELU()
        self.layer2 = nn.Linear(ffn_dim, embedding_dim, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.layer2(self.activation(self.layer1(x))))


@catalogue.mistake("the dropout argument is ignored: no dropout on the output while training")
class FeedForwardNetwork(nn.Module):
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.layer1 = nn.Linear(embedding_dim, ffn_dim)
        self.activation = nn.GELU()
        self.layer2 = nn.Linear(ffn_dim, embedding_dim)

    def forward(self, x):
        return self.layer2(self.activation(self.layer1(x)))


@catalogue.mistake("dropout applied to the hidden activations instead of the output")
class FeedForwardNetwork(nn.Module):
    def __init__(self, embedding_dim, ffn_dim, dropout=0.0):
        super().__init__()
        self.layer1 = nn.Linear(embedding_dim, ffn_dim)
        self.activation = nn.GELU()
        self.layer2 = nn.Linear(ffn_dim, embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.layer2(self.dropout(self.activation(self.layer1(x))))


# ---------------------------------------------------------------- count_parameters: mistakes

@catalogue.mistake("counts frozen parameters too (no requires_grad filter)")
def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


@catalogue.mistake("counts parameter tensors instead of their elements")
def count_parameters(module):
    return len([p for p in module.parameters() if p.requires_grad])


@catalogue.mistake("counts every state_dict entry (frozen parameters and buffers included)")
def count_parameters(module):
    return sum(t.numel() for t in module.state_dict().values())


@catalogue.mistake("goes through NumPy (.cpu().numpy().size), which fails on the meta device")
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
