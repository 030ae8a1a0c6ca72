"""Hidden suite for 01_tensors/devices.

A grading machine may have no GPU, so device behaviour is checked on "meta": batches are moved
there, and models are built there (nn_model(..., device="meta")). A function that follows its
input returns meta tensors for a meta model; one with a hard-coded or global device returns
CPU tensors and is caught. On a machine with an accelerator every probe runs there as well.
"""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, device, dtype, nn_model

suite = Suite()


@suite.function(grad=False)
def best_device(g):
    yield Case(True, True)                    # cuda wins over mps
    yield Case(True, False)
    yield Case(False, True)
    yield Case(False, False)
    yield Case()                              # both from torch: whatever this machine has
    yield Case(None, True)                    # cuda from torch, mps forced on
    yield Case(False, None)


def moved_device_problem(expected, got, where: str) -> str | None:
    """The first tensor of a described batch that was not moved where it should be, if the
    batch's structure matches the reference's up to it."""
    if not (isinstance(expected, dict) and isinstance(got, dict)):
        return None
    kind = expected.get("__out__")
    if kind == "tensor" and got.get("__out__") == "tensor" and got.get("device") != expected["device"]:
        return (f"{where} is still on {got.get('device')}, but it should be on {expected['device']}. "
                f"t.to(device) does not move t: it returns a moved copy, which must take t's place.")
    if kind != got.get("__out__") or kind not in ("dict", "list", "tuple"):
        return None
    exp_items, got_items = expected.get("items"), got.get("items")
    if kind == "dict":
        pairs = [(f"{where}[{k!r}]", v, got_items.get(k)) for k, v in exp_items.items()] \
            if isinstance(got_items, dict) else []
    else:
        pairs = [(f"{where}[{i}]", v, w) for i, (v, w) in enumerate(zip(exp_items, got_items or []))]
    return next((p for p in (moved_device_problem(e, w, label) for label, e, w in pairs) if p), None)


@suite.check()
def move_batch(g):
    x, labels = g.randn(4, 3), g.randint(0, 5, (4,))
    runs = [
        (g.randn(2, 3), device("meta")),
        ({"x": x, "labels": labels}, device("meta")),
        ((x, labels), device("meta")),                                       # a tuple stays a tuple
        ([x, labels, "batch-7"], "meta"),                                    # a device given as a string
        ({"inputs": {"pixels": g.randn(2, 1, 3, 3), "ids": g.randint(0, 9, (2, 5))},
          "meta": {"names": ["a.png", "b.png"], "epoch": 3, "note": None}}, device("meta")),
        ([(x, {"pairs": [labels, g.mask(4)]}), ()], device("meta")),
        ({}, device("meta")),
        ({"x": x.double(), "step": 12}, device("probe")),                    # to the probe's own device
    ]
    names = ["batch", "device"]

    def judge(expected, got):
        for args, exp, res in zip(runs, expected, got):
            problem = moved_device_problem(exp["output"], res["output"], "the result") or \
                J.compare(exp["output"], res["output"])
            if not problem and res.get("mutated"):
                problem = "it modified a tensor of the batch in place. Leave the batch's tensors untouched."
            if problem:
                return f"{J.format_call('move_batch', names, args)}\n{J.format_inputs(names, args)}\n  {problem}"
        return None

    return [call("move_batch", *args) for args in runs], judge


def meta(*layers):
    return nn_model(*layers, device="meta")


MLP = (("Linear", (4, 8)), ("ReLU", ()), ("Linear", (8, 2)))


@suite.function(grad=False)
def zeros_like_params(g):
    yield Case(nn_model(("Linear", (3, 2))))
    yield Case(nn_model(*MLP))
    yield Case(nn_model(("Embedding", (10, 4)), ("LayerNorm", (4,)), ("Linear", (4, 10), {"bias": False})))
    yield Case(nn_model(*MLP, frozen=["0.weight", "0.bias"]))                # frozen parameters count too
    yield Case(meta(("Linear", (3, 2))), label="a model built on the meta device")
    # No Embedding on meta: its normal_ init there imports torch._refs machinery (seconds).
    yield Case(meta(("Linear", (64, 256)), ("GELU", ()), ("Linear", (256, 64)), ("LayerNorm", (64,))),
               label="a model built on the meta device")
    yield Case(nn_model(*MLP), dtype("float64"))                              # e.g. float64 optimizer state
    yield Case(meta(*MLP), dtype("bfloat16"), label="a model built on the meta device")
    yield Case(nn_model(("Linear", (2, 3)), ("Linear", (3, 2), {"device": "meta"})),
               label="layer 1 built on the meta device, layer 0 on the probe's")


@suite.check()
def zeros_like_params(g):  # noqa: F811 - a second check of the same graded name
    """The zeros are plain tensors, even though every parameter requires grad."""
    runs = [(nn_model(*MLP),), (nn_model(("LayerNorm", (3,))), dtype("float64"))]
    names = ["model", "dtype"]

    def judge(expected, got):
        for args, res in zip(runs, got):
            items = res["output"].get("items") if isinstance(res["output"], dict) else None
            for key, item in (items or {}).items():
                if isinstance(item, dict) and (item.get("requires_grad") or item.get("grad_fn")):
                    return (f"{J.format_call('zeros_like_params', names, args)}\n  the entry {key!r} has "
                            f"requires_grad={item.get('requires_grad')} and grad_fn={item.get('grad_fn')}: it "
                            f"was computed from the parameter, so autograd tracks it. Make the zeros with a "
                            f"factory such as torch.zeros_like, which starts with no history.")
        return None

    return [call("zeros_like_params", *args) for args in runs], judge


@suite.function(grad=False)
def check_same_device(g):
    x = g.randn(3, 4)
    yield Case(nn_model(("Linear", (4, 2))), x)
    yield Case(nn_model(*MLP), {"x": x, "labels": g.randint(0, 2, (3,)), "id": "batch-1"})
    yield Case(nn_model(*MLP), [x, (x, {"deep": x})])
    yield Case(meta(*MLP), {"names": ["a", "b"], "epoch": 2},
               label="a model on the meta device, a batch without tensors")
    yield Case(meta(("Linear", (4, 2))), x, raises=ValueError, label="the model on meta, the batch is not")
    yield Case(meta(*MLP), {"x": x, "id": 7}, raises=ValueError, label="a tensor inside a dict")
    yield Case(meta(*MLP), [3, (x,)], raises=ValueError, label="a tensor inside a tuple inside a list")
    yield Case(meta(*MLP), {"inputs": {"x": x}}, raises=ValueError, label="a tensor inside a nested dict")
    yield Case(nn_model(("Linear", (4, 8)), ("Linear", (8, 2), {"device": "meta"})), x, raises=ValueError,
               label="the model's last layer is on meta, its first is with the batch")
