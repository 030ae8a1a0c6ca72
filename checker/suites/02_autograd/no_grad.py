"""Hidden suite for 02_autograd/no_grad.

Values go through the usual case ladders, with inplace=True where the spec promises that the
parameters are left exactly as they were (values, .grad, requires_grad, leaf). Whether a result
records a graph, and where gradients reach, is judged in custom checks against the tensors
torch gave the reference.

Whether predict leaves grad mode on is seen through the given `training_forward`: a plain
forward pass that records a graph only while grad mode is on. Probes run one after another in
one process, so it is called right after predict returns, and again right after a call of
predict that raises on purpose. Only predict may switch the global mode (the other two names
practise other tools and have torch.no_grad and torch.set_grad_enabled forbidden), and its
checks are registered last, so a leak cannot make another name fail. A leaked mode would also
outlive this kata in an in-process run (validate, pytest): the judges below switch it back on.
"""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, param, strided, transposed
from checker.suites._autograd_flags import call_header, flags_problem

suite = Suite()

LINEAR_ARGS = ("W", "b", "X")


def linear_case(g, n=3, d=4, k=2, dtype=torch.float32, stale=True, wrap=lambda t: t):
    """Parameters W (d, k) and b (k,) as leaves (with gradients from a step before when
    stale), and data X (n, d)."""
    def leaf(*shape):
        return param(g.randn(*shape, dtype=dtype), grad=g.randn(*shape, dtype=dtype) if stale else None)
    return Case(leaf(d, k), leaf(k), wrap(g.randn(n, d, dtype=dtype)))


def linear_ladder(g):
    """The cases predict and predict_proba share, smallest first."""
    yield linear_case(g, 1, 1, 1)
    yield linear_case(g, 0, 3, 2)                                    # no examples: an empty result
    yield linear_case(g, 2, 3, 1, stale=False)
    yield linear_case(g, 4, 3, 5)
    yield linear_case(g, 5, 4, 3, dtype=torch.float64)
    yield linear_case(g, 6, 3, 4, wrap=transposed)
    yield linear_case(g, 4, 5, 3, wrap=strided)


def graph_free_check(name: str, g):
    """One call on parameters with stale gradients: the result must record no graph."""
    args = linear_case(g, 4, 3, 2).args

    def judge(expected, got):
        header = call_header(name, LINEAR_ARGS, args)
        problem = J.compare(expected[0]["output"], got[0].get("output"), "the result")
        if problem:
            return f"{header}\n  {problem}"
        problem = flags_problem("the result", expected[0]["output"], got[0].get("output"))
        if problem:
            return (f"{header}\n  {problem}\n  Compute the result inside a with block that switches recording "
                    f"off; the parameters themselves must not change.")
        return None

    return [call(name, *args)], judge


# ---------------------------------------------------------------------------------------------
# predict_proba
# ---------------------------------------------------------------------------------------------

@suite.check()
def predict_proba(g):
    return graph_free_check("predict_proba", g)


@suite.function(inplace=True, grad=False, grow=linear_case)
def predict_proba(g):  # noqa: F811 - values and untouched parameters, after the graph check
    yield from linear_ladder(g)
    W, b, X = linear_case(g, 3, 2, 4).args
    yield Case(W, b, 50.0 * X)                                       # large scores: softmax must not overflow


# ---------------------------------------------------------------------------------------------
# frozen_backbone_forward
# ---------------------------------------------------------------------------------------------

BACKBONE_ARGS = ("W1", "W2", "X")


def backbone_case(g, n=3, d=4, h=5, k=2, dtype=torch.float32, wrap=lambda t: t):
    return Case(param(g.randn(d, h, dtype=dtype)), param(g.randn(h, k, dtype=dtype)),
                wrap(g.randn(n, d, dtype=dtype)))


def untracked_problem(header: str, result: dict, exp_after: list) -> str | None:
    """The head must be recorded and the inputs left as they were."""
    out = result.get("output")
    if not (isinstance(out, dict) and out.get("requires_grad") is True and out.get("grad_fn")):
        return (f"{header}\n  the result records no graph, so W2 cannot learn: only the backbone's features are "
                f"cut out, the head's product h @ W2 must still be recorded.")
    for label, e, r in zip(BACKBONE_ARGS, exp_after, result.get("after") or []):
        if not isinstance(r, dict) or (r.get("requires_grad"), r.get("is_leaf")) != (e["requires_grad"], True):
            flag = r.get("requires_grad") if isinstance(r, dict) else "?"
            return (f"{header}\n  {label} has requires_grad={flag} after the call; it should stay "
                    f"{e['requires_grad']}. Freeze the computation (detach the features), not the tensor: the "
                    f"caller still owns {label}.")
    return None


