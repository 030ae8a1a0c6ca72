"""What the gd_step and layernorm suites tell a learner, and the tolerances they loosen.

`kata validate` proves that each catalogued mistake fails; these tests check that the message a
learner reads names the problem, and that each per-case tolerance is wide enough for correct
code (F.layer_norm included) at other seeds, where validate only ever uses seed 0.
"""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from kata_helpers import reference_with, replaced
from checker import manifest, runner, validate
from checker.suite import Gen

GD = manifest.get("07_gradient_descent/gd_step")
LN = manifest.get("08_layers/layernorm")


def grade(kata, seed=0, **replaces):
    """Grade the reference with some graded names swapped; returns {name: TestResult}."""
    namespace = reference_with(kata.id, replaces)
    result = runner.grade_kata(kata, runner.Target("learner.py", namespace=namespace), runner.InProcess(),
                               seed=seed)
    return {t.name: t for t in result.tests}


def message(kata, name, replacement):
    test = grade(kata, **{name: replacement})[name]
    assert not test.status.passed
    return test.message


def plain_fit(X, y, lr, epochs, *, zero_grads=True, reduce=torch.mean, as_float=True):
    """A fit_linear_regression with switches for the guide's typical mistakes."""
    W = torch.zeros(X.shape[1], 1, dtype=X.dtype, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = reduce((X @ W + b - y) ** 2)
        losses.append(loss.item() if as_float else loss.detach())
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                p -= lr * p.grad
                if zero_grads:
                    p.grad.zero_()
    return W, b, losses


# ---------------------------------------------------------------- sgd_step_

def test_sgd_step_that_keeps_old_grads_is_shown_the_nonzero_grad():
    def sgd_step_(params, lr):
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p -= lr * p.grad

    text = message(GD, "sgd_step_", sgd_step_)
    assert "params[0].grad after the call has the wrong values" in text
    assert "expected: tensor([0.])" in text


def test_sgd_step_that_sets_grad_to_none_is_told_to_zero_in_place():
    def sgd_step_(params, lr):
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p -= lr * p.grad
                    p.grad = None

    assert "zero it in place (p.grad.zero_())" in message(GD, "sgd_step_", sgd_step_)


def test_sgd_step_must_return_none():
    def sgd_step_(params, lr):
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p -= lr * p.grad
                    p.grad.zero_()
        return params

    assert "should be None, but it is a list" in message(GD, "sgd_step_", sgd_step_)


def test_sgd_step_that_touches_a_grad_none_parameter_fails_on_the_case_with_one():
    def sgd_step_(params, lr):
        with torch.no_grad():
            for p in params:
                if p.grad is None:
                    p.grad = torch.zeros_like(p)   # "initialise" the missing grad instead of skipping
                p -= lr * p.grad
                p.grad.zero_()

    text = message(GD, "sgd_step_", sgd_step_)
    assert "had no .grad, so it should have been skipped" in text


# ---------------------------------------------------------------- fit_linear_regression

def test_fit_without_zeroing_names_the_step_where_the_losses_part_ways():
    fit = lambda X, y, lr, epochs: plain_fit(X, y, lr, epochs, zero_grads=False)  # noqa: E731
    text = message(GD, "fit_linear_regression", fit)
    assert "losses[0] to losses[1] match, but losses[2]" in text
    assert "grads zeroed" in text


def test_fit_with_summed_loss_is_pointed_at_the_first_loss():
    fit = lambda X, y, lr, epochs: plain_fit(X, y, lr, epochs, reduce=torch.sum)  # noqa: E731
    text = message(GD, "fit_linear_regression", fit)
    assert "losses[0], the loss before any update" in text and "mean (not the sum)" in text


def test_fit_keeping_loss_tensors_is_told_to_use_item():
    fit = lambda X, y, lr, epochs: plain_fit(X, y, lr, epochs, as_float=False)  # noqa: E731
    assert "should be a Python float" in message(GD, "fit_linear_regression", fit)


def test_fit_returning_two_values_is_told_the_expected_form():
    fit = lambda X, y, lr, epochs: plain_fit(X, y, lr, epochs)[:2]  # noqa: E731
    assert "should hold 3 values, but it holds 2" in message(GD, "fit_linear_regression", fit)


def test_trajectory_tolerance_accepts_a_reordered_float32_loss():
    """(y - b - X @ W) ** 2 summed, then divided by N: the same maths in another float32 order."""
    fit = lambda X, y, lr, epochs: plain_fit(  # noqa: E731
        X, y, lr, epochs, reduce=lambda r: r.sum() / r.numel())
    for seed in range(5):
        assert grade(GD, seed, fit_linear_regression=fit)["fit_linear_regression"].status.passed


# ---------------------------------------------------------------- layer_norm

def test_layer_norm_with_cancelling_variance_fails_on_the_large_mean_rows():
    def layer_norm(x, gamma, beta, eps=1e-5):
        dims = tuple(range(-gamma.dim(), 0))
        mean = x.mean(dims, keepdim=True)
        var = (x * x).mean(dims, keepdim=True) - mean * mean
        return (x - mean) / torch.sqrt(var + eps) * gamma + beta

    text = message(LN, "layer_norm", layer_norm)
    assert "rtol=0.02, atol=0.02" in text   # only the 1e4 + noise case is judged at these tolerances


def suite_module():
    return runner.load_path(LN.suite_path, "torchkata_test_layernorm_suite")


@pytest.mark.parametrize("seed", range(20))
def test_large_mean_tolerance_admits_torch_own_layer_norm(seed):
    """The loosened case must accept F.layer_norm's outputs and gradients, which the spec
    names as the target, against the reference's on the very inputs the suite builds."""
    module = suite_module()
    (case,) = [c for c in module.layer_norm(Gen(seed)) if c.atol and c.atol >= 1e-2]
    x, gamma, beta = (t.clone().requires_grad_() for t in case.args[:3])
    weights = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))
    results = []
    for fn in (runner.reference_for(LN).layer_norm,
               lambda x, g, b: F.layer_norm(x, g.shape, g, b, 1e-5)):
        out = fn(x, gamma, beta)
        results.append([out.detach(), *torch.autograd.grad((out * weights).sum(), (x, gamma, beta))])
    for ours, torchs in zip(*results):
        torch.testing.assert_close(torchs, ours, rtol=case.rtol, atol=case.atol)


