"""The gd_step and layernorm references against torch's own versions, and their catalogues.

The references must agree with torch.optim.SGD, F.layer_norm and nn.LayerNorm. Each catalogued
mistake must behave differently from the reference on at least one input here (mistakes with
`expect=` are left to the suite, since only a run-time check can tell them apart), and each
correct alternative must behave the same on every input.

The kata folders start with digits, so the modules are loaded from their file paths.
"""
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from kata_helpers import graded_names, load_catalogue, load_reference, reference_with, replaced, variant_module

GD_ID = "07_gradient_descent/gd_step"
LN_ID = "08_layers/layernorm"



# ---------------------------------------------------------------- comparing observations

TOLERANCES = {torch.float32: dict(rtol=1e-4, atol=1e-5), torch.float64: dict(rtol=1e-9, atol=1e-12)}


def same(a, b, rtol, atol):
    """Whether two observations (nested dicts/lists of tensors and plain values) agree."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same(x, y, rtol, atol) for x, y in zip(a, b)))
    if isinstance(a, torch.Tensor):
        return (isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype
                and torch.allclose(a.double(), b.double(), rtol=rtol, atol=atol, equal_nan=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rtol, abs_tol=atol) or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def attempt(observe, *args):
    """Run an observation; an exception is itself an observation (its type name)."""
    try:
        return observe(*args)
    except Exception as error:  # the mistakes are allowed to crash
        return ("raised", type(error).__name__)


def agreements(cases, module, ref_module):
    """{case id: whether `module` and the reference observe the same thing on that case}.

    `cases` maps a case id to (observe function, its arguments after the module, tolerance).
    """
    return {case_id: same(attempt(observe, module, *args), attempt(observe, ref_module, *args), **tolerance)
            for case_id, (observe, args, tolerance) in cases.items()}


# ---------------------------------------------------------------- gd_step: observations

def make_params_with_grads(dtype, seed=0):
    """[W, unused, b]: leaves with requires_grad; `unused` has no grad, W and b have one."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(3, 2, generator=g, dtype=dtype).requires_grad_()
    unused = torch.randn(4, generator=g, dtype=dtype).requires_grad_()
    b = torch.randn(2, generator=g, dtype=dtype).requires_grad_()
    W.grad = torch.randn(3, 2, generator=g, dtype=dtype)
    b.grad = torch.randn(2, generator=g, dtype=dtype)
    return [W, unused, b]


def observe_sgd_step(module, dtype, lr):
    params = make_params_with_grads(dtype)
    grads_before = [p.grad for p in params]
    returned = module.sgd_step_(params, lr)
    return {
        "returned": repr(returned),
        "values": [p.detach().clone() for p in params],
        "grads": [None if p.grad is None else p.grad.clone() for p in params],
        "same grad objects": [p.grad is before for p, before in zip(params, grads_before)],
        "leaves with requires_grad": [p.is_leaf and p.requires_grad for p in params],
    }