@suite.check()
def frozen_backbone_forward(g):
    args = backbone_case(g).args
    header = call_header("frozen_backbone_forward", BACKBONE_ARGS, args)

    def judge(expected, got):
        problem = J.compare(expected[0]["output"], got[0].get("output"), "the result")
        if problem:
            return f"{header}\n  {problem}"
        return untracked_problem(header, got[0], expected[0]["after"])

    return [call("frozen_backbone_forward", *args, inplace=True)], judge


@suite.check()
def frozen_backbone_forward(g):  # noqa: F811 - where the gradients go
    args = backbone_case(g, 4, 3, 5, 2).args
    header = call_header("frozen_backbone_forward", BACKBONE_ARGS, args)

    def judge(expected, got):
        res = got[0]
        if "disconnected" in res:
            return f"{header}\n  no gradient reaches W2: the head's product must be recorded."
        grads = res.get("grads")
        if not isinstance(grads, list) or len(grads) != 3:
            raise J.Malformed("a gradient reply without one entry per input")
        for label, grad in (("W1", grads[0]), ("X", grads[2])):
            if grad is not None:
                return (f"{header}\n  a gradient reached {label}, so the backbone is not frozen: cut the features "
                        f"h = relu(X @ W1) out of the graph (detach them) before the head uses them.")
        if grads[1] is None:
            return f"{header}\n  no gradient reaches W2: the head's product must be recorded."
        return None

    return [call("frozen_backbone_forward", *args, grad=True)], judge


@suite.function(grow=backbone_case)
def frozen_backbone_forward(g):  # noqa: F811 - values and W2's gradient, after the graph check
    yield backbone_case(g, 1, 1, 1, 1)
    yield backbone_case(g, 0, 3, 4, 2)
    yield backbone_case(g, 4, 3, 2, 1)
    yield backbone_case(g, 5, 4, 6, 3, dtype=torch.float64)
    yield backbone_case(g, 6, 3, 4, 2, wrap=transposed)
    yield Case(param(g.randn(4, 3)), param(g.randn(3, 2)), strided(-g.rand(5, 4)))   # all features relu'd to 0


# ---------------------------------------------------------------------------------------------
# predict (last: it is the one name that may switch grad mode, see the docstring)
# ---------------------------------------------------------------------------------------------

def restore_grad_mode() -> None:
    """Switch grad mode back on in this process, in case the code just graded left it off."""
    torch.set_grad_enabled(True)


def observer_problem(result: dict) -> bool:
    """Whether training_forward, called right after predict, recorded no graph."""
    out = result.get("output")
    return not (isinstance(out, dict) and out.get("requires_grad") is True and out.get("grad_fn"))


@suite.check()
def predict(g):
    args = linear_case(g, 4, 3, 2).args
    observed = linear_case(g, 2, 3, 2).args

    def judge(expected, got):
        restore_grad_mode()
        header = call_header("predict", LINEAR_ARGS, args)
        out, observer = got[0].get("output"), got[1]
        problem = J.compare(expected[0]["output"], out, "the result") or \
            flags_problem("the result", expected[0]["output"], out)
        if problem:
            return (f"{header}\n  {problem}\n  Compute the predictions inside a with torch.no_grad(): block, so "
                    f"that nothing is recorded.")
        problem = J.compare_after(expected[0]["after"], got[0].get("after"), list(LINEAR_ARGS), None, None)
        if problem:
            return f"{header}\n  {problem}\n  predict must not touch the parameters: switch recording off instead."
        if observer_problem(observer):
            return (f"{header}\n  After predict returned, grad mode was still off: the next training forward "
                    f"pass recorded no graph. Use a with block, which switches recording back on when it ends, "
                    f"instead of calling torch.set_grad_enabled(False) yourself.")
        return None

    return [call("predict", *args, inplace=True), call("training_forward", *observed)], judge


@suite.function(inplace=True, grad=False, grow=linear_case)
def predict(g):  # noqa: F811 - values and untouched parameters, after the graph check
    yield from linear_ladder(g)


# A ladder of its own, so that the raising call is predict's last call before the observer.
@suite.function(grad=False)
def predict(g):  # noqa: F811 - shapes that do not fit: the matrix product raises
    W, b, _ = linear_case(g, 1, 4, 3).args
    yield Case(W, b, g.randn(12, 5), raises=RuntimeError)


@suite.check()
def predict(g):  # noqa: F811 - grad mode after the raising call
    observed = linear_case(g, 2, 3, 2).args

    def judge(expected, got):
        restore_grad_mode()
        if observer_problem(got[0]):
            return ("predict(W, b, X) with shapes that do not fit (W is (4, 3), X is (12, 5)) raised, as it should, "
                    "but grad mode was left off afterwards: the next training forward pass recorded no graph. "
                    "Use a with block (torch.no_grad()), which switches recording back on even when the code "
                    "inside it raises.")
        return None

    return [call("training_forward", *observed)], judge
