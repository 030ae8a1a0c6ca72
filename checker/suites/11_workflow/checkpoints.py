"""Hidden suite for 11_workflow/checkpoints.

Models, optimizers and files cannot travel back to the grader, so every check calls one of the
kata's round-trip functions (weights_round_trip, refused_weights, refused_checkpoint,
resumed_training). Each builds seeded objects, runs the learner's functions inside a
tempfile.TemporaryDirectory, reads the files back with torch.load(weights_only=True), and returns
plain facts. The reference's facts are the expected ones; the resume is also compared with the
learner's own uninterrupted run, exactly.
"""
from checker import judge as J
from checker.results import Status
from checker.suite import Suite, call

suite = Suite()

EPOCHS, STOP = 3, 2       # resumed_training: the checkpoint is written after epoch 1 (of 0..2)
SAVED_EPOCH = 4           # checkpoint_file: the epoch number handed to save_checkpoint


def facts(result: dict) -> dict:
    out = result.get("output")
    if not (isinstance(out, dict) and out.get("__out__") == "dict" and isinstance(out.get("items"), dict)):
        raise J.Malformed("a round-trip function did not return its dict; restore it from the stub")
    return out["items"]


def file_problem(exp, got, what: str, saver: str) -> str | None:
    """The file as weights_only=True reads it, against the reference's."""
    if isinstance(got, str) and got.startswith("raised"):
        return (f"torch.load(path, weights_only=True) cannot read the file {saver} wrote (it {got}). Save only "
                f"tensors and plain containers: {what}, not a module, an optimizer or a method object.")
    problem = J.compare(exp, got, "the file's content")
    return problem and f"{problem}\n  The file should hold {what}."


def files_problem(exp: dict, got: dict, saver: str) -> str | None:
    problem = J.compare(exp.get("returned"), got.get("returned"), f"what {saver} returns")
    if problem:
        return f"{problem} It only writes a file."
    if got.get("files") != exp["files"]:
        return (f"after {saver}, the temporary folder holds {got.get('files')}, but it should hold exactly "
                f"{exp['files']}: write one file, at the path you were given.")
    return None


@suite.check()
def save_weights(g):
    seed = g.integer(0, 1000)

    def judge(expected, got):
        exp, res = facts(expected[0]), facts(got[0])
        problem = files_problem(exp, res, "save_weights") or \
            file_problem(exp["on_disk"], res.get("on_disk"), "model.state_dict()", "save_weights")
        return problem and f"save_weights(model, path), then torch.load(path, weights_only=True):\n  {problem}"

    return [call("weights_round_trip", seed)], judge


def weights_problem(exp: dict, res: dict) -> str | None:
    if res.get("error") == "not implemented":
        return "not implemented"
    if J.compare(exp["on_disk"], res.get("on_disk")) is not None:
        return ("load_weights is tried on the file your save_weights writes, and that file is not right yet: "
                "make save_weights pass first.")
    if res.get("error"):
        return f"load_weights {res['error']} on a file that save_weights wrote correctly."
    if res.get("same_object") is not True:
        return ("load_weights should return the model it was given. model.load_state_dict(...) returns a report "
                "of missing and unexpected keys, not the model: return model itself.")
    problem = J.compare(exp["weights"], res.get("weights"), "the model's state_dict after loading")
    if problem:
        return problem + "\n  Load the file into the model you were given, not into a new one."
    if res.get("training") is not False:
        return "after load_weights the model is still in training mode: call model.eval() before returning it."
    return None


def refusal_problem(exp: dict, res: dict, loader: str) -> str | None:
    if res.get("unsafe") != exp["unsafe"]:
        what = "loaded it" if res.get("unsafe") is None else res.get("unsafe")
        return (f"{loader} was given a file that holds a pickled class (a defaultdict) and {what}. It should "
                f"refuse it: torch.load(path, weights_only=True) raises UnpicklingError for anything but tensors "
                f"and plain containers. Never load with weights_only=False.")
    if "renamed" in exp and res.get("renamed") != exp["renamed"]:
        what = "loaded it" if res.get("renamed") is None else res.get("renamed")
        return (f"{loader} was given a state_dict whose names ('layer.0.weight', ...) do not match the model's, and "
                f"{what}. It should raise RuntimeError: keep load_state_dict strict (the default).")
    return None


@suite.check()
def load_weights(g):
    seed = g.integer(0, 1000)

    def judge(expected, got):
        problem = weights_problem(facts(expected[0]), facts(got[0]))
        if problem == "not implemented":
            return J.Verdict(Status.NOT_IMPLEMENTED, J.NOT_IMPLEMENTED_YET)
        if problem:
            return f"save_weights(source, path), then load_weights(target, path):\n  {problem}"
        problem = refusal_problem(facts(expected[1]), facts(got[1]), "load_weights")
        return problem and f"load_weights(model, path) on files it must refuse:\n  {problem}"

    return [call("weights_round_trip", seed), call("refused_weights", seed)], judge


