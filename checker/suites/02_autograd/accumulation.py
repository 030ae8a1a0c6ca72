"""Hidden suite for 02_autograd/accumulation.

What these functions do shows in the leaves' .grad after the call, so the probes record it
(inplace=True records every input's value, .grad, requires_grad and is_leaf afterwards).
Each name has a check with a diagnosis first, on an input that tells the usual timing
mistakes apart (a stale .grad present, several backward calls), and then a case ladder.

None of these functions can be op-counted: the op-count probe runs under torch.no_grad(),
where backward() has no graph to walk.
"""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, param, strided, transposed
from checker.suites._autograd_flags import call_header, flags_problem

suite = Suite()


def stale(g, *shape, dtype=torch.float32):
    """A leaf that requires grad and already holds a gradient from an earlier step."""
    return param(g.randn(*shape, dtype=dtype), grad=g.randn(*shape, dtype=dtype))


def matches(got, candidate) -> bool:
    """Whether a learner's tensor equals a candidate explanation (loose: float rounding)."""
    return isinstance(got, torch.Tensor) and got.shape == candidate.shape and \
        bool(torch.allclose(got.double(), candidate.double(), rtol=1e-4, atol=1e-5))


# ---------------------------------------------------------------------------------------------
# grad_history
# ---------------------------------------------------------------------------------------------

@suite.check()
def grad_history(g):
    w, x, n = stale(g, 2, 3), g.randn(2, 3), 3
    args = (w, x, n)

    def judge(expected, got):
        exp, res = expected[0], got[0]
        problem = J.compare(exp["output"], res.get("output"), "the result")
        if problem:
            entries = [item.get("value") if isinstance(item, dict) else None
                       for item in (res.get("output") or {}).get("items") or []]
            return f"{call_header('grad_history', ('w', 'x', 'n'), args)}\n  {problem}\n  {history_advice(w, x, entries)}"
        return None

    return [call("grad_history", *args, inplace=True)], judge


def history_advice(w: dict, x: torch.Tensor, entries: list) -> str:
    before = w["grad"]
    if len(entries) == 3:
        if all(matches(e, before + 3 * x) for e in entries):
            return ("Every entry shows w.grad as it is after the last call: you stored w.grad itself, and "
                    "backward keeps adding into that same tensor. Store w.grad.clone().")
        if all(matches(e, (i + 1) * x) for i, e in enumerate(entries)):
            return ("The gradient w.grad held before the first call is missing: nothing should be cleared, "
                    "backward adds on top of whatever .grad already holds.")
        if all(matches(e, x) or matches(e, before + x) for e in entries):
            return ("Each entry holds a single call's gradient, not the running total in w.grad: nothing "
                    "should be cleared between the calls, so the gradients add up (x, then 2x, then 3x, on "
                    "top of the old .grad). torch.autograd.grad would hand back one gradient without adding "
                    "it anywhere; loss.backward() adds it into .grad.")
        if matches(entries[0], before):
            return ("Entry 0 is what w.grad held before the first call: take each snapshot right after "
                    "its backward, not before it.")
    return "Entry i is w.grad right after backward call i + 1, with nothing cleared along the way."


@suite.function(inplace=True, grad=False)
def grad_history(g):  # noqa: F811 - the ladder, after the diagnosis
    yield Case(param(torch.tensor(2.0)), torch.tensor(3.0), 2)           # the guide: 3, then 6
    yield Case(param(g.randn(3)), g.randn(3), 0)                           # no call: [] and grad stays None
    yield Case(stale(g, 3), g.randn(3), 0)                                 # no call: the old grad stays
    yield Case(param(g.randn(1)), g.randn(1), 1)
    yield Case(param(g.randn(4)), g.randn(4), 3)
    yield Case(stale(g, 2, 3), transposed(g.randn(2, 3)), 2)
    yield Case(stale(g, 3, 2, dtype=torch.float64), g.randn(3, 2, dtype=torch.float64), 4)
    yield Case(param(g.randn(0, 2)), g.randn(0, 2), 2)                     # empty: empty gradients
    yield Case(param(g.randn(3)), g.randn(3), -1, raises=ValueError)


# ---------------------------------------------------------------------------------------------
# per_example_grads
# ---------------------------------------------------------------------------------------------

