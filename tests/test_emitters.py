"""Golden-file and structural tests for checker.emitters.

The golden files under tests/golden/ pin every format byte for byte. After an intended
change to a format, regenerate them with

    TORCHKATA_UPDATE_GOLDEN=1 pytest tests/test_emitters.py

and review the diff like any other code change.
"""
from __future__ import annotations

import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker import emitters
from checker.results import GradeReport, KataResult, Status
# Aliased so pytest does not try to collect the dataclass as a test class.
from checker.results import TestResult as Result

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TORCHKATA_UPDATE_GOLDEN") == "1"
GOLDEN_FILES = {"text": "report.txt", "json": "report.json", "gradescope": "gradescope.json",
                "exercism": "exercism.json", "junit": "junit.xml"}

# Written down here, not imported from the module under test, so the mapping is checked.
EXERCISM_STATUS = {
    Status.PASSED: "pass", Status.FAILED: "fail", Status.FORBIDDEN: "fail",
    Status.NOT_VECTORISED: "fail", Status.NOT_IMPLEMENTED: "fail", Status.ERROR: "error",
    Status.IMPORT_ERROR: "error", Status.CRASHED: "error", Status.TIMEOUT: "error",
    Status.MEMORY: "error",
}
JUNIT_TAG = {status: {"pass": None, "fail": "failure", "error": "error"}[word]
             for status, word in EXERCISM_STATUS.items()}
HOSTILE = "bad bytes: \x00\x07\x1b[31mred\x1b[0m \x0b\x0c lone \ud800 \ufffe\uffff ok: é ✓ 𝛁 \t tab"


def sample_report() -> GradeReport:
    """Three katas: one solved, one wrong in three different ways, one that cannot import."""
    def t(kata, name, status, message="", max_score=1.0):
        return Result(kata, name, status, message,
                          score=max_score if status is Status.PASSED else 0.0, max_score=max_score)

    red, gat, gd = "03_reductions/reductions", "04_indexing/gather", "07_gradient_descent/gd_step"
    import_error = ("could not import gd_step.py\n"
                    "  SyntaxError: expected ':' (gd_step.py, line 12)\n"
                    "      def sgd_step_(params, lr)")
    return GradeReport(
        katas=[
            KataResult(red, "Reductions over rows and columns", duration_s=0.412, tests=[
                t(red, "column_sums", Status.PASSED), t(red, "row_sums", Status.PASSED),
                t(red, "masked_mean", Status.PASSED), t(red, "logsumexp", Status.PASSED)]),
            KataResult(gat, "Picking entries by index", duration_s=0.3, tests=[
                t(gat, "pick_per_row", Status.FAILED,
                  "pick_per_row(data, cols) returned wrong values\n"
                  "  smallest failing input: data float32 (2, 3), cols int64 (2, 1)\n"
                  "  first mismatch at [1, 0]: expected 5.0, got 4.0\n"
                  "stuck? run `kata hint 04_indexing/gather`"),
                t(gat, "gather_2d", Status.FORBIDDEN,
                  "gather_2d called torch.gather, which this kata forbids\n"
                  "  build the result from index arithmetic instead", max_score=2.0),
                t(gat, "token_log_probs", Status.NOT_IMPLEMENTED,
                  "not implemented yet: fill in token_log_probs in 04_indexing/gather.py "
                  "(stuck? run `kata hint 04_indexing/gather`)")]),
            KataResult(gd, "Gradient descent by hand", duration_s=0.05, tests=[
                t(gd, "sgd_step_", Status.IMPORT_ERROR, import_error),
                t(gd, "fit_linear_regression", Status.IMPORT_ERROR, import_error)]),
        ],
        execution_time_s=1.875,
        metadata={
            "torchkata_version": "0.1.0",
            "device": "cpu",
            "isolation": "subprocess",
            "warnings": ["no OS sandbox: learner code could read files the grader can read"],
            "captured_output": {
                f"{red}::column_sums": "torch.Size([4])\n",
                f"{gat}::pick_per_row": "row 0 picks column 2\n" * 40,
            },
        },
    )


