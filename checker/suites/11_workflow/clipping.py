"""Hidden suite for 11_workflow/clipping.

The ladder compares the returned norm and every tensor's value and .grad after the call with the
reference's (inplace=True). A second check compares with torch.nn.utils.clip_grad_norm_ itself,
run here in the grader. The kata's clip_report then shows what the learner's code does to the
very .grad tensors it was given, when the parameters arrive as a one-pass iterator (as
model.parameters() does), and on the meta device, where a Python `if` on the norm cannot work.
"""
import torch

from checker import judge as J
from checker.suite import HALF_TOLERANCES, Case, Suite, call, param

suite = Suite()


def with_grad(g, *shape, dtype=torch.float32, scale=1.0):
    return param(g.randn(*shape, dtype=dtype), grad=g.randn(*shape, dtype=dtype, scale=scale))


def clip_grow(g, rows=3, cols=4):
    return Case([with_grad(g, rows, cols), with_grad(g, cols)], 0.5)


@suite.function(inplace=True, grad=False, grow=clip_grow)
def clip_grad_norm_(g):
    yield Case([], 1.0)                                                      # nothing at all: tensor(0.)
    yield Case([param(g.randn(2))], 1.0)                                     # no gradient anywhere
    yield Case([with_grad(g, 3)], 100.0)                                     # under the limit: unchanged
    yield Case([with_grad(g, 2, 3), with_grad(g, 3)], 0.5)                   # over it: scaled together
    yield Case([with_grad(g, 4, 2), param(g.randn(5)), with_grad(g, 2)], 1.0)  # a grad-less tensor mid-list
    yield Case([with_grad(g, 2, 2, 3), with_grad(g)], 2.0)                   # a 3-D and a 0-d tensor
    # A total of ~4e-4, where the 1e-6 moves the coefficient by ~0.3%. The clipped entries are ~1e-5,
    # so the default atol (1e-5) would hide that: compare relatively only.
    yield Case([with_grad(g, 3, 3, scale=1e-4), with_grad(g, 3, scale=1e-4)], 1e-4, rtol=1e-5, atol=1e-12)
    yield Case([with_grad(g, 5, 3, dtype=torch.float64), with_grad(g, 3, dtype=torch.float64)], 0.25)
    yield Case([with_grad(g, 6, 2, scale=1e-9)], 1.0)                        # a vanishing gradient
    # float16 entries of a few hundred: their squares overflow float16, their norm does not.
    yield Case([with_grad(g, 4, 4, dtype=torch.float16, scale=300.0), with_grad(g, 4, dtype=torch.float16)],
               1.0, rtol=1e-2, atol=1e-2)


def torch_clip(params: list, max_norm: float) -> tuple:
    """torch.nn.utils.clip_grad_norm_ on copies of the probe's parameters: (total, grads after)."""
    copies = []
    for spec in params:
        p = spec["value"].clone().requires_grad_()
        p.grad = spec["grad"].clone() if spec["grad"] is not None else None
        copies.append(p)
    total = torch.nn.utils.clip_grad_norm_(copies, max_norm)
    return total, [p.grad for p in copies]


@suite.check()
def clip_grad_norm_(g):  # noqa: F811 - a second check of the same graded name
    runs = [([with_grad(g, 3, 4), with_grad(g, 4)], 0.5),
            ([with_grad(g, 2, 5), param(g.randn(3)), with_grad(g, 5)], 10.0),
            ([with_grad(g, 4, 4, scale=1e-3)], 1e-3),
            ([with_grad(g, 8, dtype=torch.float16, scale=200.0)], 1.0)]
    wanted = [torch_clip(params, max_norm) for params, max_norm in runs]
    specs = [call("clip_grad_norm_", params, max_norm, inplace=True) for params, max_norm in runs]

    def judge(expected, got):
        for (params, max_norm), (total, grads), exp, res in zip(runs, wanted, expected, got):
            header = f"clip_grad_norm_({J.spec_summary(params)}, max_norm={max_norm!r}), against torch's own"
            tolerance = HALF_TOLERANCES["float16"] if total.dtype == torch.float16 else (None, None)
            # Kind, dtype and device as the reference's on this probe's device; values as torch's,
            # computed here on the CPU.
            problem = J.compare(exp["output"], res.get("output"), "the returned total norm", rtol=1.0, atol=1e9)
            if problem is None:
                problem = J.compare_tensor(J.raw(total), J.raw(res["output"]["value"]), "the returned total norm",
                                           *tolerance)
            after = res.get("after")
            if not isinstance(after, list) or len(after) != len(grads):
                raise J.Malformed("an in-place reply that does not list every tensor")
            for i, grad in enumerate(grads):
                if problem is None and grad is not None:
                    problem = J.compare_tensor(J.raw(grad), J.raw(after[i].get("grad")),
                                               f"params[{i}].grad after the call", *tolerance)
            if problem:
                return f"{header}\n  {problem}\n  torch.nn.utils.clip_grad_norm_ does what the spec describes."
        return None

    return specs, judge


def report_problem(exp: dict, got: dict, device: str) -> str | None:
    if got.get("raised"):
        return (f"it raised {got['raised']}. Do not turn the norm into a Python number (.item(), float(), "
                f"`if total > max_norm`): on the meta device there is no number, and on a GPU it makes the "
                f"CPU wait. Clamp the coefficient with torch.clamp(coef, max=1.0) and always multiply.")
    problem = J.compare(exp["total"], got.get("total"), "the returned total norm")
    if problem:
        if device == "cpu":
            problem += ("\n  The parameters came as an iterator, which can be read only once (model.parameters() is "
                        "one): make a list of the gradients first, then use that list for the norm and the scaling.")
        return problem
    problem = J.compare(exp["grads"], got.get("grads"), "the gradients", names=("p1.grad", "p2.grad"))
    if problem:
        return problem + ("\n  The parameters came as an iterator, which can be read only once: collect the "
                          "gradients in a list first and scale the tensors in that list.")
    if got.get("same_grad_tensors") != exp["same_grad_tensors"]:
        return ("p.grad was replaced by a new tensor. Scale the gradient in place, g.mul_(coef), so that p.grad "
                "stays the tensor it was (an optimizer or a hook may hold a reference to it).")
    return None


@suite.check()
def clip_grad_norm_(g):  # noqa: F811
    runs = [("cpu", 0.5), ("meta", 0.5)]

    def judge(expected, got):
        for (device, max_norm), exp, res in zip(runs, expected, got):
            facts = (res.get("output") or {}).get("items")
            if not isinstance(facts, dict):
                raise J.Malformed("clip_report did not return its dict; restore it from the stub")
            problem = report_problem(exp["output"]["items"], facts, device)
            if problem:
                return (f"clip_report({device!r}, {max_norm}): clip_grad_norm_(iter([p1, p2]), {max_norm}) with two "
                        f"parameters and their gradients on {device!r}\n  {problem}")
        return None

    return [call("clip_report", device, max_norm) for device, max_norm in runs], judge
