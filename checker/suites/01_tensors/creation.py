"""Hidden suite for 01_tensors/creation.

The random functions are judged by replaying their seed: the spec names the one draw each makes
from the generator it is given, so the reference and a correct learner produce the same
numbers. When they differ, the fraction of a large mask that is True tells a wrong comparison
(about 1 - keep_prob) from a draw taken elsewhere (about keep_prob, but other elements).
"""
import torch

from checker import judge as J
from checker.stats import binomial_range
from checker.suite import Case, Suite, call, dtype, generator, param, transposed

suite = Suite()


@suite.function(grad=False)
def inferred_dtype(g):
    yield Case(True)
    yield Case(7)
    yield Case(2.5)
    yield Case(2 ** 40)
    yield Case([1, 2, 3])
    yield Case([True, False, True])
    yield Case([True, 1])                     # a bool among ints counts as an int
    yield Case([1, 2.5])                      # one float makes the whole tensor float
    yield Case([[1, 2], [3, 4.5]])            # ... even deep inside a nested list
    yield Case([[True], [False]])
    yield Case([[3], [True]])
    yield Case([])
    yield Case([[], []])


@suite.function(grad=False, output_names=("labels", "features"))
def from_records(g):
    yield Case([(1, [0.5])])
    yield Case([(0, [1, 2, 3]), (2, [4, 5, 6])])           # features written as ints
    yield Case([(3, [1, 2.5]), (1, [-0.5, 4])])
    yield Case([(g.integer(0, 10), row) for row in g.randn(5, 4).tolist()])


@suite.function(grad=False)
def ticks(g):
    yield Case(0, 5, 1)
    yield Case(2, 11, 3)
    yield Case(-3, 3, 2)
    yield Case(5, 5, 1)                       # nothing below stop: empty, still int64
    yield Case(0.0, 1.0, 0.25)
    yield Case(0, 1, 0.25)                    # one float among ints: float32
    yield Case(1, 4.5, 1)


@suite.function(grad=False)
def evenly_spaced(g):
    yield Case(0, 1, 5)
    yield Case(0, 10, 1)                      # a single point: start
    yield Case(-1, 1, 2)
    yield Case(0.5, 2.5, 5)
    yield Case(3, -3, 4)                      # counting down works the same way
    yield Case(0, 1, 11)


def filled_case(g, rows=3, cols=4):
    return Case(g.randn(rows, cols), 0.5, dtype("float16"))


@suite.function(grow=filled_case, grad=False, new_tensors=True)
def filled_like(g):
    yield Case(g.randn(1).reshape(()), 7, dtype("int32"))   # 0-d
    yield filled_case(g, 2, 3)
    yield Case(g.randint(0, 100, (2, 4)), True, dtype("bool"))        # a mask shaped like token ids
    yield Case(g.randint(0, 100, (3, 5)), 0.0, dtype("float32"))      # a float buffer like int ids
    yield Case(g.randn(4, 3), -1, dtype("int64"))
    yield Case(g.randn(2, 2), 3.0, dtype("float32"))                  # the template's own dtype
    yield Case(g.randn(2, 3, dtype=torch.float64), 0.25, dtype("float64"))
    yield Case(transposed(g.randn(3, 4)), 2.5, dtype("bfloat16"))


@suite.check()
def filled_like(g):  # noqa: F811 - a second check of the same graded name
    """Templates that require grad, and empty ones (whose storage cannot be told apart).

    No meta template: filling a meta tensor runs torch's Python decompositions, whose first use
    costs about 0.4 s of this process. The device promise is checked where the probes also run
    on an accelerator."""
    runs = [(param(g.randn(2, 3)), 1.5, dtype("float32")),
            (param(g.randn(3, dtype=torch.float64)), 0, dtype("int64")),
            (g.randn(0, 3), 1.0, dtype("float16")),
            (g.randint(0, 9, (2, 0)), False, dtype("bool"))]
    names = ["template", "value", "dtype"]

    def judge(expected, got):
        for args, exp, res in zip(runs, expected, got):
            header = f"{J.format_call('filled_like', names, args)}\n{J.format_inputs(names, args)}\n  "
            problem = J.compare(exp["output"], res["output"])
            if problem:
                return header + problem
            out = res["output"]
            if out["requires_grad"] or out["grad_fn"]:
                return (header + f"the result has requires_grad={out['requires_grad']} and grad_fn="
                        f"{out['grad_fn']}: it was computed from the template, so autograd tracks it. Build it "
                        f"with a factory (they start with no history) instead of arithmetic on the template.")
        return None

    return [call("filled_like", *args) for args in runs], judge


