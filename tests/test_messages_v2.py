"""The messages and limits that authoring v2 promises, each shown on a real failing submission."""
import re
import types

import torch

from kata_helpers import reference_with, replaced
from checker import catalogue as catalogues, lint, manifest, runner, validate
from checker.results import Status

GATHER = manifest.get("04_indexing/gather")
LAYERNORM = manifest.get("08_layers/layernorm")
GD = manifest.get("07_gradient_descent/gd_step")
FFN = manifest.get("10_llm_blocks/ffn")


def result_for(kata, name, replacement, executor=None):
    namespace = reference_with(kata.id, {name: replacement})
    result = runner.grade_kata(kata, runner.Target(f"exercises/{kata.relpath}", namespace=namespace),
                               executor or runner.InProcess())
    return next(t for t in result.tests if t.name == name)


def mistake_message(kata, label_start):
    entry = next(m for m in lint.load_catalogue(kata).mistakes if m.label.startswith(label_start))
    name, obj = replaced(kata.id, entry)
    test = result_for(kata, name, obj)
    assert not test.status.passed
    return test.message


def test_an_exception_in_the_gradient_pass_is_shown():
    class Fragile(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            raise ArithmeticError("backward exploded")

    def token_log_probs(logits, targets):
        picked = torch.log_softmax(logits, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        return Fragile.apply(picked)

    message = result_for(GATHER, "token_log_probs", token_log_probs).message
    assert "raised an exception" in message and "ArithmeticError: backward exploded" in message


def test_the_gradient_label_names_the_float_argument_after_an_int_one():
    def gather_2d(data, dim, index):   # right values, but the gradient is scaled by 2
        rows = torch.arange(index.shape[0]).unsqueeze(1).expand_as(index)
        cols = torch.arange(index.shape[1]).unsqueeze(0).expand_as(index)
        out = data[index, cols] if dim % 2 == 0 else data[rows, index]
        return out * 2 - out.detach()
    message = result_for(GATHER, "gather_2d", gather_2d).message
    assert "the gradient with respect to data" in message


def test_digits_show_the_gap_and_the_graph_hint_needs_a_real_gap():
    def pick_per_row(data, cols):   # off by 3e-6 relative: beyond float32 tolerance, near rounding
        return torch.gather(data, 1, cols) * (1 + 3e-6)
    message = result_for(GATHER, "pick_per_row", pick_per_row).message
    assert "gap" in message and "relative" in message
    expected, got = message.split("first mismatch")[1].split("expected ")[1].split(", got ")
    assert expected != got.split(" ")[0]    # the printed digits differ
    assert "breaks or reshapes the graph" not in message


def test_module_mistakes_get_targeted_hints():
    assert "call super().__init__()" in mistake_message(LAYERNORM, "forgot super().__init__()")
    assert "nn.Parameter" in mistake_message(LAYERNORM, "weight and bias kept as plain tensors")
    assert "eval mode" in mistake_message(FFN, "ReLU instead of GELU") or \
        "training mode" in mistake_message(FFN, "ReLU instead of GELU")


def test_an_sgd_step_that_only_rebinds_shows_the_start_value_and_the_gradient():
    def sgd_step_(params, lr):
        for p in params:
            if p.grad is not None:
                p = p - lr * p.grad
    message = result_for(GD, "sgd_step_", sgd_step_).message
    assert re.search(r"params\[0\] +=  ?tensor\(", message) and re.search(r"params\[0\]\.grad += tensor\(", message)


def test_an_endless_loop_is_a_timeout_of_that_name_and_the_others_still_run():
    def pick_per_row(data, cols):
        while True:
            pass
    executor = runner.InProcess(time_limit_s=0.5)
    namespace = reference_with(GATHER.id, {"pick_per_row": pick_per_row})
    result = runner.grade_kata(GATHER, runner.Target("exercises/04_indexing/gather.py", namespace=namespace), executor)
    statuses = {t.name: t.status for t in result.tests}
    assert statuses["pick_per_row"] is Status.TIMEOUT
    assert "pick_per_row did not finish within the time limit" in result.tests[0].message
    assert statuses["gather_2d"] is Status.PASSED and statuses["token_log_probs"] is Status.PASSED


def test_compiled_learner_code_runs_eagerly_and_passes():
    source = GATHER.solution_path.read_text().replace(
        "def token_log_probs(", "@torch.compile\ndef token_log_probs(")
    result = runner.grade_kata(GATHER, runner.Target("exercises/04_indexing/gather.py", source=source),
                               runner.InProcess())
    assert result.passed


def test_a_graded_name_without_a_check_is_never_a_pass(monkeypatch):
    suite = runner.suite_for(GATHER)
    monkeypatch.setattr(suite, "_builders", [b for b in suite._builders if b[0] != "token_log_probs"])
    runner.plan.cache_clear()
    try:
        result = runner.grade_kata(GATHER, runner.Target("x", namespace=runner.reference_for(GATHER)),
                                   runner.InProcess())
        test = next(t for t in result.tests if t.name == "token_log_probs")
        assert test.status is Status.ERROR and "no check" in test.message
        assert any("has no check" in p for p in lint.lint_kata(GATHER))
    finally:
        runner.plan.cache_clear()


def test_lint_names_a_forbidden_name_that_does_not_exist(monkeypatch):
    from checker import spec
    original = spec.parse_forbidden
    monkeypatch.setattr(spec, "parse_forbidden", lambda text: original(text) + ("torch.nn.functional.flatten",))
    spec._cached.cache_clear()
    try:
        problems = lint.lint_kata(GATHER)
    finally:
        spec._cached.cache_clear()
    assert any("'torch.nn.functional.flatten' is not a torch callable" in p for p in problems)


def test_a_method_delta_changes_only_that_method_and_super_still_works():
    entry = next(m for m in lint.load_catalogue(LAYERNORM).mistakes if m.target == "LayerNorm.__init__"
                 and "list" in m.label)
    module = catalogues.apply(LAYERNORM.solution_path, entry, "_tk_delta_check")
    layer = module.LayerNorm(4)
    assert isinstance(layer.normalized_shape, list) and isinstance(layer.weight, torch.nn.Parameter)
    assert layer.forward is not None and validate.mistake_caught(entry, runner.grade_kata(
        LAYERNORM, runner.Target("x", namespace=module), runner.InProcess()))


def test_a_custom_check_can_demand_an_exception():
    from checker import probe
    from checker.suite import Suite, call
    suite = Suite()

    @suite.check()
    def positive(g):
        return [call("positive", -1.0, raises=ValueError), call("positive", 2.0)], lambda exp, got: None

    def strict(x):
        if x < 0:
            raise ValueError("negative")
        return x

    def lenient(x):
        return x

    [check] = suite.plan(types.SimpleNamespace(positive=strict))
    for learner, passes in ((strict, True), (lenient, False)):
        got = probe.run_probes(types.SimpleNamespace(positive=learner), check.specs)
        verdict = check.judge([None] * len(got), got)
        assert (verdict is None) == passes
        if not passes:
            assert "should raise ValueError" in verdict.message


def test_a_learner_who_edits_a_given_helper_is_graded_with_the_original():
    kata = manifest.get("11_workflow/checkpoints")
    source = kata.solution_path.read_text()
    tampered = source.replace('    model.train()\n    order = torch.randperm(len(X))',
                              '    return 0.0\n    model.train()\n    order = torch.randperm(len(X))')
    assert tampered != source
    result = runner.grade_kata(kata, runner.Target("exercises/11_workflow/checkpoints.py", source=tampered),
                               runner.InProcess())
    assert result.passed, [t.message for t in result.tests if not t.status.passed]


def test_a_catalogue_entry_with_a_typo_is_named_by_validate_not_a_traceback(monkeypatch):
    from checker.catalogue import Variant
    real = lint.load_catalogue(GATHER)
    real.mistakes.append(Variant("typo", "pick_per_rw", lambda data, cols: data))
    monkeypatch.setattr(lint, "load_catalogue", lambda kata: real)
    report = validate.validate_kata(GATHER, reseeds=0)
    assert not report.ok
    assert any("'pick_per_rw'" in p and "does not define" in p for p in report.problems)
    assert ("typo", False) in [(label, caught) for label, caught, _ in report.mistakes]
