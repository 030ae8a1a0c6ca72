"""Hidden suite for 09_modules_optim/modules.

Structure (state_dict keys and shapes, submodule types) and forward passes go through the module
ladders. The behaviour this kata is about is then checked directly: which tensors are
parameters and which are buffers, that the only random draws are nn.Linear's own, and that
.eval() reaches the dropout (the eval output is not random) while training mode does drop.
"""
import torch

from checker import judge as J
from checker.suite import Case, ModuleCase, Suite, construct, nn_model, transposed

suite = Suite()


# ---------------------------------------------------------------------------------------------
# LinearRegressionModel
# ---------------------------------------------------------------------------------------------

def regression_grow(g, batch=2, in_features=3, out_features=2):
    return ModuleCase((in_features, out_features), inputs=(g.randn(batch, in_features),))


@suite.module(grow=regression_grow, children={"linear_layer": "Linear"})
def LinearRegressionModel(g):
    yield ModuleCase((1, 1), inputs=(g.randn(10, 1),))                 # the guide's model
    yield ModuleCase((3, 2), inputs=(g.randn(3),))
    yield ModuleCase((4, 5), inputs=(transposed(g.randn(2, 6, 4)),), train=False)


def same_state(exp: dict, res: dict) -> str | None:
    """The first state_dict entry whose initial value differs, as a message."""
    for key, want in exp["state"].items():
        have = (res.get("state") or {}).get(key)
        if not (isinstance(have, dict) and isinstance(have.get("value"), torch.Tensor)):
            return None   # the ladder above explains missing keys
        if have["value"].shape != want["value"].shape or not torch.equal(have["value"], want["value"]):
            return key
    return None


@suite.check()
def LinearRegressionModel(g):  # noqa: F811 - a second check of the same graded name
    seed = g.integer(0, 2**31 - 1)

    def judge(expected, got):
        children = got[0].get("children")
        if isinstance(children, list) and children != expected[0]["children"]:
            return (f"LinearRegressionModel(5, 3) has the submodules {[tuple(c) for c in children]}, but it should "
                    f"have exactly one: ('linear_layer', 'Linear').")
        key = same_state(expected[0], got[0])
        if key:
            return (f"LinearRegressionModel(5, 3) built after torch.manual_seed({seed})\n  its initial {key} differs "
                    f"from nn.Linear(5, 3)'s under the same seed. Build the layer and nothing else: no extra random "
                    f"draws before it, and no re-initialisation after it.")
        return None

    return [construct("LinearRegressionModel", 5, 3, seed=seed)], judge


# ---------------------------------------------------------------------------------------------
# Standardize: parameters against buffers
# ---------------------------------------------------------------------------------------------

def statistics(g, features, dtype=torch.float32):
    return g.randn(features, dtype=dtype), g.rand(features, dtype=dtype, low=0.5, high=2.0)


def standardize_grow(g, batch=2, tokens=3, features=4):
    return ModuleCase(statistics(g, features), inputs=(g.randn(batch, tokens, features),))


# compare_init: weight starts at ones, bias at zeros, and the buffers hold the given statistics.
@suite.module(grow=standardize_grow)
def Standardize(g):
    yield ModuleCase(statistics(g, 1), inputs=(g.randn(2, 1),), compare_init=True)
    yield ModuleCase(statistics(g, 3), inputs=(g.randn(3),), compare_init=True)
    yield ModuleCase(statistics(g, 4), inputs=(g.randn(2, 5, 4, scale=3.0),), compare_init=True)
    yield ModuleCase(statistics(g, 3, torch.float64), inputs=(g.randn(6, 3, dtype=torch.float64),),
                     compare_init=True)
    yield ModuleCase(statistics(g, 5), inputs=(transposed(g.randn(4, 5)),), train=False)


@suite.check()
def Standardize(g):  # noqa: F811
    mean, std = statistics(g, 3)

    def judge(expected, got):
        params = {name: trainable for name, _, trainable in got[0].get("params") or []}
        shown = "Standardize(mean=float32[3], std=float32[3])"
        for name in ("mean", "std"):
            if name in params:
                return (f"{shown}\n  {name} is a parameter, so named_parameters() yields it and an optimizer "
                        f"would change it (frozen or not). Statistics of the data are fixed: register it with "
                        f"self.register_buffer({name!r}, ...).")
        for name in ("weight", "bias"):
            if params.get(name) is not True:
                return (f"{shown}\n  {name} should be a trainable nn.Parameter, listed by named_parameters() "
                        f"with requires_grad=True.")
        return None

    return [construct("Standardize", mean, std)], judge


# ---------------------------------------------------------------------------------------------
# MLP: a ModuleList of layers, and a dropout that .eval() reaches
# ---------------------------------------------------------------------------------------------

SIZES, P = [8, 64, 64, 4], 0.5


def mlp_state(g) -> dict:
    state = {}
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        state[f"layers.{i}.weight"] = g.randn(b, a, scale=a ** -0.5)
        state[f"layers.{i}.bias"] = g.randn(b, scale=0.1)
    return state