def init_judge(runs):
    names = ["in_features", "out_features", "generator"]

    def judge(expected, got):
        for args, exp, res in zip(runs, expected, got):
            header = J.format_call("init_linear", names, args) + "\n  "
            problem = J.compare(exp["output"], res["output"], names=("weight", "bias"))
            if problem and "wrong values" in problem:
                problem += ("\n  The weight must replay from the seed: one torch.randn((out_features, "
                            "in_features), generator=generator) draw, divided by sqrt(in_features). Another "
                            "generator, shape or order of draws gives other numbers.")
            if problem:
                return header + problem
            for label, item in zip(("weight", "bias"), res["output"]["items"]):
                if not item["requires_grad"]:
                    return (header + f"{label} has requires_grad=False, so training could never update it. "
                            f"Switch gradients on with .requires_grad_() once it holds its final values.")
                if not item["is_leaf"]:
                    return (header + f"{label} is not a leaf tensor (grad_fn={item['grad_fn']}): it was "
                            f"computed from a tensor that already required grad, so after backward() its "
                            f".grad stays None. Scale first, then call .requires_grad_().")
        return None

    return judge


@suite.check()
def init_linear(g):
    runs = [(1, 1, generator(g.integer(0, 2 ** 31))), (3, 2, generator(g.integer(0, 2 ** 31))),
            (5, 1, generator(g.integer(0, 2 ** 31))), (16, 8, generator(g.integer(0, 2 ** 31)))]
    return [call("init_linear", *args) for args in runs], init_judge(runs)


def mask_case(g, rows=3, cols=4):
    return Case((rows, cols), 0.5, generator(g.integer(0, 2 ** 31)))


@suite.check()
def random_mask(g):
    """A mask large enough that its fraction of True says which rule produced it."""
    keep, shape = 0.25, (64, 64)
    args = (shape, keep, generator(g.integer(0, 2 ** 31)))
    header = J.format_call("random_mask", ["shape", "keep_prob", "generator"], args) + "\n  "

    def judge(expected, got):
        problem = J.compare(expected[0]["output"], got[0]["output"])
        if not problem:
            return None
        if "wrong values" not in problem:
            return header + problem
        seen = got[0]["output"]["value"].double().mean().item()
        low, high = binomial_range(keep, shape[0] * shape[1])
        if low <= seen <= high:
            why = (f"about {keep:.0%} of it is True, as it should be, but not the elements the seed gives. "
                   f"Draw once with torch.rand(shape, generator=generator), not from torch's global generator "
                   f"or another function, so the same seed replays the same mask.")
        elif low <= 1 - seen <= high:
            why = (f"{seen:.1%} of it is True, close to 1 - keep_prob: the comparison is the wrong way round. "
                   f"An element is kept (True) when its uniform draw is below keep_prob.")
        else:
            why = f"{seen:.1%} of it is True, but each element should be True with probability {keep}."
        return header + why + "\n  " + problem.splitlines()[-1].strip().split(" (tolerance")[0]

    return [call("random_mask", *args)], judge


@suite.function(grow=mask_case, grad=False)
def random_mask(g):  # noqa: F811 - a second check of the same graded name
    yield Case((4,), 0.5, generator(g.integer(0, 2 ** 31)))
    yield Case((3, 5), 0.0, generator(g.integer(0, 2 ** 31)))      # never kept
    yield Case((2, 3), 1.0, generator(g.integer(0, 2 ** 31)))      # always kept
    yield Case((0, 4), 0.3, generator(g.integer(0, 2 ** 31)))
    yield Case((2, 3, 4), 0.7, generator(g.integer(0, 2 ** 31)))
