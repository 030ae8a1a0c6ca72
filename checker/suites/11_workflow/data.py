"""Hidden suite for 11_workflow/data.

A dataset object cannot travel back to the grader, so PairDataset is read through the kata's
`dataset_view` function, which returns its length and samples as plain data. The loader's
batches are compared with the reference's exactly: the same seed must give the same order.
"""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, transposed

suite = Suite()


def facts(result: dict) -> dict:
    """The items of the dict the driver returned (plain data), or Malformed."""
    out = result.get("output")
    if not (isinstance(out, dict) and out.get("__out__") == "dict" and isinstance(out.get("items"), dict)):
        raise J.Malformed("dataset_view did not return its dict; restore it from the stub")
    return out["items"]


def dataset_problem(exp: dict, got: dict) -> str | None:
    if got.get("is_dataset") is not True:
        return ("PairDataset is not a torch.utils.data.Dataset: declare it as "
                "`class PairDataset(Dataset):` so DataLoader and friends recognise it.")
    if got.get("mismatch") != exp["mismatch"]:
        what = "was accepted" if got.get("mismatch") == "accepted" else f"raised {got.get('mismatch')}"
        return (f"PairDataset(X, y) with X of {exp['length']} rows and y of one row less should raise "
                f"ValueError, but it {what}. Compare X.shape[0] with y.shape[0] in __init__.")
    problem = J.compare(exp["length"], got.get("length"), "len(dataset)")
    if problem:
        return problem + " len() must count samples: the size of X's first dim."
    problem = J.compare(exp["samples"], got.get("samples"), "the samples [dataset[i] for i in range(N)]")
    if problem:
        return problem + " dataset[i] must be the tuple (X[i], y[i]), with X's and y's dtypes unchanged."
    problem = J.compare(exp["last"], got.get("last"), "dataset[-1]")
    if problem:
        return problem + " Index the tensors with the index you are given, so -1 means the last sample."
    if got.get("past_end") != exp["past_end"]:
        return (f"dataset[N] (one past the end) should raise IndexError, as indexing a tensor does, but it "
                f"{got.get('past_end')}. Index the tensors directly instead of clamping or wrapping the index.")
    return None


@suite.check()
def PairDataset(g):
    cases = [
        (g.randn(1, 3), g.randint(0, 2, (1,))),
        (g.randn(5, 2, dtype=torch.float64), g.randint(0, 3, (5,))),
        (transposed(g.randn(4, 3)), g.randn(4, 2)),                 # non-contiguous X, float targets
        (g.randn(6, 2, 3), g.randint(0, 5, (6,)).to(torch.int32)),  # image-like samples
    ]
    specs = [call("dataset_view", X, y) for X, y in cases]

    def judge(expected, got):
        for (X, y), exp, res in zip(cases, expected, got):
            problem = dataset_problem(facts(exp), facts(res))
            if not problem and res.get("mutated"):
                problem = "it changed X or y in place. A dataset only reads its tensors."
            if problem:
                return f"PairDataset(X={J.spec_summary(X)}, y={J.spec_summary(y)})\n  {problem}"
        return None

    return specs, judge


# seed_cases: torch's global RNG is seeded with a different number before every call, so a
# loader that draws its order from the global RNG instead of its own generator cannot match.
@suite.function(grad=False, seed_cases=True)
def shuffled_batches(g):
    yield Case(g.randn(1, 2), g.randint(0, 2, (1,)), 1, 0)
    yield Case(g.randn(2, 3), g.randint(0, 2, (2,)), 5, 3, 1, True)          # N < batch_size: []
    yield Case(g.randn(10, 2), g.randint(0, 4, (10,)), 3, 7)                # a short last batch
    yield Case(g.randn(10, 2), g.randint(0, 4, (10,)), 3, 7, 1, True)       # ... dropped
    yield Case(g.randn(9, 2), g.randint(0, 4, (9,)), 3, 11, 3)              # three epochs, new orders
    yield Case(g.randn(7, 3, dtype=torch.float64), g.randn(7, 2, dtype=torch.float64), 2, 5, 2, True)
    yield Case(transposed(g.randn(8, 3)), g.randint(0, 3, (8,)), 4, 123, 2)
    yield Case(g.randn(6, 1, 2, 2), g.randint(0, 10, (6,)), 4, 1, 0)      # epochs=0: no epochs


def sample(g, length, dtype=torch.int64):
    seq = g.randint(1, 50, (length,)).to(dtype) if not dtype.is_floating_point else g.randn(length, dtype=dtype)
    return (seq, g.randint(0, 3, ()))


@suite.function(new_tensors=True)
def pad_collate(g):
    yield Case([sample(g, 1)])
    yield Case([sample(g, 3), sample(g, 1), sample(g, 2)])
    yield Case([sample(g, 2), sample(g, 0), sample(g, 4)], -1)             # a visible pad_value
    yield Case([sample(g, 4), sample(g, 4)])                                # equal lengths
    yield Case([sample(g, 2, torch.int32), sample(g, 5, torch.int32)], 7)
    yield Case([sample(g, 3, torch.float32), sample(g, 1, torch.float32), sample(g, 2, torch.float32)], 0.5)
    yield Case([sample(g, n, torch.float64) for n in (5, 2, 0, 6, 3)])


# Every sequence empty, so L = 0. Kept out of the check above: two empty tensors both report a
# null data pointer, which its aliasing test would read as shared memory.
@suite.function()
def pad_collate(g):  # noqa: F811 - a second check of the same graded name
    yield Case([sample(g, 0), sample(g, 0)])
    yield Case([sample(g, 0, torch.float32)], 1.5)