@suite.check(stochastic=True)
def MLP(g):
    state, x = mlp_state(g), g.randn(16, SIZES[0])
    seeds = [g.integer(0, 2**31 - 1) for _ in range(3)]
    built = dict(state_dict=state, inputs=[x])
    specs = [construct("MLP", SIZES, P, train=False, forward_seed=seeds[0], **built),
             construct("MLP", SIZES, P, train=False, forward_seed=seeds[1], **built),
             construct("MLP", SIZES, P, train=True, forward_seed=seeds[2], **built),
             construct("MLP", SIZES, P, train=True, forward_seed=seeds[2], **built)]
    where = f"MLP({SIZES}, dropout={P}) after loading a state_dict, forward on x float32[16, {SIZES[0]}]"

    def judge(expected, got):
        if any(res.get("load_error") for res in got):
            return None   # the ladder below names the wrong keys
        outputs = [res["output"] for res in got]
        problem = J.compare(expected[0]["output"], outputs[0], "the output")
        if problem:
            random = isinstance(outputs[1], dict) and J.compare(outputs[0], outputs[1], "") is not None
            if random:
                return (f"{where}, twice after .eval()\n  the two outputs differ, so something still drops in eval "
                        f"mode. .eval() only reaches registered submodules: keep the dropout as an attribute "
                        f"(not in a plain list), call it as a module, and do not override train() without "
                        f"passing the mode on to the children.")
            return f"{where}, after .eval()\n  {problem}"
        problem = J.compare(outputs[2], outputs[3], "the output of the second run")
        if problem:
            return (f"{where}, twice in training mode after the same torch.manual_seed(...)\n  the two runs differ: "
                    f"draw the dropout masks from torch's global generator (nn.Dropout does).")
        if J.compare(expected[0]["output"], outputs[2], "") is None:
            return (f"{where}, in training mode\n  the output equals the eval-mode output, so nothing was dropped. "
                    f"Apply the dropout after every hidden layer's ReLU while training.")
        problem = J.compare(expected[2]["output"], outputs[2], "the output")
        if problem:
            return (f"{where}, in training mode after torch.manual_seed(...)\n  {problem}\n  With the same seed, "
                    f"self.dropout draws the same masks as the reference's when it runs exactly once after each "
                    f"hidden layer's ReLU, in order: no dropout on the input or on the last layer's output.")
        return None

    return specs, judge


def mlp_grow(g, batch=2, tokens=3, features=4):
    return ModuleCase(([features, 8, 3],), inputs=(g.randn(batch, tokens, features),))


@suite.module(grow=mlp_grow, children={"layers": "ModuleList", "dropout": "Dropout"})
def MLP(g):  # noqa: F811 - after the behaviour check, whose messages name the cause
    yield ModuleCase(([1, 1],), inputs=(g.randn(1, 1),))                            # one layer, no ReLU
    yield ModuleCase(([4, 8, 2],), inputs=(g.randn(4),))
    yield ModuleCase(([4, 16, 16, 2],), inputs=(g.randn(5, 4),))
    yield ModuleCase(([3, 6, 5, 4, 2],), {"dropout": 0.0}, inputs=(g.randn(2, 3, 3, scale=2.0),))
    yield ModuleCase(([6, 12, 3],), {"dropout": 0.5}, inputs=(transposed(g.randn(4, 6)),), train=False)


# ---------------------------------------------------------------------------------------------
# Counting and naming parameters
# ---------------------------------------------------------------------------------------------

def on_meta(*layer):
    """A layer built on the meta device: shapes and dtypes only, no memory."""
    return (*layer[:2], {**(layer[2] if len(layer) > 2 else {}), "device": "meta"})


def models():
    yield Case(nn_model(("Linear", (1, 1))))
    yield Case(nn_model(("Linear", (3, 2), {"bias": False})))
    yield Case(nn_model(("Linear", (4, 8)), ("ReLU", ()), ("Linear", (8, 2)), frozen=["0.weight"]))
    yield Case(nn_model(("Embedding", (10, 4)), ("LayerNorm", (4,)), ("Dropout", (0.1,)), ("Linear", (4, 10)),
                        frozen=["0.weight", "1.bias", "3.bias"]))
    yield Case(nn_model(("Linear", (5, 5)), ("Tanh", ()), ("Linear", (5, 5)), frozen=["0.weight", "0.bias",
                                                                                     "2.weight", "2.bias"]))
    # A Llama-3-8B-sized FFN: 117,458,944 numbers that the meta device never allocates.
    yield Case(nn_model(on_meta("Linear", (4096, 14336)), ("GELU", ()), on_meta("Linear", (14336, 4096)),
                        frozen=["2.weight"]))


@suite.function(grad=False, output_names=("total", "trainable"))
def parameter_counts(g):
    yield from models()


@suite.function(grad=False)
def trainable_parameter_names(g):
    yield from models()
