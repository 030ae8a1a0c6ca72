"""A course-sized batch: generate N submissions, grade them with `kata grade --batch`, and measure
seconds per submission, peak memory and whether either grows across the batch. A benchmark,
not a test: it reports, never asserts.

    python benchmarks/batch_scale.py                          # 1,000 submissions of the 3-kata assignment
    python benchmarks/batch_scale.py --count 200 --katas all  # the whole syllabus
    python benchmarks/batch_scale.py --count 16 --keep DIR    # keep the class (the README screenshot)

Each generated submission answers every kata with, by a seeded draw: the reference (55%), one
catalogued mistake written out as source (25%: most get a diagnosis), the untouched stub (10%),
no file (5%) or a syntax error (5%). Memory is sampled every 0.2 s with psutil: the grading
process's RSS, and the PSS of it together with its fork server and sandboxed children (PSS
shares each copy-on-write page among the processes that map it, so forks are not counted twice).
"""
from __future__ import annotations

import argparse
import ast
import inspect
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ASSIGNMENT = ["04_indexing/gather", "08_layers/layernorm", "08_layers/dropout"]
MIX = (("reference", 0.55), ("mistake", 0.25), ("stub", 0.10), ("missing", 0.05), ("syntax-error", 0.05))


def mistake_sources(kata) -> list[tuple[str, str]]:
    """(label, source) for each catalogued mistake that can be written as a learner's file: the
    reference with the mistaken top-level function defined again after it (the later definition
    wins, as when a learner edits their own)."""
    from checker import lint
    catalogue_text = kata.catalogue_path.read_text()
    imports = "\n".join(line for line in catalogue_text.splitlines()
                        if line.startswith(("import ", "from ")) and "checker" not in line)
    reference = kata.solution_path.read_text()
    found = []
    for mistake in lint.load_catalogue(kata).mistakes:
        if "." in mistake.target:
            continue
        try:
            code = textwrap.dedent(inspect.getsource(mistake.replacement))
        except (OSError, TypeError):
            continue
        # From the `def` line on: the decorators (one may span lines) are the catalogue's, not code.
        [definition] = ast.parse(code).body
        body = "\n".join(code.splitlines()[definition.lineno - 1:])
        if "ref." in body or "catalogue" in body:
            continue
        found.append((mistake.label, f"{reference}\n\n# the learner's own version\n{imports}\n\n{body}\n"))
    return found


def make_class(dest: Path, count: int, kata_ids: list[str], seed: int = 0) -> dict:
    """Write `count` submissions under dest; returns how many answers of each kind it wrote."""
    from checker import manifest
    rng = random.Random(seed)
    katas = [manifest.get(k) for k in kata_ids]
    mistakes = {k.id: mistake_sources(k) for k in katas}
    kinds, weights = zip(*MIX)
    tally = dict.fromkeys(kinds, 0)
    for i in range(count):
        student = dest / f"student{i:04d}"
        student.mkdir(parents=True)
        for kata in katas:
            kind = rng.choices(kinds, weights)[0]
            if kind == "mistake" and not mistakes[kata.id]:
                kind = "reference"
            tally[kind] += 1
            if kind == "missing":
                continue
            source = {"reference": lambda: kata.solution_path.read_text(),
                      "mistake": lambda: rng.choice(mistakes[kata.id])[1],
                      "stub": lambda: kata.exercise_path.read_text(),
                      "syntax-error": lambda: kata.exercise_path.read_text().replace("def ", "def (", 1)}[kind]()
            path = student / kata.relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source)
    return tally


