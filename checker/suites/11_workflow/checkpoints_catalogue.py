"""Mistake catalogue for 11_workflow/checkpoints.

Every entry replaces one graded function; the kata's round-trip functions then call the entry in
place of the reference's (they look the names up in the module's globals at call time).
"""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- save_weights

@catalogue.mistake("saves the whole model object, which weights_only=True cannot read back",
                   hint="save model.state_dict()")
def save_weights(model, path):
    torch.save(model, path)


@catalogue.mistake("saves the method model.state_dict without calling it", hint="call it: model.state_dict()")
def save_weights(model, path):  # noqa: F811 - each entry is separate
    torch.save(model.state_dict, path)


@catalogue.mistake("saves list(model.parameters()): tensors without their names",
                   hint="the names are what load_state_dict matches: save model.state_dict()")
def save_weights(model, path):  # noqa: F811
    torch.save(list(model.parameters()), path)


@catalogue.mistake("wraps the weights in a checkpoint-style dict {'model': ...}",
                   hint="a weights file holds the state_dict itself")
def save_weights(model, path):  # noqa: F811
    torch.save({"model": model.state_dict()}, path)


@catalogue.alternative("torch.save into an open binary file")
def save_weights(model, path):  # noqa: F811
    with open(path, "wb") as file:
        torch.save(model.state_dict(), file)


# ---------------------------------------------------------------- load_weights

@catalogue.mistake("torch.load(..., weights_only=False), which runs whatever the file asks for",
                   hint="always load with weights_only=True")
def load_weights(model, path):
    model.load_state_dict(torch.load(path, weights_only=False))
    model.eval()
    return model


@catalogue.mistake("load_state_dict(..., strict=False) silently skips names that do not match",
                   hint="keep strict=True so a mismatched file raises")
def load_weights(model, path):  # noqa: F811
    model.load_state_dict(torch.load(path, weights_only=True), strict=False)
    model.eval()
    return model


@catalogue.mistake("returns what load_state_dict returns (a report of keys) instead of the model",
                   hint="call model.eval() and return model")
def load_weights(model, path):  # noqa: F811
    model.eval()
    return model.load_state_dict(torch.load(path, weights_only=True))


@catalogue.mistake("forgets model.eval(), so dropout stays on in predictions", hint="switch to eval mode before returning")
def load_weights(model, path):  # noqa: F811
    model.load_state_dict(torch.load(path, weights_only=True))
    return model


@catalogue.mistake("loads into a newly built model instead of the one it was given",
                   hint="load into `model` and return it")
def load_weights(model, path):  # noqa: F811
    fresh = ref.make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True))
    return fresh.eval()


@catalogue.alternative("map_location='cpu', an explicit strict=True and model.train(False)")
def load_weights(model, path):  # noqa: F811
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.train(False)
    return model


# ---------------------------------------------------------------- save_checkpoint

@catalogue.mistake("saves the optimizer object itself instead of its state_dict",
                   hint="store optimizer.state_dict()")
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"epoch": epoch, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer,
                "rng_state": torch.get_rng_state()}, path)


@catalogue.mistake("leaves out the random state", hint="add 'rng_state': torch.get_rng_state()")
def save_checkpoint(path, model, optimizer, epoch):  # noqa: F811
    torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict()}, path)


@catalogue.mistake("stores torch.initial_seed(), the starting seed, as the random state",
                   hint="the generator's current state is torch.get_rng_state()")
def save_checkpoint(path, model, optimizer, epoch):  # noqa: F811
    torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "rng_state": torch.initial_seed()}, path)


@catalogue.mistake("stores epoch + 1 (the next epoch) instead of the finished one",
                   hint="store the epoch you were given; load_checkpoint adds the 1")
def save_checkpoint(path, model, optimizer, epoch):  # noqa: F811
    ref.save_checkpoint(path, model, optimizer, epoch + 1)


@catalogue.mistake("short key names 'model' and 'optimizer'", hint="use exactly the four keys of the spec")
def save_checkpoint(path, model, optimizer, epoch):  # noqa: F811
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "rng_state": torch.get_rng_state()}, path)


@catalogue.alternative("the dict built with dict(...) in another key order, and torch.random.get_rng_state()")
def save_checkpoint(path, model, optimizer, epoch):  # noqa: F811
    checkpoint = dict(rng_state=torch.random.get_rng_state(), optimizer_state_dict=optimizer.state_dict(),
                      model_state_dict=model.state_dict(), epoch=int(epoch))
    torch.save(checkpoint, path)


# ---------------------------------------------------------------- load_checkpoint

@catalogue.mistake("restores the model and the random state but not the optimizer (momentum starts over)",
                   hint="also call optimizer.load_state_dict(checkpoint['optimizer_state_dict'])")
def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"] + 1


@catalogue.mistake("restores model and optimizer but not the random state (new shuffles and dropout masks)",
                   hint="also call torch.set_rng_state(checkpoint['rng_state'])")
def load_checkpoint(path, model, optimizer):  # noqa: F811
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    return checkpoint["epoch"] + 1


@catalogue.mistake("returns the saved epoch, so the finished epoch is trained again",
                   hint="the saved epoch has finished: return it plus 1")
def load_checkpoint(path, model, optimizer):  # noqa: F811
    return ref.load_checkpoint(path, model, optimizer) - 1


@catalogue.mistake("reseeds with torch.manual_seed(epoch) instead of restoring the saved state",
                   hint="torch.set_rng_state puts back the exact state that was saved")
def load_checkpoint(path, model, optimizer):  # noqa: F811
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    torch.manual_seed(checkpoint["epoch"])
    return checkpoint["epoch"] + 1


@catalogue.mistake("torch.load(..., weights_only=False), as older tutorials do for optimizer state",
                   hint="weights_only=True reads optimizer state dicts too")
def load_checkpoint(path, model, optimizer):  # noqa: F811
    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"] + 1


@catalogue.alternative("optimizer first, torch.random.set_rng_state, and int(...) on the epoch")
def load_checkpoint(path, model, optimizer):  # noqa: F811
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    torch.random.set_rng_state(checkpoint["rng_state"])
    return int(checkpoint["epoch"]) + 1
