"""The hidden suites of 03_reductions/reductions and 06_backward/manual_backward: what their case
ladders contain (the spec's edge cases really are fed in) and what a learner reads for the most
typical mistakes. `kata validate` already proves every catalogued mistake is caught; these tests
pin down *how* the message explains it.
"""
import pytest
import torch

from kata_helpers import reference_with, replaced
from checker import manifest, runner, validate
from checker.results import Status

REDUCTIONS = manifest.get("03_reductions/reductions")
BACKWARD = manifest.get("06_backward/manual_backward")


def live(value):
    """The tensor a probe argument spec stands for (the transposed/strided wrappers keep values)."""
    return value["value"] if isinstance(value, dict) and "value" in value else value


def call_specs(kata, name):
    """The argument lists of every ordinary call the suite makes to `name` (op-count probes excluded)."""
    checks = runner.plan(kata).checks
    return [[live(a) for a in s["args"]] for c in checks if c.name == name
            for s in c.specs if s["kind"] == "call"]


def message_for(kata, name, wrong_function):
    """Grade the reference with one graded name replaced, and return that test's result."""
    namespace = reference_with(kata.id, {name: wrong_function})
    result = runner.grade_kata(kata, runner.Target(f"exercises/{kata.relpath}", namespace=namespace),
                               runner.InProcess())
    (test,) = [t for t in result.tests if t.name == name]
    return test


# --- 03_reductions: the case ladder covers the spec's edges -------------------------------------

def test_masked_mean_reduces_every_dim_of_a_3d_tensor_with_an_empty_slice_each_time():
    dims_with_empty_slice = set()
    for x, mask, dim in call_specs(REDUCTIONS, "masked_mean"):
        if (~mask).all(dim=dim).any():
            dims_with_empty_slice.add((x.dim(), dim))
    assert {(3, d) for d in (0, 1, 2, -1, -2, -3)} <= dims_with_empty_slice


def test_logsumexp_is_fed_float32_entries_large_enough_to_overflow_a_plain_exp():
    big = [x for x, _ in call_specs(REDUCTIONS, "logsumexp")
           if x.dtype == torch.float32 and x.abs().max() >= 1e4]
    assert big, "the spec asks for float32 entries of magnitude 1e4"
    assert any(torch.isinf(x.exp()).any() for x in big)
    assert any((x.amax() < -1e3) and (x.exp() == 0).all() for x in big), "and a slice that underflows to 0"


def test_every_reduction_is_checked_for_a_python_loop():
    opcount_targets = {s["target"] for c in runner.plan(REDUCTIONS).checks for s in c.specs
                       if s["kind"] == "opcount"}
    assert opcount_targets == set(REDUCTIONS.graded)


# --- 03_reductions: what the learner reads ---------------------------------------------------------

def test_keepdim_left_in_row_sums_points_at_keepdim():
    test = message_for(REDUCTIONS, "row_sums", lambda scores: scores.sum(dim=1, keepdim=True))
    assert test.status is Status.FAILED
    assert "shape (1, 1), but it should have shape (1,)" in test.message
    assert "keepdim" in test.message


def test_masked_mean_dividing_by_zero_shows_nan_against_zero_for_an_empty_selection():
    def no_guard(x, mask, dim):
        weights = mask.to(x.dtype)
        return (x * weights).sum(dim=dim) / weights.sum(dim=dim)

    message = message_for(REDUCTIONS, "masked_mean", no_guard).message
    assert "mask = tensor([[False]])" in message
    assert "expected 0., got nan" in message


def test_masked_mean_nan_patched_forward_is_caught_by_its_gradient():
    def patched(x, mask, dim):
        weights = mask.to(x.dtype)
        return torch.nan_to_num((x * weights).sum(dim=dim) / weights.sum(dim=dim))

    message = message_for(REDUCTIONS, "masked_mean", patched).message
    assert "the gradient with respect to x has the wrong values" in message
    assert "got nan" in message


def test_naive_logsumexp_is_shown_overflowing_to_inf():
    message = message_for(REDUCTIONS, "logsumexp", lambda x, dim: x.exp().sum(dim=dim).log()).message
    assert "got inf" in message or "got -inf" in message


# --- 06_backward: the case ladder -------------------------------------------------------------------

def test_backward_inputs_never_require_grad_and_no_gradient_pass_runs():
    for check in runner.plan(BACKWARD).checks:
        for spec in check.specs:
            if spec["kind"] == "call":
                assert spec["grad"] is False
                assert not any(isinstance(a, dict) and a.get("__arg__") == "param" for a in spec["args"])


def test_linear_mse_grads_has_several_outputs_and_a_single_output():
    ks = {y.shape[1] for _, _, _, y in call_specs(BACKWARD, "linear_mse_grads")}
    assert 1 in ks and any(k > 1 for k in ks)


def test_softmax_cross_entropy_grad_is_fed_logits_that_overflow_exp_in_both_float_dtypes():
    overflowing = {logits.dtype for logits, _ in call_specs(BACKWARD, "softmax_cross_entropy_grad")
                   if torch.isinf(logits.exp()).any()}
    assert overflowing == {torch.float32, torch.float64}


# --- 06_backward: what the learner reads -------------------------------------------------------------

def test_graph_grads_message_names_the_gradient_and_uses_the_guides_numbers():
    message = message_for(BACKWARD, "graph_grads", lambda a, b, x: (a + b, x.clone(), x.clone())).message
    assert "dz/da has the wrong values" in message
    assert "x = tensor(4.)" in message and "expected: tensor(4.)" in message


def test_dividing_the_mse_gradient_by_n_only_is_reported_on_a_multi_output_case():
    def by_rows(X, W, b, y):
        residual = X @ W + b - y
        dL_dresidual = 2 * residual / X.shape[0]
        return X.T @ dL_dresidual, dL_dresidual.sum(dim=0)

    message = message_for(BACKWARD, "linear_mse_grads", by_rows).message
    assert "dL/dW has the wrong values" in message
    first_line = message.splitlines()[0]
    k = int(first_line.split("b=float32[")[1].split("]")[0])
    assert k > 1, first_line


def test_transposed_weight_gradient_is_reported_as_dims_in_the_wrong_order():
    def transposed_product(X, W, b, y):
        dL_dresidual = 2 * (X @ W + b - y) / y.numel()
        return dL_dresidual.T @ X, dL_dresidual.sum(dim=0)

    message = message_for(BACKWARD, "linear_mse_grads", transposed_product).message
    assert "dL/dW has shape" in message and "in another order" in message


@pytest.mark.parametrize("name", ["graph_grads", "linear_mse_grads", "softmax_cross_entropy_grad"])
def test_calling_backward_is_refused_by_name(name):
    def uses_autograd(*args):
        leaf = args[0].detach().clone().requires_grad_(True)
        (leaf * 2).sum().backward()
        return leaf.grad

    test = message_for(BACKWARD, name, uses_autograd)
    assert test.status is Status.FORBIDDEN
    assert "torch.Tensor.backward" in test.message
