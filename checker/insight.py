"""Class insight from a batch: the record a batch keeps of every submission, and what it says
about each kata.

`kata grade --batch` writes, beside one results file per submission:

- `grades.jsonl`: its header line says what was asked (root, shard, katas, format, seed, which
  submissions were assigned, whether the run completed); each further line is one submission's
  statuses, scores, messages and diagnoses. Every results format loses something (Gradescope
  and Exercism fold the status into text), so `kata report` and `kata merge` read this record
  instead, whatever `--format` was. Lines are appended as submissions finish, so a shard that is
  killed part-way still shows which ones it got through.
- `summary.csv`: one row per submission, a column per kata (its score).
- `katas.csv`: one row per kata: pass rate, how many tests ended in each status, and the most
  common diagnosed mistakes with their counts.

Nothing here imports torch: `kata report` and `kata merge` answer without it.
Every name ends in .jsonl or .csv, which no per-submission results file does, so no submission's
name can collide with them.
"""
from __future__ import annotations

import collections
import csv
import io
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from checker.emitters import atomic_write, clean_text
from checker.results import Status

RECORDS = "grades.jsonl"
SUMMARY = "summary.csv"
KATA_SUMMARY = "katas.csv"
RECORDS_VERSION = 1
TOP_MISTAKES = 5
# How checker.diagnose opens a diagnosis line; summaries show what follows it. (That module
# imports torch, so the words are repeated here; tests/test_gradebook.py notices if they drift.)
DIAGNOSIS_PREFIX = "this looks like a known mistake: "
STATUSES = tuple(status.value for status in Status)


class RecordsError(ValueError):
    """A results directory without a readable grades.jsonl."""


def submission_record(name: str, report, results_file: str, note: str = "") -> dict:
    """One submission's line: what a gradebook needs of its GradeReport, as plain data. Names are
    cleaned like messages (a file name need not be valid UTF-8); results_file stays as on disk."""
    return {
        "submission": clean_text(name),
        "results_file": results_file,
        "note": clean_text(note),
        "score": report.score,
        "max_score": report.max_score,
        "katas": [{"kata_id": k.kata_id, "title": clean_text(k.title), "tests": [
            {"name": t.name, "status": t.status.value, "score": t.score, "max_score": t.max_score,
             "message": clean_text(t.message), "diagnosis": clean_text(t.diagnosis)}
            for t in k.tests]} for k in report.katas],
    }


def error_record(name: str, error: str, max_score: float) -> dict:
    """The line of a submission the grader itself failed on: no katas, a score of 0."""
    return {"submission": clean_text(name), "results_file": None, "score": 0, "max_score": max_score, "katas": [],
            "error": error}


def kata_scores(record: dict) -> dict[str, float]:
    return {k["kata_id"]: sum(t["score"] for t in k["tests"]) for k in record["katas"]}


@dataclass
class Batch:
    """What one `kata grade --batch` run (or one shard of it) was asked to do, and its lines."""

    katas: list[str]                       # kata ids, in syllabus order
    titles: dict[str, str]
    assigned: list[str]                    # the submissions it was to grade
    root: str = ""
    shard: tuple[int, int] | None = None   # (K, N), 1 <= K <= N
    format: str = "json"
    seed: int | None = None
    complete: bool = False
    records: list[dict] = field(default_factory=list)

    def header(self) -> dict:
        return {"torchkata_batch": RECORDS_VERSION, "root": self.root,
                "shard": list(self.shard) if self.shard else None, "katas": self.katas,
                "titles": self.titles, "format": self.format, "seed": self.seed,
                "complete": self.complete, "assigned": self.assigned}

    @classmethod
    def from_header(cls, header: dict) -> "Batch":
        return cls(katas=list(header["katas"]), titles=dict(header.get("titles") or {}),
                   assigned=list(header["assigned"]), root=header.get("root", ""),
                   shard=tuple(header["shard"]) if header.get("shard") else None,
                   format=header.get("format", "json"), seed=header.get("seed"),
                   complete=bool(header.get("complete")))


class RecordWriter:
    """grades.jsonl for a running batch: the header at once, then a line per finished submission
    (from any grading thread). Lines go straight to disk, so the grader's memory stays flat however
    large the batch; finish() reads them back and writes the file again, sorted and complete."""

    def __init__(self, out_dir: Path, batch: Batch):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / RECORDS
        self._lock = threading.Lock()
        self.path.write_text(json.dumps(batch.header()) + "\n", encoding="utf-8")

    def add(self, record: dict) -> None:
        line = json.dumps(record) + "\n"      # ASCII: any str, even one from a stray file name
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)

    def finish(self) -> Batch:
        batch = read(self.out_dir)
        batch.complete = True
        atomic_write(self.path, dump(batch))
        return batch


def dump(batch: Batch) -> str:
    lines = [json.dumps(batch.header())]
    lines += [json.dumps(r) for r in sorted(batch.records, key=lambda r: r["submission"])]
    return "\n".join(lines) + "\n"


