"""Hidden suite for 11_workflow/classifier_lab.

Classifier is compared with the reference in eval mode (outputs and gradients after loading a
shared state_dict), and once in training mode after the same torch.manual_seed, where dropout
in the right place draws the very same mask. evaluate and fit run through the kata's
evaluation_facts and lab_run, which build seeded models and data: evaluate is watched by a
forward hook (mode and grad mode during each pass), and fit is run twice with two different test
sets, whose training must come out identical, then held to the reference's losses and to the
accuracy its spec states.
"""
from checker import judge as J
from checker.suite import ModuleCase, Suite, call, construct, transposed

suite = Suite()

TRAIN_SEED, EPOCHS, STATED_ACCURACY = 0, 2, 0.9
# Adam over 6 steps in float32: correct codes that order the arithmetic differently (a mean taken
# another way, nn.CrossEntropyLoss for F.cross_entropy) stay far inside this; a wrong recipe
# (SGD, stale batches, no zero_grad) is off by several percent from the first epoch on.
LOSS_RTOL = 1e-4


def classifier_grow(g, batch=2, channels=2, height=3, width=2, hidden=4, classes=3):
    return ModuleCase(((channels, height, width), hidden, classes), inputs=(g.randn(batch, channels, height, width),),
                      train=False)


@suite.module(grow=classifier_grow, children={"net": "Sequential"})
def Classifier(g):
    yield ModuleCase(((1, 1, 1), 1, 1), inputs=(g.randn(1, 1, 1, 1),), train=False)
    yield ModuleCase((), inputs=(g.randn(2, 1, 8, 8),), train=False)                    # the defaults
    yield ModuleCase(((3, 4, 4), 16, 5, 0.5), inputs=(g.randn(4, 3, 4, 4),), train=False)
    yield ModuleCase(((1, 2, 2), 3, 2), {"dropout": 0.0}, inputs=(g.randn(3, 1, 2, 2),))  # training, p = 0
    yield ModuleCase(((2, 3, 3), 6, 4), inputs=(transposed(g.randn(2, 2, 3, 3)),), train=False)


@suite.check()
def Classifier(g):  # noqa: F811 - a second check of the same graded name
    """Training mode: after the same torch.manual_seed, nn.Dropout at position 3 draws the same
    mask as the reference's, so the outputs agree exactly."""
    hidden, classes, p = 24, 6, 0.5
    state = {"net.1.weight": g.randn(hidden, 16, scale=0.25), "net.1.bias": g.randn(hidden),
             "net.4.weight": g.randn(classes, hidden, scale=0.2), "net.4.bias": g.randn(classes)}
    x = g.randn(8, 1, 4, 4)
    spec = construct("Classifier", (1, 4, 4), hidden, classes, p, inputs=[x], train=True, state_dict=state,
                     forward_seed=g.integer(0, 2**31 - 1))
    where = (f"Classifier((1, 4, 4), {hidden}, {classes}, dropout={p}) in training mode, after loading a state_dict "
             f"and torch.manual_seed(...), forward on x float32[8, 1, 4, 4]")

    def judge(expected, got):
        if got[0].get("load_error"):
            return f"{where}\n  load_state_dict failed: {got[0]['load_error']}"
        problem = J.compare(expected[0]["output"], got[0].get("output"), "the output")
        return problem and (f"{where}\n  {problem}\n  With the same seed, an nn.Dropout({p}) between the ReLU and the "
                            f"last Linear zeroes the same hidden units as the reference's. Check where the dropout "
                            f"sits and that it uses the `dropout` argument.")

    return [spec], judge


def facts(result: dict, driver: str) -> dict:
    out = result.get("output")
    if not (isinstance(out, dict) and out.get("__out__") == "dict" and isinstance(out.get("items"), dict)):
        raise J.Malformed(f"{driver} did not return its dict; restore it from the stub")
    return out["items"]


def evaluation_problem(exp: dict, got: dict) -> str | None:
    passes = got.get("passes")
    passes = passes.get("items") if isinstance(passes, dict) else None
    if not isinstance(passes, list) or len(passes) != len(exp["passes"]["items"]):
        count = len(passes) if isinstance(passes, list) else "?"
        return (f"each call should run the model exactly once on all of X, but the two calls ran {count} forward "
                f"passes in all.")
    for seen in passes:
        seen = seen.get("items", {}) if isinstance(seen, dict) else {}
        if seen.get("training") is not False:
            return ("the model was in training mode during evaluation, so dropout was still switching units off "
                    "at random. Call model.eval() before the forward pass.")
        if seen.get("grad_enabled") is not False:
            return ("the forward pass ran with gradients enabled, so autograd recorded a graph for nothing. Run it "
                    "inside `with torch.no_grad():`.")
    if got.get("grad_enabled_after") is not True:
        return ("after evaluate, torch's grad mode is still off, so later training would learn nothing. Use a "
                "`with torch.no_grad():` block, which turns it back on by itself.")
    if got.get("training_after") is not False:
        return "evaluate should leave the model in eval mode, as it set it."
    problem = J.compare(exp["accuracy"], got.get("accuracy"), "the accuracy")
    if problem:
        return problem + (" It is the fraction of images whose argmax over the class dim (dim=1) equals the "
                          "label, as a Python float between 0 and 1.")
    if got.get("again") != got.get("accuracy"):
        return f"a second call gave {got.get('again')!r} after {got.get('accuracy')!r}: evaluation must be deterministic."
    return None


