"""Mistake catalogue for 01_tensors/creation: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import math

import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


def _leaves(data) -> list:
    """Every scalar inside nested lists, in order (a helper for the entries below)."""
    if isinstance(data, list):
        return [v for item in data for v in _leaves(item)]
    return [data]


# ---------------------------------------------------------------- inferred_dtype

@catalogue.mistake("tests isinstance(v, int) before bool, so a list of bools comes out int64",
                   hint="True is an int in Python: test type(v) is bool")
def inferred_dtype(data):
    values = _leaves(data)
    if not values or any(isinstance(v, float) for v in values):
        return torch.float32
    if any(isinstance(v, int) for v in values):
        return torch.int64
    return torch.bool


@catalogue.mistake("Python floats become float64, as in NumPy", hint="torch.tensor gives float32 for floats")
def inferred_dtype(data):  # noqa: F811 - each entry replaces the graded name
    values = _leaves(data)
    if not values or any(type(v) is float for v in values):
        return torch.float64
    return torch.int64 if any(type(v) is int for v in values) else torch.bool


@catalogue.mistake("looks at the first number only", hint="one float anywhere makes the tensor float")
def inferred_dtype(data):  # noqa: F811
    first = data
    while isinstance(first, list):
        if not first:
            return torch.float32
        first = first[0]
    return {bool: torch.bool, int: torch.int64}.get(type(first), torch.float32)


@catalogue.mistake("scans only the top level of a nested list", hint="walk nested lists all the way down")
def inferred_dtype(data):  # noqa: F811
    values = data if isinstance(data, list) else [data]
    if not values or any(type(v) is float for v in values):
        return torch.float32
    return torch.bool if all(type(v) is bool for v in values) else torch.int64


# ---------------------------------------------------------------- from_records

@catalogue.mistake("no dtype for the features, so int-written features stay int64",
                   hint="pass dtype=torch.float32 for the features")
def from_records(records):
    return torch.tensor([r[0] for r in records]), torch.tensor([r[1] for r in records])


@catalogue.mistake("labels made float with torch.Tensor(...)", hint="class ids are int64: torch.tensor(labels)")
def from_records(records):  # noqa: F811
    return torch.Tensor([r[0] for r in records]), torch.Tensor([r[1] for r in records])


@catalogue.mistake("labels kept as a column (N, 1)", hint="labels have shape (N,)")
def from_records(records):  # noqa: F811
    labels = torch.tensor([[r[0]] for r in records])
    return labels, torch.tensor([r[1] for r in records], dtype=torch.float32)


@catalogue.mistake("features as float64 (.double())", hint="float32 is the default floating dtype")
def from_records(records):  # noqa: F811
    labels = torch.tensor([r[0] for r in records])
    return labels, torch.tensor([r[1] for r in records]).double()


# ---------------------------------------------------------------- ticks and evenly_spaced

@catalogue.mistake("adds one step to stop so that stop is included", hint="arange leaves stop out, like range")
def ticks(start, stop, step):
    return torch.arange(start, stop + step, step)


@catalogue.mistake("forces float32 even when every argument is an int",
                   hint="let arange pick int64 for ints")
def ticks(start, stop, step):  # noqa: F811
    return torch.arange(start, stop, step, dtype=torch.float32)


@catalogue.mistake("arange with step (stop - start) / count, which never reaches stop",
                   hint="linspace includes both ends")
def evenly_spaced(start, stop, count):
    return torch.arange(count) * ((stop - start) / count) + start


@catalogue.mistake("count + 1 points (counts the gaps, not the points)", hint="count is the number of points")
def evenly_spaced(start, stop, count):  # noqa: F811
    return torch.linspace(start, stop, count + 1)


@catalogue.mistake("divides by count - 1 without a case for a single point",
                   hint="count == 1 must give [start]")
def evenly_spaced(start, stop, count):  # noqa: F811
    return start + torch.arange(count) * ((stop - start) / (count - 1))


# ---------------------------------------------------------------- filled_like

@catalogue.mistake("full_like without dtype=, so the template's dtype is kept", hint="pass dtype=dtype")
def filled_like(template, value, dtype):
    return torch.full_like(template, value)


@catalogue.mistake("torch.full(template.shape, value): the dtype comes from value",
                   hint="use full_like with dtype=dtype (or pass dtype= and device=)")
def filled_like(template, value, dtype):  # noqa: F811
    return torch.full(template.shape, value)


@catalogue.mistake("template.to(dtype).fill_(value): .to returns the template itself when the dtype "
                   "already matches, so the template is overwritten", hint="make a new tensor with a factory")
def filled_like(template, value, dtype):  # noqa: F811
    return template.to(dtype).fill_(value)


@catalogue.mistake("arithmetic on the template (template * 0 + value) keeps it in the autograd graph",
                   hint="build the result with a factory: it has no history")
def filled_like(template, value, dtype):  # noqa: F811
    return (template * 0 + value).to(dtype)


@catalogue.mistake("fills a Python loop element by element", expect="not-vectorised",
                   hint="one factory call fills every element")
def filled_like(template, value, dtype):  # noqa: F811
    out = torch.empty(template.shape, dtype=dtype, device=template.device)
    flat = out.view(-1)
    for i in range(flat.numel()):
        flat[i] = value
    return out


# ---------------------------------------------------------------- init_linear

@catalogue.mistake("draws from torch's global generator instead of the one passed in",
                   hint="pass generator=generator to torch.randn")
def init_linear(in_features, out_features, generator):
    weight = (torch.randn(out_features, in_features) / math.sqrt(in_features)).requires_grad_()
    return weight, torch.zeros(out_features, requires_grad=True)


@catalogue.mistake("draws an (in, out) matrix and transposes it", hint="draw in the (out, in) shape directly")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.randn(in_features, out_features, generator=generator).T / math.sqrt(in_features)
    return weight.requires_grad_(), torch.zeros(out_features, requires_grad=True)


@catalogue.mistake("divides by in_features instead of its square root", hint="scale by 1 / sqrt(in_features)")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.randn(out_features, in_features, generator=generator) / in_features
    return weight.requires_grad_(), torch.zeros(out_features, requires_grad=True)


@catalogue.mistake("requires_grad=True inside randn, then scales: the weight is no longer a leaf",
                   hint="scale first, then .requires_grad_()")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.randn(out_features, in_features, generator=generator, requires_grad=True)
    return weight / math.sqrt(in_features), torch.zeros(out_features, requires_grad=True)


@catalogue.mistake("forgets requires_grad on the bias", hint="the bias is learned too")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.randn(out_features, in_features, generator=generator) / math.sqrt(in_features)
    return weight.requires_grad_(), torch.zeros(out_features)


# ---------------------------------------------------------------- random_mask

@catalogue.mistake("keeps where the draw is >= keep_prob (the comparison reversed)",
                   hint="True where torch.rand(...) < keep_prob")
def random_mask(shape, keep_prob, generator):
    return torch.rand(shape, generator=generator) >= keep_prob


@catalogue.mistake("draws from torch's global generator", hint="pass generator=generator to torch.rand")
def random_mask(shape, keep_prob, generator):  # noqa: F811
    return torch.rand(shape) < keep_prob


@catalogue.mistake("returns a float mask of 0.0 and 1.0", hint="the comparison already gives a bool tensor")
def random_mask(shape, keep_prob, generator):  # noqa: F811
    return (torch.rand(shape, generator=generator) < keep_prob).float()


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("inferred_dtype from torch.full((), v).dtype, combined with torch.promote_types")
def inferred_dtype(data):  # noqa: F811
    result = None
    for v in _leaves(data):
        kind = torch.full((), v).dtype
        result = kind if result is None else torch.promote_types(result, kind)
    return torch.get_default_dtype() if result is None else result


@catalogue.alternative("from_records with zip(*records) and .float()")
def from_records(records):  # noqa: F811
    labels, rows = zip(*records)
    return torch.tensor(labels), torch.tensor(rows).float()


@catalogue.alternative("evenly_spaced from arange with a guard for one point")
def evenly_spaced(start, stop, count):  # noqa: F811
    if count == 1:
        return torch.tensor([float(start)])
    return start + torch.arange(count) * ((stop - start) / (count - 1))


@catalogue.alternative("filled_like from ones_like(dtype=) times value")
def filled_like(template, value, dtype):  # noqa: F811
    return torch.ones_like(template, dtype=dtype) * value


@catalogue.alternative("filled_like with Tensor.new_full")
def filled_like(template, value, dtype):  # noqa: F811
    return template.new_full(template.shape, value, dtype=dtype)


@catalogue.alternative("init_linear with empty(...).normal_(generator=) and zeros(...).requires_grad_()")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.empty(out_features, in_features, device=generator.device)
    weight.normal_(generator=generator)
    with torch.no_grad():
        weight /= in_features ** 0.5
    return weight.requires_grad_(), torch.zeros(out_features, device=generator.device).requires_grad_()


@catalogue.alternative("random_mask as torch.rand(...).lt(keep_prob)")
def random_mask(shape, keep_prob, generator):  # noqa: F811
    return torch.rand(*shape, generator=generator, device=generator.device).lt(keep_prob)


# ---------------------------------------------------------------- more mistakes (review)

@catalogue.mistake("an empty list gives int64 (no float seen, so it falls through to int)",
                   hint="with nothing to look at, torch.tensor([]) is float32")
def inferred_dtype(data):  # noqa: F811
    values = _leaves(data)
    if any(type(v) is float for v in values):
        return torch.float32
    if not values or any(type(v) is int for v in values):
        return torch.int64
    return torch.bool


@catalogue.mistake("labels as int32 (dtype=torch.int)", hint="class ids are int64 (torch.long)")
def from_records(records):  # noqa: F811
    labels = torch.tensor([r[0] for r in records], dtype=torch.int)
    return labels, torch.tensor([r[1] for r in records], dtype=torch.float32)


@catalogue.mistake("features stacked as columns (F, N)", hint="one row per record: features is (N, F)")
def from_records(records):  # noqa: F811
    labels = torch.tensor([r[0] for r in records])
    return labels, torch.tensor([r[1] for r in records], dtype=torch.float32).T


@catalogue.mistake("returns a list [labels, features]", hint="return the pair as a tuple")
def from_records(records):  # noqa: F811
    return list(ref.from_records(records))


@catalogue.mistake("builds a Python list and calls torch.tensor on it: no points gives float32",
                   hint="torch.arange keeps int64 even when the result is empty")
def ticks(start, stop, step):  # noqa: F811
    values, v = [], start
    while v < stop:
        values.append(v)
        v += step
    return torch.tensor(values)


@catalogue.mistake("forces dtype=torch.long, which truncates float steps", hint="let arange pick the dtype")
def ticks(start, stop, step):  # noqa: F811
    return torch.arange(start, stop, step, dtype=torch.long)


@catalogue.mistake("np.linspace turned into a tensor: float64", hint="torch.linspace gives float32")
def evenly_spaced(start, stop, count):  # noqa: F811
    import numpy as np
    return torch.from_numpy(np.linspace(start, stop, count))


@catalogue.mistake("counts back from stop, so a single point is stop", hint="count == 1 gives [start]")
def evenly_spaced(start, stop, count):  # noqa: F811
    step = (stop - start) / max(count - 1, 1)
    return stop - torch.arange(count - 1, -1, -1) * step


@catalogue.mistake("divides by sqrt(out_features) (fan-out) instead of sqrt(in_features)",
                   hint="scale by 1 / sqrt(in_features)")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.randn(out_features, in_features, generator=generator) / math.sqrt(out_features)
    return weight.requires_grad_(), torch.zeros(out_features, requires_grad=True)


@catalogue.mistake("draws the bias from the generator too", hint="the bias starts at zeros")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.randn(out_features, in_features, generator=generator) / math.sqrt(in_features)
    bias = torch.randn(out_features, generator=generator)
    return weight.requires_grad_(), bias.requires_grad_()


@catalogue.mistake("returns (bias, weight)", hint="return (weight, bias) in that order")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight, bias = ref.init_linear(in_features, out_features, generator)
    return bias, weight


@catalogue.mistake("keeps where the draw is above 1 - keep_prob: right rate, other elements",
                   hint="compare the draw with keep_prob: u < keep_prob")
def random_mask(shape, keep_prob, generator):  # noqa: F811
    return torch.rand(shape, generator=generator) > 1 - keep_prob


@catalogue.mistake("draws one number per element in a Python loop", expect="not-vectorised",
                   hint="one torch.rand(shape, ...) call draws them all")
def random_mask(shape, keep_prob, generator):  # noqa: F811
    out = torch.empty(shape, dtype=torch.bool)
    flat = out.view(-1)
    for i in range(flat.numel()):
        flat[i] = torch.rand(1, generator=generator) < keep_prob
    return out


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("inferred_dtype with three flags set while walking the lists")
def inferred_dtype(data):  # noqa: F811
    seen = {"bool": False, "int": False, "float": False}

    def walk(v):
        if isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, bool):
            seen["bool"] = True
        elif isinstance(v, int):
            seen["int"] = True
        else:
            seen["float"] = True
    walk(data)
    if seen["float"] or not any(seen.values()):
        return torch.float32
    return torch.int64 if seen["int"] else torch.bool


@catalogue.alternative("from_records with numpy arrays and torch.from_numpy")
def from_records(records):  # noqa: F811
    import numpy as np
    labels = np.array([label for label, _ in records], dtype=np.int64)
    features = np.array([row for _, row in records], dtype=np.float32)
    return torch.from_numpy(labels), torch.from_numpy(features)


@catalogue.alternative("from_records filling preallocated tensors row by row")
def from_records(records):  # noqa: F811
    labels = torch.empty(len(records), dtype=torch.long)
    features = torch.zeros(len(records), len(records[0][1]))
    for i, (label, row) in enumerate(records):
        labels[i] = label
        features[i] = torch.as_tensor(row, dtype=torch.float32)
    return labels, features


@catalogue.alternative("from_records with the legacy LongTensor and FloatTensor constructors")
def from_records(records):  # noqa: F811
    return torch.LongTensor([r[0] for r in records]), torch.FloatTensor([r[1] for r in records])


@catalogue.alternative("ticks as start + step * arange(count), count from ceil, float32 picked by hand")
def ticks(start, stop, step):  # noqa: F811
    floats = any(isinstance(v, float) for v in (start, stop, step))
    count = math.ceil((stop - start) / step)
    return start + step * torch.arange(count, dtype=torch.float32 if floats else torch.int64)


@catalogue.alternative("evenly_spaced with keyword steps= and float ends")
def evenly_spaced(start, stop, count):  # noqa: F811
    return torch.linspace(start=float(start), end=float(stop), steps=count, dtype=torch.float32)


@catalogue.alternative("filled_like with torch.full(shape, dtype=, device=)")
def filled_like(template, value, dtype):  # noqa: F811
    return torch.full(template.size(), value, dtype=dtype, device=template.device)


@catalogue.alternative("filled_like from empty_like(dtype=).fill_(value)")
def filled_like(template, value, dtype):  # noqa: F811
    return torch.empty_like(template, dtype=dtype).fill_(value)


@catalogue.alternative("init_linear returning nn.Parameter leaves, drawn with randn(*shape) and a multiply")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.randn(out_features, in_features, generator=generator, device=generator.device)
    weight = torch.nn.Parameter(weight * (1.0 / math.sqrt(in_features)))
    return weight, torch.nn.Parameter(torch.zeros(out_features, device=generator.device))


@catalogue.alternative("init_linear with nn.init.normal_(generator=) and std=1/sqrt(in)")
def init_linear(in_features, out_features, generator):  # noqa: F811
    weight = torch.empty(out_features, in_features, device=generator.device)
    with torch.no_grad():
        torch.nn.init.normal_(weight, generator=generator)
        weight.div_(math.sqrt(in_features))
    bias = torch.zeros(out_features, device=generator.device)
    return weight.requires_grad_(True), bias.requires_grad_(True)


@catalogue.alternative("random_mask with size= keyword and an explicit comparison")
def random_mask(shape, keep_prob, generator):  # noqa: F811
    u = torch.rand(size=tuple(shape), generator=generator, device=generator.device)
    return torch.lt(u, keep_prob)
