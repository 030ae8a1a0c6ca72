"""nn.Module: how a model keeps track of its layers, its parameters and its mode.

In the gradient-descent chapter the model was two loose tensors, W and b, and the loop had to
name each of them. A real network has hundreds. nn.Module is the container that remembers
them for you. Subclass it, call super().__init__() first, and assign layers as attributes in
__init__; describe the computation in forward:

    class LinearRegressionModel(nn.Module):
        def __init__(self, in_features, out_features):
            super().__init__()
            self.linear_layer = nn.Linear(in_features, out_features)

        def forward(self, x):
            return self.linear_layer(x)

    model = LinearRegressionModel(1, 1)
    [name for name, p in model.named_parameters()]  # ['linear_layer.weight', 'linear_layer.bias']

Assigning an nn.Module or an nn.Parameter to an attribute *registers* it: nn.Module's
__setattr__ files it under that name. Everything the container does for you walks the
registered tree: parameters() and named_parameters() (what an optimizer updates),
state_dict() (what a checkpoint saves; the attribute path is the key), .to(device), and
.train() / .eval(). Call the model, model(x), rather than model.forward(x): the call also runs
any hooks.

Three kinds of tensor can live on a module, and the difference matters:

    self.w = nn.Parameter(t)            learnable: in parameters() and in the state_dict
    self.register_buffer("m", t)        fixed state: in the state_dict and moved by .to(),
                                        but not in parameters(), so no optimizer touches it
    self.t = t                          a plain attribute: invisible to all of the above

Statistics measured once on the training data (BatchNorm's running mean, say) are buffers:
they must be saved with the model but never trained.

Registration only sees direct attributes. Layers kept in a plain Python list or dict are
invisible: their parameters are missing from parameters() and the state_dict, and .eval() does
not reach them. nn.ModuleList (and nn.ModuleDict) are the registered versions of list and dict.

.train() and .eval() set the `training` flag of a module and of every module below it. Layers
such as Dropout read self.training to decide what to do, so a Dropout that .eval() cannot reach
keeps dropping during evaluation.

Freezing a parameter (p.requires_grad_(False)) keeps it in parameters() but takes it out of
training. Counting what will be trained means filtering on requires_grad.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LinearRegressionModel(nn.Module):
    """The guide's first nn.Module: one nn.Linear layer.

    LinearRegressionModel(in_features, out_features) has exactly one submodule,
    `linear_layer = nn.Linear(in_features, out_features)`, so its state_dict keys are
    "linear_layer.weight" and "linear_layer.bias". Building it draws nothing from torch's
    random generator except what that nn.Linear draws: after the same torch.manual_seed(...),
    its weights equal those of nn.Linear(in_features, out_features).

    forward(x): x of shape (*, in_features) -> the layer's output, (*, out_features).

    Loops: not allowed.
    Forbidden: nothing.
    """

    def __init__(self, in_features: int, out_features: int):
        # BEGIN SOLUTION
        # hint: Call super().__init__() before anything else: it sets up the registries that
        #   attribute assignment fills.
        # hint: The attribute name becomes the state_dict prefix, so it must be
        #   self.linear_layer = nn.Linear(in_features, out_features).
        super().__init__()
        self.linear_layer = nn.Linear(in_features, out_features)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return self.linear_layer(x)  # calling the layer (not .forward) also runs its hooks
        # END SOLUTION


class Standardize(nn.Module):
    """Standardise features with fixed statistics, then scale and shift them by learnable amounts.

    Standardize(mean, std): mean and std are float tensors of shape (F,), statistics of the
    training data. The module holds
        buffers    `mean` and `std`: equal to the arguments, saved in the state_dict and moved by
                   .to(), but not parameters, so no optimizer will change them;
        parameters `weight` (ones, shape (F,)) and `bias` (zeros, shape (F,)), like mean's dtype.
    Its state_dict keys are exactly weight, bias, mean and std; named_parameters() yields weight
    and bias only.

    forward(x): x of shape (*, F) -> (x - mean) / std * weight + bias, same shape.

    Loops: not allowed.
    Forbidden: nothing.
    """

    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        # BEGIN SOLUTION
        # hint: Statistics that are saved but never trained are buffers: self.register_buffer(
        #   "mean", ...) registers one under that name.
        # hint: weight and bias are learnable, so they are nn.Parameter(torch.ones_like(mean))
        #   and nn.Parameter(torch.zeros_like(mean)).
        super().__init__()
        self.register_buffer("mean", mean.detach().clone())  # our own copy of the caller's tensor
        self.register_buffer("std", std.detach().clone())
        self.weight = nn.Parameter(torch.ones_like(mean))
        self.bias = nn.Parameter(torch.zeros_like(mean))
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return (x - self.mean) / self.std * self.weight + self.bias
        # END SOLUTION


class MLP(nn.Module):
    """A multi-layer perceptron whose layers are registered so that .eval() reaches them.

    MLP(sizes, dropout=0.0): sizes is a list of at least two ints, e.g. [4, 16, 16, 2]. The
    module has
        layers:  an nn.ModuleList of nn.Linear(sizes[i], sizes[i + 1]), one per consecutive
                 pair, so the state_dict keys are layers.0.weight, layers.0.bias, layers.1.weight,
                 ... and nothing else;
        dropout: an nn.Dropout(dropout) submodule, registered, so .train() and .eval() reach it.

    forward(x): x of shape (*, sizes[0]) -> shape (*, sizes[-1]). Every layer but the last is
    followed by ReLU and then self.dropout; the last layer's output is returned as it is, and
    nothing else is dropped (not the input, not the output). The dropout is active in training
    mode only: after model.eval() (or with dropout=0.0) the output is fully determined by the
    weights. In training mode (with dropout > 0) it varies with torch's global random generator:
    self.dropout draws one mask per hidden layer, in order, so after the same
    torch.manual_seed(...) the output equals the reference's.

    Loops: allowed over the layers (never over samples or features).
    Forbidden: nothing.
    """

    def __init__(self, sizes: list[int], dropout: float = 0.0):
        # BEGIN SOLUTION
        # hint: A plain Python list of layers is invisible to nn.Module: wrap the list in
        #   nn.ModuleList(...) and assign it to self.layers.
        # hint: Keep one nn.Dropout(dropout) as an attribute: as a registered submodule, it is
        #   switched by .train() and .eval() together with the model.
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = nn.Dropout(dropout)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        *hidden, last = self.layers
        for layer in hidden:
            x = self.dropout(F.relu(layer(x)))  # nn.Dropout reads self.training for us
        return last(x)
        # END SOLUTION


def parameter_counts(model: nn.Module) -> tuple[int, int]:
    """How many numbers a model holds, and how many of them training will change.

    Args:
        model: any nn.Module, possibly with frozen parameters (requires_grad=False), possibly
            on the `meta` device (shapes without storage).

    Returns:
        (total, trainable), a tuple of two Python ints: the number of elements over all of
        model.parameters(), and over those whose requires_grad is True. Reads shapes only, so
        it works on the meta device.

    Loops: allowed (one step per parameter tensor).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: model.parameters() yields every parameter tensor once, submodules included, and
    #   p.numel() is its number of elements.
    # hint: p.requires_grad tells a trainable parameter from a frozen one; count both sums in
    #   one pass and return them as a tuple of ints.
    total = trainable = 0
    for p in model.parameters():
        total += p.numel()
        if p.requires_grad:
            trainable += p.numel()
    return total, trainable
    # END SOLUTION


def trainable_parameter_names(model: nn.Module) -> list[str]:
    """The names of the parameters that training will update.

    Args:
        model: any nn.Module, possibly with frozen parameters.

    Returns:
        A list of str: the full dotted names (as named_parameters() gives them, e.g.
        "0.weight" or "linear_layer.bias") of the parameters whose requires_grad is True, in
        named_parameters() order. Frozen parameters are left out.

    Loops: allowed (one step per parameter tensor).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: model.named_parameters() yields (name, parameter) pairs with the full dotted name.
    # hint: Keep the names whose parameter has requires_grad=True, in the order they come.
    return [name for name, p in model.named_parameters() if p.requires_grad]
    # END SOLUTION
