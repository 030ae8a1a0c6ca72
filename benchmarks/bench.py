"""Wall-clock figures for the README, each also as a ratio to `import torch` measured in the same
run (so figures from a busy or a fast machine still compare). A benchmark, not a test: it
reports, never asserts.

    python benchmarks/bench.py                 # every figure, 5 runs each, median reported
    python benchmarks/bench.py --runs 3 --only import grade watch runs
    python benchmarks/bench.py --baseline /tmp/old   # also time an older tree, runs interleaved

With --baseline (a checkout of an earlier commit, say `git archive REV | tar -x -C /tmp/old`),
every CLI figure is measured on both trees in alternating runs, so both see the same machine.

Each CLI figure runs as a fresh process, so `import torch` is included where a user would pay it.
"runs" measures the sandbox alone: one fork server, many empty runs, at each isolation level
this machine gives; its CPU figure is everything the server and its children used, per run.
"""
from __future__ import annotations

import argparse
import json
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
ENV = {k: v for k, v in os.environ.items() if k != "TORCHKATA_SEED"} | {"PYTHONPATH": str(ROOT)}

IN_PROCESS_SUITES = """
from checker import manifest, runner
executor = runner.InProcess()
results = [runner.grade_kata(k, runner.Target.from_file(k.solution_path), executor) for k in manifest.load()]
assert all(r.passed for r in results), [t for r in results for t in r.tests if not t.status.passed]
"""

# One fork server, `count` empty runs (the entry hands the request back), then the server's
# own start-up alone: the difference is what the runs cost, in wall time and in CPU.
SANDBOX_RUNS = """
import json, resource, sys, time
from checker.sandbox import ForkServer, Limits
level, count = sys.argv[1], int(sys.argv[2])

def serve(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ForkServer("builtins:bytes", isolation=level) as server:
        assert server.run(b"warm", Limits(wall_s=10)).ok
        started = time.perf_counter()
        for _ in range(runs):
            assert server.run(b"ping", Limits(wall_s=10)).ok
        wall = time.perf_counter() - started
        got = server.isolation["level"]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, got

wall, cpu, got = serve(count)
_, idle_cpu, _ = serve(0)
print(json.dumps({"wall": wall / count, "cpu": (cpu - idle_cpu) / count, "level": got}))
"""


def timed(cmd, *, cwd=ROOT, ok=(0,)) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=dict(ENV, PYTHONPATH=str(cwd)), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def median_of(runs: int, cmd, **kw) -> float:
    return statistics.median(timed(cmd, **kw) for _ in range(runs))


def paired(runs: int, cmd, trees, **kw) -> list[float]:
    """Median time of `cmd` in each tree, the trees taking turns run by run."""
    times = [[] for _ in trees]
    for _ in range(runs):
        for i, tree in enumerate(trees):
            times[i].append(timed(cmd, cwd=tree, **kw))
    return [statistics.median(t) for t in times]


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


def watch_latencies(rounds: int, kata: str = "04_indexing/gather") -> list[float]:
    """Seconds from a save to `kata watch`'s verdict on it, for `rounds` saves that alternate
    between the reference and the stub, in a fresh workspace (so no learner file is touched)."""
    import queue
    import threading
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "ws"
        subprocess.run(KATA + ["init", str(workspace)], check=True, capture_output=True, env=ENV)
        target = workspace / "exercises" / f"{kata}.py"
        versions = [(ROOT / "solutions" / f"{kata}.py").read_text(), target.read_text()]
        watcher = subprocess.Popen(KATA + ["watch", kata.split("/")[-1]], cwd=workspace, text=True,
                                   stdout=subprocess.PIPE, env=dict(ENV, PYTHONUNBUFFERED="1"))
        # Lines are timed as a thread reads them: select() on a buffered pipe misses lines that
        # already sit in the reader's buffer.
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put((time.perf_counter(), line)) for line in watcher.stdout],
                         daemon=True).start()

        def verdict(deadline_s: float = 120) -> float:
            """When the verdict line of the next check (after its "--- time file" header) came."""
            started, seen = False, []
            end = time.perf_counter() + deadline_s
            while time.perf_counter() < end:
                try:
                    at, line = lines.get(timeout=1)
                except queue.Empty:
                    continue
                seen.append(line)
                started = started or line.startswith("--- ")
                if started and kata in line and line.lstrip()[:1] in ("✓", "✗"):
                    return at
            raise SystemExit("kata watch gave no verdict within two minutes; it printed:\n" + "".join(seen[-20:]))

        def drain() -> None:
            """Wait until the last report is out: a person does not save in the middle of one."""
            while True:
                try:
                    lines.get(timeout=0.3)
                except queue.Empty:
                    return
        try:
            verdict()                       # the check it makes when it starts
            latencies = []
            for i in range(rounds):
                drain()
                saved = time.perf_counter()
                target.write_text(versions[i % 2])
                latencies.append(verdict() - saved)
            return latencies
        finally:
            watcher.terminate()
            watcher.wait()


