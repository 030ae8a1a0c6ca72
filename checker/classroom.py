"""Hand torchkata's grades to GitHub Classroom's grading reporter.

The reporter (classroom-resources/autograding-grading-reporter) takes a list of runner ids
and, for each id, reads the environment variable `<ID upper-cased>_RESULTS`: base64 of a JSON
document shaped like the one its own graders write:

    {"version": 1, "status": "pass" | "fail" | "error", "max_score": N,
     "tests": [{"name", "status", "score", "message", "test_code", "filename", "line_no"}]}

It adds up each test's `score` against `max_score` for the points it reports, prints each
test's name (and `message` when the status is not "pass"), and fails the job when `status` is
"fail" or "error". torchkata's Exercism v3 results already carry those statuses plus `score`
and `max_score`; this module turns them into that shape, so the emitters stay as they are.

Run in the workflow as

    python -m checker.classroom RESULTS.json --grade-status N [--github-output PATH]
        [--step-summary PATH] [--exercises DIR] [--install SPEC]

It always sets the step output `result`: when `kata grade` wrote nothing readable, the result
is an error worth 0 of the assignment's points, saying why. It also tells the student why each
test failed, in two places: the job log (with an error annotation per failing test) and the
run's summary page ($GITHUB_STEP_SUMMARY), each with the command that re-runs the kata in the
student's own repository.

Learner text (messages, what their code printed) is printed between `::stop-commands::` markers
with a token the learner cannot guess, so nothing it holds is taken as a workflow command, and
it sits in fenced code blocks in the summary, so it is never rendered as Markdown or HTML.
"""
from __future__ import annotations

import argparse
import base64
import html
import json
import os
import re
import secrets
import sys
from pathlib import Path

STATUSES = ("pass", "fail", "error")
MESSAGE_LIMIT = 4000        # the reporter prints messages into the job log; keep them readable
ANNOTATION_LIMIT = 10       # GitHub shows at most 10 error annotations per step
MARKS = {"pass": "✅", "fail": "❌", "error": "⚠️"}


class ResultsError(ValueError):
    """The Exercism results are not in the shape torchkata writes."""


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ResultsError(f"{what} is {value!r}, not a number")
    return value


def check_command(kata_id: str, exercises: str = "exercises") -> str:
    """The command that re-runs one kata on the student's own copy of their repository.

    `--dir` points at the repository's exercises, not at the installed torchkata's own ones."""
    return f"kata check {kata_id} --dir {exercises}"


def from_exercism(data, *, exercises: str = "exercises") -> dict:
    """The reporter's result document for torchkata's Exercism v3 results.json."""
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise ResultsError("the results are not an object with a list of tests")
    if data.get("status") not in STATUSES:
        raise ResultsError(f"the overall status is {data.get('status')!r}")
    tests = []
    for position, test in enumerate(data["tests"], start=1):
        if not isinstance(test, dict) or not isinstance(test.get("name"), str):
            raise ResultsError(f"test {position} has no name")
        if test.get("status") not in STATUSES:
            raise ResultsError(f"{test['name']} has status {test.get('status')!r}")
        kata_id = test["name"].split("::")[0]
        message = test.get("message") or ""
        if test.get("output"):
            message = f"{message}\n\nyour code printed:\n{test['output']}".lstrip("\n")
        tests.append({
            "name": test["name"],
            "status": test["status"],
            "score": _number(test.get("score"), f"the score of {test['name']}"),
            "message": message[:MESSAGE_LIMIT],
            # The suites are hidden, so instead of test code: the command that re-runs this
            # kata on the learner's own machine.
            "test_code": check_command(kata_id, exercises),
            "filename": f"{exercises}/{kata_id}.py",
            "line_no": 0,
        })
    return {"version": 1, "status": data["status"],
            "max_score": _number(data.get("max_score"), "max_score"), "tests": tests}


def error_result(message: str, max_score: float) -> dict:
    """What the reporter gets when there is nothing to convert: one errored test, 0 points."""
    return {"version": 1, "status": "error", "max_score": max_score, "tests": [{
        "name": "torchkata grader", "status": "error", "score": 0, "message": message,
        "test_code": "", "filename": "", "line_no": 0}]}


def full_marks() -> float:
    """The assignment's points (one per graded name), so a failed run still counts as 0 of them."""
    try:
        from checker import manifest
        return float(sum(len(k.graded) for k in manifest.load()))
    except Exception:  # noqa: BLE001 - the fallback must not fail in its turn
        return 0.0


def encode(result: dict) -> str:
    return base64.b64encode(json.dumps(result, ensure_ascii=False).encode("utf-8")).decode("ascii")


