"""Naming the mistake: a failing submission that behaves like exactly one catalogued mistake is
told which, and nothing else ever is. Wrong diagnoses are worse than none, so this file checks
the false positives: correct alternatives, and hand-written mistakes that no catalogue holds."""
import pytest
import torch

from kata_helpers import reference_with
from checker import diagnose, lint, manifest, runner, validate

KATAS = ["03_reductions/reductions", "04_indexing/gather", "08_layers/layernorm", "06_backward/manual_backward"]


def grade(kata_id, **replacements):
    kata = manifest.get(kata_id)
    namespace = reference_with(kata_id, replacements)
    return {t.name: t for t in runner.grade_kata(kata, runner.Target("exercises/x.py", namespace=namespace),
                                                  runner.InProcess()).tests}


@pytest.mark.parametrize("kata_id", KATAS)
def test_a_catalogued_mistake_is_named_and_never_as_another(kata_id):
    kata = manifest.get(kata_id)
    executor = runner.InProcess()
    named = 0
    for mistake in lint.load_catalogue(kata).mistakes:
        result = validate.grade_variant(kata, mistake, executor, diagnose=True)
        for test in result.tests:
            # Another name that calls the broken one may fail too, and may rightly be named
            # after its own catalogued twin of the same bug: only the owner is checked here.
            if test.diagnosis and test.name == mistake.owner:
                assert mistake.label in test.diagnosis, (mistake.label, test.diagnosis)
                assert test.diagnosis in test.message
                named += 1
    assert named >= len(lint.load_catalogue(kata).mistakes) // 2


@pytest.mark.parametrize("kata_id", KATAS)
def test_correct_alternatives_get_no_diagnosis(kata_id):
    kata = manifest.get(kata_id)
    for alternative in lint.load_catalogue(kata).alternatives:
        result = validate.grade_variant(kata, alternative, runner.InProcess(), diagnose=True)
        assert all(not t.diagnosis for t in result.tests)


# Plausible mistakes that no catalogue lists. Each must fail, and must not be given a diagnosis.
UNCATALOGUED = {
    "mean instead of sum over columns": ("03_reductions/reductions", "column_sums",
                                         lambda scores: scores.float().mean(dim=0)),
    "masked mean over the unselected entries": ("03_reductions/reductions", "masked_mean",
                                                lambda x, mask, dim: (x * ~mask).sum(dim) / (~mask).sum(dim).clamp(min=1)),
    "logsumexp shifted by the mean": ("03_reductions/reductions", "logsumexp",
                                      lambda x, dim: x.mean(dim) + torch.log(torch.exp(x - x.mean(dim, keepdim=True)).sum(dim))
                                      * 0.999),
    "gather with a reversed index": ("04_indexing/gather", "pick_per_row",
                                     lambda data, cols: torch.gather(data, 1, data.shape[1] - 1 - cols)),
    "token log probs plus a constant": ("04_indexing/gather", "token_log_probs",
                                        lambda logits, targets: torch.log_softmax(logits, -1).gather(
                                            -1, targets.unsqueeze(-1)).squeeze(-1) + 1e-3),
    "layer norm with eps squared": ("08_layers/layernorm", "layer_norm",
                                    lambda x, gamma, beta, eps=1e-5: torch.nn.functional.group_norm(x, 1)
                                    if False else (x - x.mean(-1, keepdim=True)) / torch.sqrt(
                                        x.var(-1, unbiased=False, keepdim=True) + eps * eps) * gamma + beta),
    "graph grads doubled": ("06_backward/manual_backward", "graph_grads",
                            lambda a, b, x: (2 * x, 2 * x, 2 * (a + b))),
    "mse grads with the sum instead of the mean": ("06_backward/manual_backward", "linear_mse_grads",
                                                   lambda X, W, b, y: (X.T @ (2 * (X @ W + b - y)),
                                                                       (2 * (X @ W + b - y)).sum(0))),
    "cross-entropy gradient without the softmax": ("06_backward/manual_backward", "softmax_cross_entropy_grad",
                                                   lambda logits, targets: (logits - torch.nn.functional.one_hot(
                                                       targets, logits.shape[1]).to(logits.dtype)) / logits.shape[0]),
    "row sums squared": ("03_reductions/reductions", "row_sums", lambda scores: (scores * scores).sum(dim=1)),
    "gather_2d ignores dim and always picks along rows": ("04_indexing/gather", "gather_2d",
                                                          lambda data, dim, index: data[index, torch.arange(
                                                              index.shape[1]).expand_as(index)]),
    "count_parameters counts buffers as well": ("10_llm_blocks/ffn", "count_parameters",
                                                lambda m: sum(p.numel() for p in m.parameters() if p.requires_grad)
                                                + sum(b.numel() for b in m.buffers()) + 1),
}


@pytest.mark.parametrize("label", sorted(UNCATALOGUED))
def test_a_mistake_outside_the_catalogue_gets_no_diagnosis(label):
    kata_id, name, wrong = UNCATALOGUED[label]
    test = grade(kata_id, **{name: wrong})[name]
    assert not test.status.passed
    assert test.diagnosis == "", test.diagnosis


def test_probe_results_agree_only_when_they_say_the_same_thing():
    from checker.probe import describe
    one, two = {"output": describe(torch.ones(2)), "mutated": []}, {"output": describe(torch.ones(2) * 2), "mutated": []}
    assert diagnose.agree(one, one) and not diagnose.agree(one, two)
    assert not diagnose.agree(one, {"error": {"type": "ValueError"}})
    assert diagnose.agree({"error": {"type": "ValueError"}}, {"error": {"type": "ValueError"}})
    assert not diagnose.agree(one, {"output": "forged"})


def test_agreement_covers_aliasing_and_in_place_states():
    """Two results that differ only in what an in-place call left behind, or in which output
    shares memory with an input, behave differently: neither may name the other's mistake."""
    from checker.probe import _param_state, describe
    out = describe(torch.ones(2))
    fresh, aliased = {"output": out, "mutated": [], "aliases": []}, {"output": out, "mutated": [], "aliases": [[0, 0]]}
    assert diagnose.agree(fresh, dict(fresh)) and not diagnose.agree(fresh, aliased)
    leaf = torch.ones(2, requires_grad=True)
    stepped = {"output": out, "after": [_param_state(leaf)]}
    assert diagnose.agree(stepped, {"output": out, "after": [_param_state(leaf)]})
    for other in (leaf.detach() * 2, leaf.detach(), leaf * 1):       # value, requires_grad, is_leaf/grad_fn
        assert not diagnose.agree(stepped, {"output": out, "after": [_param_state(other)]}), other
    with_grad = leaf.detach().clone().requires_grad_()
    with_grad.grad = torch.ones(2)
    assert not diagnose.agree(stepped, {"output": out, "after": [_param_state(with_grad)]})
    assert not diagnose.agree(stepped, {"output": out, "after": []})