class Sampler(threading.Thread):
    """Every `every` seconds: elapsed time, graded count, RSS of the grader and of its whole tree."""

    def __init__(self, pid: int, out_dir: Path, every: float = 0.2):
        super().__init__(daemon=True)
        import psutil
        self.process, self.out_dir, self.every = psutil.Process(pid), out_dir, every
        self.samples: list[tuple[float, int, int, int]] = []
        self.started = time.perf_counter()
        self.stopped = threading.Event()

    def run(self):
        import psutil
        while not self.stopped.wait(self.every):
            try:
                own = self.process.memory_info().rss
                tree = self.process.memory_full_info().pss
                for child in self.process.children(recursive=True):
                    try:
                        tree += child.memory_full_info().pss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            done = sum(1 for e in os.scandir(self.out_dir) if e.name.endswith(".json")) \
                if self.out_dir.is_dir() else 0
            self.samples.append((time.perf_counter() - self.started, done, own, tree))


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--katas", nargs="+", default=ASSIGNMENT, help="kata ids, or `all`")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0, help="for the generated mix and the hidden inputs")
    parser.add_argument("--keep", type=Path, help="generate and grade here, and keep it")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    from checker import manifest
    kata_ids = [k.id for k in manifest.load()] if args.katas == ["all"] else args.katas

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="torchkata-scale-"))
    root, out = workdir / "submissions", workdir / "results"
    tally = make_class(root, args.count, kata_ids, args.seed)
    print(f"generated {args.count} submissions × {len(kata_ids)} katas: "
          + ", ".join(f"{k} {v}" for k, v in tally.items()), flush=True)

    load_before = os.getloadavg()
    command = [sys.executable, "-m", "checker", "grade", "--batch", str(root), "--out-dir", str(out),
               "-j", str(args.jobs), "--seed", str(args.seed), "--format", "json"]
    command += [a for k in kata_ids for a in ("--kata", k)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    sampler = Sampler(proc.pid, out)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    load_after = os.getloadavg()
    if proc.returncode != 0:
        print(stderr[-3000:], file=sys.stderr)
        return 1

    samples = sampler.samples

    def first_at(done: int):
        return next((s for s in samples if s[1] >= done), samples[-1])

    # Throughput in each tenth of the batch, from the moment the first result appeared (before
    # it: import torch, the fork server, the reference results): does it slow down as it goes?
    n = args.count
    tenths = [first_at(max(1, round(n * q / 10))) for q in range(0, 11)]
    per_tenth = [(b[0] - a[0]) / max(1, b[1] - a[1]) for a, b in zip(tenths, tenths[1:])]
    warm = samples and first_at(1)
    figures = {
        "submissions": n, "katas": len(kata_ids), "jobs": args.jobs, "cpus": os.cpu_count(),
        "wall_s": round(wall, 1), "s_per_submission": round(wall / n, 3),
        "s_to_first_result": round(warm[0], 1),
        "s_per_submission_after_first": round((wall - warm[0]) / max(1, n - 1), 3),
        "s_per_submission_by_tenth": [round(x, 3) for x in per_tenth],
        "grader_rss_peak": mib(max(s[2] for s in samples)),
        "tree_pss_peak": mib(max(s[3] for s in samples)),
        "grader_rss_at_10_50_100_percent": [mib(first_at(round(n * q)).__getitem__(2)) for q in (0.1, 0.5, 1.0)],
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in load_after],
    }
    started = time.perf_counter()
    page = workdir / "gradebook.html"
    subprocess.run([sys.executable, "-m", "checker", "report", str(out), "--html", str(page)], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    figures["kata_report_html_s"] = round(time.perf_counter() - started, 2)
    figures["gradebook_bytes"] = page.stat().st_size
    figures["grades_jsonl_bytes"] = (out / "grades.jsonl").stat().st_size
    figures["statuses"] = dict(sorted(_statuses(out).items()))
    for key, value in figures.items():
        print(f"{key:<36} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def _statuses(out: Path) -> dict[str, int]:
    from checker import insight
    counts: dict[str, int] = {}
    for summary in insight.kata_summaries(insight.read(out)):
        for status, count in summary.statuses.items():
            counts[status] = counts.get(status, 0) + count
    counts["diagnosed"] = sum(sum(s.mistakes.values()) for s in insight.kata_summaries(insight.read(out)))
    return counts


if __name__ == "__main__":
    raise SystemExit(main())
