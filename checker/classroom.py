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

It always sets the step output `result`: when `kata grade` wrote nothing readable, the result
is an error worth 0 of the assignment's points, saying why.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from pathlib import Path

STATUSES = ("pass", "fail", "error")
MESSAGE_LIMIT = 4000        # the reporter prints messages into the job log; keep them readable


class ResultsError(ValueError):
    """The Exercism results are not in the shape torchkata writes."""


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ResultsError(f"{what} is {value!r}, not a number")
    return value


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
            "test_code": f"kata check {kata_id}",
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checker.classroom", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", help="the Exercism results.json that `kata grade` wrote")
    parser.add_argument("--grade-status", type=int, default=None, help="the exit status of `kata grade`")
    parser.add_argument("--exercises", default="exercises", help="the graded directory, for file names")
    parser.add_argument("--github-output", default=os.environ.get("GITHUB_OUTPUT"),
                        help="file to append `result=...` to (default $GITHUB_OUTPUT; else stdout)")
    args = parser.parse_args(argv)
    result = convert_file(Path(args.results), grade_status=args.grade_status, exercises=args.exercises)
    line = f"result={encode(result)}\n"
    if args.github_output:
        with open(args.github_output, "a", encoding="utf-8") as fh:
            fh.write(line)
    else:
        sys.stdout.write(line)
    points = sum(t["score"] for t in result["tests"])
    print(f"torchkata: {points:g}/{result['max_score']:g} points, status {result['status']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
