"""Hidden suite for 10_llm_blocks/sampling.

The filters and every deterministic corner of sample_next_token (temperature 0, top-k 1, a
nucleus of one token, bad arguments) are compared exactly with the reference. Random draws are
never compared token by token: a correct sampler may turn random numbers into tokens in many
ways (multinomial, inverse CDF, Gumbel-max). They are judged instead by the frequency of every
token over thousands of rows against the exact probabilities, by the reference's filters, at 6
standard errors (checker/stats.py), and by replaying seeds.

Where a top-p cut is tested, p sits at least 0.02 away from every row's running total, so the
rounding of float16 or of another order of summation cannot move a token across the cut.
"""
import torch

from checker import judge as J
from checker import manifest, runner
from checker.stats import binomial_range
from checker.suite import Case, Suite, call, generator, strided, transposed

suite = Suite()

NEG_INF = float("-inf")
MARGIN = 0.02


def logits_for(probabilities, dtype=torch.float32) -> torch.Tensor:
    """Logits whose softmax is exactly these (normalised) probabilities."""
    return torch.tensor(probabilities, dtype=torch.float64).log().to(dtype)


def running_totals(logits: torch.Tensor) -> torch.Tensor:
    """For each row, the mass sorted before each token: where top-p cuts can fall."""
    probs = torch.softmax(logits.double(), dim=-1).sort(dim=-1, descending=True).values
    return probs.cumsum(dim=-1) - probs


# Tried in turn: the middle of the range first, then outwards.
P_CANDIDATES = sorted((i / 100 for i in range(20, 96)), key=lambda p: abs(p - 0.6))


def safe_p(logits: torch.Tensor, fewest: int = 1, differs_from: torch.Tensor | None = None,
           candidates=P_CANDIDATES) -> float:
    """A p in (0, 1) at least MARGIN away from every running total of every row, which keeps at
    least `fewest` tokens of each row and removes at least one. With differs_from (logits of the
    same shape), p must also keep a different number of tokens from those, safely too."""
    totals = running_totals(logits)
    others = running_totals(differs_from) if differs_from is not None else None
    for p in candidates:
        kept = (totals < p).sum(dim=-1)
        ok = bool(((totals - p).abs() > MARGIN).all()) and bool(((kept >= fewest) & (kept < logits.shape[-1])).all())
        if ok and others is not None:
            ok = bool(((others - p).abs() > MARGIN).all()) and bool(((others < p).sum(dim=-1) != kept).all())
        if ok:
            return p
    raise AssertionError("no top-p value with a safe margin; change the case's seed or shape")


# ---------------------------------------------------------------------------------------------
# top_k_filter
# ---------------------------------------------------------------------------------------------

def top_k_grow(g, rows=3, vocab=6):
    return Case(g.randn(rows, vocab), 2)


@suite.function(grow=top_k_grow)
def top_k_filter(g):
    yield Case(g.randn(1), 1)                                   # one token: nothing to remove
    yield Case(g.randn(5), 2)                                   # a single row, no leading dims
    yield Case(g.randn(3, 6), 3)
    yield Case(g.randn(3, 6), 10)                               # k > V keeps everything
    yield Case(g.randn(2, 6), 6)                                # k == V keeps everything
    # Ties with the k-th largest value are kept: k = 2 keeps both 3.0s in row 0 and all three
    # 0.5s in row 1 (k = 1 keeps both 3.0s).
    ties = torch.tensor([[1.0, 3.0, 3.0, 2.0], [0.5, -1.0, 0.5, 0.5]])
    yield Case(ties, 2)
    yield Case(ties, 1)
    already = g.randn(2, 5)
    already[0, 1] = NEG_INF                                     # an already removed token stays removed
    yield Case(already, 2)
    yield Case(g.randn(2, 3, 7, dtype=torch.float64), 1)
    yield Case(transposed(g.randn(4, 6)), 3)
    yield Case(strided(g.randn(3, 5)), 2)
    yield Case(g.randn(2, 4), 0, raises=ValueError)
    yield Case(g.randn(2, 4), -1, raises=ValueError)


# ---------------------------------------------------------------------------------------------
# top_p_filter
# ---------------------------------------------------------------------------------------------

def top_p_grow(g, rows=3, vocab=6):
    logits = g.randn(rows, vocab)
    return Case(logits, 0.5)      # the op count does not depend on where the cut falls


# Probabilities 0.5, 0.25, 0.15, 0.1 in a shuffled order: the masses before each token, sorted,
# are 0, 0.5, 0.75 and 0.9, so each p below has one clear answer.
NUCLEUS = [0.15, 0.5, 0.1, 0.25]


