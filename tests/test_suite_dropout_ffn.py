"""The dropout and FFN suites: what `kata validate` does not show.

validate proves each catalogued mistake is rejected; these tests read what the learner is then
told, check that the statistical bounds are sound, and check that they still have the power
to reject a dropout that is only a little off.
"""
import math

import pytest

from kata_helpers import reference_with, replaced
from checker.stats import binomial_range
import torch
from torch import nn

from checker import manifest, runner, validate

DROPOUT = manifest.get("08_layers/dropout")
FFN = manifest.get("10_llm_blocks/ffn")


def suite_module(kata):
    return runner.load_path(kata.suite_path, f"test_{kata.module}_suite")


def grade(kata, name, replacement, seed=0):
    """The learner-facing result for `name` when the reference's `name` is swapped for `replacement`."""
    namespace = reference_with(kata.id, {name: replacement})
    result = runner.grade_kata(kata, runner.Target(f"exercises/{kata.relpath}", namespace=namespace),
                               runner.InProcess(), seed=seed)
    return next(t for t in result.tests if t.name == name)


def catalogued(kata, label_start):
    catalogue = runner.load_path(kata.catalogue_path, f"test_{kata.module}_catalogue").catalogue
    mistake = next(m for m in catalogue.mistakes if m.label.startswith(label_start))
    return replaced(kata.id, mistake)


def message_for(kata, label_start):
    test = grade(kata, *catalogued(kata, label_start))
    assert not test.status.passed
    return test.message


# ---------------------------------------------------------------------------------------------
# What the learner reads
# ---------------------------------------------------------------------------------------------

def test_missing_scaling_is_named_with_the_factor():
    message = message_for(DROPOUT, "no 1/(1-p) scaling")
    assert "x / (1 - p) = x * 1.429" in message and "about x * 1.000" in message


def test_keeping_with_probability_p_reports_percentages():
    message = message_for(DROPOUT, "keeps an element with probability p")
    assert "about 30% of the 3,072 elements should be zero" in message
    assert "close to 1 - p" in message


def test_one_flip_per_row_is_named_as_such():
    message = message_for(DROPOUT, "one coin flip per row")
    assert "share one coin flip (one flip per row)" in message


def test_a_private_generator_is_told_to_use_the_global_one():
    message = message_for(DROPOUT, "private torch.Generator")
    assert "two calls in a row" in message and "global generator" in message


def test_self_train_instead_of_self_training_is_explained():
    message = message_for(DROPOUT, "Dropout tests `if self.train:`")
    assert "after .eval()" in message and "self.training" in message


def test_fc1_fc2_names_report_the_state_dict_keys():
    message = message_for(FFN, "submodules named fc1/fc2")
    assert "state_dict keys are wrong" in message and "fc1.weight" in message and "layer1.weight" in message


def test_dropout_on_the_hidden_layer_points_at_layer2():
    message = message_for(FFN, "dropout applied to the hidden activations")
    assert "0.0% were" in message and "output of layer2" in message


def test_count_parameters_names_both_counts():
    message = message_for(FFN, "counts frozen parameters too")
    assert "should be 44, but it is 76" in message


# ---------------------------------------------------------------------------------------------
# The LLM-width case
# ---------------------------------------------------------------------------------------------

def test_llm_width_case_expects_the_exact_count_without_allocating():
    plan = runner.plan(FFN)
    index, check = next((i, c) for i, c in enumerate(plan.checks) if c.name == "count_parameters")
    widest = [(spec, result) for spec, result in zip(check.specs, plan.expected[index])
              if spec["args"][0]["layers"][0][1] == [4096, 14336]]
    assert widest, "the suite should include the 4096 x 14336 case"
    assert all(layer[2].get("device") == "meta"
               for spec, _ in widest for layer in spec["args"][0]["layers"] if layer[0] == "Linear")
    full = 4096 * 14336 + 14336 + 14336 * 4096 + 4096
    assert sorted(result["output"] for _, result in widest) == [full - 14336 * 4096, full]


# ---------------------------------------------------------------------------------------------
# Statistics: sound bounds, and power
# ---------------------------------------------------------------------------------------------

def binomial_outside(n: int, p: float, low: float, high: float) -> float:
    """Exact probability that the fraction of n coin flips with chance p falls outside [low, high]."""
    def log_pmf(k):
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) \
            + (n - k) * math.log1p(-p)
    return sum(math.exp(log_pmf(k)) for k in range(n + 1) if not low <= k / n <= high)


@pytest.mark.parametrize("n, p", [(3072, 0.3), (4096, 0.8), (2048, 0.5), (1536, 0.09), (1536, 0.64)])
def test_the_plausible_range_almost_never_rejects_a_correct_dropout(n, p):
    """The sizes and chances the dropout suite tests: drop fractions, and both-dropped pairs (p * p)."""
    low, high = binomial_range(p, n)
    assert binomial_outside(n, p, low, high) < 1e-7


@pytest.mark.parametrize("seed", range(5))
def test_a_dropout_that_drops_a_little_too_often_is_rejected(seed):
    """p + 0.1 instead of p: every seed must catch it, or the bounds are too loose to teach anything."""
    reference = runner.reference_for(DROPOUT).dropout

    def dropout(x, p, training=True):
        return reference(x, min(p + 0.1, 1.0), training) * (1.0 - min(p + 0.1, 1.0)) / (1.0 - p) \
            if training and 0.0 < p < 1.0 else reference(x, p, training)

    test = grade(DROPOUT, "dropout", dropout, seed=seed)
    assert not test.status.passed and "should be zero" in test.message


def test_a_mask_shared_along_the_batch_dim_is_rejected():
    """Not in the catalogue: one mask row reused for every row (shared along dim 0)."""
    def dropout(x, p, training=True):
        if not 0.0 <= p <= 1.0:
            raise ValueError(p)
        if not training or p == 0.0:
            return x
        if p == 1.0:
            return torch.zeros_like(x)
        return x * (torch.rand(x.shape[-1], dtype=x.dtype) >= p) / (1.0 - p)

    test = grade(DROPOUT, "dropout", dropout)
    assert not test.status.passed and "along dim 0 share one coin flip" in test.message


def test_a_dropout_module_that_ignores_p_is_rejected():
    reference = runner.reference_for(DROPOUT).dropout

    class Dropout(nn.Module):
        def __init__(self, p=0.5):
            super().__init__()
            self.p = p

        def forward(self, x):
            return reference(x, 0.5, self.training)

    test = grade(DROPOUT, "Dropout", Dropout)
    assert not test.status.passed and "with p=0.3, about 30%" in test.message
