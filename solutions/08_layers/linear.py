"""nn.Linear from scratch: a weight matrix, a bias vector and one matrix product.

A linear layer maps every input vector x of `in_features` numbers to `out_features` numbers:
each output is a weighted sum of the inputs plus its own offset. You wrote this by hand in the
gradient-descent chapter as `X @ W + b`, with W of shape (in, out). PyTorch's nn.Linear keeps
the same numbers the other way round: its `weight` has shape (out_features, in_features), one
row per output, so the forward pass multiplies by the transpose:

    y = x @ weight.T + bias          # x (*, in) -> y (*, out)

With in_features = 3 and out_features = 2:

    x      = [[1., 2., 3.]]                        # (1, 3): one sample
    weight = [[1., 0., 0.],                        # (2, 3): row 0 picks x[0]
              [0., 1., 1.]]                        #         row 1 adds x[1] and x[2]
    bias   = [10., 20.]                            # (2,)
    y      = [[11., 25.]]                          # (1, 2)

The matrix product only touches the last dim of x, so the same layer handles one vector (in,),
a batch (B, in), or a batch of sequences (B, T, in) without any reshaping. The bias is optional
(bias=False): layers followed by a normalisation often drop it.

Where do the starting numbers come from? nn.Linear draws every weight and every bias uniformly
from [-k, k] with k = 1 / sqrt(in_features). The more inputs are summed, the smaller each weight
starts, so the output's scale stays about the same whatever the layer's width. For a layer with
64 inputs, k = 0.125.

Two details make a hand-written layer a drop-in for nn.Linear. The tensors must be wrapped in
nn.Parameter, so that parameters() (and so every optimizer) finds them. And the attribute names
become the state_dict keys: they must be exactly `weight` and `bias`, or a checkpoint saved from
nn.Linear will not load.
"""
import math

import torch
import torch.nn as nn


def linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """The affine map of nn.Linear: x @ weight.T + bias.

    Args:
        x: float tensor of shape (*, in_features), with any number of leading dims (none
            at all included) and any of them possibly 0.
        weight: float tensor of shape (out_features, in_features), same dtype and device as x.
        bias: float tensor of shape (out_features,), or None for no bias.

    Returns:
        A new tensor of shape (*, out_features), x's dtype and device, equal to
        x @ weight.T + bias (just x @ weight.T when bias is None). Gradients flow to x, weight
        and bias. When in_features is 0 every output is the bias (or 0). Inputs are not
        modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: F.linear, nn.Linear, F.bilinear, nn.Bilinear.
    """
    # BEGIN SOLUTION
    # hint: weight has one row per output, so the product you want is with its transpose:
    #   weight.T has shape (in_features, out_features).
    # hint: `x @ weight.T` multiplies along x's last dim only, whatever dims come before it;
    #   add the bias afterwards, and only if it is not None.
    out = x @ weight.T
    if bias is not None:
        out = out + bias  # (out_features,) broadcasts over every leading dim
    return out
    # END SOLUTION


class Linear(nn.Module):
    """A linear layer, a drop-in for nn.Linear.

    Linear(in_features, out_features, bias=True) has:
        weight: an nn.Parameter of shape (out_features, in_features);
        bias:   an nn.Parameter of shape (out_features,), or, with bias=False, no bias at all.
    Its state_dict keys are exactly those of nn.Linear: "weight" and "bias" ("weight" alone
    with bias=False). The attributes in_features and out_features hold the two sizes.

    Initial values: every element of weight and of bias is drawn independently and uniformly
    from [-k, k] with k = 1 / sqrt(in_features), the distribution nn.Linear uses, from torch's
    global random generator (so torch.manual_seed(...) before construction replays them).

    forward(x): x of shape (*, in_features) -> shape (*, out_features), x's dtype and device:
    x @ weight.T + bias, as in `linear` above. After loading the same state_dict, outputs and
    gradients (for x, weight and bias) match nn.Linear's.

    Loops: not allowed.
    Forbidden: F.linear, nn.Linear, F.bilinear, nn.Bilinear.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        # BEGIN SOLUTION
        # hint: Call super().__init__() first. Keep weight as nn.Parameter(torch.empty(out_features,
        #   in_features)): rows are outputs, columns are inputs.
        # hint: Fill weight and bias in place with uniform values from [-k, k], k = 1 /
        #   math.sqrt(in_features): tensor.uniform_(-k, k) does it (under torch.no_grad()).
        # hint: With bias=False, call self.register_parameter("bias", None) so self.bias exists
        #   but adds no state_dict key.
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features))
        else:
            self.register_parameter("bias", None)
        bound = 1.0 / math.sqrt(in_features)
        with torch.no_grad():  # filling a parameter is set-up, not part of any graph
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return linear(x, self.weight, self.bias)
        # END SOLUTION