def read(results_dir: Path) -> Batch:
    """The batch recorded in results_dir/grades.jsonl. A last line cut short by a killed run is
    left out: that submission counts as not graded."""
    path = Path(results_dir) / RECORDS
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RecordsError(f"{path} cannot be read ({exc.strerror or exc}): "
                           f"is {results_dir} the --out-dir of `kata grade --batch`?") from None
    try:
        header = json.loads(lines[0]) if lines else {}
        if header.get("torchkata_batch") != RECORDS_VERSION:
            raise ValueError("its first line is not a torchkata batch header")
        batch = Batch.from_header(header)
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordsError(f"{path} is not a torchkata batch record: {exc}") from None
    for number, line in enumerate(lines[1:], start=2):
        try:
            batch.records.append(json.loads(line))
        except ValueError:
            if number != len(lines):
                raise RecordsError(f"{path}, line {number}, is not JSON") from None
    return batch


# ---------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------

def summary_rows(batch: Batch) -> list[list]:
    """summary.csv: submission, its results file, score, max_score, each kata's score, and a note
    (rejected files, or what went wrong for a submission the grader failed on)."""
    rows = [["submission", "results_file", "score", "max_score"] + batch.katas + ["note"]]
    for record in sorted(batch.records, key=lambda r: r["submission"]):
        scores = kata_scores(record)
        row = [record["submission"], record.get("results_file") or "", float(record["score"]),
               float(record["max_score"])]
        row += [float(scores.get(k, 0)) for k in batch.katas]
        row.append(record.get("error") or record.get("note") or "")
        rows.append(row)
    return rows


@dataclass
class KataSummary:
    kata_id: str
    title: str
    submissions: int = 0          # that have a result for this kata
    solved: int = 0               # every graded name passed
    statuses: collections.Counter = field(default_factory=collections.Counter)   # over graded names
    mistakes: collections.Counter = field(default_factory=collections.Counter)   # (name, diagnosis)

    @property
    def pass_rate(self) -> float:
        return self.solved / self.submissions if self.submissions else 0.0

    def top_mistakes(self, most: int = TOP_MISTAKES) -> list[tuple[str, str, int]]:
        ranked = sorted(self.mistakes.items(), key=lambda item: (-item[1], item[0]))
        return [(name, diagnosis, count) for (name, diagnosis), count in ranked[:most]]


def kata_summaries(batch: Batch) -> list[KataSummary]:
    summaries = {k: KataSummary(k, batch.titles.get(k, "")) for k in batch.katas}
    for record in batch.records:
        for kata in record["katas"]:
            summary = summaries.get(kata["kata_id"])
            if summary is None or not kata["tests"]:
                continue
            summary.submissions += 1
            summary.solved += all(t["status"] == "passed" for t in kata["tests"])
            for test in kata["tests"]:
                summary.statuses[test["status"]] += 1
                if test.get("diagnosis"):
                    summary.mistakes[(test["name"], test["diagnosis"])] += 1
    return list(summaries.values())


def mistake_text(name: str, diagnosis: str) -> str:
    """`layer_norm: eps added outside the square root. <hint>` from a diagnosis line (without the
    `layer_norm: ` where the label already starts with the name)."""
    text = diagnosis.removeprefix(DIAGNOSIS_PREFIX)
    return text if text.startswith(f"{name} ") else f"{name}: {text}"


def kata_summary_rows(summaries: list[KataSummary]) -> list[list]:
    rows = [["kata", "title", "submissions", "solved", "pass_rate"] + list(STATUSES) + ["common_mistakes"]]
    for s in summaries:
        mistakes = "; ".join(f"{mistake_text(name, d)} ({count})" for name, d, count in s.top_mistakes())
        rows.append([s.kata_id, s.title, s.submissions, s.solved, f"{s.pass_rate:.3f}"]
                    + [s.statuses.get(status, 0) for status in STATUSES] + [mistakes])
    return rows


def summary_text(batch: Batch, summaries: list[KataSummary] | None = None) -> str:
    """The per-kata summary for a terminal: pass rate, the statuses seen, the top mistakes."""
    summaries = summaries if summaries is not None else kata_summaries(batch)
    width = max((len(s.kata_id) for s in summaries), default=4)
    lines = [f"{len(batch.records)} submission(s) · {len(summaries)} kata(s)"]
    for s in summaries:
        statuses = ", ".join(f"{status} {s.statuses[status]}" for status in STATUSES if s.statuses.get(status))
        lines.append(f"{s.kata_id:<{width}}  {100 * s.pass_rate:5.1f}% solved ({s.solved}/{s.submissions})"
                     + (f" · {statuses}" if statuses else ""))
        for name, diagnosis, count in s.top_mistakes(3):
            lines.append(f"{'':<{width}}    {count:>4} × {mistake_text(name, diagnosis)}")
    return "\n".join(lines) + "\n"


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def write_tables(out_dir: Path, batch: Batch) -> list[KataSummary]:
    """summary.csv and katas.csv for the batch, each replaced atomically."""
    summaries = kata_summaries(batch)
    atomic_write(Path(out_dir) / SUMMARY, _csv(summary_rows(batch)))
    atomic_write(Path(out_dir) / KATA_SUMMARY, _csv(kata_summary_rows(summaries)))
    return summaries