def report_of(*statuses: Status) -> GradeReport:
    tests = [Result("k/one", f"f{i}", s, message=f"{s.value} message",
                        score=float(s.passed)) for i, s in enumerate(statuses)]
    return GradeReport(katas=[KataResult("k/one", "One", tests=tests)], execution_time_s=0.5)


# ------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("fmt", emitters.FORMATS)
def test_format_matches_golden_file(fmt):
    rendered = emitters.render(sample_report(), fmt)
    golden = GOLDEN / GOLDEN_FILES[fmt]
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(rendered.encode("utf-8"))
        pytest.skip(f"regenerated {golden.name}")
    assert rendered == golden.read_bytes().decode("utf-8"), (
        f"{fmt} output changed; if intended, regenerate with TORCHKATA_UPDATE_GOLDEN=1")


def test_write_returns_what_render_produces():
    report = sample_report()
    for fmt in emitters.FORMATS:
        assert emitters.write(report, fmt, None) == emitters.render(report, fmt)


# ------------------------------------------------------------------------- text


def test_text_report_marks_katas_and_explains_failures():
    text = emitters.to_text(sample_report())
    lines = text.splitlines()
    assert lines[0] == "✓ 03_reductions/reductions · Reductions over rows and columns · 4/4"
    assert "✗ 04_indexing/gather · Picking entries by index · 0/4" in lines
    assert any(line.strip() == "first mismatch at [1, 0]: expected 5.0, got 4.0" for line in lines)
    # The shared import error is printed once, then referred to.
    assert text.count("SyntaxError") == 1 and "(same as above)" in text
    assert "katas solved: 1/3 · score 4/10" in lines
    assert "device: cpu" in lines and "isolation: subprocess" in lines
    assert any(line.startswith("warnings: no OS sandbox") for line in lines)
    assert "captured" not in text  # machine-only metadata stays out of the human report


# ------------------------------------------------------------------------- json


def test_json_is_the_report_dict():
    report = sample_report()
    assert json.loads(emitters.to_json(report)) == report.to_dict()


# ------------------------------------------------------------------------- gradescope


def test_gradescope_structure():
    report = sample_report()
    result = emitters.to_gradescope(report)
    json.dumps(result)
    tests = result["tests"]
    scored = [t for t in tests if "score" in t]
    assert len(scored) == len(report.tests)
    assert math.isclose(sum(t["score"] for t in scored), result["score"])
    assert math.isclose(result["score"], report.score)
    assert all(t["max_score"] >= t["score"] >= 0 for t in scored)
    assert {t["status"] for t in tests} <= {"passed", "failed"}
    assert {t["visibility"] for t in tests} <= set(emitters.GRADESCOPE_VISIBILITIES)
    assert len({t["number"] for t in tests}) == len(tests)
    for entry in tests:
        kata_id = entry["tags"][0]
        assert entry["name"].startswith(kata_id)
    names = {t["name"]: t for t in scored}
    assert names["04_indexing/gather::gather_2d"]["output"].startswith("forbidden-op: gather_2d called")
    assert names["04_indexing/gather::gather_2d"]["max_score"] == 2.0
    assert names["03_reductions/reductions::row_sums"] | {"status": "passed", "number": "1.2"} == \
        names["03_reductions/reductions::row_sums"]
    summaries = [t for t in tests if "kata-summary" in t["tags"]]
    assert [s["status"] for s in summaries] == ["passed", "failed", "failed"]
    assert result["execution_time"] == 1.88
    assert result["output_format"] == "text" and result["stdout_visibility"] == "hidden"
    assert result["output"] == "katas solved: 1/3 · score 4/10"
    assert result["extra_data"]["isolation"] == "subprocess" and "captured_output" not in result["extra_data"]


