"""`pytest exercises/` as a learner sees it, run through pytester on kata trees in tmp dirs."""
import re
import xml.etree.ElementTree as ET

import pytest

from checker import authoring, manifest

GATHER = "04_indexing/gather"


def stub_source(kata_id=GATHER):
    kata = manifest.get(kata_id)
    return authoring.render_stub(kata, kata.solution_path.read_text())


def reference_source(kata_id=GATHER):
    return manifest.get(kata_id).solution_path.read_text()


def with_body(name, body):
    """The reference with one graded function's body swapped for `body`."""
    source = reference_source()
    pattern = re.compile(rf"(def {name}\(.*?\n)(.*?)(    # BEGIN SOLUTION\n).*?(    # END SOLUTION\n)", re.S)
    return pattern.sub(lambda m: m.group(1) + m.group(2) + m.group(3) + body + m.group(4), source, count=1)


@pytest.fixture(autouse=True)
def workspace(pytester):
    """Each run happens in a kata workspace: outside one the plugin does nothing."""
    pytester.makefile(".toml", torchkata='[workspace]\ncourse = ""\n')


@pytest.fixture
def run(pytester):
    def go(source, *args):
        path = pytester.path / f"{GATHER}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        return pytester.runpytest("-p", "no:cacheprovider", f"{GATHER}.py", *args)
    return go


def test_untouched_stub_is_one_line_per_item_and_no_traceback(run):
    result = run(stub_source())
    assert result.ret == 1
    out = result.stdout.str()
    assert "3 not implemented" in out and "katas solved: 0/1" in out
    assert "Traceback" not in out and "NotImplementedError" not in out
    assert "next kata: 04_indexing/gather.py" in out


def test_reference_passes_and_counts_as_solved(run):
    result = run(reference_source())
    result.assert_outcomes(passed=3)
    assert "katas solved: 1/1" in result.stdout.str()


def test_wrong_values_report_call_smallest_input_expected_got_and_hint(run):
    result = run(with_body("pick_per_row", "    return torch.gather(data, 1, cols) * 2\n"))
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "pick_per_row(data=float32[1, 1], cols=int64[1, 1])" in out
    assert "smallest failing input (case 1 of" in out
    assert "expected:" in out and "got:" in out and "first mismatch at index (0, 0)" in out
    assert "kata hint 04_indexing/gather" in out
    assert "checker/" not in out, "checker internals must stay out of the report"


def test_learner_exception_shows_the_learners_own_frame(run):
    result = run(with_body("gather_2d", "    oops = data[index.shape[0] + 100]\n    return oops\n"))
    out = result.stdout.str()
    assert re.search(r'File ".*04_indexing/gather\.py", line \d+, in gather_2d', out)
    assert "oops = data[index.shape[0] + 100]" in out and "IndexError" in out
    assert "probe.py" not in out and "runner.py" not in out


def test_forbidden_call_is_named(run):
    result = run(with_body("gather_2d", "    return data.gather(dim, index)\n"))
    assert "gather_2d called torch.Tensor.gather, which this kata forbids" in result.stdout.str()


def test_python_loop_is_reported_as_not_vectorised(run):
    loop = ("    rows = [data[i, cols[i, 0]] for i in range(data.shape[0])]\n"
            "    return torch.stack(rows).unsqueeze(1)\n")
    result = run(with_body("pick_per_row", loop))
    assert "your op count grows with `n`" in result.stdout.str()
    assert "look for a Python loop" in result.stdout.str()


def test_mutating_an_input_is_caught(run):
    body = "    out = torch.gather(data, 1, cols).clone()\n    data.zero_()\n    return out\n"
    assert "modified its input (data) in place" in run(with_body("pick_per_row", body)).stdout.str()


def test_broken_graph_is_caught(run):
    body = "    return torch.gather(data, 1, cols).detach()\n"
    assert "not connected to the autograd graph" in run(with_body("pick_per_row", body)).stdout.str()


def test_k_selects_items(run):
    result = run(reference_source(), "-k", "gather_2d")
    result.assert_outcomes(passed=1, deselected=2)


