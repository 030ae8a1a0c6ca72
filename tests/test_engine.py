"""The engine's parts in isolation: wire codec, guards, judge messages, probe runtime, runner."""
import struct

import pytest
import torch
import torch.nn.functional as F

from checker import judge, manifest, probe, runner, wire
from checker.guards import CountOps, Forbid, ForbiddenCall
from checker.results import Status
from checker.suite import Case, Gen, Suite


# -- wire -------------------------------------------------------------------------------------

def test_wire_round_trips_plain_data_exactly():
    value = {"t": torch.randn(3, 4).T, "b": torch.tensor([True, False]), "e": torch.zeros(0, 2),
             "h": torch.randn(5, dtype=torch.bfloat16), "i": torch.arange(6).reshape(2, 3),
             "nested": (1, 2.5, float("-inf"), None, "text", [torch.ones(1, dtype=torch.float64)])}
    back = wire.decode(wire.encode(value))
    for key in ("t", "b", "e", "h", "i"):
        assert back[key].dtype == value[key].dtype and torch.equal(back[key], value[key])
    assert back["nested"][:5] == (1, 2.5, float("-inf"), None, "text")
    assert isinstance(back["nested"], tuple) and back["nested"][5][0].dtype == torch.float64


def test_wire_refuses_objects_and_subclasses_become_plain():
    class Sneaky(torch.Tensor):
        def __eq__(self, other):
            return True
    with pytest.raises(wire.WireError):
        wire.encode({"x": object()})
    sneaky = torch.ones(2).as_subclass(Sneaky)
    assert type(wire.decode(wire.encode(sneaky))) is torch.Tensor


@pytest.mark.parametrize("mangle", [
    lambda b: b[:-1],                                   # truncated
    lambda b: b + b"x",                                 # trailing junk
    lambda b: struct.pack("<Q", 10**9) + b[8:],         # header length lies
    lambda b: b"\x00" * 3,                              # not even a header
])
def test_wire_rejects_malformed_bytes(mangle):
    good = wire.encode({"x": torch.ones(3)})
    with pytest.raises(wire.WireError):
        wire.decode(mangle(good))


def test_wire_rejects_a_shape_that_disagrees_with_the_data():
    forged = wire.encode({"x": torch.ones(3)}).replace(b'"shape": [3]', b'"shape": [4]')
    with pytest.raises(wire.WireError):
        wire.decode(forged)


# -- guards -----------------------------------------------------------------------------------

def _forbidden_name(names, fn):
    try:
        with Forbid(names):
            fn()
    except ForbiddenCall as exc:
        return exc.name
    return None


@pytest.mark.parametrize("names, call, expected", [
    (["torch.gather"], lambda x: torch.gather(x, 1, torch.zeros(3, 1, dtype=torch.long)), "torch.gather"),
    (["torch.Tensor.gather"], lambda x: x.gather(1, torch.zeros(3, 1, dtype=torch.long)), "torch.Tensor.gather"),
    (["torch.nn.functional.layer_norm"], lambda x: F.layer_norm(x, (4,)), "torch.nn.functional.layer_norm"),
    (["torch.nn.LayerNorm"], lambda x: torch.nn.LayerNorm(4), "torch.nn.LayerNorm"),
    (["torch.optim"], lambda x: torch.optim.SGD([x], lr=0.1), "torch.optim"),
    (["torch.Tensor.backward"], lambda x: x.sum().backward(), "torch.Tensor.backward"),
    (["torch.autograd.grad"], lambda x: torch.autograd.grad(x.sum(), x), "torch.autograd.grad"),
    (["torch.func"], lambda x: torch.func.grad(lambda t: t.sum())(x.detach()), "torch.func.grad"),
    (["torch.nn.functional.dropout"], lambda x: torch.nn.Dropout(0.5)(x), "torch.nn.functional.dropout"),
    (["torch.gather"], lambda x: torch.ops.aten.gather(x, 1, torch.zeros(3, 1, dtype=torch.long)),
     "torch.ops.aten.gather"),
    (["torch.nn.functional.layer_norm"], lambda x: torch.ops.aten.native_layer_norm(x, [4], None, None, 1e-5),
     "torch.ops.aten.native_layer_norm"),
    # Private builtins that resolve_name cannot name: the same ops, refused under their own names.
    (["torch.softmax"], lambda x: torch._softmax(x, 1, False), "torch._softmax"),
    (["torch.nn.functional.log_softmax"], lambda x: torch._log_softmax(x, 1, False), "torch._log_softmax"),
    (["torch.nn.functional.cross_entropy"],
     lambda x: torch._C._nn.cross_entropy_loss(x, torch.zeros(3, dtype=torch.long)), "torch._C._nn.cross_entropy_loss"),
])
def test_forbidden_calls_are_refused_by_name(names, call, expected):
    assert _forbidden_name(names, lambda: call(torch.randn(3, 4, requires_grad=True))) == expected