def convert_file(path: Path, *, grade_status: int | None = None, exercises: str = "exercises") -> dict:
    """The reporter's document for the results file at `path`, or an error result saying why
    there is none."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        why = "kata grade wrote no results"
        if grade_status:
            why += f" (it stopped with exit status {grade_status})"
        return error_result(f"{why}; the job log above says what went wrong.", full_marks())
    except (OSError, ValueError) as exc:
        return error_result(f"the results file {path} could not be read: {exc}", full_marks())
    try:
        return from_exercism(data, exercises=exercises)
    except ResultsError as exc:
        return error_result(f"the results file {path} is not in the expected shape: {exc}", full_marks())


# ---------------------------------------------------------------------------------------------
# What the student reads: the job log and the run's summary page
# ---------------------------------------------------------------------------------------------

def _points(result: dict) -> str:
    points = sum(t["score"] for t in result["tests"])
    return f"{points:g} of {result['max_score']:g} points"


def _escape_data(text: str) -> str:
    """A workflow command's message: GitHub's own escapes for %, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def job_log(result: dict, *, token: str | None = None) -> str:
    """The grading step's log: a score line, one error annotation per failing test (they show on
    the run's page and beside the file), then every test with its full message."""
    token = token or secrets.token_hex(16)
    failing = [t for t in result["tests"] if t["status"] != "pass"]
    lines = [f"torchkata: {_points(result)} · status {result['status']}"]
    for test in failing[:ANNOTATION_LIMIT]:
        where = f"file={_escape_property(test['filename'])}," if test.get("filename") else ""
        lines.append(f"::error {where}title={_escape_property(test['name'] + ' ' + test['status'])}::"
                     f"{_escape_data(test['message'] or 'no message')}")
    # From here on the text comes from the learner's code: GitHub must not act on any of it.
    lines.append(f"::stop-commands::{token}")
    for test in result["tests"]:
        lines.append(f"{'✓' if test['status'] == 'pass' else '✗'} {test['name']}: {test['status']}")
        if test["status"] != "pass":
            lines += [f"    {line}" for line in (test["message"] or "no message").splitlines()]
            if test.get("test_code"):
                lines.append(f"    re-run it in your repository: {test['test_code']}")
    lines.append(f"::{token}::")
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """Inline code in a Markdown table cell: HTML-escaped, pipes too."""
    return f"<code>{html.escape(text).replace('|', '&#124;')}</code>"


def _fenced(text: str) -> str:
    """A fenced block that no run of backticks inside `text` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def step_summary(result: dict, *, install: str = "") -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: the points, a table of tests, and why each one failed."""
    lines = [f"## torchkata: {_points(result)}", "", "| | test | status |", "|---|---|---|"]
    lines += [f"| {MARKS.get(t['status'], '?')} | {_code(t['name'])} | {t['status']} |" for t in result["tests"]]
    failing = [t for t in result["tests"] if t["status"] != "pass"]
    if failing:
        lines += ["", "### Why tests did not pass"]
    for test in failing:
        lines += ["", f"<details open><summary>{_code(test['name'])}: {test['status']}</summary>", "",
                  _fenced(test["message"] or "no message")]
        if test.get("test_code"):
            lines += ["", f"Re-run it in your repository: {_code(test['test_code'])}"]
        lines += ["", "</details>"]
    if failing and install:
        lines += ["", "To run `kata check` on your own machine, install torchkata first: "
                  f"{_code(f'python -m pip install -e {install}')}"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checker.classroom", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", help="the Exercism results.json that `kata grade` wrote")
    parser.add_argument("--grade-status", type=int, default=None, help="the exit status of `kata grade`")
    parser.add_argument("--exercises", default="exercises", help="the graded directory, for file names")
    parser.add_argument("--github-output", default=os.environ.get("GITHUB_OUTPUT"),
                        help="file to append `result=...` to (default $GITHUB_OUTPUT; else stdout)")
    parser.add_argument("--step-summary", default=os.environ.get("GITHUB_STEP_SUMMARY"),
                        help="Markdown file to append the report to (default $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--install", default="", help="the pip spec torchkata was installed from")
    args = parser.parse_args(argv)
    result = convert_file(Path(args.results), grade_status=args.grade_status, exercises=args.exercises)
    line = f"result={encode(result)}\n"
    if args.github_output:
        with open(args.github_output, "a", encoding="utf-8") as fh:
            fh.write(line)
    else:
        sys.stdout.write(line)
    if args.step_summary:
        with open(args.step_summary, "a", encoding="utf-8") as fh:
            fh.write(step_summary(result, install=args.install))
    # The job log: stdout, where GitHub acts on workflow commands, unless stdout carries `result=`.
    (sys.stdout if args.github_output else sys.stderr).write(job_log(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
