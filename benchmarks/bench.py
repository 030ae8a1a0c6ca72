"""Wall-clock figures for the README. A benchmark, not a test: it reports, never asserts.

    python benchmarks/bench.py            # every figure, 5 runs each, median reported
    python benchmarks/bench.py --runs 3 --only suites grade

Each figure runs as a fresh process, so `import torch` is included where a user would pay it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
KATA = [PY, "-m", "checker"]

IN_PROCESS_SUITES = """
from checker import manifest, runner
executor = runner.InProcess()
results = [runner.grade_kata(k, runner.Target.from_file(k.solution_path), executor) for k in manifest.load()]
assert all(r.passed for r in results), [t for r in results for t in r.tests if not t.status.passed]
"""


def timed(cmd, *, cwd=ROOT, ok=(0,)) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def median_of(runs: int, cmd, **kw) -> tuple[float, list[float]]:
    times = [timed(cmd, **kw) for _ in range(runs)]
    return statistics.median(times), times


def make_batch(dest: Path, count: int, katas: list[str] | None = None) -> None:
    """`count` copies of the reference solutions laid out as submissions (every kata passes)."""
    for i in range(count):
        sub = dest / f"student{i:03d}"
        for path in (ROOT / "solutions").rglob("*.py"):
            rel = path.relative_to(ROOT / "solutions")
            if katas and rel.with_suffix("").as_posix() not in katas:
                continue
            (sub / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, sub / rel)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*", default=["import", "suites", "grade", "stubs", "batch", "assignment"])
    args = parser.parse_args()
    rows = []

    def report(label, seconds, detail=""):
        rows.append((label, seconds, detail))
        print(f"{label:<62} {seconds:7.2f} s  {detail}", flush=True)

    if "import" in args.only:
        med, _ = median_of(args.runs, [PY, "-c", "import torch"])
        report("import torch alone (the floor for any fresh process)", med)
    if "suites" in args.only:
        med, _ = median_of(args.runs, [PY, "-W", "ignore", "-c", IN_PROCESS_SUITES])
        report("in-process suites of the 7 references, incl. import torch", med)
    if "grade" in args.only:
        med, _ = median_of(args.runs, KATA + ["grade", "solutions", "--seed", "0"])
        report("kata grade solutions/ (cold CLI, sandboxed)", med)
        med, _ = median_of(args.runs, KATA + ["grade", "solutions", "--seed", "0", "--isolation", "none"])
        report("kata grade solutions/ --isolation none (cold CLI)", med)
    if "stubs" in args.only:
        med, _ = median_of(args.runs, [PY, "-m", "pytest", "exercises/", "-q", "-p", "no:cacheprovider"], ok=(1,))
        report("pytest exercises/ on the untouched stubs", med)
    with tempfile.TemporaryDirectory() as tmp:
        if "batch" in args.only:
            batch = Path(tmp) / "batch"
            make_batch(batch, args.batch_size)
            seconds = timed(KATA + ["grade", "--batch", str(batch), "--out-dir", str(Path(tmp) / "out"),
                                    "--format", "gradescope", "-j", str(args.jobs), "--seed", "0"])
            report(f"batch of {args.batch_size} full submissions, -j {args.jobs}: per submission",
                   seconds / args.batch_size, f"(total {seconds:.1f} s)")
        if "assignment" in args.only:
            three = ["04_indexing/gather", "08_layers/layernorm", "08_layers/dropout"]
            batch = Path(tmp) / "assignment"
            make_batch(batch, args.batch_size, three)
            kata_args = [a for k in three for a in ("--kata", k)]
            seconds = timed(KATA + ["grade", "--batch", str(batch), "--out-dir", str(Path(tmp) / "out3"),
                                    "-j", str(args.jobs), "--seed", "0"] + kata_args)
            per = seconds / args.batch_size
            report(f"3-exercise assignment, batch of {args.batch_size}: per submission", per,
                   f"({3.5 / per:.0f}x faster than nbgrader's 3.5 s batch figure)")
            single = Path(tmp) / "assignment" / "student000"
            med, _ = median_of(args.runs, KATA + ["grade", str(single), "--seed", "0"] + kata_args)
            report("3-exercise assignment, one submission, cold CLI", med,
                   "(otter 8.6 s, nbgrader 5.1 s)")
    print("\n| measurement | median |\n|---|---|")
    for label, seconds, detail in rows:
        print(f"| {label} {detail} | {seconds:.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
