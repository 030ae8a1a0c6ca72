"""The references of 03_reductions/reductions and 06_backward/manual_backward agree with torch's
own functions and with autograd, and their mistake catalogues hold what they claim: every
mistake is visibly wrong on the inputs below, every alternative is right on all of them.
"""
import pytest
import torch
import torch.nn.functional as F

from checker.guards import CountOps
from kata_helpers import forbidden_calls_made, graded_names, load_catalogue, load_reference, reference_with, replaced, variant_module

reductions = load_reference("03_reductions/reductions")
manual_backward = load_reference("06_backward/manual_backward")
reductions_catalogue = load_catalogue("03_reductions/reductions")
backward_catalogue = load_catalogue("06_backward/manual_backward")


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --- the inputs every check below uses --------------------------------------------------------

def guide_scores():
    return torch.tensor([[10.0, 20.0, 30.0], [5.0, 10.0, 15.0]])


def random_mask(shape, seed, empty_row=True):
    """A random bool mask; with empty_row, the first slice along the last dim selects nothing."""
    mask = torch.rand(shape, generator=generator(seed)) < 0.5
    if empty_row:
        mask[(0,) * (len(shape) - 1)] = False
    return mask


def reduction_cases():
    """graded name -> list of argument tuples."""
    g = generator(0)
    table_cases = [
        (guide_scores(),),
        (torch.randn(5, 3, generator=g),),
        (torch.randn(4, 4, generator=g, dtype=torch.float64),),
        (torch.randint(-9, 10, (3, 7), generator=g),),
    ]
    masked_cases = []
    for seed, (shape, dim, dtype) in enumerate([
        ((4, 6), 1, torch.float32),
        ((4, 6), -1, torch.float64),
        ((5, 3), 0, torch.float32),
        ((2, 3, 4), -2, torch.float32),
        ((2, 3, 4), 0, torch.float64),
    ]):
        x = torch.randn(shape, generator=generator(100 + seed), dtype=dtype)
        # An empty slice must exist along `dim`: clear one whole fibre along it.
        mask = torch.rand(shape, generator=generator(200 + seed)) < 0.6
        index = [0] * len(shape)
        index[dim] = slice(None)
        mask[tuple(index)] = False
        masked_cases.append((x, mask, dim))
    lse_cases = [
        (torch.randn(3, 5, generator=g), 1),
        (torch.randn(3, 5, generator=g, dtype=torch.float64), 0),
        (torch.randn(2, 3, 4, generator=g), -1),
        ((torch.rand(4, 6, generator=g) * 2 - 1) * 1e4, 1),           # magnitude up to 1e4, float32
        (torch.full((2, 3), 1e4) + torch.arange(3.0), -1),              # every entry near +1e4
        (torch.full((3, 2), -1e4) - torch.arange(2.0), 0),              # every entry near -1e4
    ]
    return {
        "column_sums": table_cases,
        "row_sums": table_cases,
        "masked_mean": masked_cases,
        "logsumexp": lse_cases,
    }


def backward_cases():
    g = generator(1)
    graph = [
        (torch.tensor(2.0), torch.tensor(3.0), torch.tensor(4.0)),   # the guide's scalar graph
        tuple(torch.randn(3, 4, generator=g) for _ in range(3)),
        tuple(torch.randn(5, generator=g, dtype=torch.float64) for _ in range(3)),
    ]
    mse = []
    for N, D, K, dtype in [(6, 3, 2, torch.float64), (5, 4, 1, torch.float64), (7, 2, 3, torch.float32),
                           (4, 3, 3, torch.float64)]:
        mse.append((torch.randn(N, D, generator=g, dtype=dtype), torch.randn(D, K, generator=g, dtype=dtype),
                    torch.randn(K, generator=g, dtype=dtype), torch.randn(N, K, generator=g, dtype=dtype)))
    ce = [
        (torch.randn(5, 4, generator=g, dtype=torch.float64), torch.randint(0, 4, (5,), generator=g)),
        (torch.randn(3, 6, generator=g), torch.randint(0, 6, (3,), generator=g)),
        (torch.tensor([[1000.0, 0.0, -1000.0], [5.0, 800.0, 3.0]]), torch.tensor([2, 1])),   # large logits
        (torch.randn(4, 3, generator=g, dtype=torch.float64) * 300, torch.randint(0, 3, (4,), generator=g)),
    ]
    return {"graph_grads": graph, "linear_mse_grads": mse, "softmax_cross_entropy_grad": ce}


REDUCTION_CASES = reduction_cases()
BACKWARD_CASES = backward_cases()


def clone_args(args):
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)


def as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


# --- the references against torch ------------------------------------------------------------

def test_sums_match_plain_python_totals():
    for (scores,) in REDUCTION_CASES["column_sums"]:
        rows = scores.tolist()
        col = reductions.column_sums(scores)
        row = reductions.row_sums(scores)
        assert col.shape == (scores.shape[1],) and row.shape == (scores.shape[0],)
        assert col.dtype == torch.sum(scores).dtype == row.dtype
        assert col.tolist() == pytest.approx([sum(column) for column in zip(*rows)])
        assert row.tolist() == pytest.approx([sum(r) for r in rows])


def masked_mean_by_slices(x, mask, dim):
    """An independent answer: move dim last, then average each slice's selected entries."""
    xs = x.movedim(dim, -1)
    ms = mask.movedim(dim, -1)
    out = torch.zeros(xs.shape[:-1], dtype=x.dtype)
    for index in torch.cartesian_prod(*(torch.arange(n) for n in out.shape)).reshape(-1, out.dim()):
        index = tuple(index.tolist())
        chosen = xs[index][ms[index]]
        out[index] = chosen.mean() if chosen.numel() else 0.0
    return out


