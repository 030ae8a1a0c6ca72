"""Hidden suite for 02_autograd/graph.

Values and gradients go through the usual case ladders. What this kata is really about (which
tensors require grad, which are leaves, which grad_fn each result carries, which nodes the
backward graph holds) is compared with the tensors torch gave the reference, in custom checks.
"""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, nn_model, param, strided, transposed
from checker.suites._autograd_flags import call_header, flags_problem

suite = Suite()

GRAPH_ARGS = ("a", "b", "x")


def graph_case(g, *shape, dtype=torch.float32, tracked="abx", wrap=lambda t: t):
    """a, b and x of one shape; the ones named in `tracked` are leaves that require grad."""
    return Case(*(param(g.randn(*shape, dtype=dtype)) if name in tracked else wrap(g.randn(*shape, dtype=dtype))
                  for name in GRAPH_ARGS))


@suite.function(output_names=("y", "z"), grow=lambda g, rows=3, cols=4: graph_case(g, rows, cols))
def build_graph(g):
    yield Case(*(param(torch.tensor(v)) for v in (2.0, 3.0, 4.0)))      # the guide's scalars: y=5, z=20
    yield graph_case(g, 1)
    yield graph_case(g, 4, tracked="")
    yield graph_case(g, 0, 3)                                            # empty: empty results, empty grads
    yield graph_case(g, 2, 3, dtype=torch.float64, tracked="x")
    yield graph_case(g, 3, 4, tracked="ab", wrap=transposed)
    yield Case(transposed(g.randn(3, 5)), strided(g.randn(3, 5)), g.randn(3, 5))
    yield graph_case(g, 2, 3, 4, tracked="b")


@suite.check()
def build_graph(g):  # noqa: F811 - the graph itself, after the values
    runs = [graph_case(g, 3, tracked=tracked).args for tracked in ("abx", "", "x", "a", "ab", "bx")]

    def judge(expected, got):
        for args, exp, res in zip(runs, expected, got):
            problem = J.compare(exp["output"], res.get("output"), "the result", names=("y", "z"))
            if problem:   # the value ladder reports these first; kept for a reply of another form
                return f"{call_header('build_graph', GRAPH_ARGS, args)}\n  {problem}"
            for index, label in enumerate(("y", "z")):
                problem = flags_problem(label, exp["output"]["items"][index], res["output"]["items"][index])
                if problem:
                    return f"{call_header('build_graph', GRAPH_ARGS, args)}\n  {problem}\n  {graph_advice(label, exp)}"
        return None

    return [call("build_graph", *args) for args in runs], judge


def graph_advice(label: str, expected: dict) -> str:
    wanted = expected["output"]["items"][0 if label == "y" else 1]["grad_fn"]
    if wanted is None:
        return (f"No input of {label} requires grad in this call, so torch records nothing for it: compute "
                f"{label} with ordinary operations and do not switch tracking on yourself.")
    operation = "one addition, a + b" if label == "y" else "one multiplication, x * y"
    return (f"{label} should be the result of {operation}, computed from the inputs themselves (no "
            f".detach(), .item(), torch.tensor(...) or in-place update), so that torch records it "
            f"as {wanted}.")


# ---------------------------------------------------------------------------------------------
# make_leaf
# ---------------------------------------------------------------------------------------------

LEAF_INPUTS = ("plain data", "a leaf that requires grad and has a .grad", "a leaf that requires grad")


@suite.check()
def make_leaf(g):
    runs = [g.randn(2, 3), param(g.randn(2, 3), grad=g.randn(2, 3)), param(g.randn(4, dtype=torch.float64))]

    def judge(expected, got):
        for data, what, exp, res in zip(runs, LEAF_INPUTS, expected, got):
            header = f"{call_header('make_leaf', ('data',), (data,))}\n  (data is {what})"
            problem = J.compare(exp["output"], res.get("output"), "the result")
            if problem:
                return f"{header}\n  {problem}"
            problem = flags_problem("the result", exp["output"], res["output"])
            if problem:
                return f"{header}\n  {problem}\n  {leaf_advice(res['output'])}"
            problem = J.compare_after(exp["after"], res.get("after"), ["data"], None, None)
            if problem:
                return (f"{header}\n  {problem}\n  make_leaf must leave data alone: switch tracking on for "
                        f"the new tensor only.")
        return None

    return [call("make_leaf", data, inplace=True) for data in runs], judge


@suite.function(grad=False, new_tensors=True, grow=lambda g, rows=3, cols=4: Case(param(g.randn(rows, cols))))
def make_leaf(g):  # noqa: F811 - values, dtypes and aliasing, after the flags
    yield Case(torch.tensor(1.5))
    yield Case(g.randn(1))
    yield Case(param(g.randn(2, 3), grad=g.randn(2, 3)))
    yield Case(g.randn(3, 4, dtype=torch.float64))
    yield Case(transposed(g.randn(4, 3)))
    yield Case(param(g.randn(2, 5, dtype=torch.float64)))
    yield Case(strided(g.randn(3, 4)))
    yield Case(g.randint(0, 5, (3,)), raises=RuntimeError)   # integers cannot require grad


