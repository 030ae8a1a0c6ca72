# 09_modules_optim/modules: nn.Module: submodules, parameters, buffers and train()/eval()
# Chapter 09_modules_optim: Modules, optimizers and the training loop
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/09_modules_optim/modules.py
#   stuck?             kata hint 09_modules_optim/modules NAME    (each call shows one more hint)
#   start over:        kata reset 09_modules_optim/modules   (your current file is backed up first)

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
        raise NotImplementedError("09_modules_optim/modules: LinearRegressionModel.__init__ is not implemented yet; stuck? run `kata hint 09_modules_optim/modules LinearRegressionModel`")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("09_modules_optim/modules: LinearRegressionModel.forward is not implemented yet; stuck? run `kata hint 09_modules_optim/modules LinearRegressionModel`")


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
        raise NotImplementedError("09_modules_optim/modules: Standardize.__init__ is not implemented yet; stuck? run `kata hint 09_modules_optim/modules Standardize`")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("09_modules_optim/modules: Standardize.forward is not implemented yet; stuck? run `kata hint 09_modules_optim/modules Standardize`")


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
        raise NotImplementedError("09_modules_optim/modules: MLP.__init__ is not implemented yet; stuck? run `kata hint 09_modules_optim/modules MLP`")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("09_modules_optim/modules: MLP.forward is not implemented yet; stuck? run `kata hint 09_modules_optim/modules MLP`")


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
    raise NotImplementedError("09_modules_optim/modules: parameter_counts is not implemented yet; stuck? run `kata hint 09_modules_optim/modules parameter_counts`")


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
    raise NotImplementedError("09_modules_optim/modules: trainable_parameter_names is not implemented yet; stuck? run `kata hint 09_modules_optim/modules trainable_parameter_names`")
