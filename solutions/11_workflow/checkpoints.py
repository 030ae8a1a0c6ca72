"""Checkpoints: saving what a model has learned, and picking training up where it stopped.

Everything a model has learned lives in its tensors, and `model.state_dict()` hands them over
as an ordered mapping from names to tensors:

    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    list(model.state_dict())     # ['0.weight', '0.bias', '2.weight', '2.bias']

The names come from the attribute names (or Sequential positions), which is why a state_dict
fits any model built the same way: build a fresh one, then `fresh.load_state_dict(state)`
copies the numbers in. By default that load is strict: a missing or unexpected name raises a
RuntimeError instead of leaving part of the model untrained without a word.

torch.save writes any Python object to a file using pickle, and torch.load reads it back.
Pickle is also a way to run code: a file can ask for any importable function to be called
while it loads. So a checkpoint from somewhere else is only safe to open with
`torch.load(path, weights_only=True)` (the default since PyTorch 2.6), which accepts tensors,
numbers, strings and plain containers and raises `pickle.UnpicklingError` for anything else.
That is also why you save the state_dict and not the model object: a pickled nn.Module needs
its class to unpickle, so weights_only refuses it.

Weights are enough to predict. To *continue training* you need more, or the run after the
restart is not the run you interrupted:
- the optimizer's state (`optimizer.state_dict()`): SGD's momentum buffers, Adam's running
  moments and step counts. Lose them and the first steps after the restart move differently;
- where you were: the number of the last finished epoch;
- torch's global random state (`torch.get_rng_state()`, a uint8 tensor): shuffling with
  torch.randperm and every dropout mask draw from it. Put it back with `torch.set_rng_state`
  and the resumed run draws the very same random numbers.

With all four saved in one dict and restored into freshly built objects, the losses after the
restart match an uninterrupted run exactly, bit for bit. The kata checks precisely that, in a
temporary folder that disappears afterwards.
"""
import os
import tempfile
from collections import defaultdict
from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import nn


def save_weights(model: nn.Module, path: str) -> None:
    """Write the model's learned tensors to the file `path`.

    The file holds model.state_dict() (a mapping from parameter and buffer names to tensors),
    written with torch.save, so that torch.load(path, weights_only=True) reads it back. Nothing
    else is written: the folder holding `path` gains exactly that one file.

    Returns:
        None. The model is not changed.

    Loops: allowed (nothing here works on tensor elements).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Save the state_dict, not the model object: a pickled module cannot be read back with
    #   weights_only=True.
    # hint: torch.save(obj, path) writes any picklable object; here obj is model.state_dict()
    #   (called, so you save its result, not the method).
    torch.save(model.state_dict(), path)
    # END SOLUTION


def load_weights(model: nn.Module, path: str) -> nn.Module:
    """Load a file written by save_weights into `model`, ready for predictions.

    Read the file with torch.load(path, weights_only=True) and copy it into model with
    model.load_state_dict, strictly: if the file's names differ from the model's, that raises
    RuntimeError (let it propagate). A file holding anything beyond tensors and plain containers
    (a pickled class, a whole model) is refused: torch.load raises pickle.UnpicklingError, which
    also propagates. Then switch the model to eval mode.

    Returns:
        The same model object you were given, now holding the file's tensors and in eval mode.

    Loops: allowed (nothing here works on tensor elements).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Two steps: state = torch.load(path, weights_only=True), then
    #   model.load_state_dict(state). Keep the default strict=True.
    # hint: load_state_dict returns a report of missing and unexpected keys, not the model:
    #   call model.eval() and return model itself.
    state = torch.load(path, weights_only=True)
    model.load_state_dict(state)
    model.eval()
    return model
    # END SOLUTION


def save_checkpoint(path: str, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int) -> None:
    """Write everything needed to resume training into one file at `path`.

    The file holds one dict with exactly these keys:
        "epoch"                 the int `epoch`: the number of the epoch that has just finished,
                                counting from 0;
        "model_state_dict"      model.state_dict();
        "optimizer_state_dict"  optimizer.state_dict();
        "rng_state"             torch.get_rng_state(): the state of torch's global generator at
                                the moment of saving.
    All of it loads with torch.load(path, weights_only=True). Nothing else is written.

    Returns:
        None.

    Loops: allowed (nothing here works on tensor elements).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Build the dict with the four keys and torch.save it. Store state_dicts, not the model
    #   or the optimizer themselves, or weights_only=True cannot read the file.
    # hint: The random state is torch.get_rng_state(), a uint8 tensor (torch.initial_seed() is
    #   only the seed the run started from, not where the generator is now).
    torch.save({
        "epoch": epoch,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "rng_state": torch.get_rng_state(),
    }, path)
    # END SOLUTION


def load_checkpoint(path: str, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    """Restore a checkpoint written by save_checkpoint and say which epoch to run next.

    Read the file with torch.load(path, weights_only=True) (a file holding anything beyond
    tensors and plain containers is refused with pickle.UnpicklingError, which propagates), then
    restore all of it: the model's tensors, the optimizer's state and torch's global random state.
    `model` and `optimizer` are freshly built, of the same kinds as the ones that were saved.

    Returns:
        The epoch to run next, as an int: the saved "epoch" plus 1. From there on, training goes
        exactly as if it had never stopped: the same losses, bit for bit, and the same weights.

    Loops: allowed (nothing here works on tensor elements).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Every save has its load: model.load_state_dict, optimizer.load_state_dict and
    #   torch.set_rng_state, each fed from its key of the loaded dict.
    # hint: The saved epoch is the last one that finished, so training resumes at the next.
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"] + 1
    # END SOLUTION


