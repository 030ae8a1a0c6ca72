"""Hidden suite for 06_backward/autograd_basics.

weight_grad, quadratic_grad and grad_twice are about behaviour: the learner's code must call
backward() so that autograd fills the leaf's .grad. Their probes hand over a real leaf
(requires_grad=True, .grad None) and record its state after the call, and the judge checks
both the returned gradient and the leaf's own .grad, so a gradient worked out by hand, with
.grad left empty, is told apart from one autograd computed. These functions run backward(),
which the op-count probe (run under no_grad) cannot execute; their inputs are single numbers,
so there is no dim a loop could run over.
"""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, param, strided, transposed

suite = Suite()


def pair(g, rows=3, cols=4, dtype=torch.float32):
    return Case(g.randn(rows, cols, dtype=dtype), g.randn(rows, cols, dtype=dtype))


@suite.function(grow=pair)
def mse(g):
    yield Case(torch.tensor([1.5]), torch.tensor([0.5]))
    yield Case(torch.tensor(2.0), torch.tensor(-1.0))                   # 0-d inputs
    yield Case(g.randn(4), g.randn(4))
    yield Case(g.randn(10, 1), g.randn(10, 1))                          # the guide's (N, 1) predictions
    yield pair(g, 3, 4)
    yield Case(g.randn(2, 3, 4, scale=100.0), g.randn(2, 3, 4))
    yield pair(g, 5, 2, torch.float64)
    yield Case(transposed(g.randn(4, 3)), strided(g.randn(4, 3)))


# ---------------------------------------------------------------------------------------------
# backward() and .grad
# ---------------------------------------------------------------------------------------------

def scalar(value, dtype=torch.float32):
    return torch.tensor(value, dtype=dtype)


def leaf(value, dtype=torch.float32):
    return param(scalar(value, dtype))


def grad_state_problem(leaf_name, expected, got) -> str | None:
    """The returned gradient and the leaf's .grad after the call, against the reference's."""
    after = got.get("after")
    if not (isinstance(after, list) and after and isinstance(after[0], dict)):
        raise J.Malformed("an in-place reply without the leaf's state after the call")
    state, want = after[0], expected["after"][0]
    returned = J.compare(expected["output"], got.get("output"), "the result")
    if state.get("grad") is None:
        if returned is None:
            return (f"the result is right, but {leaf_name}.grad is still None: the gradient was not computed by "
                    f"autograd. Build the expression from {leaf_name} itself and call .backward() on it; "
                    f"autograd then fills {leaf_name}.grad, which you return.")
        return (f"{leaf_name}.grad is still None after your call: call .backward() on the result of the "
                f"expression so that autograd fills {leaf_name}.grad.")
    if not isinstance(state["grad"], torch.Tensor):
        raise J.Malformed("a leaf state whose .grad is not a tensor")
    problem = J.compare(J.raw(want["grad"]), J.raw(state["grad"]), f"{leaf_name}.grad after the call")
    if problem:
        if returned is None:
            problem += (f"\n  The returned value is right, so {leaf_name}.grad must hold exactly what the backward "
                        f"passes accumulate, not a value worked out separately.")
        return problem
    if returned:
        return returned + f"\n  {leaf_name}.grad is right: return {leaf_name}.grad itself."
    if not isinstance(state.get("value"), torch.Tensor):
        raise J.Malformed("a leaf state without its value")
    problem = J.compare(J.raw(want["value"]), J.raw(state["value"]), f"{leaf_name} after the call")
    if problem:
        return problem + f" Computing a gradient must not change {leaf_name} itself."
    return None


def backward_check(name, argnames, runs):
    """A check for a function that must fill its first argument's .grad through backward()."""
    def check(g):
        def judge(expected, got):
            for args, exp, res in zip(runs, expected, got):
                problem = grad_state_problem(argnames[0], exp, res)
                if problem:
                    return (f"{J.format_call(name, argnames, args)}\n{J.format_inputs(argnames, args)}\n"
                            f"  {problem}")
            return None

        return [call(name, *args, inplace=True) for args in runs], judge

    check.__name__ = name
    suite.check()(check)


backward_check("weight_grad", ["w", "x", "target"], [
    (leaf(2.0), scalar(3.0), scalar(5.0)),                 # the lesson's example: 2 * 1 * 3 = 6
    (leaf(0.5), scalar(2.0), scalar(4.0)),                 # a negative slope: raise w
    (leaf(1.0), scalar(-2.0), scalar(-2.0)),               # on target: slope 0
    (leaf(-1.25, torch.float64), scalar(0.75, torch.float64), scalar(2.0, torch.float64)),
])

backward_check("quadratic_grad", ["x"], [
    (leaf(3.0),),                                          # the course's example: 8
    (leaf(-1.0),),                                         # the minimum: 0
    (leaf(-4.0),),
    (leaf(0.25, torch.float64),),
])

backward_check("grad_twice", ["x"], [
    (leaf(2.0),),                                          # 2 * 3 * 4 = 24
    (leaf(-1.0),),
    (leaf(0.0),),
    (leaf(1.5, torch.float64),),
])


@suite.function(grow=lambda g, rows=3, cols=4: Case(g.randn(rows, cols)))
def should_increase(g):
    yield Case(torch.tensor(6.0))                          # the lesson's w.grad: lower w
    yield Case(torch.tensor([-1.0185]))                    # the guide's W.grad: raise W
    yield Case(torch.tensor([0.0, -0.0, 1e-30, -1e-30]))   # zero helps neither way; tiny slopes still count
    yield Case(g.randn(3, 4))
    yield Case(g.randn(2, 3, 4))
    yield Case(g.randn(4, 2, dtype=torch.float64))
    yield Case(transposed(g.randn(5, 3)))