def make_regression_data(dtype, n, d, seed=0):
    """The guide's kind of data: a line (or plane) y = X @ w + 1 plus a little noise."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g, dtype=dtype)
    true_W = torch.arange(2, 2 + d, dtype=dtype).reshape(d, 1)
    y = X @ true_W + 1.0 + 0.1 * torch.randn(n, 1, generator=g, dtype=dtype)
    return X, y


def observe_fit(module, dtype, n, d, lr, epochs):
    X, y = make_regression_data(dtype, n, d)
    X_before, y_before = X.clone(), y.clone()
    torch.manual_seed(0)  # makes a random start reproducible
    W, b, losses = module.fit_linear_regression(X, y, lr, epochs)
    return {
        "W": W.detach().clone(),
        "b": b.detach().clone(),
        "losses": [float(loss.detach()) if torch.is_tensor(loss) else float(loss) for loss in losses],
        "loss types": [type(loss).__name__ for loss in losses],
        "leaves with requires_grad": [W.is_leaf and W.requires_grad, b.is_leaf and b.requires_grad],
        "inputs unchanged": [torch.equal(X, X_before), torch.equal(y, y_before)],
    }


GD_CASES = {
    "sgd float32": (observe_sgd_step, (torch.float32, 0.1), TOLERANCES[torch.float32]),
    "sgd float64": (observe_sgd_step, (torch.float64, 0.5), TOLERANCES[torch.float64]),
    "fit float32 D=1": (observe_fit, (torch.float32, 10, 1, 0.05, 30), TOLERANCES[torch.float32]),
    "fit float64 D=3": (observe_fit, (torch.float64, 16, 3, 0.1, 25), TOLERANCES[torch.float64]),
}


# ---------------------------------------------------------------- gd_step: the reference

@pytest.fixture(scope="module")
def gd():
    return load_reference(GD_ID)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sgd_step_matches_the_update_worked_by_hand(gd, dtype):
    lr = 0.1
    params = make_params_with_grads(dtype)
    expected = [p.detach() - lr * p.grad if p.grad is not None else p.detach().clone() for p in params]
    grad_objects = [p.grad for p in params]

    assert gd.sgd_step_(params, lr) is None
    for p, want, grad in zip(params, expected, grad_objects):
        torch.testing.assert_close(p.detach(), want)
        assert p.is_leaf and p.requires_grad and p.dtype == dtype
        if grad is None:
            assert p.grad is None
        else:
            assert p.grad is grad, "the grad must be zeroed in place, not replaced"
            torch.testing.assert_close(p.grad, torch.zeros_like(p))


def test_sgd_step_takes_a_module_parameters_generator(gd):
    torch.manual_seed(0)
    layer = nn.Linear(3, 2)
    x = torch.randn(5, 3)
    layer(x).pow(2).mean().backward()
    expected = {name: (p - 0.2 * p.grad).detach() for name, p in layer.named_parameters()}

    gd.sgd_step_(layer.parameters(), 0.2)
    for name, p in layer.named_parameters():
        torch.testing.assert_close(p.detach(), expected[name])
        torch.testing.assert_close(p.grad, torch.zeros_like(p))


@pytest.mark.parametrize("dtype, n, d, lr, epochs", [
    (torch.float32, 10, 1, 0.01, 100),  # the guide's setting
    (torch.float32, 32, 4, 0.1, 40),
    (torch.float64, 16, 3, 0.1, 25),
])
def test_fit_linear_regression_follows_torch_optim_sgd(gd, dtype, n, d, lr, epochs):
    X, y = make_regression_data(dtype, n, d)
    X_before, y_before = X.clone(), y.clone()
    W, b, losses = gd.fit_linear_regression(X, y, lr, epochs)

    W_ref = torch.zeros(d, 1, dtype=dtype, requires_grad=True)
    b_ref = torch.zeros(1, dtype=dtype, requires_grad=True)
    optimizer = torch.optim.SGD([W_ref, b_ref], lr=lr)
    ref_losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = F.mse_loss(X @ W_ref + b_ref, y)
        ref_losses.append(loss.item())
        loss.backward()
        optimizer.step()

    assert all(type(loss) is float for loss in losses)
    torch.testing.assert_close(torch.tensor(losses, dtype=torch.float64),
                               torch.tensor(ref_losses, dtype=torch.float64),
                               **({} if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-6)))
    torch.testing.assert_close(W.detach(), W_ref.detach())
    torch.testing.assert_close(b.detach(), b_ref.detach())
    assert W.shape == (d, 1) and b.shape == (1,) and W.dtype == b.dtype == dtype
    assert W.is_leaf and W.requires_grad and b.is_leaf and b.requires_grad
    assert torch.equal(X, X_before) and torch.equal(y, y_before)
    assert losses[-1] < losses[0]


def test_fit_linear_regression_with_no_epochs_returns_the_zero_start(gd):
    X, y = make_regression_data(torch.float32, 8, 2)
    W, b, losses = gd.fit_linear_regression(X, y, 0.1, 0)
    assert losses == []
    torch.testing.assert_close(W.detach(), torch.zeros(2, 1))
    torch.testing.assert_close(b.detach(), torch.zeros(1))


def test_fit_linear_regression_uses_the_module_level_sgd_step(gd, monkeypatch):
    """A learner's fit_linear_regression should reuse their own sgd_step_."""
    calls = []
    real_step = gd.sgd_step_
    monkeypatch.setattr(gd, "sgd_step_", lambda params, lr: calls.append(lr) or real_step(params, lr))
    X, y = make_regression_data(torch.float32, 8, 2)
    gd.fit_linear_regression(X, y, 0.1, 3)
    assert calls == [0.1, 0.1, 0.1]