def test_x_stops_at_the_first_failure(run):
    result = run(stub_source(), "-x")
    assert "1 not implemented" in result.stdout.str() and "stopping after 1 failures" in result.stdout.str()


def test_last_failed_reruns_only_failures(pytester):
    path = pytester.path / f"{GATHER}.py"
    path.parent.mkdir(parents=True)
    path.write_text(with_body("token_log_probs", "    return logits[..., 0]\n"))
    pytester.runpytest(f"{GATHER}.py").assert_outcomes(passed=2, failed=1)
    rerun = pytester.runpytest(f"{GATHER}.py", "--lf")
    rerun.assert_outcomes(failed=1, deselected=2)


def test_junitxml_has_one_testcase_per_graded_name(run, pytester):
    run(stub_source(), "--junitxml=report.xml")
    cases = ET.parse(pytester.path / "report.xml").getroot().iter("testcase")
    names = sorted(c.get("name") for c in cases)
    assert names == ["gather_2d", "pick_per_row", "token_log_probs"]


def test_markers_are_registered_and_selectable(run):
    result = run(reference_source(), "--strict-markers", "-m", "kata", "-q")
    result.assert_outcomes(passed=3)


def test_items_get_a_default_timeout(pytester):
    path = pytester.path / f"{GATHER}.py"
    path.parent.mkdir(parents=True)
    path.write_text(reference_source())
    items, _ = pytester.inline_genitems(f"{GATHER}.py")
    assert all(item.get_closest_marker("timeout") for item in items)


def test_endless_loop_is_stopped_and_reported_as_timeout(pytester):
    # A subprocess: pytest-timeout's SIGALRM cannot be nested inside this test run's own.
    path = pytester.path / f"{GATHER}.py"
    path.parent.mkdir(parents=True)
    path.write_text(with_body("pick_per_row", "    while True:\n        pass\n"))
    result = pytester.runpytest_subprocess(f"{GATHER}.py", "--timeout", "3", "-k", "pick_per_row")
    out = result.stdout.str()
    assert "did not finish within the time limit" in out and "endless loop" in out


def test_runs_under_xdist(run):
    pytest.importorskip("xdist")
    result = run(reference_source(), "-n", "2")
    result.assert_outcomes(passed=3)
    assert "katas solved: 1/1" in result.stdout.str()


def test_device_option_rejects_unknown_devices(run):
    result = run(reference_source(), "--kata-device", "tpu")
    assert result.ret != 0


# ---------------------------------------------------------------------------------------------
# Outside a kata workspace the plugin keeps to itself


def test_an_unrelated_project_is_left_alone(pytester):
    (pytester.path / "torchkata.toml").unlink()          # not a workspace any more
    pytester.makeconftest("""
        def pytest_addoption(parser):
            parser.addoption("--device", default="cpu")   # the name a kata option once had
            parser.addoption("--seed", type=int, default=0)
    """)
    pytester.makepyfile(test_project="def test_device(request):\n"
                                     "    assert request.config.getoption('device') == 'cpu'\n")
    (pytester.path / GATHER).parent.mkdir(parents=True, exist_ok=True)
    (pytester.path / f"{GATHER}.py").write_text(stub_source())    # named like a kata file
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", ".", f"{GATHER}.py",
                                           "--strict-markers")
    result.assert_outcomes(passed=1)
    out = result.stdout.str()
    assert "collected 1 item" in out and "- torchkata -" not in out and "katas solved" not in out


def test_warnings_as_errors_are_clean_in_a_workspace(run):
    result = run(reference_source(), "-W", "error", "-p", "no:xdist")
    result.assert_outcomes(passed=3)


def test_warnings_as_errors_in_a_fresh_process(pytester):
    # A fresh interpreter imports torch under -W error, where a warning raised mid-import (such
    # as torch's "Failed to initialize NumPy") would crash it.
    (pytester.path / GATHER).parent.mkdir(parents=True, exist_ok=True)
    (pytester.path / f"{GATHER}.py").write_text(reference_source())
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider", f"{GATHER}.py")
    result.assert_outcomes(passed=3)
    assert "Warning" not in result.stdout.str()
