"""Hidden suite for 08_layers/embedding.

Lookups are compared with the reference's, gradients included (a repeated id must collect every
contribution). The layer's random start is judged by statistics of N(0, 1) with bounds from
checker.stats, and by replaying the seed.
"""
import math

import torch

from checker.stats import binomial_range
from checker.suite import Case, ModuleCase, Suite, construct, transposed

suite = Suite()


def lookup_case(g, batch=2, tokens=3, vocab=5, dim=4):
    return Case(g.randint(0, vocab, (batch, tokens)), g.randn(vocab, dim))


def lookups(g):
    """The cases both functions share: every one keeps its ids in [0, V)."""
    yield Case(torch.tensor(2), g.randn(5, 3))                         # one id: shape (E,)
    yield Case(torch.tensor([0]), g.randn(1, 1))
    yield Case(torch.tensor([[1, 5, 0, 8]]), g.randn(10, 3))           # the guide's sentence
    yield Case(torch.tensor([3, 3, 1, 3]), g.randn(6, 2))              # id 3 gets three gradients
    yield Case(torch.tensor([1, 0, 1]), g.randn(7, 4))                 # the largest id is far below V
    yield Case(torch.zeros(0, dtype=torch.long), g.randn(4, 3))        # no ids
    yield Case(torch.zeros(2, 0, dtype=torch.long), g.randn(4, 3))
    yield Case(g.randint(0, 9, (2, 3, 4)).int(), g.randn(9, 5))        # int32 ids, three dims
    yield Case(g.randint(0, 6, (3, 5)), g.randn(6, 4, dtype=torch.float64))
    yield Case(transposed(g.randint(0, 8, (4, 3))), transposed(g.randn(8, 6)))


@suite.function(grow=lookup_case)
def embedding(g):
    yield from lookups(g)
    # Out-of-range ids. The row `weight[-1]` exists, so a missing check passes -1 silently.
    yield Case(torch.tensor([1, 5, 2]), g.randn(5, 3), raises=IndexError)
    yield Case(torch.tensor([[0, -1], [2, 1]]), g.randn(5, 3), raises=IndexError)
    yield Case(torch.tensor([7, 0]).int(), g.randn(3, 2), raises=IndexError)


@suite.function(grow=lookup_case)
def one_hot_embedding(g):
    yield from lookups(g)


def embedding_module_grow(g, batch=2, tokens=3, vocab=5, dim=4):
    return ModuleCase((vocab, dim), inputs=(g.randint(0, vocab, (batch, tokens)),))


@suite.module(grow=embedding_module_grow, attributes=("num_embeddings", "embedding_dim"))
def Embedding(g):
    yield ModuleCase((1, 1), inputs=(torch.tensor([0]),))
    yield ModuleCase((10, 3), inputs=(torch.tensor([[1, 5, 0, 8]]),))
    yield ModuleCase((6, 2), inputs=(torch.tensor([3, 3, 1, 3]),))
    yield ModuleCase((5, 4), inputs=(torch.tensor(4),))
    yield ModuleCase((7, 3), inputs=(g.randint(0, 7, (2, 3, 2)).int(),), train=False)


# ---------------------------------------------------------------------------------------------
# The initial weight: N(0, 1) from the global generator
# ---------------------------------------------------------------------------------------------

VOCAB, DIM = 64, 48
# The share of N(0, 1) draws inside a few intervals: a uniform start, a scaled one (0.02 * randn,
# as GPT-2 does) or torch.rand would put these shares far outside their bounds.
SHARES = (("positive", lambda v: v > 0, 0.5),
          ("within 1 of 0", lambda v: v.abs() < 1, math.erf(1 / math.sqrt(2))),
          ("within 2 of 0", lambda v: v.abs() < 2, math.erf(2 / math.sqrt(2))))


def normal_problem(weight: torch.Tensor) -> str | None:
    n = weight.numel()
    for label, test, share in SHARES:
        low, high = binomial_range(share, n)
        seen = test(weight.double()).double().mean().item()
        if not low <= seen <= high:
            return (f"about {share:.1%} of N(0, 1) values are {label} (anything from {low:.1%} to {high:.1%} is "
                    f"plausible among {n:,}), but {seen:.1%} of the initial weight's values are. nn.Embedding "
                    f"starts from the standard normal: torch.randn, with no scaling.")
    return None


@suite.check(stochastic=True)
def Embedding(g):  # noqa: F811 - a second check of the same graded name
    seed, other = g.integer(0, 2**31 - 1), g.integer(0, 2**31 - 1)
    specs = [construct("Embedding", VOCAB, DIM, seed=s) for s in (seed, seed, other)]
    where = f"Embedding({VOCAB}, {DIM}) built after torch.manual_seed(...)"

    def judge(expected, got):
        weights = [(res.get("state") or {}).get("weight") for res in got]
        if not all(isinstance(w, dict) and isinstance(w.get("value"), torch.Tensor) for w in weights):
            return None   # the module check above explains a missing or misnamed weight
        first, replay, reseeded = (w["value"] for w in weights)
        problem = normal_problem(first)
        if problem:
            return f"{where}\n  {problem}"
        if not torch.equal(first, replay):
            return f"{where}, twice with one seed\n  the weights differ: draw them from torch's global generator."
        if torch.equal(first, reseeded):
            return (f"{where}, with two seeds\n  the weights are the same: draw them from torch's global "
                    f"generator, not from one of your own with a fixed seed.")
        return None

    return specs, judge