def example_grads(w: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each example's gradient, in closed form: the candidates the diagnosis compares with."""
    return 2 * (X @ w - y)[:, None] * X


@suite.check()
def per_example_grads(g):
    runs = [(stale(g, 3), g.randn(4, 3), g.randn(4)), (param(g.randn(2, dtype=torch.float64)),
                                                          g.randn(3, 2, dtype=torch.float64), g.randn(3, dtype=torch.float64))]

    def judge(expected, got):
        for args, exp, res in zip(runs, expected, got):
            header = call_header("per_example_grads", ("w", "X", "y"), args)
            out = res.get("output")
            problem = J.compare(exp["output"], out, "the result")
            if problem:
                return f"{header}\n  {problem}\n  {rows_advice(args, out)}"
            problem = flags_problem("the result", exp["output"], out)
            if problem:
                return (f"{header}\n  {problem}\n  Build the rows from w.grad (copies of it), which records no "
                        f"graph; a formula on w itself would.")
            for label, e, r in zip(("w", "X", "y"), exp["after"], res.get("after") or []):
                value = r.get("value") if isinstance(r, dict) else None
                if not isinstance(value, torch.Tensor) or r.get("requires_grad") != e["requires_grad"] \
                        or r.get("is_leaf") is not True or not J.close(value, e["value"]):
                    return (f"{header}\n  {label} was changed: its values, requires_grad and leaf status must stay "
                            f"as they were. Only w.grad may change.")
            grad = (res.get("after") or [{}])[0].get("grad")
            if not (isinstance(grad, torch.Tensor) and J.close(grad, exp["after"][0]["grad"])):
                return (f"{header}\n  afterwards w.grad should hold the last example's gradient alone, as its "
                        f"backward left it, but it holds {'None' if grad is None else J.show_tensor(grad)}. "
                        f"Take every row from w.grad after that example's loss_i.backward(): a formula or "
                        f"torch.autograd.grad gives the numbers but never writes w.grad.")
        return None

    return [call("per_example_grads", *args, inplace=True) for args in runs], judge


def rows_advice(args, out) -> str:
    w, X, y = args
    rows = out.get("value") if isinstance(out, dict) else None
    if not isinstance(rows, torch.Tensor) or rows.shape != X.shape:
        return "Return one row per example: torch.stack the N gradients into shape (N, D)."
    each, old = example_grads(w["value"], X, y), w["grad"]
    if old is not None and matches(rows[0], each[0] + old) and matches(rows[1:], each[1:]):
        return ("Row 0 includes the stale gradient w.grad held before the call: clear w.grad before each "
                "backward, the first one included.")
    if matches(rows, each.cumsum(0)) or (old is not None and matches(rows, each.cumsum(0) + old)):
        return ("Row i holds the sum of examples 0..i: backward adds into w.grad, so clear it before each "
                "example's backward.")
    if matches(rows, torch.zeros_like(rows)) or matches(rows, each[-1].expand_as(rows)):
        return ("All rows are the same tensor: you stored w.grad itself and then cleared or refilled it in "
                "place. Store w.grad.clone().")
    return "Row i is the gradient of (X[i] @ w - y[i]) ** 2 alone."


# inplace=True: w.grad after the call is compared too (the last example's gradient).
@suite.function(grad=False, inplace=True)
def per_example_grads(g):  # noqa: F811 - the ladder, after the diagnosis
    yield Case(param(torch.tensor([1.0])), torch.tensor([[2.0]]), torch.tensor([1.0]))   # grad 2*(2-1)*2 = 4
    yield Case(stale(g, 1), g.randn(3, 1), g.randn(3))
    yield Case(param(g.randn(4)), g.randn(1, 4), g.randn(1))
    yield Case(stale(g, 3), g.randn(5, 3), g.randn(5))
    yield Case(param(g.randn(2)), transposed(g.randn(4, 2)), strided(g.randn(4)))
    yield Case(stale(g, 4, dtype=torch.float64), g.randn(6, 4, dtype=torch.float64), g.randn(6, dtype=torch.float64))


# ---------------------------------------------------------------------------------------------
# microbatch_grads
# ---------------------------------------------------------------------------------------------

def mse_grads(W, b, X, y):
    """The gradient of the mean squared error over the rows given, in float64."""
    W, b = W.detach().double().requires_grad_(), b.detach().double().requires_grad_()
    loss = ((X.double() @ W + b - y.double()) ** 2).mean()
    return torch.autograd.grad(loss, (W, b))


@suite.check()
def microbatch_grads(g):
    W, b, X, y, k = stale(g, 3, 2), stale(g, 2), g.randn(6, 3), g.randn(6, 2), 3
    args = (W, b, X, y, k)

    def judge(expected, got):
        exp, res = expected[0], got[0]
        problem = J.compare(exp["output"], res.get("output"), "the result")
        if not problem:
            problem = J.compare_after(exp["after"], res.get("after"), ["W", "b", "X", "y"], None, None)
        if problem:
            return (f"{call_header('microbatch_grads', ('W', 'b', 'X', 'y', 'k'), args)}\n  {problem}\n  "
                    f"{accumulation_advice(args, res.get('after'))}")
        return None

    return [call("microbatch_grads", *args, inplace=True)], judge


def accumulation_advice(args, after) -> str:
    W, b, X, y, k = args
    try:
        got = after[0]["grad"]
    except (TypeError, KeyError, IndexError):
        got = None
    full, _ = mse_grads(W["value"], b["value"], X, y)
    m = X.shape[0] // k
    last, _ = mse_grads(W["value"], b["value"], X[-m:], y[-m:])
    if got is None:
        return "W.grad must hold the accumulated gradient afterwards: do not set it to None after the loop."
    if matches(got, k * full):
        return (f"W.grad is {k} times too large: divide each micro-batch's mean loss by k = {k} before "
                f"backward, so the k parts add up to the full-batch mean.")
    if matches(got, full + W["grad"]):
        return ("W.grad still contains the stale gradient it held before the call: clear W.grad and b.grad "
                "once, before the first backward.")
    if matches(got, last / k) or matches(got, last):
        return ("Only the last micro-batch is left in W.grad: clearing belongs before the loop, not inside "
                "it, or each backward wipes out the ones before.")
    if matches(got, torch.zeros_like(got)):
        return "W.grad is all zeros: the gradients were cleared after the backward calls instead of before."
    ratio = float((got.double() * full).sum() / (full * full).sum())
    if matches(got, ratio * full):
        return (f"W.grad points the right way but is {ratio:.3g} times the full-batch gradient: the scaling is "
                f"off. Make k = {k} micro-batches of N // k = {m} rows each (k counts micro-batches, not "
                f"rows), take the mean of each one's squared errors, and divide that by k.")
    return "W.grad must end up as the gradient of the mean squared error over all N rows."


@suite.function(inplace=True, grad=False)
def microbatch_grads(g):  # noqa: F811 - the ladder, after the diagnosis
    yield Case(param(g.randn(1, 1)), param(g.randn(1)), g.randn(1, 1), g.randn(1, 1), 1)
    yield Case(stale(g, 2, 1), stale(g, 1), g.randn(4, 2), g.randn(4, 1), 4)   # one row per micro-batch
    yield Case(stale(g, 2, 2), param(g.randn(2)), g.randn(4, 2), g.randn(4, 2), 1)   # one micro-batch: plain
    yield Case(stale(g, 3, 2), stale(g, 2), g.randn(6, 3), g.randn(6, 2), 2)
    yield Case(param(g.randn(3, 2)), param(g.randn(2)), g.randn(8, 3), g.randn(8, 2), 4)
    yield Case(stale(g, 4, 3), stale(g, 3), transposed(g.randn(6, 4)), strided(g.randn(6, 3)), 3)
    yield Case(stale(g, 3, 2, dtype=torch.float64), stale(g, 2, dtype=torch.float64),
               g.randn(9, 3, dtype=torch.float64), g.randn(9, 2, dtype=torch.float64), 3)
    yield Case(param(g.randn(2, 1)), param(g.randn(1)), g.randn(4, 2), g.randn(4, 1), 3, raises=ValueError)
    yield Case(param(g.randn(2, 1)), param(g.randn(1)), g.randn(4, 2), g.randn(4, 1), 0, raises=ValueError)
