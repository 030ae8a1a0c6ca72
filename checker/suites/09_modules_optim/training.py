"""Hidden suite for 09_modules_optim/training.

The learner's loop must reproduce the reference's losses from the same seed, epoch by epoch.
When it does not, the judge tries the loops that beginners really write: the reference run
again (in a fresh copy of the reference module, here in the trusted process) with zero_grad
doing nothing, with eval() doing nothing, or with train() never coming back after the first
evaluation. A learner whose losses match one of those is told exactly which line is missing.
"""
import math

import torch

from checker import judge as J
from checker import manifest, runner
from checker.suite import Suite, call

suite = Suite()

RTOL, ATOL = 1e-5, 1e-6   # float32 losses: a different but sound order of sums drifts ~1e-6


def regression_data(g, n, m, d):
    """Train and validation points near a slightly curved function of d features."""
    w = g.randn(d, 1)
    X, X_val = g.randn(n, d), g.randn(m, d)
    y = X @ w + 0.5 * torch.sin(X[:, :1]) + 0.1 * g.randn(n, 1)
    y_val = X_val @ w + 0.5 * torch.sin(X_val[:, :1]) + 0.1 * g.randn(m, 1)
    return X, y, X_val, y_val


# ---------------------------------------------------------------------------------------------
# The loops beginners write, run from the reference by switching one thing off
# ---------------------------------------------------------------------------------------------

def forgets_zero_grad(module):
    class KeepsGrads(module.PlainSGD):
        def zero_grad(self):
            pass
    module.PlainSGD = KeepsGrads


def forgets_eval(module):
    build = module.make_model

    def make_model(*args, **kwargs):
        model = build(*args, **kwargs)
        train = model.train
        model.train = lambda mode=True: train(True)     # model.eval() is model.train(False)
        return model
    module.make_model = make_model


def never_trains_again(module):
    build = module.make_model

    def make_model(*args, **kwargs):
        model = build(*args, **kwargs)
        train, evaluated = model.train, []

        def switch(mode=True):
            evaluated.append(not mode)
            return train(mode and not any(evaluated))
        model.train = switch
        return model
    module.make_model = make_model


def iterates_a_dataloader(module):
    """A DataLoader draws one int64 seed from the global generator each time it is iterated, right
    after the epoch's model.train(): the same draw, made at that moment."""
    build = module.make_model

    def make_model(*args, **kwargs):
        model = build(*args, **kwargs)
        train = model.train

        def switch(mode=True):
            result = train(mode)
            if mode:
                torch.empty((), dtype=torch.int64).random_()
            return result
        model.train = switch
        return model
    module.make_model = make_model


SLIPS = (
    (forgets_zero_grad, "your losses match a loop that never calls optimizer.zero_grad(): each backward adds to "
                        "the gradients already there, so every step also pushes with all the old ones. Call "
                        "optimizer.zero_grad() before each backward."),
    (forgets_eval, "your losses match a loop that evaluates without model.eval(): dropout kept dropping during "
                   "the evaluation (and used up random numbers). Call model.eval() before evaluating."),
    (never_trains_again, "your losses match a loop that calls model.train() only once: after the first "
                         "evaluation, dropout stayed off for the rest of training. Call model.train() at the start "
                         "of every epoch."),
    (iterates_a_dataloader, "your losses match a loop that takes its batches from a DataLoader: even with "
                            "shuffle=False, every pass over a DataLoader draws a seed from torch's global generator, "
                            "which shifts every dropout mask after it. Slice the tensors instead: "
                            "X_train[start:start + batch_size]."),
)


def slipped_runs(args) -> list[tuple[dict, str]]:
    """The reference's result under each slip, with the message that names it."""
    kata = manifest.get(suite.kata_id)
    runs = []
    for slip, message in SLIPS:
        module = runner.load_path(kata.solution_path, "torchkata_training_slip")
        slip(module)
        result = module.fit(*args)
        runs.append(((result["train_losses"], result["eval_losses"]), message))
    return runs


# ---------------------------------------------------------------------------------------------
# Judging one run
# ---------------------------------------------------------------------------------------------

KEYS = ("train_losses", "eval_losses", "predictions")


def same_losses(want: list[float], have: list) -> bool:
    return len(want) == len(have) and all(
        type(h) in (float, int) and math.isclose(h, w, rel_tol=RTOL, abs_tol=ATOL) for w, h in zip(want, have))


