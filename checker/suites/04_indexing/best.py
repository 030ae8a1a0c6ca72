"""Hidden suite for 04_indexing/best. Each check is named after the graded name it grades.

How ties are judged: best_item and accuracy follow argmax, which takes the lowest tied column,
so their tie cases are compared exactly. topk promises no order among equal scores, so top_k's
ladder uses scores without ties, and its tie cases are judged by a check that accepts any
order: the values must equal the reference's, and the indices must be distinct columns that
hold those values. top_k_accuracy's spec rules ties out, so its cases have none.
"""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, transposed

suite = Suite()


def distinct(g, rows=3, cols=4, dtype=torch.float32):
    """Scores with no tie inside a row, exact in every float dtype: a shuffled 0..cols-1, halved."""
    return (g.rand(rows, cols).argsort(dim=1).to(dtype) - cols / 2) * 0.5


GUIDE_SCORES = torch.tensor([[10, 0, 5, 20, 1], [1, 30, 2, 5, 0]])
TIES = torch.tensor([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 5.0], [0.0, -1.0, 0.0, -1.0]])


@suite.function(grow=lambda g, rows=3, cols=4: Case(g.randn(rows, cols)))
def best_item(g):
    yield Case(g.randn(1, 1))
    yield Case(GUIDE_SCORES)                              # the guide's answer: [3, 1]
    yield Case(TIES)                                      # the first of tied maxima: [1, 0, 0]
    yield Case(g.randn(4, 1))                             # one column: always 0
    yield Case(torch.empty(0, 3))
    yield Case(g.randn(3, 5))
    yield Case(g.randint(0, 3, (5, 6)))                   # small integers: many ties
    yield Case(g.randn(4, 3, dtype=torch.float64))
    yield Case(transposed(g.randn(6, 4)))
    yield Case(g.randint(0, 4, (3, 5)).to(torch.float16))    # half scores, with ties: still int64 columns


@suite.function(grow=lambda g, rows=3, cols=4, k=2: Case(distinct(g, rows, cols + k * 2), k),
                output_names=("values", "indices"))
def top_k(g):
    yield Case(distinct(g, 1, 1), 1)
    yield Case(GUIDE_SCORES, 3)                           # the guide's top 3
    yield Case(distinct(g, 3, 5), 2)
    yield Case(distinct(g, 3, 4), 0)                      # k = 0: two (3, 0) tensors
    yield Case(distinct(g, 2, 6), 6)                      # k = C: every column, sorted
    yield Case(distinct(g, 4, 5, torch.float64), 3)
    yield Case(transposed(distinct(g, 6, 5)), 2)


@suite.check()
def top_k(g):  # noqa: F811 - a second check of the same graded name
    runs = [(TIES, 2), (TIES, 4), (g.randint(0, 3, (6, 8)), 5)]

    def judge(expected, got):
        for (scores, k), exp, res in zip(runs, expected, got):
            shown = f"{J.format_call('top_k', ['scores', 'k'], (scores, k))}\n    scores = {J.show_tensor(scores)}\n  "
            problem = tie_problem(scores, exp["output"], res.get("output"))
            if problem:
                return shown + problem
        return None

    return [call("top_k", scores, k) for scores, k in runs], judge


def tie_problem(scores, expected, got) -> str | None:
    """None when `got` is a right top-k answer for scores with ties, in any order among them."""
    if not (isinstance(got, dict) and got.get("__out__") == "tuple" and got.get("length") == 2):
        return J.compare(expected, got, "the result")
    exp_values, exp_indices = expected["items"]
    values, indices = got["items"]
    problem = J.compare(exp_values, values, "values")
    if problem:
        return problem
    # Shape, dtype and device of the indices, not their order (checked below).
    problem = J.compare_tensor(exp_indices, dict(indices, value=exp_indices["value"]), "indices") \
        if isinstance(indices, dict) and indices.get("__out__") == "tensor" else J.compare(exp_indices, indices, "indices")
    if problem:
        return problem
    picked = indices["value"]
    if not isinstance(picked, torch.Tensor) or list(picked.shape) != exp_indices["shape"]:
        raise J.Malformed("an indices tensor that does not match its own description")
    if bool(((picked < 0) | (picked >= scores.shape[1])).any()):
        return f"indices holds a column outside [0, {scores.shape[1]}): {J.show_tensor(picked)}."
    if picked.shape[1] > 1 and bool((picked.sort(dim=1).values.diff(dim=1) == 0).any()):
        return f"indices lists the same column twice in one row: {J.show_tensor(picked)}. Each column counts once."
    if not torch.equal(scores.gather(1, picked), exp_values["value"]):
        return (f"indices does not point at the values: scores.gather(1, indices) should equal values "
                f"{J.show_tensor(exp_values['value'])}, but it is {J.show_tensor(scores.gather(1, picked))}.")
    return None


def classifier_case(g, n=3, classes=4, dtype=torch.float32):
    return Case(g.randn(n, classes, dtype=dtype), g.randint(0, classes, (n,)))


@suite.function(grow=classifier_case)
def accuracy(g):
    yield Case(torch.tensor([[0.2, 1.5]]), torch.tensor([1]))            # right: 1.0
    yield Case(torch.tensor([[0.2, 1.5]]), torch.tensor([0]))            # wrong: 0.0
    yield Case(torch.tensor([[1.0, 1.0], [2.0, 2.0]]), torch.tensor([1, 0]))   # ties go to column 0: 0.5
    yield classifier_case(g, 8, 4)
    logits = g.randn(6, 5)
    yield Case(logits, logits.argmax(dim=1))                             # every row right
    yield classifier_case(g, 5, 3, torch.float64)
    yield classifier_case(g, 30, 3)
    yield Case(transposed(g.randn(7, 4)), g.randint(0, 4, (7,)))


def top_k_case(g, n=3, classes=4, k=2, dtype=torch.float32):
    return Case(distinct(g, n, classes + k, dtype), g.randint(0, classes + k, (n,)), k)


@suite.function(grow=top_k_case)
def top_k_accuracy(g):
    yield Case(torch.tensor([[0.2, 1.5, -0.3]]), torch.tensor([0]), 2)      # second best: a hit
    yield Case(torch.tensor([[0.2, 1.5, -0.3]]), torch.tensor([2]), 2)      # third: a miss
    yield top_k_case(g, 4, 3, 1)                                          # k = 1 is plain accuracy
    yield top_k_case(g, 3, 2, 3)                                          # as many rows as k
    yield top_k_case(g, 10, 4, 3)
    yield Case(distinct(g, 5, 4), g.randint(0, 4, (5,)), 4)               # k = C: always 1.0
    yield top_k_case(g, 6, 3, 2, torch.float64)
    yield Case(transposed(distinct(g, 8, 6)), g.randint(0, 6, (8,)), 2)
