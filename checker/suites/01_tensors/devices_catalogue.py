"""Mistake catalogue for 01_tensors/devices: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference

# A global device, chosen once at import: fine for a script, wrong inside a function that
# should follow its input.
DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")


# ---------------------------------------------------------------- best_device

@catalogue.mistake("prefers mps over cuda", hint="cuda first, then mps, then cpu")
def best_device(cuda=None, mps=None):
    cuda = torch.cuda.is_available() if cuda is None else cuda
    mps = torch.backends.mps.is_available() if mps is None else mps
    return torch.device("mps" if mps else "cuda" if cuda else "cpu")


@catalogue.mistake("ignores the arguments and always asks torch", hint="use cuda and mps when they are given")
def best_device(cuda=None, mps=None):  # noqa: F811 - each entry replaces the graded name
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@catalogue.mistake("returns a device string instead of a torch.device", hint="wrap the name in torch.device(...)")
def best_device(cuda=None, mps=None):  # noqa: F811
    cuda = torch.cuda.is_available() if cuda is None else cuda
    mps = torch.backends.mps.is_available() if mps is None else mps
    return "cuda" if cuda else "mps" if mps else "cpu"


@catalogue.mistake("knows only cuda and cpu", hint="check mps before falling back to the cpu")
def best_device(cuda=None, mps=None):  # noqa: F811
    cuda = torch.cuda.is_available() if cuda is None else cuda
    return torch.device("cuda" if cuda else "cpu")


# ---------------------------------------------------------------- move_batch
# Each entry recurses through its own inner function: a call to move_batch from here would
# reach whichever move_batch this file defined last.

@catalogue.mistake("calls t.to(device) without using its result", hint="t = t.to(device): .to returns a copy")
def move_batch(batch, device):
    def move(value):
        if isinstance(value, torch.Tensor):
            value.to(device)
        elif isinstance(value, dict):
            value = {k: move(v) for k, v in value.items()}
        elif isinstance(value, (list, tuple)):
            value = type(value)(move(v) for v in value)
        return value
    return move(batch)


@catalogue.mistake("turns tuples into lists", hint="rebuild a tuple with tuple(...)")
def move_batch(batch, device):  # noqa: F811
    def move(value):
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [move(v) for v in value]
        return value.to(device) if isinstance(value, torch.Tensor) else value
    return move(batch)


@catalogue.mistake("moves only the top level of a dict", hint="call move_batch on every value, recursively")
def move_batch(batch, device):  # noqa: F811
    if isinstance(batch, dict):
        return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(v.to(device) if isinstance(v, torch.Tensor) else v for v in batch)
    return batch.to(device)


@catalogue.mistake("drops the values that are not tensors", hint="keep every other value as it is")
def move_batch(batch, device):  # noqa: F811
    containers = (torch.Tensor, dict, list, tuple)

    def move(value):
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items() if isinstance(v, containers)}
        if isinstance(value, (list, tuple)):
            return type(value)(move(v) for v in value if isinstance(v, containers))
        return value.to(device)
    return move(batch)


@catalogue.mistake("moves to a device chosen at import time, not the one asked for", hint="use the device argument")
def move_batch(batch, device):  # noqa: F811
    from torch.utils._pytree import tree_map
    return tree_map(lambda v: v.to(DEVICE) if isinstance(v, torch.Tensor) else v, batch)


# ---------------------------------------------------------------- zeros_like_params

@catalogue.mistake("torch.zeros(p.shape): made on the cpu whatever the model's device",
                   hint="create the zeros on p.device (torch.zeros_like does)")
def zeros_like_params(model, dtype=None):
    return {name: torch.zeros(p.shape, dtype=dtype) for name, p in model.named_parameters()}


@catalogue.mistake("zeros on a global device variable", hint="follow each parameter's own device")
def zeros_like_params(model, dtype=None):  # noqa: F811
    return {name: torch.zeros(p.shape, dtype=dtype, device=DEVICE) for name, p in model.named_parameters()}


@catalogue.mistake("p * 0: the zeros stay attached to the autograd graph", hint="use a factory: torch.zeros_like(p)")
def zeros_like_params(model, dtype=None):  # noqa: F811
    return {name: (p * 0).to(dtype or p.dtype) for name, p in model.named_parameters()}


@catalogue.mistake("skips frozen parameters", hint="every parameter gets an entry, frozen or not")
def zeros_like_params(model, dtype=None):  # noqa: F811
    return {name: torch.zeros(p.shape, device=p.device, dtype=dtype or p.dtype)
            for name, p in model.named_parameters() if p.requires_grad}


@catalogue.mistake("ignores the dtype argument", hint="pass dtype=dtype to the factory")
def zeros_like_params(model, dtype=None):  # noqa: F811
    return {name: torch.zeros(p.shape, device=p.device) for name, p in model.named_parameters()}


# ---------------------------------------------------------------- check_same_device

@catalogue.mistake("looks only at the model's first parameter", hint="check every parameter")
def check_same_device(model, batch):
    device = next(model.parameters()).device
    for t in _tensors(batch):
        if t.device != device:
            raise ValueError(f"batch tensor on {t.device}, model on {device}")
    return device


@catalogue.mistake("looks only at the top level of the batch", hint="walk nested dicts, lists and tuples")
def check_same_device(model, batch):  # noqa: F811
    devices = {p.device for p in model.parameters()}
    items = batch.values() if isinstance(batch, dict) else batch if isinstance(batch, (list, tuple)) else [batch]
    devices |= {t.device for t in items if isinstance(t, torch.Tensor)}
    if len(devices) > 1:
        raise ValueError(f"tensors on several devices: {devices}")
    return devices.pop()


@catalogue.mistake("compares devices with `is`, which is False even for two equal devices",
                   hint="compare torch.device objects with ==")
def check_same_device(model, batch):  # noqa: F811
    device = next(model.parameters()).device
    for t in list(model.parameters()) + _tensors(batch):
        if t.device is not device:
            raise ValueError(f"tensor on {t.device}, model on {device}")
    return device


@catalogue.mistake("raises RuntimeError, as torch itself would", hint="the spec asks for ValueError")
def check_same_device(model, batch):  # noqa: F811
    devices = {t.device for t in list(model.parameters()) + _tensors(batch)}
    if len(devices) > 1:
        raise RuntimeError(f"Expected all tensors to be on the same device, found {devices}")
    return devices.pop()


@catalogue.mistake("returns the device's name as a string", hint="return the torch.device itself")
def check_same_device(model, batch):  # noqa: F811
    devices = {t.device for t in list(model.parameters()) + _tensors(batch)}
    if len(devices) > 1:
        raise ValueError(f"tensors on several devices: {devices}")
    return str(devices.pop())


def _tensors(value):
    """Every tensor inside nested dicts, lists and tuples (a helper for the entries above)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [t for v in value for t in _tensors(v)] if isinstance(value, (list, tuple)) else []


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("best_device with a loop over the candidates in order")
def best_device(cuda=None, mps=None):  # noqa: F811
    available = {"cuda": torch.cuda.is_available() if cuda is None else cuda,
                 "mps": torch.backends.mps.is_available() if mps is None else mps}
    for name in ("cuda", "mps"):
        if available[name]:
            return torch.device(name)
    return torch.device("cpu")


