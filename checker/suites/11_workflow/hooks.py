"""Hidden suite for 11_workflow/hooks.

The probes build their models with nn_model, whose Linear layers start from random weights that
differ between the reference's run and the learner's. So values are compared only on models
whose layers start the same everywhere (LayerNorm starts at weight 1 and bias 0; activations
have no weights), and Linear models are used where only shapes, detachment and clean-up matter.
Left-over hooks are counted by the kata's `hooks_left_after`, after a normal call and after one
whose forward pass raises.
"""
from checker import judge as J
from checker.suite import Case, Suite, call, nn_model, transposed

suite = Suite()


def mlp(features=4, hidden=8, classes=3, **layers):
    return nn_model(("Linear", (features, hidden)), ("ReLU", ()), ("Linear", (hidden, classes)), **layers)


def on_meta(name, args):
    return (name, args, {"device": "meta"})


def normalised(features=4):
    """Every layer starts the same in every process, so its activations and gradients can be
    compared with the reference's."""
    return nn_model(("LayerNorm", (features,)), ("Tanh", ()), ("LayerNorm", (features,)), ("Sigmoid", ()))


@suite.function(grad=False)
def output_shapes(g):
    yield Case(nn_model(("Linear", (1, 1))), (1, 1))
    yield Case(mlp(), (2, 4))
    yield Case(nn_model(("Flatten", ()), ("Linear", (12, 5)), ("ReLU", ()), ("Dropout", (0.2,)),
                        ("Linear", (5, 10))), (3, 1, 3, 4))                 # the guide's image MLP
    yield Case(nn_model(("Identity", ()), ("Tanh", ())), (2, 3))          # no parameters: a CPU dummy
    # Llama 3 8B's FFN width on the meta device: the shapes come out, no memory is spent.
    yield Case(nn_model(on_meta("Linear", (4096, 14336)), ("GELU", ()), on_meta("Linear", (14336, 4096))),
               (2, 16, 4096))


def cleanup_problem(function: str, exp: dict, got: dict) -> str | None:
    if got.get("raised") != exp["raised"]:
        return f"{function} should {'raise ' + exp['raised'] if exp['raised'] else 'return normally'}, " \
               f"but it {'raised ' + got['raised'] if got.get('raised') else 'returned normally'}."
    left = got.get("hooks_left")
    if left != 0:
        when = " after a forward pass that raised" if exp["raised"] else ""
        return (f"{left} hook(s) are still attached to the model{when}. Keep every handle that register_... "
                f"returns and call handle.remove() on each one in a finally: block, so that nothing stays "
                f"attached even when the forward pass fails.")
    return None


def cleanup_check(function: str, runs: list):
    """Probes of hooks_left_after for `function`; runs are (text, model, *args)."""
    specs = [call("hooks_left_after", function, *run[1:]) for run in runs]

    def judge(expected, got):
        for run, exp, res in zip(runs, expected, got):
            facts = (res.get("output") or {}).get("items")
            if not isinstance(facts, dict):
                raise J.Malformed("hooks_left_after did not return its dict; restore it from the stub")
            problem = cleanup_problem(function, exp["output"]["items"], facts)
            if problem:
                return f"{run[0]}\n  {problem}"
        return None

    return specs, judge


@suite.check()
def output_shapes(g):  # noqa: F811 - a second check of the same graded name
    return cleanup_check("output_shapes", [
        ("output_shapes(Linear(4, 8) -> ReLU -> Linear(8, 3), input_shape=(2, 4))", mlp(), (2, 4)),
        ("output_shapes(Linear(4, 8) -> ReLU -> Linear(8, 3), input_shape=(2, 5)), whose forward raises",
         mlp(), (2, 5)),
    ])


@suite.function(grad=False)
def capture_activations(g):
    yield Case(normalised(1), g.randn(1, 1), ["0"])
    yield Case(normalised(), g.randn(3, 4), ["1", "3"])
    yield Case(normalised(), g.randn(2, 4), ["3", "0", "2"])               # the order of `names`
    yield Case(normalised(), g.randn(2, 4), [])
    # The in-place ReLU overwrites LayerNorm's output right after its hook ran.
    yield Case(nn_model(("LayerNorm", (5,)), ("ReLU", (), {"inplace": True}), ("Tanh", ())),
               g.randn(4, 5), ["0", "1"])
    yield Case(nn_model(("LayerNorm", (6,)), ("GELU", ())), transposed(g.randn(3, 6)), ["1"])
    yield Case(normalised(), g.randn(2, 4), ["5"], raises=AttributeError)


@suite.check()
def capture_activations(g):  # noqa: F811
    """Detached copies: the probes read requires_grad and grad_fn from what comes back."""
    runs = [(mlp(), g.randn(3, 4), ["0", "1", "2"])]
    specs = [call("capture_activations", *run) for run in runs]

    def judge(expected, got):
        for res in got:
            for name, desc in (res["output"].get("items") or {}).items():
                if isinstance(desc, dict) and (desc.get("requires_grad") or desc.get("grad_fn")):
                    return (f"capture_activations(Linear(4, 8) -> ReLU -> Linear(8, 3), x, names=['0', '1', '2'])\n"
                            f"  the activation of {name!r} is still part of the autograd graph (requires_grad="
                            f"{desc.get('requires_grad')}, grad_fn={desc.get('grad_fn')}). Store output.detach()"
                            f".clone(): a stored graph keeps its memory alive and lets gradients leak through.")
        return None

    return specs, judge


@suite.check()
def capture_activations(g):  # noqa: F811
    return cleanup_check("capture_activations", [
        ("capture_activations(Linear(4, 8) -> ReLU -> Linear(8, 3), x of shape (2, 4), ['0', '2'])",
         mlp(), g.randn(2, 4), ["0", "2"]),
        ("capture_activations(Linear(4, 8) -> ReLU -> Linear(8, 3), x of shape (2, 5), ['0', '2']), "
         "whose forward raises", mlp(), g.randn(2, 5), ["0", "2"]),
    ])


@suite.function(grad=False)
def output_grad_norms(g):
    yield Case(normalised(1), g.randn(1, 1))
    yield Case(normalised(), g.randn(3, 4))
    yield Case(normalised(5), transposed(g.randn(2, 5)))
    yield Case(nn_model(("LayerNorm", (6,)), ("GELU", ()), ("Identity", ()), ("LayerNorm", (6,))),
               g.randn(4, 6, scale=3.0))
    yield Case(normalised(), g.randn(2, 3, 4))                             # a batch of sequences
    # Flatten's output does not depend on any parameter, so no gradient reaches it: no entry.
    yield Case(nn_model(("Flatten", ()), ("LayerNorm", (6,)), ("Tanh", ())), g.randn(2, 2, 3))


@suite.check()
def output_grad_norms(g):  # noqa: F811
    return cleanup_check("output_grad_norms", [
        ("output_grad_norms(Linear(4, 8) -> ReLU -> Linear(8, 3), x of shape (2, 4))", mlp(), g.randn(2, 4)),
        ("output_grad_norms(Linear(4, 8) -> ReLU -> Linear(8, 3), x of shape (2, 5)), whose forward raises",
         mlp(), g.randn(2, 5)),
    ])
