"""What makes a cold `kata grade` cheap, and what each shortcut must never change: torch._dynamo
imported only on demand, reference results and given code kept on disk, and one submission's
katas run two at a time. No timings here (those are in benchmarks/bench.py): only that each
shortcut gives the same answers as the long way, and trusts nothing it should not."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from checker import course, manifest, reference_cache, runner, sandbox, submission, wire

GATHER = manifest.get("04_indexing/gather")
REDUCTIONS = manifest.get("03_reductions/reductions")

# Trains a tiny model with every kind of optimizer and a scheduler, and prints the parameters.
TRAIN = textwrap.dedent("""
    import json, sys
    import torch
    if sys.argv[1] == "on-demand":
        from checker import dynamo_on_demand
        assert dynamo_on_demand.install()
    torch.manual_seed(0)
    finals = {}
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"]:
        model = torch.nn.Linear(3, 2)
        model.load_state_dict({"weight": torch.full((2, 3), 0.5), "bias": torch.zeros(2)})
        optimizer = getattr(torch.optim, name)(model.parameters(), lr=0.05)
        schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
        for _ in range(4):
            optimizer.zero_grad()
            model(torch.arange(6.0).reshape(2, 3)).pow(2).sum().backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
        finals[name] = [p.tolist() for p in model.parameters()]
    print(json.dumps({"finals": finals, "dynamo": "torch._dynamo" in sys.modules
                      and type(sys.modules["torch._dynamo"]).__name__ == "module"}))
""")


def train(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", TRAIN, mode], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, PYTHONPATH=str(manifest.get(GATHER.id).home.root)))
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def test_optimizers_train_the_same_without_importing_dynamo():
    plain, on_demand = train("plain"), train("on-demand")
    assert on_demand["finals"] == plain["finals"]
    assert plain["dynamo"] and not on_demand["dynamo"]


def test_the_real_dynamo_arrives_when_something_needs_it():
    script = textwrap.dedent("""
        import sys, torch
        from checker import dynamo_on_demand
        assert dynamo_on_demand.install()
        stand_in = sys.modules["torch._dynamo"]
        assert getattr(stand_in, "__file__", None) is None and not dynamo_on_demand.loaded()
        import torch._dynamo.config as config                  # a submodule: the real package
        assert dynamo_on_demand.loaded() and torch._dynamo.config is config
        assert type(sys.modules["torch._dynamo"]).__name__ == "module"
        assert stand_in.reset is torch._dynamo.reset            # the stand-in forwards from now on
        assert not dynamo_on_demand.install()                   # the real one is never replaced
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, PYTHONPATH=str(GATHER.home.root)))
    assert out.stdout.strip() == "ok", out.stderr[-3000:]


# ---------------------------------------------------------------------------------------------
# Reference results and given code on disk


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(reference_cache.CACHE_ENV, str(tmp_path / "cache"))
    reference_cache.enable()
    runner.plan.cache_clear()
    runner._given_code.cache_clear()
    yield reference_cache.folder()
    reference_cache.enable(False)
    runner.plan.cache_clear()
    runner._given_code.cache_clear()


def counting_probes(monkeypatch) -> list:
    calls = []
    real = runner.probe.run_probes

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(runner.probe, "run_probes", counted)
    return calls


def expected_bytes(plan) -> list[bytes]:
    return [wire.encode(list(results)) for results in plan.expected]


def test_a_second_plan_reads_the_references_results_from_disk(cache, monkeypatch):
    first = runner.plan(GATHER, 3)
    given = runner._given_code(GATHER)
    runner.plan.cache_clear()
    runner._given_code.cache_clear()
    calls = counting_probes(monkeypatch)
    again = runner.plan(GATHER, 3)
    assert calls == [] and expected_bytes(again) == expected_bytes(first)
    assert runner._given_code(GATHER) == given
    assert cache.stat().st_mode & 0o777 == 0o700
    assert all(entry.stat().st_mode & 0o777 == 0o600 for entry in cache.iterdir())
    # Another seed means other inputs: computed, never read from the first seed's entries.
    runner.plan(GATHER, 4)
    assert calls