def test_forbidding_a_backward_catches_pre_bound_imports_too():
    from torch.autograd import grad as bound_before
    x = torch.randn(3, requires_grad=True)
    assert _forbidden_name(["torch.autograd.grad"], lambda: bound_before(x.sum(), x)) is not None


def test_forbid_is_not_swallowed_by_except_exception_and_patches_are_restored():
    def sneaky():
        try:
            torch.nn.LayerNorm(3)
        except Exception:  # a learner trying to fall back silently
            return "fallback"
    assert _forbidden_name(["torch.nn.LayerNorm"], sneaky) == "torch.nn.LayerNorm"
    torch.nn.LayerNorm(3)
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)


def test_forbidding_an_op_still_allows_functions_that_use_it_internally():
    x = torch.randn(3, 4)
    assert _forbidden_name(["torch.gather"], lambda: F.cross_entropy(x, torch.zeros(3, dtype=torch.long))) is None
    assert _forbidden_name(["torch.gather"], lambda: x[torch.arange(3).unsqueeze(1), torch.zeros(3, 1).long()]) is None


def test_a_forbidden_name_forbids_its_in_place_twin():
    x = torch.randn(3, 4)
    assert _forbidden_name(["torch.clamp"], lambda: torch.clamp_(x, 0, 1)) == "torch.clamp_"
    assert _forbidden_name(["torch.Tensor.clamp"], lambda: x.clamp_(0, 1)) == "torch.Tensor.clamp_"
    assert _forbidden_name(["torch.Tensor.clamp"], lambda: torch.clamp(x, 0, 1)) is None
    assert _forbidden_name(["torch.nn.functional.relu"], lambda: torch.nn.functional.relu_(x)) is not None


def test_private_builtins_of_allowed_ops_still_run():
    x = torch.randn(3, 4)
    assert _forbidden_name(["torch.gather"], lambda: torch._softmax(x, 1, False)) is None
    assert _forbidden_name(["torch.Tensor.gather"], lambda: torch.gather(x, 1, torch.zeros(3, 1).long())) is None


def test_forbid_ignores_names_that_only_share_a_prefix():
    # torch.functional.einsum must not trip a "torch.func" ban.
    assert _forbidden_name(["torch.func"], lambda: torch.einsum("ij->i", torch.ones(2, 2))) is None


def test_op_count_grows_with_a_python_loop_but_not_when_vectorised():
    def loop(x):
        return torch.stack([row.sum() for row in x])

    def vectorised(x):
        return x.sum(1)

    def count(fn, n):
        with CountOps() as counter:
            fn(torch.ones(n, 3))
        return counter.count
    assert count(loop, 32) > count(loop, 4)
    assert count(vectorised, 32) == count(vectorised, 4)


# -- judge ------------------------------------------------------------------------------------

def described(value):
    return probe.describe(value)


def test_shape_mismatch_names_keepdim_and_refuses_broadcasting():
    message = judge.compare(described(torch.ones(3)), described(torch.ones(3, 1)))
    assert "shape (3, 1)" in message and "(3,)" in message and "keepdim" in message