# Empty tensors apart: they hold no memory, so the aliasing probe above cannot tell copies
# from views among them.
@suite.function(grad=False)
def make_leaf(g):  # noqa: F811
    yield Case(torch.zeros(2, 0))
    yield Case(param(torch.zeros(0, dtype=torch.float64)))


def leaf_advice(got: dict) -> str:
    if got.get("grad_fn"):
        return (f"grad_fn={got['grad_fn']} means the result came out of a recorded operation, so it is not "
                f"a leaf: detach() from data's graph before copying, and do no arithmetic on the copy.")
    if not got.get("requires_grad"):
        return "Switch tracking on for the new tensor with .requires_grad_()."
    return "A fresh leaf has requires_grad=True and no grad_fn."


# ---------------------------------------------------------------------------------------------
# grad_fn_names
# ---------------------------------------------------------------------------------------------

def graph_runs(g):
    """(model, x) pairs whose graphs differ in the ways a walk can go wrong."""
    return [
        (nn_model(("Linear", (3, 2))), g.randn(2, 3)),                                  # leaves are parameters
        (nn_model(("Linear", (3, 4)), ("ReLU", ()), ("Linear", (4, 2))), param(g.randn(2, 3))),   # x is a leaf too
        (nn_model(("Linear", (3, 3)), ("RMSNorm", (3,))), g.randn(2, 3)),              # a node reached twice
        (nn_model(("Linear", (3, 4)), ("Tanh", ()), ("Linear", (4, 2)), frozen=("0.weight", "0.bias")),
         g.randn(2, 3)),                                                                # None entries
        (nn_model(("LayerNorm", (4,)), ("GELU", ())), param(g.randn(4))),               # 1-D input
        (nn_model(("Embedding", (5, 3)), ("Linear", (3, 2))), g.randint(0, 5, (4,))),  # integer input
        (nn_model(("Linear", (3, 2)), frozen=("0.weight", "0.bias")), param(g.randn(1, 3))),  # only x is tracked
        (nn_model(("Linear", (3, 2)), ("Sigmoid", ()), frozen=("0.weight", "0.bias")), g.randn(2, 3)),  # no graph
    ]


@suite.check()
def grad_fn_names(g):
    runs = graph_runs(g)

    def judge(expected, got):
        for (model, x), exp, res in zip(runs, expected, got):
            header = call_header("grad_fn_names", ("model", "x"), (model, x))
            problem = names_problem(exp["output"], res.get("output"))
            if problem:
                return f"{header}\n  {problem}"
            if res.get("mutated"):
                return f"{header}\n  it modified x in place. Only read the graph: leave x untouched."
        return None

    return [call("grad_fn_names", model, x) for model, x in runs], judge


def names_problem(expected: dict, got) -> str | None:
    want = list(expected["items"])
    if not (isinstance(got, dict) and got.get("__out__") == "list"):
        return f"the result should be a list of str, but it is {J._kind(got)}."
    have = got.get("items")
    if not isinstance(have, list) or not all(type(n) is str for n in have):
        return "the result should be a list of str (one name per node), but it holds other things."
    if have == want:
        return None
    shown = f"expected {want}\n  got      {have}"
    return f"the list of node names is wrong:\n  {shown}\n  {names_advice(want, have)}"


def names_advice(want: list[str], have: list[str]) -> str:
    if not want:
        return ("Nothing in this call requires grad, so the output has no grad_fn and the list is empty: "
                "start the walk from output.grad_fn and stop at None.")
    if any("::" in n or "<" in n or " " in n for n in have):
        return ("Use type(node).__name__ for a name: node.name() spells some nodes differently "
                "('torch::autograd::AccumulateGrad') and str(node) adds an address.")
    if len(have) > len(want) and set(have) == set(want):
        return ("Some nodes are listed more than once: a tensor used twice feeds the same node into two "
                "places. Keep a set of the nodes already listed and skip them.")
    if sorted(have) == sorted(want):
        return ("The right nodes, in another order: list a node, then walk its next_functions in order, each "
                "one fully before the next (depth first). A stack pops the last child first, so push them "
                "in reverse, or use recursion.")
    if len(set(have)) == len(have) < len(want) and set(have) <= set(want):
        return ("Each name appears only once in your list, but different nodes can share a name (every "
                "parameter has its own AccumulateGrad): skip repeated nodes, not repeated names.")
    if have == want[:len(have)]:
        return ("The walk stops too early: follow every entry of next_functions, not only the first, all the "
                "way down to the AccumulateGrad nodes of the leaves.")
    if "AccumulateGrad" not in have and "AccumulateGrad" in want:
        return ("The leaves are missing: a leaf that requires grad appears as an AccumulateGrad node, and it "
                "belongs in the list too.")
    return "Walk from output.grad_fn through next_functions, depth first, skipping None and repeats."