@pytest.mark.parametrize("tamper", ["group-writable file", "world-writable folder", "garbage", "wrong shape"])
def test_an_entry_that_may_have_been_tampered_with_is_computed_again(cache, monkeypatch, tamper):
    first = runner.plan(REDUCTIONS, 0)
    entries = sorted(cache.iterdir())
    for entry in entries:
        if tamper == "group-writable file":
            entry.chmod(0o620)
        elif tamper == "garbage":
            entry.write_bytes(b"\x00not plain data")
        elif tamper == "wrong shape":
            entry.write_bytes(wire.encode([{"value": 1.0}]))
    if tamper == "world-writable folder":
        cache.chmod(0o777)
    reference_cache.enable()               # as the next `kata grade` would
    runner.plan.cache_clear()
    calls = counting_probes(monkeypatch)
    again = runner.plan(REDUCTIONS, 0)
    assert len(calls) == len(first.checks)
    assert expected_bytes(again) == expected_bytes(first)
    if tamper == "world-writable folder":         # never blessed by "fixing" its permissions
        assert cache.stat().st_mode & 0o777 == 0o777 and sorted(cache.iterdir()) == entries


def test_switched_off_or_not_enabled_nothing_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(reference_cache.CACHE_ENV, "off")
    reference_cache.enable()
    assert reference_cache.folder() is None
    runner.plan.cache_clear()
    runner.plan(GATHER, 0)
    monkeypatch.setenv(reference_cache.CACHE_ENV, str(tmp_path / "cache"))
    reference_cache.enable(False)          # what in-process grading and pytest use
    runner.plan.cache_clear()
    runner.plan(GATHER, 0)
    runner.plan.cache_clear()
    assert not (tmp_path / "cache").exists()


def test_the_cache_is_hidden_from_the_sandbox(tmp_path, monkeypatch):
    from checker import course_sandbox
    from checker.cli import build_parser
    monkeypatch.setenv(reference_cache.CACHE_ENV, str(tmp_path / "cache"))
    args = build_parser().parse_args(["grade", str(tmp_path)])
    assert str(tmp_path / "cache" / "derived") in course_sandbox.hidden_paths(args)


def test_in_process_grading_never_reads_the_cache(tmp_path, monkeypatch):
    """--isolation none runs learner code inside the grader: it must not be the cache's reader
    or writer, since that code could write expected values for later runs."""
    from checker.cli import main
    monkeypatch.setenv(reference_cache.CACHE_ENV, str(tmp_path / "cache"))
    (tmp_path / "sub" / GATHER.chapter).mkdir(parents=True)
    (tmp_path / "sub" / GATHER.relpath).write_text(GATHER.solution_path.read_text())
    try:
        assert main(["grade", str(tmp_path / "sub"), "--kata", GATHER.id, "--isolation", "none",
                     "--format", "json", "--out", str(tmp_path / "r.json")]) == 0
    finally:
        reference_cache.enable(False)
        runner.plan.cache_clear()
    assert not (tmp_path / "cache").exists()


# ---------------------------------------------------------------------------------------------
# One submission's katas, two at a time


def test_katas_run_side_by_side_keep_their_order_and_their_own_output(tmp_path):
    katas = [GATHER, REDUCTIONS]
    sub = submission.Submission("two", sources={
        k.id: (k.relpath, f"print('printed by {k.id}')\n" + k.solution_path.read_text()) for k in katas})
    executor = course.Sandboxed(sandbox.Limits(wall_s=60))
    try:
        report = course.grade_submission(sub, katas, executor, seed=0, devices=("cpu",), workers=2)
    finally:
        executor.close()
    assert [k.kata_id for k in report.katas] == [k.id for k in katas]
    assert report.passed
    printed = report.metadata["captured_output"]
    for test in report.tests:
        assert printed[test.test_id].strip() == f"printed by {test.kata_id}"