# ---------------------------------------------------------------- LayerNorm

def test_layernorm_with_gamma_beta_names_is_told_about_state_dict_keys():
    class LayerNorm(nn.Module):
        def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
            super().__init__()
            shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
            self.gamma, self.beta = nn.Parameter(torch.ones(shape)), nn.Parameter(torch.zeros(shape))

    text = message(LN, "LayerNorm", LayerNorm)
    assert "state_dict keys are wrong" in text and "missing ['weight', 'bias']" in text


def test_layernorm_with_random_weight_is_caught_before_loading_the_state_dict():
    class LayerNorm(nn.Module):
        def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
            super().__init__()
            shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
            self.normalized_shape, self.eps = shape, eps
            self.weight, self.bias = nn.Parameter(torch.rand(shape)), nn.Parameter(torch.zeros(shape))

        def forward(self, x):
            dims = tuple(range(-len(self.normalized_shape), 0))
            mean = x.mean(dims, keepdim=True)
            var = ((x - mean) ** 2).mean(dims, keepdim=True)
            return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias

    assert "the initial value of weight has the wrong values" in message(LN, "LayerNorm", LayerNorm)


@pytest.mark.parametrize("seed", [1, 7, 12])
def test_reference_and_alternatives_pass_at_other_seeds(seed):
    for kata in (GD, LN):
        catalogue = runner.load_path(kata.catalogue_path, f"torchkata_test_catalogue_{kata.module}").catalogue
        for replaces in [{}] + [dict([replaced(kata.id, a)]) for a in catalogue.alternatives]:
            failed = [t.message for t in grade(kata, seed, **replaces).values() if not t.status.passed]
            assert not failed, failed
