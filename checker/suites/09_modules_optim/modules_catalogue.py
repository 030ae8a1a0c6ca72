"""Mistake catalogue for 09_modules_optim/modules: plausible wrong answers the suite must reject,
and correct alternatives it must accept. Each entry replaces one name (or one method) of a fresh
copy of the reference; `kata validate` grades every entry."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- LinearRegressionModel: mistakes

@catalogue.mistake("calls the layer `linear`, so the state_dict keys are linear.weight, ...",
                   hint="the attribute name is the key prefix: self.linear_layer")
class LinearRegressionModel(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        return self.linear(x)


@catalogue.mistake("keeps the layer in a plain list, where nn.Module cannot see it",
                   hint="assign the nn.Linear itself to an attribute")
class LinearRegressionModel(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.layers = [nn.Linear(in_features, out_features)]

    def forward(self, x):
        return self.layers[0](x)


class LinearRegressionModel:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("swaps the sizes: nn.Linear(out_features, in_features)", hint="nn.Linear(in, out)")
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear_layer = nn.Linear(out_features, in_features)

    @catalogue.mistake("re-initialises the weight to zeros after building the layer",
                       hint="leave nn.Linear's own initial values alone")
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear_layer = nn.Linear(in_features, out_features)
        nn.init.zeros_(self.linear_layer.weight)

    @catalogue.mistake("forgets super().__init__()", hint="call super().__init__() before assigning the layer")
    def __init__(self, in_features, out_features):
        self.linear_layer = nn.Linear(in_features, out_features)


# ---------------------------------------------------------------- Standardize: mistakes

class Standardize:
    @catalogue.mistake("mean and std as plain tensor attributes", hint="self.register_buffer('mean', ...)")
    def __init__(self, mean, std):
        super().__init__()
        self.mean, self.std = mean.clone(), std.clone()
        self.weight = nn.Parameter(torch.ones_like(mean))
        self.bias = nn.Parameter(torch.zeros_like(mean))

    @catalogue.mistake("mean and std as frozen parameters", hint="fixed statistics are buffers, not parameters")
    def __init__(self, mean, std):
        super().__init__()
        self.mean = nn.Parameter(mean.clone(), requires_grad=False)
        self.std = nn.Parameter(std.clone(), requires_grad=False)
        self.weight = nn.Parameter(torch.ones_like(mean))
        self.bias = nn.Parameter(torch.zeros_like(mean))

    @catalogue.mistake("weight and bias as buffers, so nothing is learnable",
                       hint="learnable tensors are nn.Parameter; only the statistics are buffers")
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())
        self.register_buffer("weight", torch.ones_like(mean))
        self.register_buffer("bias", torch.zeros_like(mean))

    @catalogue.mistake("weight starts from torch.randn instead of ones", hint="start at the identity: ones and zeros")
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())
        self.weight = nn.Parameter(torch.randn_like(mean))
        self.bias = nn.Parameter(torch.zeros_like(mean))

    @catalogue.mistake("multiplies by std instead of dividing", hint="standardising divides by std")
    def forward(self, x):
        return (x - self.mean) * self.std * self.weight + self.bias


# ---------------------------------------------------------------- Standardize: alternatives

class Standardize:  # noqa: F811 - a namespace for one method replacement
    @catalogue.alternative("buffers registered straight from the arguments (no copy)")
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.weight = nn.Parameter(torch.ones(mean.shape, dtype=mean.dtype))
        self.bias = nn.Parameter(torch.zeros(mean.shape, dtype=mean.dtype))


# ---------------------------------------------------------------- MLP: mistakes

@catalogue.mistake("one dropout per hidden layer, kept in a plain Python list that .eval() cannot reach",
                   hint="keep the dropouts registered: an attribute, or an nn.ModuleList")
class MLP(nn.Module):
    def __init__(self, sizes, dropout=0.0):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropouts = [nn.Dropout(dropout) for _ in sizes[2:]]

    def forward(self, x):
        for layer, drop in zip(self.layers, self.dropouts):
            x = drop(F.relu(layer(x)))
        return self.layers[-1](x)


class MLP:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("the layers in a plain Python list", hint="wrap the list in nn.ModuleList")
    def __init__(self, sizes, dropout=0.0):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        self.dropout = nn.Dropout(dropout)

    @catalogue.mistake("F.dropout without training=self.training, so it drops in eval mode too",
                       hint="F.dropout(x, p, training=self.training), or an nn.Dropout submodule")
    def forward(self, x):
        *hidden, last = self.layers
        for layer in hidden:
            x = F.dropout(F.relu(layer(x)), self.dropout.p)
        return last(x)

    @catalogue.mistake("overrides train() without passing the mode on to the children",
                       hint="do not override train(); if you must, call super().train(mode)")
    def train(self, mode=True):
        self.training = mode
        return self

    @catalogue.mistake("ignores the dropout in forward", hint="apply the dropout after every hidden ReLU")
    def forward(self, x):
        *hidden, last = self.layers
        for layer in hidden:
            x = F.relu(layer(x))
        return last(x)

    @catalogue.mistake("a ReLU after the last layer too", hint="return the last layer's output as it is")
    def forward(self, x):
        for layer in self.layers:
            x = self.dropout(F.relu(layer(x)))
        return x

    @catalogue.mistake("an nn.Sequential with the ReLUs and dropouts inside, so the keys are layers.0, layers.3, ...",
                       hint="keep only the Linear layers in the ModuleList")
    def __init__(self, sizes, dropout=0.0):
        super().__init__()
        parts = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            parts += [nn.Linear(a, b), nn.ReLU(), nn.Dropout(dropout)]
        self.layers = nn.Sequential(*parts[:-2])
        self.dropout = nn.Dropout(dropout)


# ---------------------------------------------------------------- MLP: alternatives

class MLP:  # noqa: F811
    @catalogue.alternative("F.dropout with training=self.training")
    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.dropout(torch.relu(x), self.dropout.p, training=self.training)
        return x


# ---------------------------------------------------------------- parameter_counts: mistakes

@catalogue.mistake("counts parameter tensors instead of their elements", hint="add up p.numel()")
def parameter_counts(model):
    params = list(model.parameters())
    return len(params), len([p for p in params if p.requires_grad])


@catalogue.mistake("the two counts swapped", hint="return (total, trainable) in that order")
def parameter_counts(model):
    total = sum(p.numel() for p in model.parameters())
    return sum(p.numel() for p in model.parameters() if p.requires_grad), total


@catalogue.mistake("counts frozen parameters as trainable", hint="filter on p.requires_grad")
def parameter_counts(model):
    total = sum(p.numel() for p in model.parameters())
    return total, total


@catalogue.mistake("returns a list instead of a tuple", hint="return total, trainable")
def parameter_counts(model):
    params = list(model.parameters())
    return [sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad)]


@catalogue.mistake("counts by summing ones, which reads values and fails on the meta device",
                   hint="p.numel() reads only the shape")
def parameter_counts(model):
    total = trainable = 0
    for p in model.parameters():
        size = int(torch.ones_like(p).sum())
        total += size
        trainable += size if p.requires_grad else 0
    return total, trainable


# ---------------------------------------------------------------- parameter_counts: alternatives

@catalogue.alternative("math.prod of each shape, in two sums")
def parameter_counts(model):
    import math
    params = list(model.parameters())
    return (sum(math.prod(p.shape) for p in params),
            sum(math.prod(p.shape) for p in params if p.requires_grad))


# ---------------------------------------------------------------- trainable_parameter_names: mistakes

@catalogue.mistake("keeps the frozen parameters too", hint="keep only names whose parameter has requires_grad")
def trainable_parameter_names(model):
    return [name for name, _ in model.named_parameters()]


@catalogue.mistake("the short attribute names (weight, bias) instead of the full dotted ones",
                   hint="named_parameters() already gives the full names: keep them")
def trainable_parameter_names(model):
    return [name.split(".")[-1] for name, p in model.named_parameters() if p.requires_grad]


@catalogue.mistake("names of the frozen parameters instead", hint="requires_grad=True means trainable")
def trainable_parameter_names(model):
    return [name for name, p in model.named_parameters() if not p.requires_grad]


@catalogue.mistake("returns the state_dict's keys view", hint="build a list from named_parameters()")
def trainable_parameter_names(model):
    return model.state_dict().keys()


# ---------------------------------------------------------------- trainable_parameter_names: alternatives

@catalogue.alternative("walks named_modules() and each module's own parameters")
def trainable_parameter_names(model):
    names = []
    for prefix, module in model.named_modules():
        for name, p in module.named_parameters(recurse=False):
            if p.requires_grad:
                names.append(f"{prefix}.{name}" if prefix else name)
    return names


# ---------------------------------------------------------------- more entries (review 2)

class LinearRegressionModel:  # noqa: F811 - a namespace for method replacements
    @catalogue.alternative("forward calling the layer's forward method directly")
    def forward(self, x):
        return self.linear_layer.forward(x)

    @catalogue.mistake("draws a random number before building the layer (a leftover torch.randn)",
                       hint="build the layer and nothing else, so the seed gives nn.Linear's own weights")
    def __init__(self, in_features, out_features):
        super().__init__()
        self.scale = float(torch.randn(()))   # an experiment left behind: it shifts the random stream
        self.linear_layer = nn.Linear(in_features, out_features)


class Standardize:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("buffers registered with persistent=False, so the state_dict leaves them out",
                       hint="the statistics must be saved: register_buffer(name, tensor) keeps persistent=True")
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.clone(), persistent=False)
        self.register_buffer("std", std.clone(), persistent=False)
        self.weight = nn.Parameter(torch.ones_like(mean))
        self.bias = nn.Parameter(torch.zeros_like(mean))

    @catalogue.mistake("weight and bias in the default float32, whatever mean's dtype",
                       hint="make them like mean: torch.ones_like(mean), torch.zeros_like(mean)")
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())
        self.weight = nn.Parameter(torch.ones(mean.shape))
        self.bias = nn.Parameter(torch.zeros(mean.shape))

    @catalogue.alternative("forward as a chain of Tensor methods")
    def forward(self, x):
        return x.sub(self.mean).div(self.std).mul(self.weight).add(self.bias)


class MLP:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("drops the input too, before the first layer",
                       hint="the dropout follows each hidden layer's ReLU; the input goes in untouched")
    def forward(self, x):
        x = self.dropout(x)
        *hidden, last = self.layers
        for layer in hidden:
            x = self.dropout(F.relu(layer(x)))
        return last(x)

    @catalogue.mistake("drops the last layer's output as well", hint="return the last layer's output as it is")
    def forward(self, x):
        *hidden, last = self.layers
        for layer in hidden:
            x = self.dropout(F.relu(layer(x)))
        return self.dropout(last(x))

    @catalogue.alternative("an index loop over the layers, ReLU as a Tensor method")
    def forward(self, x):
        n = len(self.layers)
        for i in range(n):
            x = self.layers[i](x)
            if i != n - 1:
                x = self.dropout(x.relu())
        return x


@catalogue.mistake("parameter_counts reads the state_dict, whose tensors never require grad",
                   hint="walk model.parameters(): the state_dict holds detached copies (and buffers)")
def parameter_counts(model):  # noqa: F811
    state = model.state_dict()
    return (sum(t.numel() for t in state.values()), sum(t.numel() for t in state.values() if t.requires_grad))


@catalogue.alternative("parameter_counts with map(torch.numel, ...) over two filtered lists")
def parameter_counts(model):  # noqa: F811
    params = list(model.parameters())
    return sum(map(torch.numel, params)), sum(map(torch.numel, [p for p in params if p.requires_grad]))


@catalogue.mistake("trainable_parameter_names sorts the names", hint="keep named_parameters() order: no sorted()")
def trainable_parameter_names(model):  # noqa: F811
    return sorted(name for name, p in model.named_parameters() if p.requires_grad)


@catalogue.alternative("trainable_parameter_names with filter and an explicit loop")
def trainable_parameter_names(model):  # noqa: F811
    names = []
    for name, p in filter(lambda item: item[1].requires_grad, model.named_parameters()):
        names.append(name)
    return names