def test_gradescope_students_see_no_grader_internals_and_no_kata_commands():
    """What students read (`output` everywhere) holds their results and what happened to their
    files; the seed, versions, devices and isolation go to `extra_data`, which they never see."""
    from checker import manifest, runner
    kata = manifest.get("04_indexing/gather")
    report = GradeReport(katas=[KataResult(kata.id, kata.title, tests=[
        runner.finish(kata, "pick_per_row", runner.verdict_of(Status.FAILED, "wrong values at [1]")),
        runner.finish(kata, "gather_2d", runner.verdict_of(Status.NOT_IMPLEMENTED, "")),
        runner.finish(kata, "token_log_probs", None)])], metadata={
        "submission": "submission", "seed": 123456789, "devices": ["cpu"], "torchkata": "0.1.0",
        "isolation": {"level": "uid", "protections": ["rlimits"], "warnings": ["no network namespace"]},
        "rejected": ["conftest.py: files that change how Python or pytest start up are never accepted"]})
    assert "kata hint" in emitters.to_text(report)       # the local CLI keeps its suggestions
    result = emitters.to_gradescope(report)
    visible = [result["output"]] + [t["output"] for t in result["tests"]]
    for text in visible:
        for secret in ("123456789", "seed", "uid", "rlimits", "namespace", "0.1.0", "torchkata", "kata hint",
                       "`kata"):
            assert secret not in text, (secret, text)
    assert "rejected: conftest.py: files that change how Python" in result["output"]
    outputs = {t["name"]: t["output"] for t in result["tests"] if "score" in t}
    assert outputs[f"{kata.id}::pick_per_row"] == "failed: wrong values at [1]"
    assert outputs[f"{kata.id}::gather_2d"] == ("not-implemented: not implemented yet: fill in gather_2d in "
                                                f"{kata.relpath}")
    assert result["extra_data"] == {"devices": ["cpu"], "isolation": report.metadata["isolation"],
                                    "seed": 123456789, "submission": "submission", "torchkata": "0.1.0"}


def test_gradescope_hidden_after_due_date_keeps_totals_visible():
    result = emitters.to_gradescope(sample_report(), hidden_after_due=True)
    assert result["visibility"] == "visible"
    for entry in result["tests"]:
        expected = "visible" if "kata-summary" in entry["tags"] else "after_due_date"
        assert entry["visibility"] == expected, entry["name"]


def test_gradescope_rejects_unknown_visibility():
    with pytest.raises(ValueError, match="visibility"):
        emitters.to_gradescope(sample_report(), visibility="secret")


# ------------------------------------------------------------------------- exercism


def test_exercism_structure():
    report = sample_report()
    result = emitters.to_exercism(report)
    assert result["version"] == 3 and result["status"] == "fail" and result["message"] is None
    assert [t["name"] for t in result["tests"]] == [t.test_id for t in report.tests]
    assert [t["task_id"] for t in result["tests"]] == [1, 1, 1, 1, 2, 2, 2, 3, 3]
    for entry, test in zip(result["tests"], report.tests):
        assert entry["status"] == EXERCISM_STATUS[test.status]
        assert len(entry.get("output", "")) <= emitters.EXERCISM_OUTPUT_LIMIT
        assert (entry["message"] is None) == test.status.passed
    outputs = {t["name"]: t.get("output") for t in result["tests"]}
    assert outputs["03_reductions/reductions::column_sums"] == "torch.Size([4])\n"
    cut = outputs["04_indexing/gather::pick_per_row"]
    assert len(cut) == emitters.EXERCISM_OUTPUT_LIMIT and cut.endswith("(output cut to 500 characters)")
    assert outputs["04_indexing/gather::gather_2d"] is None
    # What GitHub Classroom's reporter adds up.
    assert result["max_score"] == report.max_score
    assert sum(t["score"] for t in result["tests"]) == report.score


@pytest.mark.parametrize("status", list(Status))
def test_exercism_and_junit_map_every_status(status):
    exercism = emitters.to_exercism(report_of(Status.PASSED, status))
    assert exercism["tests"][1]["status"] == EXERCISM_STATUS[status]
    case = ET.fromstring(emitters.to_junit(report_of(status))).find("testsuite/testcase")
    tags = [child.tag for child in case]
    assert tags == ([JUNIT_TAG[status]] if JUNIT_TAG[status] else [])


def test_exercism_overall_status():
    assert emitters.to_exercism(report_of(Status.PASSED, Status.PASSED))["status"] == "pass"
    assert emitters.to_exercism(report_of(Status.PASSED, Status.TIMEOUT))["status"] == "fail"
    # Code that ran and raised is a per-test error; the learner still sees each message.
    assert emitters.to_exercism(report_of(Status.ERROR, Status.ERROR))["status"] == "fail"
    broken = emitters.to_exercism(report_of(Status.IMPORT_ERROR, Status.IMPORT_ERROR))
    assert broken["status"] == "error" and "import-error message" in broken["message"]
    assert len(broken["tests"]) == 2  # GitHub Classroom reads tests even on error
    empty = emitters.to_exercism(GradeReport())
    assert empty["status"] == "error" and empty["message"] and empty["tests"] == []