def test_masked_mean_matches_slice_by_slice_mean_and_gives_zero_for_empty_slices():
    for x, mask, dim in REDUCTION_CASES["masked_mean"]:
        got = reductions.masked_mean(x, mask, dim)
        expected = masked_mean_by_slices(x, mask, dim)
        torch.testing.assert_close(got, expected)
        empty = ~mask.any(dim=dim)
        assert empty.any(), "every case must contain an empty slice"
        assert torch.all(got[empty] == 0) and not got.isnan().any()
        # Where every entry is selected it is the ordinary mean.
        torch.testing.assert_close(reductions.masked_mean(x, torch.ones_like(mask), dim), x.mean(dim=dim))


def test_logsumexp_matches_torch_and_stays_finite_at_1e4():
    for x, dim in REDUCTION_CASES["logsumexp"]:
        got = reductions.logsumexp(x, dim)
        assert got.dtype == x.dtype and torch.isfinite(got).all()
        torch.testing.assert_close(got, torch.logsumexp(x, dim=dim))
    big = torch.full((2, 3), 1e4)
    assert torch.isinf(torch.exp(big)).all(), "the 1e4 case must really overflow a naive exp"


def test_reductions_keep_device_dtype_and_inputs():
    for name, cases in REDUCTION_CASES.items():
        for args in cases:
            before = clone_args(args)
            out = getattr(reductions, name)(*args)
            assert out.device == args[0].device
            if args[0].is_floating_point():
                assert out.dtype == args[0].dtype
            for original, now in zip(before, args):
                if isinstance(original, torch.Tensor):
                    assert torch.equal(original, now), f"{name} modified its input"


@pytest.mark.parametrize("name", ["column_sums", "row_sums", "masked_mean", "logsumexp"])
def test_reduction_gradients_pass_gradcheck(name):
    fn = getattr(reductions, name)
    for args in REDUCTION_CASES[name]:
        if not args[0].is_floating_point() or args[0].abs().max() > 100:
            continue   # finite differences say nothing useful about integers or 1e4-sized entries
        x = args[0].detach().double().requires_grad_(True)
        rest = args[1:]
        assert torch.autograd.gradcheck(lambda t: fn(t, *rest), (x,))


def autograd_graph_grads(a, b, x):
    a, b, x = (t.detach().clone().requires_grad_(True) for t in (a, b, x))
    return torch.autograd.grad((x * (a + b)).sum(), (a, b, x))


def autograd_linear_mse_grads(X, W, b, y):
    W, b = W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True)
    return torch.autograd.grad(F.mse_loss(X @ W + b, y), (W, b))


def autograd_ce_grad(logits, targets):
    logits = logits.detach().clone().requires_grad_(True)
    return torch.autograd.grad(F.cross_entropy(logits, targets), (logits,))


AUTOGRAD = {
    "graph_grads": autograd_graph_grads,
    "linear_mse_grads": autograd_linear_mse_grads,
    "softmax_cross_entropy_grad": autograd_ce_grad,
}


@pytest.mark.parametrize("name", list(AUTOGRAD))
def test_manual_gradients_match_autograd(name):
    for args in BACKWARD_CASES[name]:
        before = clone_args(args)
        got = as_tuple(getattr(manual_backward, name)(*args))
        expected = AUTOGRAD[name](*args)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert g.dtype == e.dtype and g.device == e.device
            assert torch.isfinite(g).all()
            torch.testing.assert_close(g, e)
        for original, now in zip(before, args):
            assert torch.equal(original, now), f"{name} modified its input"


def test_graph_grads_returns_separate_tensors():
    a, b, x = BACKWARD_CASES["graph_grads"][1]
    grads = manual_backward.graph_grads(a, b, x)
    pointers = {g.data_ptr() for g in grads} | {t.data_ptr() for t in (a, b, x)}
    assert len(pointers) == 6, "gradients must be new tensors, not the inputs or each other"


# --- forbidden calls and vectorisation, as the suite will see them -----------------------------

def op_count(fn, args):
    with CountOps() as counter:
        fn(*clone_args(args))
    return counter.count


def grown(name, args, factor=3):
    """The same kind of input with `factor` times as many rows (2-D cases only)."""
    def more_rows(t):
        return t.repeat(factor, *([1] * (t.dim() - 1)))

    if name == "linear_mse_grads":
        X, W, b, y = args
        return more_rows(X), W, b, more_rows(y)
    # Every other kata's tensors all have the rows first; dims and other numbers stay as they are.
    return tuple(more_rows(a) if isinstance(a, torch.Tensor) else a for a in args)


def first_2d_case(cases, name):
    return next(args for args in cases[name] if args[0].dim() == 2)


def test_references_are_vectorised_and_use_nothing_forbidden():
    for kata_id, module, cases in [("03_reductions/reductions", reductions, REDUCTION_CASES),
                                   ("06_backward/manual_backward", manual_backward, BACKWARD_CASES)]:
        for name, arg_list in cases.items():
            fn = getattr(module, name)
            for args in arg_list:
                assert forbidden_calls_made(kata_id, name, fn, *clone_args(args)) == []
            args = first_2d_case(cases, name)
            assert op_count(fn, args) == op_count(fn, grown(name, args)), f"{name} grows with rows"