def sandbox_levels() -> list[str]:
    return ["auto", "uid", "rlimits"] if os.geteuid() == 0 else ["auto"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--sandbox-runs", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline", type=Path, help="an older tree to time beside this one")
    parser.add_argument("--only", nargs="*",
                        default=["import", "suites", "grade", "stubs", "watch", "batch", "assignment", "runs"])
    args = parser.parse_args()
    katas = len([line for line in (ROOT / "katas.toml").read_text().splitlines() if line.strip() == "[[kata]]"])
    rows = []
    floor = median_of(args.runs, [PY, "-c", "import torch"])

    trees = [ROOT] + ([args.baseline.resolve()] if args.baseline else [])

    def report(label, seconds, detail=""):
        rows.append((label, seconds, detail))
        print(f"{label:<66} {seconds:8.3f} s  {seconds / floor:6.2f}x  {detail}", flush=True)

    def cli(label, cmd, detail="", **kw):
        """A CLI figure, and the same on the baseline tree when there is one."""
        for tree, seconds in zip(trees, paired(args.runs, cmd, trees, **kw)):
            report(label + (" [baseline]" if tree != ROOT else ""), seconds, detail)

    report("import torch alone (the floor for any fresh process)", floor)
    if "suites" in args.only:
        cli(f"in-process suites of the {katas} references, incl. import torch",
            [PY, "-W", "ignore", "-c", IN_PROCESS_SUITES])
    if "grade" in args.only:
        cli(f"kata grade solutions/ ({katas} katas, cold CLI, sandboxed, seed seen before)",
            KATA + ["grade", "solutions", "--seed", "0"])
        cli(f"kata grade solutions/ ({katas} katas, cold CLI, sandboxed, fresh random seed)",
            KATA + ["grade", "solutions"])
        cli(f"kata grade solutions/ --isolation none ({katas} katas, cold CLI)",
            KATA + ["grade", "solutions", "--seed", "0", "--isolation", "none"])
    if "stubs" in args.only:
        cli("pytest exercises/ on the untouched stubs",
            [PY, "-m", "pytest", "exercises/", "-q", "-p", "no:cacheprovider"], ok=(1,))
    if "watch" in args.only:
        report("kata watch, from save to verdict (one kata, median of 9 saves)",
               statistics.median(watch_latencies(9)))
    if "runs" in args.only:
        for level in sandbox_levels():
            for tree in trees:
                out = subprocess.run([PY, "-c", SANDBOX_RUNS, level, str(args.sandbox_runs)], cwd=tree,
                                     env=dict(ENV, PYTHONPATH=str(tree)), capture_output=True, text=True)
                if out.returncode != 0:
                    raise SystemExit(out.stderr[-2000:])
                got, mark = json.loads(out.stdout), " [baseline]" if tree != ROOT else ""
                report(f"one empty sandboxed run, {got['level']}: wall{mark}", got["wall"])
                report(f"one empty sandboxed run, {got['level']}: CPU of server and children{mark}", got["cpu"])
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
            report(f"3-exercise assignment, batch of {args.batch_size}: per submission", seconds / args.batch_size,
                   "(nbgrader 3.58 s)")
            single = Path(tmp) / "assignment" / "student000"
            cli("3-exercise assignment, one submission, cold CLI", KATA + ["grade", str(single), "--seed", "0"] + kata_args,
                "(otter 9.89 s, nbgrader 5.62 s)")
    print(f"\n| measurement | median | × import torch |\n|---|---|---|")
    for label, seconds, detail in rows:
        print(f"| {label} {detail} | {seconds:.3f} s | {seconds / floor:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
