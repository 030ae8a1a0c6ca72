"""Dropout and its 1/(1-p) scaling.

A network with plenty of parameters can memorise its training set by leaning on a few units
that happen to fit it. Dropout is a cheap defence: while training, every forward pass switches
off a random subset of activations, so no single unit can be relied on and the layer learns
several ways to say the same thing. It has no parameters, only the drop probability p.

During training each element is handled on its own, with a fresh coin flip every call:
with probability p it becomes 0, otherwise it is kept and divided by (1 - p). That division
keeps the expected value of every element equal to the input, so the next layer sees
activations of the same size whether dropout is on or off. With p = 0.5 and a row of ones:

    x = torch.ones(1, 10)
    dropout(x, 0.5)                   # e.g. tensor([[2., 0., 2., 2., 0., 0., 2., 0., 2., 2.]])
    dropout(x, 0.5, training=False)   # tensor([[1., 1., 1., 1., 1., 1., 1., 1., 1., 1.]])

About half the entries are 0 and the survivors are 1 / (1 - 0.5) = 2. In evaluation the layer
does nothing at all: predictions should use the whole network, not a random part of it. That is
why an nn.Module carries a `training` flag, flipped by model.train() and model.eval().

Two values of p need care. p = 0 drops nothing, and p = 1 drops everything, where dividing by
1 - p would be 0/0 and fill the output with NaN. Because the coin flips come from torch's
global random generator, torch.manual_seed(...) replays exactly the same mask.
"""
import torch
from torch import nn


def dropout(x: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    """Zero each element of x with probability p and scale the survivors by 1 / (1 - p).

    Args:
        x: floating-point tensor of any shape, on any device.
        p: probability of zeroing an element, a float in [0, 1].
        training: when False, dropout is switched off.

    Returns:
        A tensor with x's shape, dtype and device. In training, each element independently
        becomes 0 with probability p and x / (1 - p) otherwise, with a new random mask on
        every call. When training is False or p == 0 the values are returned unchanged;
        when p == 1 the result is all zeros (never NaN). The gradient with respect to x is
        mask / (1 - p), where mask is 1 for kept elements and 0 for dropped ones.

    Raises:
        ValueError: if p is outside [0, 1].

    Draw the randomness from torch's global generator (torch.rand_like or torch.bernoulli),
    so torch.manual_seed reproduces the mask. Never modify x in place.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: F.dropout, torch.dropout, torch.dropout_, torch.native_dropout, nn.Dropout,
        F.alpha_dropout, torch.alpha_dropout, torch.alpha_dropout_, F.feature_alpha_dropout,
        torch.feature_alpha_dropout, torch.feature_alpha_dropout_, torch.feature_dropout,
        torch.feature_dropout_, F.dropout1d, F.dropout2d, F.dropout3d
    """
    # BEGIN SOLUTION
    # hint: Draw a keep-mask with torch.rand_like(x) >= p (or torch.bernoulli): each element
    #   survives with probability 1 - p.
    # hint: Scale the survivors by 1 / (1 - p) so the mean is unchanged; return x itself when
    #   not training or when p == 0.
    # hint: p == 1 would divide by zero: return torch.zeros_like(x). Raise ValueError when p
    #   is outside [0, 1].
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be between 0 and 1, got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        # Everything is dropped; x / (1 - p) would be 0/0 = NaN.
        return torch.zeros_like(x)
    # rand_like draws uniformly from [0, 1), so an element is kept with probability 1 - p.
    keep = torch.rand_like(x) >= p
    # Multiplying by the bool mask zeroes the dropped elements and makes the gradient mask / (1 - p).
    return x * keep / (1.0 - p)
    # END SOLUTION


class Dropout(nn.Module):
    """Dropout as a layer: applies `dropout` while training and nothing in eval mode.

    Dropout(p=0.5) stores p (a float in [0, 1]; anything else raises ValueError) and has no
    parameters or buffers, so its state_dict is empty. forward(x) returns a tensor shaped like
    x: dropped out with probability self.p when self.training is True (after model.train(),
    the default), and x's values unchanged after model.eval().

    Loops: not allowed.
    Forbidden: F.dropout, torch.dropout, torch.dropout_, torch.native_dropout, nn.Dropout,
        F.alpha_dropout, torch.alpha_dropout, torch.alpha_dropout_, F.feature_alpha_dropout,
        torch.feature_alpha_dropout, torch.feature_alpha_dropout_, torch.feature_dropout,
        torch.feature_dropout_, F.dropout1d, F.dropout2d, F.dropout3d
    """

    def __init__(self, p: float = 0.5):
        # BEGIN SOLUTION
        # hint: Call super().__init__() first, check p and store it as self.p; the layer has
        #   no parameters.
        # hint: forward can call your dropout function with training=self.training, the flag
        #   that train() and eval() switch.
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be between 0 and 1, got {p}")
        self.p = p
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        # self.training is the flag that model.train() and model.eval() switch.
        return dropout(x, self.p, training=self.training)
        # END SOLUTION