def test_value_mismatch_reports_first_index_and_count():
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    got = expected.clone()
    got[1, 0] = 9.0
    got[1, 1] = 7.0
    message = judge.compare(described(expected), described(got))
    assert "first mismatch at index (1, 0): expected 3., got 9. (gap 6, relative 2)" in message
    assert "2 of 4 elements differ" in message


def test_dtype_device_and_type_mismatches_are_named():
    assert "dtype float64" in judge.compare(described(torch.ones(2)), described(torch.ones(2, dtype=torch.float64)))
    assert "a Python int" in judge.compare(7, described(torch.tensor(7)))
    assert "should be None" in judge.compare(None, described(torch.ones(1)))


def test_objects_claiming_equality_are_not_trusted():
    class Liar:
        def __eq__(self, other):
            return True
    class LyingTensor(torch.Tensor):
        pass
    assert "Liar object" in judge.compare(described(torch.ones(2)), described(Liar()))
    assert "subclass" in judge.compare(described(torch.ones(2)), described(torch.ones(2).as_subclass(LyingTensor)))


def test_tolerances_follow_torch_testing_defaults_per_dtype():
    x = torch.ones(4)
    assert judge.compare(described(x), described(x + 1e-6)) is None
    assert judge.compare(described(x.double()), described(x.double() + 1e-6)) is not None


# -- probe runtime ----------------------------------------------------------------------------

LEARNER = '''
import torch
def mutate(x):
    x.mul_(2)
    return x
def detach(x):
    return (x * 2).detach()
def crash(x):
    return x[99]
'''


def run_one(spec, source=LEARNER):
    ns = probe.load_source(source, "learner.py")
    return probe.run_probes(ns, [spec], "learner.py")[0]


def test_probe_records_input_mutation_and_broken_graphs():
    x = torch.ones(2, 3)
    assert run_one({"kind": "call", "target": "mutate", "args": [x]})["mutated"] == [0]
    assert torch.equal(x, torch.ones(2, 3)), "the probe must work on copies"
    assert "disconnected" in run_one({"kind": "call", "target": "detach", "args": [x], "grad": True})


def test_probe_keeps_only_the_learners_frames():
    err = run_one({"kind": "call", "target": "crash", "args": [torch.ones(2)]})["error"]
    assert err["type"] == "IndexError"
    assert [f[0] for f in err["frames"]] == ["learner.py"] and "x[99]" in err["frames"][0][3]


def test_serve_reports_syntax_errors_with_their_line():
    reply = wire.decode(probe.serve(wire.encode({"filename": "bad.py", "source": "def f(:\n", "specs": []})))
    assert reply["import_error"]["type"] == "SyntaxError"
    assert reply["import_error"]["frames"][0][:2] == ["bad.py", 1]


# -- suite and runner -------------------------------------------------------------------------

def test_cases_run_smallest_first():
    suite = Suite()

    @suite.function(grad=False)
    def double(g):
        yield Case(torch.ones(5, 5))
        yield Case(torch.ones(1))
        yield Case(torch.ones(2, 2))
    ref = type("Ref", (), {"double": staticmethod(lambda x: x * 2)})
    [check] = suite.plan(ref)
    assert [s["args"][0].numel() for s in check.specs] == [1, 4, 25]


def test_gen_is_deterministic_per_seed():
    assert torch.equal(Gen(3).randn(4), Gen(3).randn(4))
    assert not torch.equal(Gen(3).randn(4), Gen(4).randn(4))


def test_missing_and_broken_files_fail_only_their_kata(tmp_path):
    kata = manifest.get("04_indexing/gather")
    missing = runner.grade_kata(kata, runner.Target.from_file(tmp_path / "nope.py"), runner.InProcess())
    assert {t.status for t in missing.tests} == {Status.IMPORT_ERROR}
    assert "not found" in missing.tests[0].message
    broken = tmp_path / "gather.py"
    broken.write_text("import torch\n\ndef pick_per_row(data, cols)\n    return data\n")
    result = runner.grade_kata(kata, runner.Target.from_file(broken, "gather.py"), runner.InProcess())
    assert {t.status for t in result.tests} == {Status.IMPORT_ERROR}
    assert 'line 3' in result.tests[0].message and "SyntaxError" in result.tests[0].message


