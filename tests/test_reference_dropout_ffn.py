"""The dropout and FFN references against their spec, and their mistake catalogues.

The checks below are written from the spec (issue 2, section 7) without using the kata suites:
each check takes a loaded kata module and raises AssertionError when the module breaks the spec.
The reference must pass all of them, every catalogued alternative too, and every catalogued
mistake must fail at least one (or, where it pins `expect="forbidden-op"`, call a forbidden op).
"""
from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from kata_helpers import forbidden_calls_made, graded_names, load_catalogue, load_reference, reference_with, replaced, variant_module, reference_with, replaced, variant_module

DROPOUT_ID = "08_layers/dropout"
FFN_ID = "10_llm_blocks/ffn"


# ---------------------------------------------------------------- dropout checks

def sample(shape, dtype=torch.float32, seed=0):
    """Random inputs with no exact zeros, so a zero in the output always means 'dropped'."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=generator, dtype=dtype)
    x[x == 0] = 1.0  # float32 randn does hit exactly 0 now and then
    return x


def assert_dropped_correctly(out, x, p, context):
    """out must be zero with frequency p (6-sigma binomial bound) and x / (1 - p) elsewhere."""
    assert out.shape == x.shape and out.dtype == x.dtype, f"{context}: shape/dtype changed"
    assert not out.isnan().any(), f"{context}: NaN in output"
    dropped = out == 0
    n = x.numel()
    bound = 6 * math.sqrt(p * (1 - p) / n)
    fraction = dropped.double().mean().item()
    assert abs(fraction - p) <= bound, f"{context}: dropped {fraction:.4f}, expected {p} +- {bound:.4f}"
    kept = ~dropped
    torch.testing.assert_close(out[kept], x[kept] / (1 - p), msg=f"{context}: survivors not x/(1-p)")


def check_dropout_statistics(m, seed=0):
    cases = itertools.product((0.3, 0.8), [(200_000,), (4, 50_000)], (torch.float32, torch.float64))
    for p, shape, dtype in cases:
        x = sample(shape, dtype, seed)
        torch.manual_seed(seed + 1)
        out = m.dropout(x, p)
        assert_dropped_correctly(out, x, p, f"dropout(x{tuple(shape)}, {p}) seed {seed}")
        # A mask drawn once per row would zero whole rows; each row must look binomial on its own.
        if len(shape) == 2:
            for row in range(shape[0]):
                assert_dropped_correctly(out[row], x[row], p, f"row {row} of dropout(x{tuple(shape)}, {p})")


def check_dropout_transposed_input(m):
    x = sample((300, 200)).t()
    torch.manual_seed(3)
    assert_dropped_correctly(m.dropout(x, 0.3), x, 0.3, "dropout(non-contiguous x, 0.3)")


def check_dropout_reproducible(m):
    x = sample((1000,))
    torch.manual_seed(11)
    first = m.dropout(x, 0.5)
    torch.manual_seed(11)
    replay = m.dropout(x, 0.5)
    assert torch.equal(first, replay), "torch.manual_seed did not reproduce the mask"
    following = m.dropout(x, 0.5)
    assert not torch.equal(replay, following), "two consecutive calls drew the same mask"
    torch.manual_seed(12)
    other_seed = m.dropout(x, 0.5)
    assert not torch.equal(first, other_seed), "a different torch.manual_seed gave the same mask"


def check_dropout_identity(m):
    x = sample((6, 7))
    torch.testing.assert_close(m.dropout(x, 0.5, training=False), x, rtol=0, atol=0)
    torch.testing.assert_close(m.dropout(x, 0.0), x, rtol=0, atol=0)
    torch.testing.assert_close(m.dropout(x, 0.0, training=True), x, rtol=0, atol=0)


def check_dropout_p_one(m):
    x = sample((5, 9))
    out = m.dropout(x, 1.0)
    assert out.shape == x.shape and out.dtype == x.dtype
    assert not out.isnan().any(), "p=1 gave NaN"
    assert torch.equal(out, torch.zeros_like(x)), "p=1 must zero everything"


def check_dropout_value_error(m):
    x = sample((3, 4))
    for p in (-0.1, 1.5):
        try:
            m.dropout(x, p)
        except ValueError:
            continue
        raise AssertionError(f"dropout(x, {p}) did not raise ValueError")


def check_dropout_leaves_input_alone(m):
    for p, training in ((0.5, True), (0.0, True), (1.0, True), (0.5, False)):
        x = sample((50, 40))
        before = x.clone()
        torch.manual_seed(5)
        m.dropout(x, p, training=training)
        assert torch.equal(x, before), f"dropout(x, {p}, training={training}) modified x"


def check_dropout_gradient(m):
    p = 0.4
    x = sample((80, 60), torch.float64).requires_grad_()
    torch.manual_seed(2)
    out = m.dropout(x, p)
    upstream = sample((80, 60), torch.float64, seed=9)
    out.backward(upstream)
    kept = (out.detach() != 0).to(x.dtype)
    torch.testing.assert_close(x.grad, upstream * kept / (1 - p))


def check_dropout_no_forbidden_calls(m):
    def run():
        x = sample((20, 30))
        m.dropout(x, 0.5)
        m.dropout(x, 0.5, training=False)
        layer = m.Dropout(0.5)
        layer(x)
        layer.eval()(x)
    hits = forbidden_calls_made(DROPOUT_ID, None, run)
    assert not hits, f"forbidden calls: {hits}"


def check_module_statistics(m):
    layer = m.Dropout(0.3)
    assert layer.training, "a fresh module starts in training mode"
    x = sample((400, 500))
    torch.manual_seed(4)
    assert_dropped_correctly(layer(x), x, 0.3, "Dropout(0.3)(x)")
    torch.manual_seed(5)
    assert_dropped_correctly(m.Dropout()(x), x, 0.5, "Dropout()(x), default p")


def check_module_follows_training_flag(m):
    layer = m.Dropout(0.5)
    x = sample((300, 300))
    layer.eval()
    torch.testing.assert_close(layer(x), x, rtol=0, atol=0)
    layer.train()
    torch.manual_seed(6)
    assert_dropped_correctly(layer(x), x, 0.5, "Dropout(0.5) back in train mode")
    # The flag is usually flipped from a parent model, not the layer itself.
    model = nn.Sequential(nn.Identity(), m.Dropout(0.5))
    model.eval()
    torch.testing.assert_close(model(x), x, rtol=0, atol=0)


def check_module_has_no_state(m):
    assert list(m.Dropout(0.2).state_dict()) == []
    assert list(m.Dropout(0.2).parameters()) == []


DROPOUT_CHECKS = [
    check_dropout_statistics, check_dropout_transposed_input, check_dropout_reproducible,
    check_dropout_identity, check_dropout_p_one, check_dropout_value_error,
    check_dropout_leaves_input_alone, check_dropout_gradient, check_dropout_no_forbidden_calls,
    check_module_statistics, check_module_follows_training_flag, check_module_has_no_state,
]


# ---------------------------------------------------------------- FFN checks

EXPECTED_KEYS = ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"]
E, H = 8, 32


def reference_state(seed=0) -> dict:
    """A state_dict in the spec's layout, with random values (not nn.Linear's init)."""
    generator = torch.Generator().manual_seed(seed)
    shapes = {"layer1.weight": (H, E), "layer1.bias": (H,), "layer2.weight": (E, H), "layer2.bias": (E,)}
    return {k: torch.randn(s, generator=generator) * 0.5 for k, s in shapes.items()}


def by_hand(x, state):
    """The FFN written with functional calls only: no nn.Module involved."""
    hidden = F.gelu(F.linear(x, state["layer1.weight"], state["layer1.bias"]))
    return F.linear(hidden, state["layer2.weight"], state["layer2.bias"])


def loaded_ffn(m, dropout=0.0):
    model = m.FeedForwardNetwork(E, H, dropout=dropout)
    model.load_state_dict(reference_state())
    return model


def check_ffn_state_dict_keys(m):
    assert list(m.FeedForwardNetwork(E, H).state_dict()) == EXPECTED_KEYS
    assert list(m.FeedForwardNetwork(E, H, dropout=0.1).state_dict()) == EXPECTED_KEYS
    model = m.FeedForwardNetwork(E, H)
    assert isinstance(model.layer1, nn.Linear) and isinstance(model.layer2, nn.Linear)
    assert isinstance(model.activation, nn.GELU)
    assert model.layer1.weight.shape == (H, E) and model.layer2.weight.shape == (E, H)


def check_ffn_outputs(m):
    model = loaded_ffn(m).eval()
    state = reference_state()
    for shape in [(E,), (5, E), (2, 7, E), (1, 1, E)]:
        x = sample(shape, seed=len(shape)) * 2
        out = model(x)
        assert out.shape == shape and out.dtype == x.dtype
        torch.testing.assert_close(out, by_hand(x, state))


def check_ffn_parameter_gradients(m):
    model = loaded_ffn(m).eval()
    state = {k: v.clone().requires_grad_() for k, v in reference_state().items()}
    x = sample((3, 5, E), seed=1)
    projection = sample((3, 5, E), seed=2)
    (model(x) * projection).sum().backward()
    (by_hand(x, state) * projection).sum().backward()
    got = dict(model.named_parameters())
    for key in EXPECTED_KEYS:
        torch.testing.assert_close(got[key].grad, state[key].grad, msg=f"gradient of {key}")


def check_ffn_default_has_no_dropout(m):
    model = loaded_ffn(m)
    model.train()
    x = sample((4, 6, E))
    torch.testing.assert_close(model(x), by_hand(x, reference_state()))


def check_ffn_dropout_on_output(m):
    p = 0.5
    model = loaded_ffn(m, dropout=p)
    x = sample((64, 32, E))
    model.eval()
    clean = model(x).detach()
    torch.testing.assert_close(clean, by_hand(x, reference_state()))
    model.train()
    torch.manual_seed(8)
    assert_dropped_correctly(model(x).detach(), clean, p, "FeedForwardNetwork(dropout=0.5) in training")


def check_count_small(m):
    assert m.count_parameters(m.FeedForwardNetwork(E, H)) == E * H + H + H * E + E


def check_count_llm_width_on_meta(m):
    with torch.device("meta"):
        model = m.FeedForwardNetwork(4096, 14336)
    assert all(p.is_meta for p in model.parameters())
    count = m.count_parameters(model)
    assert isinstance(count, int), f"expected a Python int, got {type(count).__name__}"
    assert count == 2 * 4096 * 14336 + 14336 + 4096


def check_count_frozen(m):
    model = m.FeedForwardNetwork(E, H)
    model.layer1.requires_grad_(False)
    assert m.count_parameters(model) == H * E + E
    model.requires_grad_(False)
    assert m.count_parameters(model) == 0


def check_count_ignores_buffers(m):
    # BatchNorm keeps running statistics as buffers; only weight and bias are parameters.
    assert m.count_parameters(nn.BatchNorm1d(6)) == 12


FFN_CHECKS = [
    check_ffn_state_dict_keys, check_ffn_outputs, check_ffn_parameter_gradients,
    check_ffn_default_has_no_dropout, check_ffn_dropout_on_output,
    check_count_small, check_count_llm_width_on_meta, check_count_frozen, check_count_ignores_buffers,
]

KATAS = {DROPOUT_ID: DROPOUT_CHECKS, FFN_ID: FFN_CHECKS}


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("check", DROPOUT_CHECKS + FFN_CHECKS, ids=lambda c: c.__name__)
def test_reference_meets_spec(check):
    kata_id = DROPOUT_ID if check in DROPOUT_CHECKS else FFN_ID
    check(load_reference(kata_id))


def test_dropout_statistics_hold_for_many_seeds():
    """The 6-sigma bounds leave no room for flakiness: the reference passes on 200 seeds."""
    reference = load_reference(DROPOUT_ID)
    for seed in range(200):
        x = sample((20_000,), seed=seed)
        torch.manual_seed(seed)
        for p in (0.3, 0.8):
            assert_dropped_correctly(reference.dropout(x, p), x, p, f"seed {seed}")


def test_ffn_matches_torch_layers():
    """Cross-check the hand-written expectation against torch's own modules."""
    reference = load_reference(FFN_ID)
    model = loaded_ffn(reference).eval()
    expected = nn.Sequential(nn.Linear(E, H), nn.GELU(), nn.Linear(H, E))
    expected.load_state_dict({k.replace("layer1", "0").replace("layer2", "2"): v
                              for k, v in reference_state().items()})
    x = sample((2, 3, E))
    torch.testing.assert_close(model(x), expected(x))
