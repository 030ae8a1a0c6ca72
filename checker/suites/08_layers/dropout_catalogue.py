"""Mistake catalogue for 08_layers/dropout.

Every entry is self-contained: the catalogue rebinds the names `dropout` and `Dropout` once per
entry, so no entry may call another one through those names.
"""
import torch
import torch.nn.functional as F
from torch import nn

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- dropout: mistakes

@catalogue.mistake("no 1/(1-p) scaling: survivors keep their original value",
                   hint="divide the kept elements by (1 - p) so the expected value stays x")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    return x * (torch.rand_like(x) >= p)


@catalogue.mistake("survivors multiplied by (1 - p) instead of divided by it",
                   hint="divide by (1 - p): the survivors must grow to make up for the dropped ones")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    return x * (torch.rand_like(x) >= p) * (1.0 - p)


@catalogue.mistake("keeps an element with probability p (rand < p) instead of 1 - p",
                   hint="p is the chance to DROP: keep where torch.rand_like(x) >= p")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    return x * (torch.rand_like(x) < p) / (1.0 - p)


@catalogue.mistake("still drops in eval mode (training flag ignored)",
                   hint="return x unchanged when training is False")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    return x * (torch.rand_like(x) >= p) / (1.0 - p)


@catalogue.mistake("p = 1 not special-cased: 0 / 0 fills the output with NaN",
                   hint="for p == 1 return torch.zeros_like(x): x * 0 / 0 is NaN")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    return x * (torch.rand_like(x) >= p) / (1.0 - p)


@catalogue.mistake("no ValueError for p outside [0, 1]",
                   hint="check 0 <= p <= 1 first and raise ValueError otherwise")
def dropout(x, p, training=True):
    if not training or p <= 0.0:
        return x
    if p >= 1.0:
        return torch.zeros_like(x)
    return x * (torch.rand_like(x) >= p) / (1.0 - p)


@catalogue.mistake("modifies the input in place (x.mul_) and returns it",
                   hint="x * mask makes a new tensor; x.mul_ changes the caller's x")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    keep = torch.rand_like(x) >= p
    x.mul_(keep).div_(1.0 - p)
    return x


@catalogue.mistake("one coin flip per row: the mask has shape x.shape[:-1] + (1,)",
                   hint="draw the mask with x's full shape: torch.rand_like(x)")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape[:-1] + (1,), dtype=x.dtype, device=x.device) >= p
    return x * keep / (1.0 - p)


@catalogue.mistake("private torch.Generator seeded with a constant: the same mask on every call",
                   hint="draw from torch's global generator (torch.rand_like), not a generator of your own")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    generator = torch.Generator(device=x.device).manual_seed(0)
    noise = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return x * (noise >= p) / (1.0 - p)


@catalogue.mistake("works on x.data, so the output is cut off from the graph",
                   hint="use x itself so the gradient can flow back")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    return x.data * (torch.rand_like(x) >= p) / (1.0 - p)


@catalogue.mistake("calls F.dropout", expect="forbidden-op",
                   hint="build the mask yourself with torch.rand_like(x) >= p")
def dropout(x, p, training=True):
    return F.dropout(x, p, training=training)


@catalogue.mistake("multiplies by a float32 mask, so float16/bfloat16 inputs come back as float32",
                   hint="make the mask in x's dtype (torch.rand_like(x) >= p).to(x.dtype), or multiply by the bool mask")
def dropout(x, p, training=True):  # noqa: F811
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    return x * (torch.rand(x.shape) >= p).float() / (1.0 - p)


@catalogue.mistake("draws the mask row by row in a Python loop", expect="not-vectorised",
                   hint="draw one mask with x's full shape: torch.rand_like(x)")
def dropout(x, p, training=True):  # noqa: F811
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    rows = x.reshape(-1, x.shape[-1]) if x.dim() else x.reshape(1, 1)
    keep = torch.stack([torch.rand_like(row) >= p for row in rows]).reshape(x.shape)
    return x * keep / (1.0 - p)


# ---------------------------------------------------------------- Dropout: mistakes (deltas)