@catalogue.alternative("move_batch with torch.utils._pytree.tree_map")
def move_batch(batch, device):  # noqa: F811
    from torch.utils._pytree import tree_map
    return tree_map(lambda v: v.to(device) if isinstance(v, torch.Tensor) else v, batch)


@catalogue.alternative("zeros_like_params with torch.zeros_like in a loop")
def zeros_like_params(model, dtype=None):  # noqa: F811
    state = {}
    for name, p in model.named_parameters():
        state[name] = torch.zeros_like(p, dtype=dtype)
    return state


@catalogue.alternative("check_same_device with a set of devices")
def check_same_device(model, batch):  # noqa: F811
    devices = {t.device for t in list(model.parameters()) + _tensors(batch)}
    if len(devices) != 1:
        raise ValueError(f"expected one device, found {sorted(str(d) for d in devices)}")
    return devices.pop()


# ---------------------------------------------------------------- more mistakes (review)

@catalogue.mistake("torch.cuda.is_available without the call: a function is always true",
                   hint="call it: torch.cuda.is_available()")
def best_device(cuda=None, mps=None):  # noqa: F811
    cuda = torch.cuda.is_available if cuda is None else cuda
    mps = torch.backends.mps.is_available() if mps is None else mps
    return torch.device("cuda" if cuda else "mps" if mps else "cpu")


