"""Render one GradeReport in every format torchkata speaks.

Each emitter is a pure function of the report, so the same grading run can be written as a
text report for a learner, torchkata's own JSON, a Gradescope or Exercism results.json, or
JUnit XML for CI, and golden files can pin each one.

Learner-controlled text (messages, titles, metadata) passes through `clean_text` on the way
out: characters that XML 1.0 forbids (NUL, most C0 controls, terminal escape sequences'
ESC, U+FFFE/U+FFFF) are dropped, and lone surrogates become U+FFFD, so no message a learner
can provoke makes an invalid file or an encoding error that kills the grader.

One optional metadata key is read by the Exercism emitter: ``captured_output``, a mapping
from test id to what the learner's code printed during that test. Exercism's `output` field
is reserved for exactly that (not for grader messages), so tests get one only when a runner
recorded it.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from checker.results import GradeReport, KataResult, Status, TestResult

# Statuses where the learner's code did not get to answer the question asked; they map to
# Exercism "error" and JUnit <error>. The rest of the non-passing statuses are wrong answers.
ERROR_STATUSES = frozenset(
    {Status.ERROR, Status.IMPORT_ERROR, Status.CRASHED, Status.TIMEOUT, Status.MEMORY})
GRADESCOPE_VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
#: Metadata a Gradescope student may read in `output`: what happened to their own files. Every
#: other key (seed, versions, devices, isolation, warnings) is the grader's business and goes to
#: `extra_data`, which Gradescope stores for staff and never shows to students.
GRADESCOPE_LEARNER_METADATA = ("rejected",)
# A suggestion to run a torchkata command ("stuck? run `kata hint ID`"): Gradescope students
# have no `kata` command, so such suggestions are taken out of what they read there.
_LOCAL_COMMAND = re.compile(r"[ \t]*\(?stuck\? run `kata [^`\n]*`\)?")
EXERCISM_OUTPUT_LIMIT = 500
_TRUNCATED = "\n… (output cut to 500 characters)"

# Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] |
# [#xE000-#xFFFD] | [#x10000-#x10FFFF]. The surrogate block is handled separately.
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ud800-\udfff\ue000-\ufffd\U00010000-\U0010ffff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text) -> str:
    """`text` as a string that is valid in XML 1.0 and encodable as UTF-8."""
    return _LONE_SURROGATE.sub("\ufffd", _XML_FORBIDDEN.sub("", str(text)))


def _clean_data(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k): _clean_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_data(v) for v in value]
    return value


def _num(x: float) -> str:
    """4.0 -> "4", 2.5 -> "2.5": scores read like a person would write them."""
    return f"{round(x, 3):g}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _status_and_message(test: TestResult) -> str:
    if test.status.passed or not test.message:
        return test.status.value
    return f"{test.status.value}: {clean_text(test.message)}"


def summary_lines(report: GradeReport, keys=None) -> list[str]:
    """The closing lines every human-facing format shares: totals, then run metadata (only the
    metadata `keys`, when given)."""
    solved = sum(k.passed for k in report.katas)
    lines = [f"katas solved: {solved}/{len(report.katas)} · "
             f"score {_num(report.score)}/{_num(report.max_score)}"]
    for key, value in report.metadata.items():
        if keys is not None and key not in keys:
            continue
        label = clean_text(key).replace("_", " ")
        if key == "isolation" and isinstance(value, dict):
            # The one mapping people must read: how well learner code was contained.
            lines.append(f"isolation: {clean_text(value.get('level', 'unknown'))}")
            lines += [f"isolation warning: {clean_text(w)}" for w in value.get("warnings", [])]
        elif isinstance(value, (list, tuple)):
            lines += [f"{label}: {clean_text(item)}" for item in value]
        elif value is not None and not isinstance(value, dict):  # mappings are for machines
            lines.append(f"{label}: {clean_text(value)}")
    return lines


# ---------------------------------------------------------------------------- text


def to_text(report: GradeReport) -> str:
    lines: list[str] = []
    width = max((len(t.status.value) for t in report.tests), default=0)
    for kata in report.katas:
        mark = "✓" if kata.passed else "✗"
        lines.append(f"{mark} {kata.kata_id} · {clean_text(kata.title)} · "
                     f"{_num(kata.score)}/{_num(kata.max_score)}")
        if not kata.tests:
            lines.append("    (nothing was graded)")
        previous = None
        for test in kata.tests:
            lines.append(f"    {test.status.value:<{width}}  {test.name}".rstrip())
            if test.status.passed or not test.message.strip():
                continue
            # An import error repeats one message for every graded name; say it once.
            if test.message == previous:
                lines.append("        (same as above)")
            else:
                lines += ["        " + line for line in clean_text(test.message).strip().splitlines()]
            previous = test.message
        lines.append("")
    return "\n".join(lines + summary_lines(report)) + "\n"


# ---------------------------------------------------------------------------- json


def to_json(report: GradeReport) -> str:
    """torchkata's own format: `report.to_dict()` with learner text cleaned, in dataclass
    field order, metadata keys sorted so equal reports give equal bytes."""
    data = report.to_dict()
    data["metadata"] = dict(sorted(data["metadata"].items()))
    return json.dumps(_clean_data(data), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------- gradescope


def to_gradescope(report: GradeReport, *, visibility: str = "visible",
                  hidden_after_due: bool = False) -> dict:
    """Gradescope's results.json.

    Layout: each kata contributes one *summary* entry (number "k", name "<kata id> · <title>")
    followed by one entry per graded name (number "k.t", name "<kata id>::<name>"). Only the
    graded names carry `score`/`max_score`; the summary entry has a status but no score keys,
    which Gradescope's spec allows for informational checks. So the points are counted once,
    and the top-level `score` equals the sum of test scores.

    Why a summary entry rather than only grouping by name prefix: it gives Gradescope a
    pass/fail per kata, and it stays at `visibility` when `hidden_after_due=True` moves the
    per-name details to "after_due_date". Gradescope may hide the total score while some
    tests are hidden; the visible summaries and top-level output still tell the learner
    where they stand per kata. Every entry is tagged with its kata id.

    `visibility` applies to the whole result (top level and summaries). Output is plain
    text (`output_format: "text"`), so no learner message is ever rendered as HTML.

    Students read `output`, so it carries only the totals and what happened to their files;
    the run's metadata (seed, torchkata version, devices, isolation and its warnings) goes to
    `extra_data`. Suggestions to run `kata` commands are dropped: students do not have them.
    """
    if visibility not in GRADESCOPE_VISIBILITIES:
        raise ValueError(f"visibility must be one of {GRADESCOPE_VISIBILITIES}, not {visibility!r}")
    detail_visibility = "after_due_date" if hidden_after_due else visibility
    tests = []
    for k, kata in enumerate(report.katas, start=1):
        tests.append(_gradescope_summary(kata, str(k), visibility))
        for t, test in enumerate(kata.tests, start=1):
            tests.append({
                "name": test.test_id,
                "number": f"{k}.{t}",
                "score": round(test.score, 6),
                "max_score": round(test.max_score, 6),
                "status": "passed" if test.status.passed else "failed",
                "output": _without_local_commands(_status_and_message(test)),
                "tags": [kata.kata_id],
                "visibility": detail_visibility,
            })
    return {
        "score": round(sum(t.get("score", 0.0) for t in tests), 6),
        "execution_time": round(report.execution_time_s, 2),
        "output": "\n".join(summary_lines(report, GRADESCOPE_LEARNER_METADATA)),
        "output_format": "text",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        # What the learner's code printed is not grader metadata; Gradescope has no place for it.
        "extra_data": _clean_data({k: v for k, v in sorted(report.metadata.items())
                                   if k not in GRADESCOPE_LEARNER_METADATA + ("captured_output",)}),
        "tests": tests,
    }


def _without_local_commands(text: str) -> str:
    return "\n".join(line.rstrip() for line in _LOCAL_COMMAND.sub("", text).splitlines()).strip()


def _gradescope_summary(kata: KataResult, number: str, visibility: str) -> dict:
    passing = sum(t.status.passed for t in kata.tests)
    lines = [f"{_num(kata.score)}/{_num(kata.max_score)} points · "
             f"{passing} of {len(kata.tests)} graded names pass"]
    lines += [f"{t.name}: {t.status.value}" for t in kata.tests if not t.status.passed]
    return {
        "name": f"{kata.kata_id} · {clean_text(kata.title)}",
        "number": number,
        "status": "passed" if kata.passed else "failed",
        "output": "\n".join(lines),
        "tags": [kata.kata_id, "kata-summary"],
        "visibility": visibility,
    }


# ---------------------------------------------------------------------------- exercism


def to_exercism(report: GradeReport) -> dict:
    """Exercism test-runner results.json, version 3.

    Top-level status: "pass" when every kata passed, "error" when nothing ran (no tests at
    all, or every one is an import error), otherwise "fail". `task_id` is the kata's 1-based
    position in the report. Two keys beyond Exercism's spec, top-level `max_score` and
    per-test `score`, are what GitHub Classroom's grading reporter adds up; Exercism ignores
    them. There is no `test_code`: torchkata's suites are hidden, and each message already
    says what was called.
    """
    tests = []
    for task_id, kata in enumerate(report.katas, start=1):
        for test in kata.tests:
            entry = {
                "name": test.test_id,
                "status": _exercism_status(test.status),
                "message": None if test.status.passed else _status_and_message(test),
                "score": round(test.score, 6),
                "task_id": task_id,
            }
            printed = (report.metadata.get("captured_output") or {}).get(test.test_id)
            if printed:
                entry["output"] = _truncate(clean_text(printed), EXERCISM_OUTPUT_LIMIT)
            tests.append(entry)
    all_tests = report.tests
    if not all_tests or all(t.status is Status.IMPORT_ERROR for t in all_tests):
        status, message = "error", _nothing_ran_message(report)
    else:
        status, message = ("pass" if report.passed else "fail"), None
    return {"version": 3, "status": status, "message": message,
            "max_score": round(report.max_score, 6), "tests": tests}


def _exercism_status(status: Status) -> str:
    if status.passed:
        return "pass"
    return "error" if status in ERROR_STATUSES else "fail"


def _nothing_ran_message(report: GradeReport) -> str:
    if not report.tests:
        return "Nothing was graded: the report has no tests."
    return "\n\n".join(f"{k.kata_id}: {clean_text(k.tests[0].message)}" for k in report.katas
                       if k.tests)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - len(_TRUNCATED)] + _TRUNCATED


# ---------------------------------------------------------------------------- junit


def to_junit(report: GradeReport) -> str:
    """JUnit XML: <testsuites> > one <testsuite> per kata > one <testcase> per graded name.

    Wrong answers (failed, forbidden-op, not-vectorised, not-implemented) are <failure>s;
    code that could not answer (error, import-error, crashed, timeout, memory) is an
    <error>. The result model times katas, not graded names, so each testcase gets an equal
    share of its kata's time and the case times add up to the suite time.
    """
    root = ET.Element("testsuites", name="torchkata")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for kata in report.katas:
        errors = sum(t.status in ERROR_STATUSES for t in kata.tests)
        failures = sum(not t.status.passed for t in kata.tests) - errors
        suite = ET.SubElement(root, "testsuite", name=kata.kata_id, tests=str(len(kata.tests)),
                              failures=str(failures), errors=str(errors),
                              time=f"{kata.duration_s:.3f}")
        share = kata.duration_s / len(kata.tests) if kata.tests else 0.0
        for test in kata.tests:
            case = ET.SubElement(suite, "testcase", classname=kata.kata_id, name=test.name,
                                 time=f"{share:.3f}")
            if not test.status.passed:
                tag = "error" if test.status in ERROR_STATUSES else "failure"
                message = clean_text(test.message)
                headline = ": ".join(filter(None, (test.status.value, _first_line(message))))
                problem = ET.SubElement(case, tag, message=headline, type=test.status.value)
                problem.text = message
        for key, n in (("tests", len(kata.tests)), ("failures", failures), ("errors", errors)):
            totals[key] += n
    root.attrib.update({k: str(v) for k, v in totals.items()})
    root.set("time", f"{report.execution_time_s:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------------------- write


# ---------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Format:
    """One output format, and everything the rest of torchkata needs to know about it."""

    name: str
    emit: Callable            # report -> str, or a dict that is written as JSON
    extension: str            # of a results file in this format (batch grading names files with it)
    description: str          # one line for `kata grade --help`
    # Whether `kata grade`'s exit status says if every test passed (1 when not). Exercism's
    # test-runner interface asks for 0 whenever the results were written, whatever they hold.
    exit_status_grades: bool = True


#: The one list of output formats: `kata grade --format`, batch file names and `render` read it.
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("text", to_text, "txt", "a report for people"),
    Format("json", to_json, "json", "torchkata's own JSON: the full result model"),
    Format("gradescope", to_gradescope, "json", "Gradescope's results.json"),
    Format("exercism", to_exercism, "json", "Exercism v3 results.json, which GitHub Classroom reads",
           exit_status_grades=False),
    Format("junit", to_junit, "xml", "JUnit XML for CI"),
)}


def render(report: GradeReport, fmt: str, **options) -> str:
    """`report` in format `fmt` as text; options go to the emitter (Gradescope's visibility)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = FORMATS[fmt].emit(report, **options)
    return out if isinstance(out, str) else json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def write(report: GradeReport, fmt: str, out: Path | None = None, **options) -> str:
    """Render `report` as `fmt`; when `out` is given, also replace that file atomically."""
    text = render(report, fmt, **options)
    if out is not None:
        atomic_write(Path(out), text)
    return text


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory and os.replace, so a reader (or an
    autograder harness collecting results) never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # os.open's mode goes through the umask, unlike tempfile's fixed 0o600.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
