"""Every status of the result model comes out of a real `kata grade` run, and the CLI's exit codes.

One small submission per status (03_reductions/reductions with one thing wrong, next to a correct
04_indexing/gather), all graded in one sandboxed `kata grade --batch`. The single-submission and
bad-usage runs for the exit codes start at the same time, so the suite pays the CLI's start-up
(`import torch`) once in wall time, not once per run.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker import ROOT
from checker.results import Status

KATA = "03_reductions/reductions"
OTHER = "04_indexing/gather"
GRADED = ("column_sums", "row_sums", "masked_mean", "logsumexp")
TIMEOUT_S = 3
REFERENCE = (ROOT / "solutions" / f"{KATA}.py").read_text()
STUB = (ROOT / "exercises" / f"{KATA}.py").read_text()


def replacing(name: str, body: str) -> str:
    """The reference with the graded function `name` redefined after it (same signature)."""
    signature = {"column_sums": "scores", "row_sums": "scores", "masked_mean": "x, mask, dim",
                 "logsumexp": "x, dim"}[name]
    code = "\n".join("    " + line for line in body.strip().splitlines())
    return f"{REFERENCE}\n\ndef {name}({signature}):\n{code}\n"


# status -> (source of the kata file, the graded names that must get it; the rest must pass)
CASES = {
    Status.PASSED: (REFERENCE, ()),
    # Summing over the wrong dim: runs fine, wrong shape and values.
    Status.FAILED: (replacing("column_sums", "return scores.sum(dim=1)"), ("column_sums",)),
    Status.ERROR: (replacing("row_sums", "raise ValueError('rows are hard')"), ("row_sums",)),
    Status.FORBIDDEN: (replacing("logsumexp", "return torch.logsumexp(x, dim)"), ("logsumexp",)),
    # Right values, one sum per column in a Python loop: the op count grows with the input.
    Status.NOT_VECTORISED: (replacing("column_sums", """