def test_exit_at_import_is_an_import_error_not_a_dead_grader(tmp_path):
    path = tmp_path / "gather.py"
    path.write_text("import sys\nsys.exit(0)\n")
    result = runner.grade_kata(manifest.get("gather"), runner.Target.from_file(path), runner.InProcess())
    assert {t.status for t in result.tests} == {Status.IMPORT_ERROR}
    assert "SystemExit" in result.tests[0].message


def test_a_reference_that_fails_its_own_case_is_a_suite_bug():
    suite = Suite()

    @suite.function(grad=False)
    def first(g):
        yield Case(torch.ones(0))   # invalid for this reference: nothing to index
    ref = type("Ref", (), {"first": staticmethod(lambda x: x[0])})
    [check] = suite.plan(ref)
    result = probe.run_probes(ref, check.specs)[0]
    assert "error" in result  # runner.plan turns exactly this into a RuntimeError


def test_resolve_device():
    assert runner.resolve_device("cpu") == "cpu"
    assert runner.devices_for("cpu") == ("cpu",)
    with pytest.raises(ValueError):
        runner.resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError):
            runner.resolve_device("cuda")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int64, torch.bool])
def test_the_light_closeness_rule_agrees_with_torch_testing(dtype):
    """judge.close avoids assert_close's heavy first-call imports; it must give the same answers."""
    g = torch.Generator().manual_seed(7)
    for trial in range(300):
        base = torch.randn(5, generator=g, dtype=torch.float64) * 10 ** float(torch.randint(-3, 4, (1,), generator=g))
        noise = torch.randn(5, generator=g, dtype=torch.float64) * 10 ** float(torch.randint(-9, 0, (1,), generator=g))
        expected, actual = base.to(dtype), (base + noise).to(dtype)
        if trial % 10 == 0 and dtype.is_floating_point:
            expected[1], actual[1] = float("nan"), float("nan")
            expected[2] = actual[2] = float("inf") if trial % 20 else -float("inf")
        try:
            torch.testing.assert_close(actual, expected, equal_nan=True)
            agrees = True
        except AssertionError:
            agrees = False
        assert judge.close(actual, expected) == agrees, (actual, expected)


CONTAINER_LEARNER = '''
import torch
def total(xs):
    return sum(x.sum() for x in xs)
def total_then_append(xs):
    xs.append(torch.zeros(1))
    return total(xs[:-1])
def total_then_pop(xs):
    out = total(xs)
    xs.pop()
    return out
def total_then_replace(xs):
    out = total(xs)
    xs[0] = xs[0].clone()
    return out
def total_then_swap(xs):
    out = total(xs)
    xs.reverse()
    return out
def scores_then_key(d):
    d["extra"] = 1
    return d["a"] * 2
def scores(d):
    return d["a"] * 2
'''


@pytest.mark.parametrize("target, changed", [
    ("total", False), ("total_then_append", True), ("total_then_pop", True), ("total_then_replace", True),
    ("total_then_swap", True), ("scores_then_key", True), ("scores", False)])
def test_a_changed_list_or_dict_argument_counts_as_a_mutation(target, changed):
    """Inputs left unmodified covers the containers too: an item added, removed, replaced or
    moved in a list or dict argument is recorded, although no tensor changed."""
    args = [{"a": torch.ones(2)}] if target.startswith("scores") else [[torch.ones(2), torch.ones(3)]]
    result = run_one({"kind": "call", "target": target, "args": args}, CONTAINER_LEARNER)
    assert "output" in result, result
    assert (probe.CONTAINER_CHANGED in result["mutated"]) == changed, result["mutated"]


def test_a_changed_container_is_named_in_the_message():
    from checker.suite import _mutated_label
    assert "list or dict" in _mutated_label(probe.CONTAINER_CHANGED, ["x"])
    assert _mutated_label(0, ["x"]) == "x" and _mutated_label(7, ["x"]) == "an input"