# ------------------------------------------------------------------------- junit


def test_junit_counts_match_the_report():
    report = sample_report()
    root = ET.fromstring(emitters.to_junit(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [k.kata_id for k in report.katas]
    for suite, kata in zip(suites, report.katas):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases) == len(kata.tests)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("errors")) == sum(c.find("error") is not None for c in cases)
        assert {c.get("classname") for c in cases} == {kata.kata_id}
        assert math.isclose(sum(float(c.get("time")) for c in cases), float(suite.get("time")),
                            abs_tol=0.002)
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in suites)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("9", "3", "2")
    failure = root.find("testsuite[@name='04_indexing/gather']/testcase[@name='pick_per_row']/failure")
    assert failure.get("message") == "failed: pick_per_row(data, cols) returned wrong values"
    assert "first mismatch at [1, 0]" in failure.text


# ------------------------------------------------------------------------- hostile text


def test_control_characters_and_lone_surrogates_still_give_valid_files(tmp_path):
    report = report_of(Status.FAILED, Status.ERROR)
    report.katas[0].title = HOSTILE
    report.katas[0].tests[0].message = HOSTILE
    report.metadata = {"warnings": [HOSTILE], "captured_output": {"k/one::f0": HOSTILE}}
    for fmt in emitters.FORMATS:
        text = emitters.write(report, fmt, tmp_path / fmt)  # must encode as UTF-8
        assert "\x00" not in text and "\x1b" not in text and "\ud800" not in text
        if fmt in ("json", "gradescope", "exercism"):
            json.loads((tmp_path / fmt).read_text(encoding="utf-8"))
    root = ET.parse(tmp_path / "junit").getroot()
    message = root.find("testsuite/testcase/failure").text
    assert message == "bad bytes: [31mred[0m  lone \ufffd  ok: é ✓ 𝛁 \t tab"
    assert "é ✓ 𝛁" in json.loads((tmp_path / "gradescope").read_text("utf-8"))["tests"][1]["output"]


def test_clean_text_keeps_everything_xml_allows():
    allowed = "\t\n\r plain ascii, ümlaut, ✓, \u2028, \ud7ff, \ue000, \ufffd, \U00010000, \U0010ffff"
    assert emitters.clean_text(allowed) == allowed
    assert emitters.clean_text("a\x00b\x08c\x1fd\ufffee\uffff") == "abcde"


# ------------------------------------------------------------------------- atomic write


def test_write_replaces_the_file_and_leaves_no_temporary_behind(tmp_path):
    out = tmp_path / "results" / "results.json"
    text = emitters.write(sample_report(), "gradescope", out, hidden_after_due=True)
    assert out.read_text(encoding="utf-8") == text
    emitters.write(report_of(Status.PASSED), "gradescope", out)
    assert json.loads(out.read_text(encoding="utf-8"))["score"] == 1.0
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["results", "results.json"]


def test_failed_write_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    out = tmp_path / "results.json"
    out.write_text("previous results", encoding="utf-8")

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(emitters.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        emitters.write(sample_report(), "json", out)
    assert out.read_text(encoding="utf-8") == "previous results"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_one_registry_of_formats_serves_the_cli_and_the_batch_files():
    from checker.cli import build_parser
    grade = build_parser()._subparsers._group_actions[0].choices["grade"]
    [option] = [a for a in grade._actions if "--format" in a.option_strings]
    assert list(option.choices) == list(emitters.FORMATS)
    for name, fmt in emitters.FORMATS.items():
        assert fmt.name == name and fmt.extension and fmt.description in option.help
        rendered = emitters.render(report_of(Status.PASSED), name)
        if fmt.extension == "json":
            json.loads(rendered)
        elif fmt.extension == "xml":
            ET.fromstring(rendered)


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        emitters.write(sample_report(), "csv", None)