@suite.check()
def evaluate(g):
    runs = [(1, 1), (2, 50)]

    def judge(expected, got):
        for (seed, n), exp, res in zip(runs, expected, got):
            problem = evaluation_problem(facts(exp, "evaluation_facts"), facts(res, "evaluation_facts"))
            if problem:
                return (f"evaluation_facts({seed}, {n}): evaluate(model, X, y) twice on {n} image(s), with a model "
                        f"(Flatten -> Dropout(0.5) -> Linear) handed over in training mode\n  {problem}")
        return None

    return [call("evaluation_facts", seed, n) for seed, n in runs], judge


def history_of(facts_: dict, key: str) -> list | None:
    history = facts_.get("history")
    if not (isinstance(history, dict) and history.get("__out__") == "dict"):
        return None
    values = history["items"].get(key)
    return values.get("items") if isinstance(values, dict) and values.get("__out__") == "list" else None


def structure_problem(exp: dict, got: dict) -> str | None:
    for key in ("train_loss", "test_accuracy"):
        values, wanted = history_of(got, key), history_of(exp, key)
        if values is None or len(values) != len(wanted) or any(type(v) not in (int, float) for v in values):
            problem = J.compare(exp["history"], got.get("history"), "the returned history")
            return (f"{problem or f'the history[{key!r}] is not a list of Python floats.'}\n  Return "
                    f"{{'train_loss': [...], 'test_accuracy': [...]}} with one Python float per epoch in each list.")
    return None


def leak_problem(first: dict, second: dict) -> str | None:
    """The two runs differ only in their test set, so they must train exactly alike."""
    same = J.compare(first["history"]["items"]["train_loss"], second["history"]["items"]["train_loss"],
                     "the train losses", rtol=0.0, atol=0.0)
    return same or J.compare(first.get("weights"), second.get("weights"), "the trained weights", rtol=0.0, atol=0.0)


def recipe_problem(exp: dict, got: dict, test_size: int) -> str | None:
    problem = J.compare(exp["history"]["items"]["train_loss"], got["history"]["items"]["train_loss"],
                        "the train losses", rtol=LOSS_RTOL, atol=0.0)
    if problem:
        return (f"{problem}\n  Follow the recipe step by step: torch.manual_seed(seed) first; one generator for the "
                f"batch order, made once; Adam(lr); model.train() at the start of every epoch; zero_grad, forward, "
                f"F.cross_entropy, backward, step; and the epoch loss as the mean over images (the sum of "
                f"loss.item() * len(batch), divided by N).")
    problem = J.compare(exp["history"]["items"]["test_accuracy"], got["history"]["items"]["test_accuracy"],
                        "the test accuracies", rtol=0.0, atol=1.0 / test_size + 1e-6)   # one image either way
    if problem:
        return f"{problem}\n  Measure each epoch with evaluate(model, *test), after that epoch's training."
    accuracies = history_of(got, "test_accuracy")
    if accuracies and accuracies[-1] < STATED_ACCURACY:
        return (f"after {len(accuracies)} epochs the test accuracy is {accuracies[-1]:.3f}, below the "
                f"{STATED_ACCURACY} the spec states for this recipe.")
    return None


@suite.check()
def fit(g):
    args = [(TRAIN_SEED, 40, 100, EPOCHS), (TRAIN_SEED, 70, 101, EPOCHS), (1, 10, 102, 0)]
    texts = [f"lab_run(seed={s}, test_size={n}, test_seed={t}, epochs={e}): fit on synthetic_images(90, {s}), "
             f"measured on synthetic_images({n}, {t})" for s, n, t, e in args]

    def judge(expected, got):
        exp = [facts(r, "lab_run") for r in expected]
        res = [facts(r, "lab_run") for r in got]
        for text, e, r in zip(texts, exp, res):
            problem = structure_problem(e, r)
            if problem:
                return f"{text}\n  {problem}"
        problem = leak_problem(res[0], res[1])
        if problem:
            return (f"{texts[0]}\nthen {texts[1]}\n  the two runs differ only in their test set, yet they trained "
                    f"differently: {problem}\n  The test set must not influence training at all: use it only in "
                    f"evaluate(model, *test), in eval mode under torch.no_grad() (in training mode, dropout on the "
                    f"test images would draw from the random stream training uses), and never in a loss or a step.")
        for text, (_, test_size, _, _), e, r in zip(texts, args, exp, res):
            problem = recipe_problem(e, r, test_size)
            if problem:
                return f"{text}\n  {problem}"
        return None

    return [call("lab_run", *a) for a in args], judge