def departure(want_train, want_eval, train, evals) -> str:
    """Where the learner's losses first leave the reference's, and what usually causes it there."""
    for epoch, (wt, we, ht, he) in enumerate(zip(want_train, want_eval, train, evals)):
        if not math.isclose(ht, wt, rel_tol=RTOL, abs_tol=ATOL):
            where = f"train_losses[{epoch}] should be {wt:.7g}, but it is {ht:.7g}."
            if epoch == 0 and math.isclose(he, we, rel_tol=RTOL, abs_tol=ATOL):
                return where + (" The evaluation after it matches, so the training itself went right: the epoch's "
                                "train loss is the mean over all samples, the sum of loss.item() * batch size "
                                "divided by N (the last batch may be smaller).")
            if epoch == 0:
                return where + (" Already the first epoch differs: seed with torch.manual_seed(seed) before "
                                "make_model, take the batches in order without shuffling, run one forward pass "
                                "per batch, and use the mean squared error.")
            return where + f" Epochs 0 to {epoch - 1} matched: look for what changes from one epoch to the next."
        if not math.isclose(he, we, rel_tol=RTOL, abs_tol=ATOL):
            return (f"eval_losses[{epoch}] should be {we:.7g}, but it is {he:.7g}, while the training before it "
                    f"matches. Evaluate after each epoch's training, once, on all of X_val, with model.eval() and "
                    f"torch.no_grad(), and record the mean squared error.")
    return "the losses differ from the reference's."


def run_problem(exp: dict, res: dict, slips) -> str | None:
    """What is wrong with one fit result; slips() gives the slipped loops' losses when needed."""
    out = res.get("output")
    items = out.get("items") if isinstance(out, dict) and out.get("__out__") == "dict" else None
    if items is None or sorted(items) != sorted(KEYS):
        what = f"a dict with the keys {sorted(items)}" if items is not None else "something else"
        return f"fit should return a dict with the keys {list(KEYS)}, but it returned {what}."
    want = exp["output"]["items"]
    for key in KEYS[:2]:
        seq = items[key]
        if not (isinstance(seq, dict) and seq.get("__out__") == "list" and seq.get("length") == want[key]["length"]):
            return f"{key} should be a list of {want[key]['length']} numbers, one per epoch."
        if not all(type(v) in (float, int) for v in seq["items"]):
            return f"{key} should hold Python floats: record loss.item(), not the loss tensor."
    train, evals = items["train_losses"]["items"], items["eval_losses"]["items"]
    want_train, want_eval = want["train_losses"]["items"], want["eval_losses"]["items"]
    if not (same_losses(want_train, train) and same_losses(want_eval, evals)):
        for (slip_train, slip_eval), message in slips():
            if same_losses(slip_train, train) and same_losses(slip_eval, evals):
                return message
        return departure(want_train, want_eval, train, evals)
    problem = J.compare(want["predictions"], items["predictions"], "predictions")
    if problem:
        return problem
    if items["predictions"]["requires_grad"] or items["predictions"]["grad_fn"]:
        return (f"predictions has grad_fn={items['predictions']['grad_fn']}: the evaluation was recorded by "
                f"autograd. Run it inside `with torch.no_grad():` (model.eval() alone does not stop recording).")
    if res.get("mutated"):
        return "fit modified its inputs in place. Leave the data untouched."
    return None


@suite.check()
def fit(g):
    runs = [(*regression_data(g, 12, 6, 3), 2, 0.05, 5, g.integer(0, 2**31 - 1)),
            (*regression_data(g, 20, 8, 4), 4, 0.1, 6, g.integer(0, 2**31 - 1)),
            (*regression_data(g, 8, 5, 2), 3, 0.1, 16, g.integer(0, 2**31 - 1))]   # one batch holds all
    names = ["X_train", "y_train", "X_val", "y_val", "epochs", "lr", "batch_size", "seed"]

    def judge(expected, got):
        for args, exp, res in zip(runs, expected, got):
            # The slipped loops run only for a learner whose losses are off: a passing run pays nothing.
            problem = run_problem(exp, res, lambda: slipped_runs(args))
            if problem:
                return f"{J.format_call('fit', names, args)}\n  {problem}"
        return None

    return [call("fit", *args) for args in runs], judge