# ---------------------------------------------------------------- layernorm: observations

def layer_norm_inputs(case):
    """Seeded (x, gamma, beta, eps) for a case description."""
    shape, normalized, dtype, scale, offset, transposed, eps = case
    g = torch.Generator().manual_seed(len(shape) * 10 + len(normalized))
    if transposed:  # a non-contiguous x: the transpose of a (*, D, N) tensor
        x = torch.randn(*shape[:-2], shape[-1], shape[-2], generator=g, dtype=dtype).transpose(-1, -2)
    else:
        x = torch.randn(*shape, generator=g, dtype=dtype)
    x = x * scale + offset
    gamma = 1 + 0.5 * torch.randn(*normalized, generator=g, dtype=dtype)
    beta = torch.randn(*normalized, generator=g, dtype=dtype)
    return x, gamma, beta, eps


# case id: ((x shape, gamma shape, dtype, scale, offset, transposed, eps), tolerance or None for
# the dtype's usual one)
LN_CASES = {
    "(4, 5) over (5,)": (((4, 5), (5,), torch.float32, 1.0, 0.0, False, 1e-5), None),
    "(2, 3, 4) over (3, 4)": (((2, 3, 4), (3, 4), torch.float32, 1.0, 0.0, False, 1e-5), None),
    "float64 (3, 6) over (6,)": (((3, 6), (6,), torch.float64, 1.0, 0.0, False, 1e-5), None),
    "transposed (4, 5) over (5,)": (((4, 5), (5,), torch.float32, 1.0, 0.0, True, 1e-5), None),
    "small variance (5, 6)": (((5, 6), (6,), torch.float32, 1e-2, 0.0, False, 1e-5), None),
    "eps 0.1 (3, 4)": (((3, 4), (4,), torch.float64, 1.0, 0.0, False, 0.1), None),
    # float32 rounds 1e4 + noise to steps of about 1e-3, and F.layer_norm itself misses the exact
    # answer by a few 1e-3 here: only a broken formula lands farther off than the tolerance
    "large mean 1e4 (4, 16)": (((4, 16), (16,), torch.float32, 1.0, 1e4, False, 1e-5),
                               dict(rtol=0.0, atol=5e-2)),
}


def observe_layer_norm(module, case):
    x, gamma, beta, eps = layer_norm_inputs(case)
    originals = [t.clone() for t in (x, gamma, beta)]
    plain_out = module.layer_norm(x, gamma, beta, eps)
    inputs_unchanged = [torch.equal(t, o) for t, o in zip((x, gamma, beta), originals)]

    leaves = [o.clone().requires_grad_() for o in originals]
    out = module.layer_norm(*leaves, eps)
    projection = torch.randn(out.shape, generator=torch.Generator().manual_seed(1), dtype=out.dtype)
    (out * projection).sum().backward()
    return {
        "output": plain_out.detach().clone(),
        "inputs unchanged": inputs_unchanged,
        "grads": [None if t.grad is None else t.grad.clone() for t in leaves],
    }


# case id: (normalized_shape, constructor keyword arguments)
LN_MODULE_CASES = {
    "LayerNorm(5)": (5, {}),
    "LayerNorm((3, 4))": ((3, 4), {}),
    "LayerNorm([2, 3])": ([2, 3], {}),
    "LayerNorm(4, affine off)": (4, {"elementwise_affine": False}),
    "LayerNorm(6, eps=0.1)": (6, {"eps": 0.1}),
}


def random_state(shape, affine):
    if not affine:
        return {}
    g = torch.Generator().manual_seed(7)
    return {"weight": 1 + 0.5 * torch.randn(shape, generator=g), "bias": torch.randn(shape, generator=g)}


def observe_layer_norm_module(module, normalized_shape, kwargs):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    layer = module.LayerNorm(normalized_shape, **kwargs)
    fresh_state = {k: v.detach().clone() for k, v in layer.state_dict().items()}
    attributes = [repr(layer.normalized_shape), repr(getattr(layer, "eps", None))]
    layer.load_state_dict(random_state(shape, kwargs.get("elementwise_affine", True)))

    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, *shape, generator=g).requires_grad_()
    out = layer(x)
    (out * torch.randn(out.shape, generator=g)).sum().backward()
    return {
        "fresh state": fresh_state,
        "attributes": attributes,
        "output": out.detach().clone(),
        "x grad": x.grad.clone(),
        "parameter grads": {name: p.grad.clone() for name, p in layer.named_parameters()},
    }