# ------------------------------------------------------------------------------------------------
# The hidden suite runs your functions through the code below: a small model with dropout, its
# optimizer, seeded data, one training epoch, and the round trips it checks, each in a temporary
# folder that is deleted afterwards. Leave it as it is.

def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.25), nn.Linear(16, 3))


def make_optimizer(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def make_data(seed: int, n: int = 32) -> tuple:
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=generator)
    return X, (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()


def train_epoch(model, optimizer, X, y, batch_size: int = 16) -> float:
    """One pass over the data in a random order. The order and the dropout masks both come from
    torch's global generator, so a resumed run only matches if that generator was restored."""
    model.train()
    order = torch.randperm(len(X))
    total = 0.0
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[batch]), y[batch])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    return total / len(X)


def as_plain(value):
    """A loaded object as plain data the grader can read: mappings with their keys sorted, and
    anything that is not a tensor, number, string or container as its type name."""
    if isinstance(value, Mapping):
        return {str(key): as_plain(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [as_plain(item) for item in value]
    if value is None or isinstance(value, (torch.Tensor, bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


def read_back(path: str):
    """What torch.load(path, weights_only=True) gives, as plain data, or the error it raises."""
    try:
        return as_plain(torch.load(path, weights_only=True))
    except Exception as error:  # the grader explains a file that does not load
        return f"raised {type(error).__name__}"


def attempt(load, *args):
    """Call one of your load functions: (what it returned, None) or (None, what it raised)."""
    try:
        return load(*args), None
    except NotImplementedError:
        raise
    except Exception as error:
        return None, f"raised {type(error).__name__}"


def weights_round_trip(seed: int) -> dict:
    """save_weights from one seeded model, then load_weights into another."""
    torch.manual_seed(seed)
    source, target = make_model(), make_model()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "weights.pt")
        returned = save_weights(source, path)
        facts = {"returned": as_plain(returned), "files": sorted(os.listdir(folder)), "on_disk": read_back(path)}
        try:
            returned, error = attempt(load_weights, target, path)
        except NotImplementedError:
            return dict(facts, error="not implemented")
    return dict(facts, error=error, same_object=returned is target, training=target.training,
                weights=as_plain(target.state_dict()))


def refused_weights(seed: int) -> dict:
    """load_weights on a file weights_only must refuse, and on one with other names."""
    torch.manual_seed(seed)
    model = make_model()
    # A mapping class from outside weights_only's allow-list stands in for a harmful object.
    unsafe = defaultdict(list, model.state_dict())
    renamed = {"layer." + name: tensor for name, tensor in model.state_dict().items()}
    with tempfile.TemporaryDirectory() as folder:
        torch.save(unsafe, os.path.join(folder, "unsafe.pt"))
        torch.save(renamed, os.path.join(folder, "renamed.pt"))
        return {"unsafe": attempt(load_weights, model, os.path.join(folder, "unsafe.pt"))[1],
                "renamed": attempt(load_weights, model, os.path.join(folder, "renamed.pt"))[1]}


def refused_checkpoint(seed: int) -> dict:
    """load_checkpoint on a checkpoint held in a mapping class weights_only must refuse."""
    torch.manual_seed(seed)
    model = make_model()
    optimizer = make_optimizer(model)
    unsafe = defaultdict(list, epoch=0, model_state_dict=model.state_dict(),
                         optimizer_state_dict=optimizer.state_dict(), rng_state=torch.get_rng_state())
    with tempfile.TemporaryDirectory() as folder:
        torch.save(unsafe, os.path.join(folder, "unsafe.pt"))
        return {"unsafe": attempt(load_checkpoint, os.path.join(folder, "unsafe.pt"), model, optimizer)[1]}


def checkpoint_file(seed: int, epoch: int) -> dict:
    """One epoch of training, then save_checkpoint; what the folder and the file hold."""
    X, y = make_data(seed)
    torch.manual_seed(seed)
    model = make_model()
    optimizer = make_optimizer(model)
    train_epoch(model, optimizer, X, y)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        returned = save_checkpoint(path, model, optimizer, epoch)
        return {"returned": as_plain(returned), "files": sorted(os.listdir(folder)), "on_disk": read_back(path)}


def resumed_training(seed: int, epochs: int, stop: int) -> dict:
    """Train `epochs` epochs, calling save_checkpoint after the first `stop` of them. Then, as a
    new process would, build a new model and optimizer under another seed, load_checkpoint, and
    train the remaining epochs again: their losses and final weights must match the first run's."""
    X, y = make_data(seed)
    torch.manual_seed(seed)
    model = make_model()
    optimizer = make_optimizer(model)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        straight = [train_epoch(model, optimizer, X, y) for _ in range(stop)]
        save_checkpoint(path, model, optimizer, stop - 1)
        straight += [train_epoch(model, optimizer, X, y) for _ in range(stop, epochs)]
        facts = {"files": sorted(os.listdir(folder)), "on_disk": read_back(path), "straight": straight,
                 "straight_weights": as_plain(model.state_dict())}
        torch.manual_seed(seed + 1)   # as in a new process: other weights, another random stream
        model = make_model()
        optimizer = make_optimizer(model)
        try:
            start, error = attempt(load_checkpoint, path, model, optimizer)
        except NotImplementedError:
            return dict(facts, start="not implemented")
    if error or type(start) is not int:
        return dict(facts, start=error or as_plain(start))
    resumed = straight[:stop] + [train_epoch(model, optimizer, X, y) for _ in range(start, epochs)]
    return dict(facts, start=start, resumed=resumed, resumed_weights=as_plain(model.state_dict()))