return torch.stack([scores[:, j].sum() for j in range(scores.shape[1])])
"""), ("column_sums",)),
    Status.MEMORY: (replacing("masked_mean", "return torch.empty(10**11).fill_(0.0)"), ("masked_mean",)),
    # The rest stop the whole child, so every graded name of the kata gets the status.
    Status.TIMEOUT: (replacing("logsumexp", "while True:\n    pass"), GRADED),
    Status.CRASHED: (replacing("row_sums", "import os\nos.abort()"), GRADED),
    Status.IMPORT_ERROR: (REFERENCE.replace("def row_sums(scores: torch.Tensor) -> torch.Tensor:",
                                            "def row_sums(scores: torch.Tensor) -> torch.Tensor"), GRADED),
    Status.NOT_IMPLEMENTED: (STUB, GRADED),
}


def grade_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "checker", "grade", *args]


def make_submission(folder: Path, source: str) -> Path:
    (folder / KATA).parent.mkdir(parents=True, exist_ok=True)
    (folder / f"{KATA}.py").write_text(source)
    (folder / OTHER).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "solutions" / f"{OTHER}.py", folder / f"{OTHER}.py")
    return folder


def grade_everything(base: Path) -> dict:
    """All the grader runs this module needs, started together. Returns, as JSON data, each run's
    exit code and output, and the results files they wrote."""
    for status, (source, _) in CASES.items():
        make_submission(base / "batch" / status.value, source)
    passing = make_submission(base / "passing", REFERENCE)
    failing = make_submission(base / "failing", CASES[Status.FAILED][0])
    common = ["--format", "json", "--seed", "0", "--timeout", str(TIMEOUT_S), "--kata", KATA, "--kata", OTHER]
    commands = {
        "batch": grade_command("--batch", str(base / "batch"), "--out-dir", str(base / "out"), "-j", "2", *common),
        "all-pass": grade_command(str(passing), "--out", str(base / "out" / "all-pass.json"), *common),
        "some-fail": grade_command(str(failing), "--out", str(base / "out" / "some-fail.json"), *common),
        "unknown-kata": grade_command(str(passing), "--kata", "99_nowhere/nothing", "--format", "json"),
        "missing-dir": grade_command(str(base / "no-such-submission"), "--format", "json"),
        "batch-without-out-dir": grade_command("--batch", str(base / "batch"), "--format", "json"),
        "no-submission": grade_command("--format", "json"),
    }
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, cmd in commands.items()}
    runs = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        runs[name] = [proc.returncode, stdout, stderr]
    files = {p.name: p.read_text() for p in (base / "out").iterdir()} if (base / "out").is_dir() else {}
    return {"runs": runs, "files": files}


@pytest.fixture(scope="module")
def runs(once) -> dict:
    graded = once("statuses", grade_everything)
    return {**graded["runs"], "files": graded["files"]}


def report_of(runs, status: Status) -> dict:
    return json.loads(runs["files"][f"{status.value}.json"])


def kata_tests(report: dict, kata_id: str) -> dict[str, dict]:
    [kata] = [k for k in report["katas"] if k["kata_id"] == kata_id]
    return {t["name"]: t for t in kata["tests"]}


def test_every_status_has_a_case():
    assert set(CASES) == set(Status)
    sources = [source for source, _ in CASES.values()]
    assert len(set(sources)) == len(sources)          # e.g. the syntax error really was introduced


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_status_is_produced_by_a_real_submission(runs, status):
    assert runs["batch"][0] == 0, runs["batch"][2][-3000:]
    report = report_of(runs, status)
    assert report["metadata"]["isolation"]["level"] != "none"          # graded in the sandbox
    _, names = CASES[status]
    tests = kata_tests(report, KATA)
    assert set(tests) == set(GRADED)
    for name, test in tests.items():
        want = status if name in names or status is Status.PASSED else Status.PASSED
        assert test["status"] == want.value, (name, test["status"], test["message"][:2000])
        assert test["score"] == (1.0 if want is Status.PASSED else 0.0)
    # A broken kata never affects another kata's result.
    assert {t["status"] for t in kata_tests(report, OTHER).values()} == {"passed"}


# What each message must say, so a learner can act on it.
MESSAGES = {
    Status.FAILED: ("column_sums", "shape"),
    Status.ERROR: ("ValueError: rows are hard", f"{KATA}.py"),
    Status.FORBIDDEN: ("torch.logsumexp", "forbids"),
    Status.NOT_VECTORISED: ("op count grows",),
    Status.MEMORY: ("out of memory",),
    Status.TIMEOUT: (f"within {TIMEOUT_S} s",),
    Status.CRASHED: ("SIGABRT",),
    Status.IMPORT_ERROR: ("SyntaxError",),
    Status.NOT_IMPLEMENTED: ("not implemented yet",),
}


@pytest.mark.parametrize("status", list(MESSAGES), ids=lambda s: s.value)
def test_status_message_says_what_happened(runs, status):
    messages = [t["message"] for t in kata_tests(report_of(runs, status), KATA).values()
                if t["status"] == status.value]
    assert messages
    for words in MESSAGES[status]:
        assert words in messages[0], messages[0][:2000]


def test_a_syntax_error_names_its_line(runs):
    message = kata_tests(report_of(runs, Status.IMPORT_ERROR), KATA)["row_sums"]["message"]
    line = next(i for i, text in enumerate(CASES[Status.IMPORT_ERROR][0].splitlines(), start=1)
                if text.startswith("def row_sums("))
    assert re.search(rf"line {line}\b", message), message


def test_the_batch_summary_agrees_with_each_report(runs):
    rows = list(csv.DictReader(io.StringIO(runs["files"]["summary.csv"])))
    assert list(rows[0]) == ["submission", "results_file", "score", "max_score", KATA, OTHER, "note"]
    assert all(row["results_file"] == f"{row['submission']}.json" for row in rows)
    summary = {row["submission"]: [float(row[k]) for k in ("score", "max_score", KATA, OTHER)] for row in rows}
    assert set(summary) == {s.value for s in Status}      # the batch only: --out files are not submissions
    for status in Status:
        report = report_of(runs, status)
        per_kata = [sum(t["score"] for t in kata_tests(report, k).values()) for k in (KATA, OTHER)]
        max_score = sum(t["max_score"] for k in report["katas"] for t in k["tests"])
        assert summary[status.value] == [sum(per_kata), max_score, *per_kata]
    assert summary["passed"][0] == summary["passed"][1] == len(GRADED) + len(kata_tests(report, OTHER))


def test_exit_code_0_when_everything_passes(runs):
    code, _, stderr = runs["all-pass"]
    assert code == 0, stderr[-3000:]
    report = json.loads(runs["files"]["all-pass.json"])
    assert {t["status"] for k in report["katas"] for t in k["tests"]} == {"passed"}


def test_exit_code_1_when_something_fails(runs):
    code, _, stderr = runs["some-fail"]
    assert code == 1, stderr[-3000:]
    report = json.loads(runs["files"]["some-fail.json"])
    assert kata_tests(report, KATA)["column_sums"]["status"] == "failed"


@pytest.mark.parametrize("run, words", [
    ("unknown-kata", "99_nowhere/nothing"),
    ("missing-dir", "does not exist"),
    ("batch-without-out-dir", "--out-dir"),
    ("no-submission", "DIR"),
])
def test_exit_code_2_for_bad_usage(runs, run, words):
    code, stdout, stderr = runs[run]
    assert code == 2, (stdout[-2000:], stderr[-2000:])
    assert words in stderr and stdout == ""