LN_ALL_CASES = {
    **{case_id: (observe_layer_norm, (case,), tolerance or TOLERANCES[case[2]])
       for case_id, (case, tolerance) in LN_CASES.items()},
    **{case_id: (observe_layer_norm_module, args, TOLERANCES[torch.float32])
       for case_id, args in LN_MODULE_CASES.items()},
}


# ---------------------------------------------------------------- layernorm: the reference

@pytest.fixture(scope="module")
def ln():
    return load_reference(LN_ID)


@pytest.mark.parametrize("case_id", [c for c, (_, tol) in LN_CASES.items() if tol is None])
def test_layer_norm_matches_F_layer_norm(ln, case_id):
    x, gamma, beta, eps = layer_norm_inputs(LN_CASES[case_id][0])
    ours = [t.clone().requires_grad_() for t in (x, gamma, beta)]
    theirs = [t.clone().requires_grad_() for t in (x, gamma, beta)]

    out = ln.layer_norm(*ours, eps)
    expected = F.layer_norm(theirs[0], gamma.shape, theirs[1], theirs[2], eps)
    torch.testing.assert_close(out, expected)  # also checks dtype and device

    projection = torch.randn(out.shape, generator=torch.Generator().manual_seed(1), dtype=out.dtype)
    (out * projection).sum().backward()
    (expected * projection).sum().backward()
    for mine, want in zip(ours, theirs):
        torch.testing.assert_close(mine.grad, want.grad)


def test_layer_norm_reproduces_the_guide_example(ln):
    x = torch.tensor([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]])
    gamma, beta = torch.ones(3), torch.zeros(3)
    torch.testing.assert_close(ln.layer_norm(x, gamma, beta), F.layer_norm(x, (3,), gamma, beta))


def test_layer_norm_is_stable_for_a_large_mean(ln):
    x, gamma, beta, eps = layer_norm_inputs(LN_CASES["large mean 1e4 (4, 16)"][0])
    out = ln.layer_norm(x, gamma, beta, eps)
    exact = F.layer_norm(x.double(), gamma.shape, gamma.double(), beta.double(), eps)
    torch_float32_error = (F.layer_norm(x, gamma.shape, gamma, beta, eps).double() - exact).abs().max()

    assert out.dtype == torch.float32 and torch.isfinite(out).all()
    # float32 rounding of the mean limits everyone; ours must be of the same order as torch's
    assert (out.double() - exact).abs().max() <= max(4 * torch_float32_error, 1e-3)


def test_layer_norm_leaves_its_inputs_alone(ln):
    x, gamma, beta, eps = layer_norm_inputs(LN_CASES["(2, 3, 4) over (3, 4)"][0])
    originals = [t.clone() for t in (x, gamma, beta)]
    ln.layer_norm(x, gamma, beta, eps)
    for t, o in zip((x, gamma, beta), originals):
        assert torch.equal(t, o)


@pytest.mark.parametrize("case_id", list(LN_MODULE_CASES))
def test_LayerNorm_matches_nn_LayerNorm(ln, case_id):
    normalized_shape, kwargs = LN_MODULE_CASES[case_id]
    ours = ln.LayerNorm(normalized_shape, **kwargs)
    theirs = nn.LayerNorm(normalized_shape, **kwargs)

    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():  # fresh: weight ones, bias zeros
        torch.testing.assert_close(ours.state_dict()[key], value)
    assert ours.normalized_shape == theirs.normalized_shape and ours.eps == theirs.eps
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]

    state = random_state(theirs.normalized_shape, kwargs.get("elementwise_affine", True))
    theirs.load_state_dict(state)
    ours.load_state_dict(state)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, *theirs.normalized_shape, generator=g)
    x_ours, x_theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, expected = ours(x_ours), theirs(x_theirs)
    torch.testing.assert_close(out, expected)

    projection = torch.randn(out.shape, generator=g)
    (out * projection).sum().backward()
    (expected * projection).sum().backward()
    torch.testing.assert_close(x_ours.grad, x_theirs.grad)
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        torch.testing.assert_close(p.grad, their_params[name].grad)