@suite.function(grow=top_p_grow)
def top_p_filter(g):
    yield Case(logits_for([1.0]), 0.5)                          # one token, always kept
    yield Case(logits_for(NUCLEUS), 0.3)                        # 0.5 alone passes 0.3
    yield Case(logits_for(NUCLEUS), 0.6)                        # 0.5 + 0.25 passes 0.6
    yield Case(logits_for(NUCLEUS), 0.8)                        # three tokens
    yield Case(logits_for(NUCLEUS), 0.95)                       # 0.9 < 0.95: all four
    yield Case(logits_for(NUCLEUS), 1e-6)                       # the top token only
    yield Case(logits_for([NUCLEUS, [0.4, 0.05, 0.3, 0.25]]), 0.6)   # each row cuts on its own
    # p = 1 keeps even a token of probability 1e-13, which a float32 running total rounds away.
    yield Case(torch.tensor([[0.0, -30.0, 5.0, -40.0]]), 1.0)
    logits = g.randn(2, 2, 6, dtype=torch.float64, scale=2.0)
    yield Case(logits, safe_p(logits))
    logits = g.randn(4, 7, scale=2.0)
    yield Case(transposed(logits), safe_p(logits))
    yield Case(g.randn(2, 4), 0.0, raises=ValueError)
    yield Case(g.randn(2, 4), 1.5, raises=ValueError)
    yield Case(g.randn(2, 4), -0.2, raises=ValueError)


# ---------------------------------------------------------------------------------------------
# sample_next_token: the deterministic corners
# ---------------------------------------------------------------------------------------------

def sample_grow(g, rows=3, vocab=6):
    return Case(g.randn(rows, vocab), 0.8, 3, 0.9, generator(0))


def clear_winner(g, *shape) -> torch.Tensor:
    """Logits whose argmax leads every row by at least 1."""
    logits = g.randn(*shape)
    best = logits.argmax(dim=-1, keepdim=True)
    return logits.scatter(-1, best, logits.amax(dim=-1, keepdim=True) + 1.0)


@suite.function(grow=sample_grow, grad=False)
def sample_next_token(g):
    yield Case(g.randn(5), 0.0)                                    # greedy on one row: a 0-dim result
    yield Case(g.randn(3, 7), 0.0)
    yield Case(g.randn(2, 3, 5), 0.0, 2, 0.5, generator(1))       # greedy ignores the filters
    yield Case(torch.tensor([[1.0, 4.0, 4.0, 0.0], [2.0, 2.0, 2.0, 2.0]]), 0.0)   # ties: the first
    yield Case(g.randn(3, 6, dtype=torch.float16), 0.0)
    yield Case(transposed(g.randn(4, 5)), 0.0)
    # Deterministic although random: one survivor, or a temperature so low only the argmax remains.
    yield Case(clear_winner(g, 4, 6), 1.0, 1, None, generator(2))
    yield Case(clear_winner(g, 2, 3, 6), 1.5, None, 1e-6, generator(3))
    yield Case(clear_winner(g, 4, 6), 1e-3, None, None, generator(4))
    yield Case(g.randn(2, 4), -0.5, raises=ValueError)
    yield Case(g.randn(2, 4), 1.0, 0, None, generator(5), raises=ValueError)
    yield Case(g.randn(2, 4), 1.0, None, 1.2, generator(6), raises=ValueError)


# ---------------------------------------------------------------------------------------------
# sample_next_token: the distribution of random draws, and replaying seeds
# ---------------------------------------------------------------------------------------------

ROWS = 4000
SPREAD = [0.3, 0.22, 0.18, 0.14, 0.1, 0.06]


def reference():
    return runner.reference_for(manifest.get(suite.kata_id))


def exact_probabilities(row: torch.Tensor, temperature, top_k, top_p) -> torch.Tensor:
    """softmax of the row after the reference's temperature, top-k and top-p, in float64."""
    ref = reference()
    scaled = row.double() / temperature
    if top_k is not None:
        scaled = ref.top_k_filter(scaled, top_k)
    if top_p is not None:
        scaled = ref.top_p_filter(scaled, top_p)
    return torch.softmax(scaled, dim=-1)


def describe_setting(temperature, top_k, top_p) -> str:
    parts = [f"temperature={temperature}"]
    if top_k is not None:
        parts.append(f"top_k={top_k}")
    if top_p is not None:
        parts.append(f"top_p={top_p}")
    return ", ".join(parts)