# ---------------------------------------------------------------------------------------------
# Untouched stubs: "not implemented yet" without running anything


def test_every_generated_stub_is_recognised_and_no_reference_is():
    from checker import authoring
    for kata in manifest.load():
        stub = authoring.render_stub(kata, kata.solution_path.read_text())
        found = authoring.untouched_stubs(stub, kata.graded)
        assert found <= set(kata.graded)
        assert len(found) >= len(kata.graded) - 1, (kata.id, set(kata.graded) - found)
        assert authoring.untouched_stubs(kata.solution_path.read_text(), kata.graded) == set(), kata.id


STUB = '''
import torch

def f(x):
    """Doc."""
    raise NotImplementedError("k/one: f is not implemented yet; stuck? run `kata hint k/one f`")

class M(torch.nn.Module):
    """Doc."""
    def __init__(self):
        raise NotImplementedError("k/one: M.__init__ is not implemented yet")
    def forward(self, x):
        raise NotImplementedError("k/one: M.forward is not implemented yet")
'''


@pytest.mark.parametrize("edit, still_stub", [
    (lambda s: s, {"f", "M"}),
    (lambda s: s.replace('    """Doc."""\n    raise', '    return x * 2\n    raise', 1), {"M"}),
    (lambda s: s + "\nf = torch.relu\n", {"M"}),                                   # rebound later
    (lambda s: s + "\ndef f(x):\n    return x\n", {"M"}),                           # defined again
    (lambda s: s.replace("def f(x):", "@torch.no_grad()\ndef f(x):"), {"M"}),       # decorated
    (lambda s: s.replace('raise NotImplementedError("k/one: M.forward is not implemented yet")',
                         "return x"), {"f"}),                                       # one method done
    (lambda s: s.replace('"k/one: f is not implemented yet; stuck? run `kata hint k/one f`"', '"todo"'), {"M"}),
    (lambda s: s + "\nfrom math import *\n", {"f", "M"}),
    (lambda s: s + "\nfrom mymodule import f\n", {"M"}),
    (lambda s: s.replace("import torch", "import torch\ndef broken(:"), set()),   # does not parse
])
def test_only_a_name_left_exactly_as_the_stub_left_it_counts(edit, still_stub):
    from checker import authoring
    assert authoring.untouched_stubs(edit(STUB), ["f", "M"]) == still_stub


@pytest.mark.parametrize("kata", [GATHER, manifest.get("08_layers/layernorm")], ids=lambda k: k.id)
def test_an_untouched_stub_gets_the_verdict_a_run_would_give(kata, monkeypatch):
    from checker import authoring
    stub = runner.Target(kata.relpath, source=authoring.render_stub(kata, kata.solution_path.read_text()))
    quick = runner.grade_kata(kata, stub, runner.InProcess())
    monkeypatch.setattr(runner, "untouched", lambda kata, source: frozenset())
    ran = runner.grade_kata(kata, stub, runner.InProcess())
    assert [(t.name, t.status, t.message) for t in quick.tests] == [(t.name, t.status, t.message) for t in ran.tests]
    assert all(t.status.value == "not-implemented" for t in quick.tests)


def test_a_fresh_random_seed_keeps_only_the_given_code(cache, monkeypatch):
    """Expected values for a seed that never comes back would only fill the disk."""
    reference_cache.enable(seed_repeats=False)
    runner.plan(GATHER, 11)
    runner._given_code(GATHER)
    assert len(list(cache.iterdir())) == 1            # the given code, which no seed changes


def test_the_cache_is_pruned_oldest_first(cache, monkeypatch):
    monkeypatch.setattr(reference_cache, "MAX_ENTRIES", 4)
    cache.mkdir(mode=0o700, parents=True)
    for age in range(6):
        entry = cache / f"entry{age}"
        entry.write_bytes(b"x")
        os.utime(entry, (1000 + age, 1000 + age))
    reference_cache.enable()
    assert sorted(p.name for p in cache.iterdir()) == ["entry4", "entry5"]