@catalogue.mistake("returns torch.device('cuda:0'), with an index", hint="torch.device('cuda'), without an index")
def best_device(cuda=None, mps=None):  # noqa: F811
    device = ref.best_device(cuda, mps)
    return torch.device("cuda:0") if device.type == "cuda" else device


@catalogue.mistake("moves every tensor with .cuda(), whatever device was asked for",
                   hint="t.to(device) moves to the device passed in")
def move_batch(batch, device):  # noqa: F811
    from torch.utils._pytree import tree_map
    return tree_map(lambda v: v.cuda() if isinstance(v, torch.Tensor) else v, batch)


@catalogue.mistake("treats a string as a sequence and recurses into it for ever",
                   hint="only dicts, lists and tuples are containers; keep strings as they are")
def move_batch(batch, device):  # noqa: F811
    from collections.abc import Mapping, Sequence

    def move(value):
        if isinstance(value, torch.Tensor):
            return value.to(device)
        if isinstance(value, Mapping):
            return {k: move(v) for k, v in value.items()}
        if isinstance(value, Sequence):
            return [move(v) for v in value]
        return value
    return move(batch)


@catalogue.mistake("reads model.device, which an nn.Module does not have",
                   hint="a module's device is the device of its parameters: next(model.parameters()).device")
def check_same_device(model, batch):  # noqa: F811
    for t in _tensors(batch):
        if t.device != model.device:
            raise ValueError(f"batch tensor on {t.device}, model on {model.device}")
    return model.device


@catalogue.mistake("returns torch.device('cpu') when everything agrees", hint="return the device they share")
def check_same_device(model, batch):  # noqa: F811
    ref.check_same_device(model, batch)
    return torch.device("cpu")


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("best_device as one conditional expression")
def best_device(cuda=None, mps=None):  # noqa: F811
    use_cuda = torch.cuda.is_available() if cuda is None else bool(cuda)
    use_mps = torch.backends.mps.is_available() if mps is None else bool(mps)
    return torch.device("cuda") if use_cuda else torch.device("mps") if use_mps else torch.device("cpu")


@catalogue.alternative("move_batch with Mapping and Sequence ABCs, strings excluded, type(...) rebuilds")
def move_batch(batch, device):  # noqa: F811
    from collections.abc import Mapping, Sequence

    def move(value):
        if torch.is_tensor(value):
            return value.to(device=device, non_blocking=True)
        if isinstance(value, Mapping):
            return type(value)((k, move(v)) for k, v in value.items())
        if isinstance(value, Sequence) and not isinstance(value, str):
            return type(value)(move(v) for v in value)
        return value
    return move(batch)


@catalogue.alternative("zeros_like_params with p.new_zeros and a dict(...) of pairs")
def zeros_like_params(model, dtype=None):  # noqa: F811
    return dict((name, p.new_zeros(p.shape, dtype=dtype if dtype is not None else p.dtype))
                for name, p in model.named_parameters())


@catalogue.alternative("zeros_like_params from p.detach().clone().zero_() and a cast")
def zeros_like_params(model, dtype=None):  # noqa: F811
    state = {}
    for name, p in model.named_parameters():
        zero = p.detach().clone().zero_()
        state[name] = zero if dtype is None else zero.to(dtype)
    return state


@catalogue.alternative("check_same_device with pytree leaves and a first-device comparison")
def check_same_device(model, batch):  # noqa: F811
    from torch.utils._pytree import tree_leaves
    params = list(model.parameters())
    device = params[0].device
    for t in params + [v for v in tree_leaves(batch) if isinstance(v, torch.Tensor)]:
        if t.device != device:
            raise ValueError(f"found a tensor on {t.device} and another on {device}")
    return device