def frequency_problem(tokens: torch.Tensor, probabilities: torch.Tensor) -> str | None:
    """Every token's share of the draws must sit within 6 standard errors of its probability;
    a token of probability 0 must never be drawn."""
    if tokens.dtype != torch.int64 or bool(((tokens < 0) | (tokens >= len(probabilities))).any()):
        return f"the tokens must be int64 indices in [0, {len(probabilities)}), but some are not."
    counts = torch.bincount(tokens.flatten(), minlength=len(probabilities)).double()
    shares = counts / tokens.numel()
    table = ", ".join(f"{i}: {p:.3f}" for i, p in enumerate(probabilities.tolist()))
    seen = ", ".join(f"{i}: {s:.3f}" for i, s in enumerate(shares.tolist()))
    for token, (p, share) in enumerate(zip(probabilities.tolist(), shares.tolist())):
        if p == 0.0 and share > 0.0:
            return (f"token {token} was drawn {int(counts[token])} times, but the filters remove it (probability "
                    f"0).\n  expected shares {{{table}}}\n  drawn shares    {{{seen}}}")
        low, high = binomial_range(p, tokens.numel())
        if not low <= share <= high:
            return (f"token {token} should be drawn with probability {p:.3f} (anything from {max(low, 0):.3f} to "
                    f"{min(high, 1):.3f} over {tokens.numel():,} rows is plausible), but its share was {share:.3f}."
                    f"\n  expected shares {{{table}}}\n  drawn shares    {{{seen}}}")
    return None


@suite.check(stochastic=True)
def sample_next_token(g):  # noqa: F811 - a second check of the same graded name
    # One row of fixed probabilities, in an order the seed shuffles, repeated for every draw.
    row = logits_for(SPREAD)[torch.randperm(len(SPREAD), generator=g.generator)]
    logits = row.expand(ROWS, len(SPREAD)).contiguous()
    # Settings where a wrong order of the steps, or a temperature applied the wrong way, changes
    # which tokens survive or how likely they are; every top-p keeps two tokens or more.
    # The last p keeps a different number of tokens when top-p runs before top-k.
    settings = [(1.0, None, None), (0.5, 3, None), (2.0, None, safe_p(row / 2.0, fewest=2)),
                (0.7, 4, safe_p(reference().top_k_filter(row / 0.7, 4), fewest=2, differs_from=row / 0.7))]
    seeds = [g.integer(0, 2**31 - 1) for _ in range(len(settings) + 3)]
    specs = [call("sample_next_token", logits, *setting, generator(seed)) for setting, seed in zip(settings, seeds)]
    # Replays: the same generator seed under two different global seeds must give the same
    # tokens; another generator seed must not; with generator=None the global seed decides.
    replay = settings[3]
    specs += [call("sample_next_token", logits, *replay, generator(seeds[3]), seed=seeds[4]),
              call("sample_next_token", logits, *replay, generator(seeds[5])),
              call("sample_next_token", logits, *replay, None, seed=seeds[6]),
              call("sample_next_token", logits, *replay, None, seed=seeds[6]),
              call("sample_next_token", logits, *replay, None, seed=seeds[6] + 1)]
    shown = f"sample_next_token(logits=float32[{ROWS}, 6], every row {[round(v, 3) for v in row.tolist()]}"

    def judge(expected, got):
        tokens = [res["output"] for res in got]
        for exp, out in zip(expected, tokens):
            # Shape, dtype and device only: the values are judged by their frequencies below.
            same_values = dict(out, value=exp["output"]["value"]) if isinstance(out, dict) else out
            problem = J.compare_tensor(exp["output"], same_values, "the result")
            if problem:
                return f"{shown}, ...)\n  {problem}"
        for setting, out in zip(settings, tokens):
            problem = frequency_problem(out["value"], exact_probabilities(row, *setting))
            if problem:
                return f"{shown}, {describe_setting(*setting)}, generator=...)\n  {problem}"
        first, replayed, other, global_a, global_b, global_c = (out["value"] for out in tokens[3:])
        where = f"{shown}, {describe_setting(*replay)}"
        if not torch.equal(first, replayed):
            return (f"{where}, generator=torch.Generator().manual_seed({seeds[3]}))\n  the same generator seed "
                    f"gave different tokens after torch.manual_seed(...) changed the global generator. Draw every "
                    f"random number from `generator` (e.g. torch.multinomial(probs, 1, generator=generator)).")
        if torch.equal(first, other):
            return (f"{where}, generator=...)\n  two different generator seeds gave exactly the same {ROWS:,} "
                    f"tokens. The draw must come from the generator you are given, not from one of your own.")
        if not torch.equal(global_a, global_b):
            return (f"{where}, generator=None)\n  called twice after the same torch.manual_seed(...), it gave "
                    f"different tokens: with generator=None, draw from torch's global generator.")
        if torch.equal(global_a, global_c):
            return (f"{where}, generator=None)\n  two different torch.manual_seed(...) values gave the same "
                    f"tokens: with generator=None, draw from torch's global generator, not a fixed one.")
        return None

    return specs, judge
