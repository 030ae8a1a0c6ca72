"""Mistake catalogue for 02_autograd/graph: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


def walk_with_a_list(root, pop_from, children):
    """A graph walk without recursion: pop_from=-1 uses the list as a stack, 0 as a queue."""
    names, seen, pending = [], set(), [root]
    while pending:
        node = pending.pop(pop_from)
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(type(node).__name__)
        pending.extend(child for child, _ in children(node))
    return names


def walk_recursively(root, name=lambda node: type(node).__name__, children_first=False):
    """A depth-first walk that lists each node once; `name` and the order of listing vary."""
    names, seen = [], set()

    def visit(node):
        if node is None or node in seen:
            return
        seen.add(node)
        if not children_first:
            names.append(name(node))
        for child, _ in node.next_functions:
            visit(child)
        if children_first:
            names.append(name(node))

    visit(root)
    return names


# --- build_graph ------------------------------------------------------------------------------

@catalogue.mistake("build_graph expands z as x * a + x * b: same numbers, but z comes from an addition",
                   hint="compute y = a + b once and z = x * y")
def build_graph(a, b, x):
    return a + b, x * a + x * b


@catalogue.mistake("build_graph goes through .item(): fine for the guide's scalars, but the graph is cut",
                   hint="keep tensors as tensors; .item() turns them into plain Python numbers")
def build_graph(a, b, x):
    y = torch.tensor(a.item() + b.item())
    return y, x * y


@catalogue.mistake("build_graph adds b into a in place (y = a; y += b)",
                   hint="write y = a + b, which makes a new tensor and leaves a alone")
def build_graph(a, b, x):
    y = a
    y += b
    return y, x * y


@catalogue.mistake("build_graph detaches y before returning it, as if it were only an intermediate",
                   hint="return y itself: gradients must flow back from y as well as from z")
def build_graph(a, b, x):
    y = a + b
    return y.detach(), x * y


@catalogue.mistake("build_graph switches tracking on for y itself, so plain inputs give a leaf y that requires grad",
                   hint="let torch decide: a result requires grad exactly when one of its inputs does")
def build_graph(a, b, x):
    y = (a + b).requires_grad_()
    return y, x * y


@catalogue.mistake("build_graph returns (z, y) instead of (y, z)", hint="return y first, then z")
def build_graph(a, b, x):
    y, z = ref.build_graph(a, b, x)
    return z, y


# --- make_leaf --------------------------------------------------------------------------------

@catalogue.mistake("make_leaf calls data.requires_grad_() and returns data itself",
                   hint="make a new tensor: data.detach().clone(), then switch tracking on for it")
def make_leaf(data):
    return data.requires_grad_()


@catalogue.mistake("make_leaf clones without detaching: a clone of a tracked tensor is a CloneBackward0 node",
                   hint="detach() first, so the copy is not recorded in data's graph")
def make_leaf(data):
    return data.clone().requires_grad_()


@catalogue.mistake("make_leaf detaches without cloning: the result shares data's memory",
                   hint="add .clone() after .detach() so the new leaf owns its memory")
def make_leaf(data):
    return data.detach().requires_grad_()


@catalogue.mistake("make_leaf wraps data in nn.Parameter, which shares its memory",
                   hint="copy first: a Parameter built from data.detach().clone() would own its memory")
def make_leaf(data):
    return torch.nn.Parameter(data)


@catalogue.mistake("make_leaf forgets to switch tracking on", hint="end with .requires_grad_()")
def make_leaf(data):
    return data.detach().clone()


@catalogue.mistake("make_leaf rebuilds the tensor from data.tolist(): float64 and half inputs come back float32",
                   hint="copy the tensor itself (detach().clone()) so the dtype and device stay")
def make_leaf(data):
    return torch.tensor(data.tolist(), requires_grad=True)


@catalogue.mistake("make_leaf adds data to a fresh zeros_like(..., requires_grad=True): the sum is not a leaf",
                   hint="an operation's result is never a leaf; copy data and switch tracking on for the copy")
def make_leaf(data):
    return torch.zeros_like(data, requires_grad=True) + data


# --- grad_fn_names ----------------------------------------------------------------------------

@catalogue.mistake("grad_fn_names uses node.name(), which spells leaves 'torch::autograd::AccumulateGrad'",
                   hint="use type(node).__name__")
def grad_fn_names(model, x):
    return walk_recursively(model(x).grad_fn, name=lambda node: node.name())


@catalogue.mistake("grad_fn_names keeps no visited set, so a node reached twice is listed twice",
                   hint="remember the nodes already listed in a set and skip them")
def grad_fn_names(model, x):
    names = []

    def visit(node):
        if node is None:
            return
        names.append(type(node).__name__)
        for child, _ in node.next_functions:
            visit(child)

    visit(model(x).grad_fn)
    return names


@catalogue.mistake("grad_fn_names skips repeated names instead of repeated nodes",
                   hint="two different nodes may share a name (two Linear layers give two AddmmBackward0): "
                        "track the node objects, not their names")
def grad_fn_names(model, x):
    names = []

    def visit(node):
        if node is None:
            return
        name = type(node).__name__
        if name not in names:
            names.append(name)
        for child, _ in node.next_functions:
            visit(child)

    visit(model(x).grad_fn)
    return names


@catalogue.mistake("grad_fn_names follows only the first entry of next_functions, as if the graph were a chain",
                   hint="visit every entry of next_functions, not just [0]")
def grad_fn_names(model, x):
    names, node = [], model(x).grad_fn
    while node is not None:
        names.append(type(node).__name__)
        node = node.next_functions[0][0] if node.next_functions else None
    return names


@catalogue.mistake("grad_fn_names walks with a stack but pushes the children in order, so the last is visited first",
                   hint="push next_functions in reverse so the first child is popped first")
def grad_fn_names(model, x):
    return walk_with_a_list(model(x).grad_fn, pop_from=-1, children=lambda node: node.next_functions)


@catalogue.mistake("grad_fn_names walks breadth first (a queue) instead of depth first",
                   hint="finish each child's whole subgraph before moving to the next child")
def grad_fn_names(model, x):
    return walk_with_a_list(model(x).grad_fn, pop_from=0, children=lambda node: node.next_functions)


@catalogue.mistake("grad_fn_names leaves out the AccumulateGrad nodes of the leaves",
                   hint="a leaf that requires grad is a node of the graph too: list it")
def grad_fn_names(model, x):
    return [n for n in ref.grad_fn_names(model, x) if n != "AccumulateGrad"]


@catalogue.mistake("grad_fn_names does not handle an output without grad_fn",
                   hint="if model(x).grad_fn is None, there is no graph: return []")
def grad_fn_names(model, x):
    root = model(x).grad_fn
    names, seen = [type(root).__name__], {root}

    def visit(node):
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                names.append(type(child).__name__)
                visit(child)

    if root is not None:
        visit(root)
    return names


# --- correct alternatives ---------------------------------------------------------------------

@catalogue.alternative("build_graph with torch.add and torch.mul")
def build_graph(a, b, x):
    y = torch.add(a, b)
    return y, torch.mul(x, y)


@catalogue.alternative("make_leaf with clone().detach() (copy first, then drop the history)")
def make_leaf(data):
    return data.clone().detach().requires_grad_(True)


@catalogue.alternative("make_leaf copies under torch.no_grad(), where the clone records no history")
def make_leaf(data):
    with torch.no_grad():
        leaf = data.clone()
    leaf.requires_grad = True
    return leaf


@catalogue.alternative("grad_fn_names with an explicit stack, children pushed in reverse")
def grad_fn_names(model, x):
    return walk_with_a_list(model(x).grad_fn, pop_from=-1, children=lambda node: reversed(node.next_functions))


# --- more mistakes (review) -------------------------------------------------------------------

@catalogue.mistake("build_graph multiplies x by a detached y, so z's gradient never reaches a and b",
                   hint="use y itself in z = x * y; detach() cuts the graph")
def build_graph(a, b, x):
    y = a + b
    return y, x * y.detach()


@catalogue.mistake("build_graph multiplies into x in place (x *= y)",
                   hint="z = x * y makes a new tensor and leaves x alone")
def build_graph(a, b, x):
    y = a + b
    z = x
    z *= y
    return y, z


@catalogue.mistake("make_leaf converts integer data to float instead of letting torch refuse it",
                   hint="copy data as it is; requires_grad_() raises RuntimeError for integers by itself")
def make_leaf(data):
    copy = data.detach().clone()
    return (copy if copy.is_floating_point() else copy.float()).requires_grad_()


@catalogue.mistake("grad_fn_names lists a node after its children (post-order)",
                   hint="append the node's name first, then visit its next_functions")
def grad_fn_names(model, x):
    return walk_recursively(model(x).grad_fn, children_first=True)


@catalogue.mistake("grad_fn_names does not skip None entries, so they are listed as 'NoneType'",
                   hint="an entry of None is an input that needs no gradient: skip it")
def grad_fn_names(model, x):
    names, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        names.append(type(node).__name__)
        for child, _ in getattr(node, "next_functions", ()):
            visit(child)

    root = model(x).grad_fn
    if root is not None:
        visit(root)
    return names


# --- more alternatives (review) ---------------------------------------------------------------

@catalogue.alternative("build_graph with Tensor.add and y * x (operands the other way round)")
def build_graph(a, b, x):
    y = a.add(b)
    return y, y * x


@catalogue.alternative("make_leaf as nn.Parameter of a detached clone")
def make_leaf(data):
    return torch.nn.Parameter(data.detach().clone())


@catalogue.alternative("make_leaf with empty_like(...).copy_(data.detach()) and requires_grad=True")
def make_leaf(data):
    leaf = torch.empty_like(data, requires_grad=False)
    leaf.copy_(data.detach())
    leaf.requires_grad = True
    return leaf


@catalogue.alternative("grad_fn_names with a set of id(node) and a recursive generator")
def grad_fn_names(model, x):
    seen = set()

    def walk(node):
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        yield type(node).__name__
        for child, _index in node.next_functions:
            yield from walk(child)

    return list(walk(model(x).grad_fn))