class Dropout:
    @catalogue.mistake("Dropout ignores self.training: still drops after .eval()",
                       hint="pass training=self.training")
    def forward(self, x):
        return ref.dropout(x, self.p, training=True)

    @catalogue.mistake("Dropout tests `if self.train:` (a method, always truthy) instead of self.training",
                       hint="self.training is the flag; self.train is a method")
    def forward(self, x):  # noqa: F811
        return ref.dropout(x, self.p, training=bool(self.train))

    @catalogue.mistake("Dropout(p) accepts any p: no ValueError outside [0, 1]",
                       hint="raise ValueError in __init__ when p is outside [0, 1]")
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    @catalogue.mistake("Dropout forgets super().__init__()", hint="call super().__init__() first")
    def __init__(self, p=0.5):  # noqa: F811
        if not 0.0 <= p <= 1.0:
            raise ValueError(p)
        self.p = p


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("mask from torch.bernoulli(torch.full_like(x, 1 - p))")
def dropout(x, p, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x.clone()
    if p == 1.0:
        return torch.zeros_like(x)
    keep = torch.bernoulli(torch.full_like(x, 1.0 - p))
    return x * keep / (1.0 - p)


@catalogue.alternative("torch.where(rand_like(x) < 1 - p, x / (1 - p), 0)")
def dropout(x, p, training=True):
    if p < 0.0 or p > 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    return torch.where(torch.rand_like(x) < 1.0 - p, x / (1.0 - p), 0.0)


@catalogue.alternative("Dropout that masks inline with a scale computed once in __init__")
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        if p < 0.0 or p > 1.0:
            raise ValueError(p)
        self.p = p
        # p == 1 zeroes everything, so its scale is never used; 0.0 avoids dividing by zero.
        self.scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return torch.zeros_like(x)
        return x * (torch.rand_like(x) >= self.p) * self.scale


# ---------------------------------------------------------------- more entries (review 2)

def _checked(x, p, training):
    """The reference's argument checks and its deterministic corners, or None when a mask is due."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    return None


@catalogue.mistake("scales by 1 / (1 - p) in eval mode too", hint="in eval mode return x unchanged: no mask, no scale")
def dropout(x, p, training=True):  # noqa: F811
    if not 0.0 <= p <= 1.0:
        raise ValueError(p)
    if not training:
        return x / (1.0 - p) if p < 1.0 else x
    return ref.dropout(x, p, training)


@catalogue.mistake("draws the mask with torch.randint(0, 2, ...), a fair coin whatever p is",
                   hint="compare a uniform draw with p: torch.rand_like(x) >= p keeps with probability 1 - p")
def dropout(x, p, training=True):  # noqa: F811
    corner = _checked(x, p, training)
    if corner is not None:
        return corner
    keep = torch.randint(0, 2, x.shape, device=x.device).bool()
    return x * keep / (1.0 - p)


@catalogue.mistake("calls torch.manual_seed(0) inside, so every call drops the same elements",
                   hint="never reseed inside the function: the caller's seed decides the mask")
def dropout(x, p, training=True):  # noqa: F811
    corner = _checked(x, p, training)
    if corner is not None:
        return corner
    torch.manual_seed(0)
    return x * (torch.rand_like(x) >= p) / (1.0 - p)


@catalogue.mistake("drops in place with torch.dropout_ on a copy", expect="forbidden-op",
                   hint="build the mask yourself: torch.rand_like(x) >= p")
def dropout(x, p, training=True):  # noqa: F811
    corner = _checked(x, p, training)
    return corner if corner is not None else torch.dropout_(x.clone(), p, True)


@catalogue.alternative("masked_fill of the dropped elements, then one division")
def dropout(x, p, training=True):  # noqa: F811
    corner = _checked(x, p, training)
    if corner is not None:
        return corner
    return x.masked_fill(torch.rand_like(x) < p, 0.0) / (1.0 - p)


@catalogue.alternative("a bernoulli_ mask drawn in place on a fresh tensor of x's dtype")
def dropout(x, p, training=True):  # noqa: F811
    corner = _checked(x, p, training)
    if corner is not None:
        return corner
    mask = torch.empty_like(x).bernoulli_(1.0 - p)
    return x * mask * (1.0 / (1.0 - p))


class Dropout:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("Dropout stores its probability as self.rate, not self.p",
                       hint="keep it as self.p, the attribute nn.Dropout has")
    def __init__(self, p=0.5):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(p)
        self.rate = p

    @catalogue.mistake("Dropout forward always uses p = 0.5, ignoring its own p",
                       hint="use self.p, the probability the layer was built with")
    def forward(self, x):
        return ref.dropout(x, 0.5, training=self.training)