CHECKPOINT_KEYS = {
    "epoch": "the number of the epoch that has just finished, the `epoch` argument itself",
    "model_state_dict": "model.state_dict()",
    "optimizer_state_dict": "optimizer.state_dict() (SGD's momentum buffers live there)",
    "rng_state": "torch.get_rng_state(), a uint8 tensor (not torch.initial_seed(), the seed the run started from)",
}


def checkpoint_problem(exp, got) -> str | None:
    if isinstance(got, str) and got.startswith("raised"):
        return file_problem(exp, got, "a dict of state_dicts, an int and a tensor", "save_checkpoint")
    if not isinstance(got, dict) or got.get("__out__") != "dict":
        return J.compare(exp, got, "the file's content")
    wanted, have = exp["items"], got["items"]
    if sorted(have) != sorted(wanted):
        return f"the checkpoint's keys should be exactly {sorted(wanted)}, but they are {sorted(have)}."
    for key in sorted(wanted):
        problem = J.compare(wanted[key], have[key], f"checkpoint[{key!r}]")
        if problem:
            return f"{problem}\n  It should be {CHECKPOINT_KEYS[key]}."
    return None


RESUME = (f"resumed_training: {EPOCHS} epochs with save_checkpoint(path, model, optimizer, epoch={STOP - 1}) after "
          f"epoch {STOP - 1}; then, in a fresh model and optimizer, load_checkpoint(path, model, optimizer) and the "
          f"epochs from the one it returns")


@suite.check()
def save_checkpoint(g):
    def judge(expected, got):
        exp, res = facts(expected[0]), facts(got[0])
        problem = files_problem(exp, res, "save_checkpoint") or checkpoint_problem(exp["on_disk"], res.get("on_disk"))
        return problem and (f"checkpoint_file: one epoch of training, then save_checkpoint(path, model, optimizer, "
                            f"epoch={SAVED_EPOCH}) and torch.load(path, weights_only=True):\n  {problem}")

    return [call("checkpoint_file", g.integer(0, 1000), SAVED_EPOCH)], judge


def resume_problem(exp: dict, res: dict) -> str | None:
    if checkpoint_problem(exp["on_disk"], res.get("on_disk")) or files_problem(exp, res, "save_checkpoint"):
        return ("load_checkpoint is tried on the checkpoint your save_checkpoint writes, and that file is not "
                "right yet: make save_checkpoint pass first.")
    start = res.get("start")
    if isinstance(start, str) and start.startswith("raised"):
        return f"load_checkpoint {start} on a checkpoint that save_checkpoint wrote correctly."
    if type(start) is not int:
        return f"{J.compare(exp['start'], start, 'what load_checkpoint returns')} Return the epoch to run next."
    if start != exp["start"]:
        return (f"load_checkpoint returned {start}, but the epoch to run next is {exp['start']}: the saved epoch "
                f"({exp['start'] - 1}) is the last one that finished, so add 1.")
    problem = J.compare(exp["straight"], res.get("straight"), "the uninterrupted run's losses")
    if problem:
        return f"{problem}\n  That run uses only the kata's helpers: restore them from the stub."
    straight, resumed = res["straight"], res.get("resumed")
    problem = J.compare(straight, resumed, "the resumed run's losses", rtol=0.0, atol=0.0)
    if problem:
        return (f"after resuming, the losses no longer match the uninterrupted run's bit for bit: {problem}\n"
                f"  Restore all three: model.load_state_dict, optimizer.load_state_dict (the "
                f"momentum buffers) and torch.set_rng_state (the shuffling order and the dropout masks).")
    problem = J.compare(res["straight_weights"], res.get("resumed_weights"), "the resumed model's final weights",
                        rtol=0.0, atol=0.0)
    return problem and f"{problem}\n  They should equal the uninterrupted run's exactly."


@suite.check()
def load_checkpoint(g):
    spec = call("resumed_training", g.integer(0, 1000), EPOCHS, STOP)

    def judge(expected, got):
        if facts(got[0]).get("start") == "not implemented":
            return J.Verdict(Status.NOT_IMPLEMENTED, J.NOT_IMPLEMENTED_YET)
        problem = resume_problem(facts(expected[0]), facts(got[0]))
        if problem:
            return f"{RESUME}:\n  {problem}"
        problem = refusal_problem(facts(expected[1]), facts(got[1]), "load_checkpoint")
        return problem and f"load_checkpoint(path, model, optimizer) on a file it must refuse:\n  {problem}"

    return [spec, call("refused_checkpoint", g.integer(0, 1000))], judge
