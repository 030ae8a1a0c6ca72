"""The class gradebook: one self-contained HTML page for a batch's results.

`kata report RESULTS_DIR --html gradebook.html` (and `kata merge`) write it from the batch's
grades.jsonl (checker.insight). The page holds a student × kata matrix, each kata's pass rate,
statuses and most common diagnosed mistakes, and every student's messages one click away, with
filters and sorting. Its CSS, script and data are all inline and it loads nothing, so it can be
mailed, archived or opened from a shared drive, and shows the same thing offline years later.

Learner text (names, messages) only ever reaches the page as data: the JSON is escaped so it
cannot close its <script> element, and the page's script puts it on screen with textContent,
never as markup. Messages repeat a lot across a class (a missing file, a stub), so the data holds
each distinct string once and refers to it by number.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import jinja2
from markupsafe import Markup

from checker import insight
from checker.emitters import atomic_write

TEMPLATE = "gradebook.html.j2"
_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
    autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
# Inside <script>, "</script" or "<!--" would end or confuse the element; JSON allows \u escapes.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                ord("\u2028"): "\\u2028", ord("\u2029"): "\\u2029"}


class _Strings:
    """Each distinct string once; the page refers to it by its index."""

    def __init__(self):
        self.table: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.table)
            self.table.append(text)
        return self._index[text]


def page_data(batch: insight.Batch, title: str) -> dict:
    """Everything the page shows, as compact plain data (the template's script reads it)."""
    strings = _Strings()
    summaries = insight.kata_summaries(batch)
    katas = [{"id": s.kata_id, "title": s.title, "submissions": s.submissions, "solved": s.solved,
              "statuses": {status: s.statuses[status] for status in insight.STATUSES if s.statuses.get(status)},
              "mistakes": [[strings(name), strings(diagnosis), count] for name, diagnosis, count in s.top_mistakes()]}
             for s in summaries]
    students = []
    for record in sorted(batch.records, key=lambda r: r["submission"]):
        by_kata = {k["kata_id"]: k for k in record["katas"]}
        cells = []
        for kata_id in batch.katas:
            kata = by_kata.get(kata_id)
            # One test: [name, status, score, max_score, message, diagnosis], strings by index.
            cells.append(None if kata is None else [
                [strings(t["name"]), insight.STATUSES.index(t["status"]), t["score"], t["max_score"],
                 strings(t.get("message", "")), strings(t.get("diagnosis", ""))] for t in kata["tests"]])
        students.append({"name": record["submission"], "score": record["score"], "max": record["max_score"],
                         "error": record.get("error", ""), "cells": cells})
    return {"title": title, "seed": batch.seed, "diagnosisPrefix": insight.DIAGNOSIS_PREFIX, "shard": batch.shard, "complete": batch.complete,
            "statuses": list(insight.STATUSES), "katas": katas, "students": students, "strings": strings.table}


def render(batch: insight.Batch, title: str = "torchkata gradebook") -> str:
    data = json.dumps(page_data(batch, title), ensure_ascii=False, separators=(",", ":"))
    return _environment.get_template(TEMPLATE).render(
        title=title, data=Markup(data.translate(_SCRIPT_SAFE)))


def write(path: Path, batch: insight.Batch, title: str = "torchkata gradebook") -> None:
    atomic_write(Path(path), render(batch, title))


def report_command(args) -> int:
    """`kata report RESULTS_DIR [--html PATH]`: the per-kata summary, and the page if asked."""
    try:
        batch = insight.read(Path(args.results_dir))
    except insight.RecordsError as exc:
        print(f"kata report: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(insight.summary_text(batch))
    if not batch.complete:
        print(f"note: the batch in {args.results_dir} did not finish: {len(batch.records)} of "
              f"{len(batch.assigned)} assigned submission(s) have results", file=sys.stderr)
    if args.html:
        write(Path(args.html), batch, args.title or f"torchkata gradebook · {Path(args.results_dir).resolve().name}")
        print(f"wrote {args.html}")
    return 0
