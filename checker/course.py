"""Course grading: `kata grade` for one submission or a batch.

The trusted parent (this process) holds the manifest, suites, references, expected values and
the results file; it never imports learner code. Learner probes run in sandboxed children
forked from a fork server that has imported torch and the probe runtime only, and only plain
data (checker.wire) comes back. Reference results are computed once per process and reused for
every submission in a batch.
"""
from __future__ import annotations

import concurrent.futures
import csv
import os
import secrets
import sys
import threading
import time
from pathlib import Path

from checker import ROOT, __version__, emitters, manifest, runner, submission, wire
from checker.results import GradeReport, KataResult, Status
from checker.runner import ProbeOutcome as Outcome, Target

# What the sandboxed child must never see: the answers, the suites, and (added per run) results.
HIDDEN_PATHS = (ROOT / "solutions", ROOT / "checker" / "suites", ROOT / ".git")


class Sandboxed:
    """Executor that runs each kata's probes in a fresh, limited child process."""

    trusted_results = False

    def __init__(self, limits, hidden_paths=(), threads: int = 1):
        from checker import sandbox
        self.limits = limits
        self.server = sandbox.ForkServer("checker.probe:serve", hidden_paths=[str(p) for p in hidden_paths],
                                         threads=threads)
        self._local = threading.local()
        # The server's own `import torch` runs on the other core while this process plans.
        self._start_error: BaseException | None = None
        self._starting = threading.Thread(target=self._start, daemon=True)
        self._starting.start()

    def _start(self):
        try:
            self.server.start()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the grading thread
            self._start_error = exc

    @property
    def isolation(self) -> dict:
        """What was actually applied, with warnings for what was not."""
        self._starting.join()
        if self._start_error is not None:
            raise self._start_error
        return self.server.isolation

    @property
    def captured(self) -> dict[str, str]:
        """What learner code printed, by kata file, for the submission this thread is grading.
        Per thread: `--batch -j N` grades N submissions at once, and one submission's output
        must never show up in (or be cleared from) another's report."""
        if not hasattr(self._local, "captured"):
            self._local.captured = {}
        return self._local.captured

    def close(self):
        self.server.close()

    def run(self, target: Target, specs: list[dict]) -> Outcome:
        if target.problem:
            return Outcome(status=Status.IMPORT_ERROR, message=target.problem)
        self.isolation   # noqa: B018 - waits for the server, raising if it could not start
        request = wire.encode({"filename": target.display, "source": target.source, "specs": specs,
                               "threads": self.limits.threads})
        outcome = self.server.run(request, self.limits)
        if outcome.output:
            self.captured[target.display] = outcome.output
        if outcome.status == "timeout":
            return Outcome(status=Status.TIMEOUT, message=(
                f"your code did not finish within {self.limits.wall_s:g} s and was stopped: "
                f"look for an endless loop, or work that grows too fast with the input size."))
        if outcome.status == "memory":
            return Outcome(status=Status.MEMORY, message=(
                f"your code ran out of memory (limit {self.limits.memory_bytes >> 20} MiB) and was stopped."))
        if outcome.status == "sandbox-error":
            return Outcome(status=Status.CRASHED, message=(
                f"the grading sandbox failed while running this kata ({outcome.detail}); "
                f"this may not be your code's fault: ask course staff to re-grade."))
        if outcome.status != "ok":
            return Outcome(status=Status.CRASHED, message=f"your code crashed the process that ran it: {outcome.detail}")
        try:
            reply = wire.decode(outcome.payload)
            if "import_error" in reply:
                return runner.import_failure(reply["import_error"])
            results = reply["results"]
            if not isinstance(results, list) or len(results) != len(specs) or \
                    not all(isinstance(r, dict) for r in results):
                raise wire.WireError("wrong number of results")
        except (wire.WireError, KeyError, TypeError) as exc:
            return Outcome(status=Status.CRASHED, message=f"the process running your code sent back garbage ({exc}).")
        return Outcome(results=results)


def make_limits(args, devices=("cpu",)):
    from checker import sandbox
    # CUDA reserves huge address ranges up front, so RLIMIT_AS cannot cap memory there.
    memory = 0 if "cuda" in devices else args.memory_mb << 20
    return sandbox.Limits(wall_s=args.timeout, memory_bytes=memory)


def course_seed(explicit: int | None) -> int:
    """Hidden inputs come from a seed learners cannot know: --seed, $TORCHKATA_SEED, or a fresh
    random one (recorded in the results' metadata, so any grade can be reproduced)."""
    if explicit is not None:
        return explicit
    if os.environ.get("TORCHKATA_SEED"):
        return int(os.environ["TORCHKATA_SEED"])
    return secrets.randbelow(2**31)


def grade_submission(sub: submission.Submission, katas, executor, *, seed: int, devices,
                     budget_s: float | None = None) -> GradeReport:
    """Grade every kata of one submission. budget_s caps the whole submission's wall time:
    katas that would start after it is spent are reported as timeouts without running."""
    started = time.perf_counter()
    report = GradeReport(metadata={"submission": sub.name, "seed": seed, "devices": list(devices),
                                   "torchkata": __version__})
    getattr(executor, "captured", {}).clear()   # nothing left over from this thread's last submission
    for kata in katas:
        if kata.id in sub.sources:
            display, source = sub.sources[kata.id]
            target = Target(display, source=source)
        else:
            target = Target(kata.relpath, problem=sub.problems.get(kata.id) or
                            f"{kata.relpath} was not found in the submission")
        if budget_s is not None and time.perf_counter() - started > budget_s:
            result = KataResult(kata.id, kata.title)
            result.tests = [runner.finish(kata, n, runner.verdict_of(Status.TIMEOUT, (
                f"not run: this submission used up its {budget_s:g} s time budget on earlier katas")))
                for n in kata.graded]
            report.katas.append(result)
            continue
        try:
            result = runner.grade_kata(kata, target, executor, seed=seed, devices=devices)
        except Exception as exc:  # noqa: BLE001 - one kata's trouble never stops the others
            result = KataResult(kata.id, kata.title)
            result.tests = [runner.finish(kata, n, runner.verdict_of(Status.CRASHED, f"the grader failed: {exc!r}"))
                            for n in kata.graded]
        report.katas.append(result)
    if sub.rejected:
        report.metadata["rejected"] = sub.rejected
    captured = getattr(executor, "captured", {})
    if captured:
        report.metadata["captured_output"] = {
            t.test_id: captured[sub.sources[t.kata_id][0]]
            for t in report.tests if t.kata_id in sub.sources and sub.sources[t.kata_id][0] in captured}
        captured.clear()
    report.execution_time_s = time.perf_counter() - started
    return report


def _executor(args, devices):
    if args.isolation == "none":
        return runner.InProcess()
    return Sandboxed(make_limits(args, devices), HIDDEN_PATHS + _results_paths(args))


def _isolation(executor) -> dict:
    if isinstance(executor, runner.InProcess):
        return {"level": "none", "protections": [], "warnings": [
            "--isolation none: learner code ran inside the grader; use it only for trusted code"]}
    return executor.isolation


def _results_paths(args) -> tuple:
    paths = []
    if args.out:
        paths.append(Path(args.out).resolve().parent)
    if args.out_dir:
        paths.append(Path(args.out_dir).resolve())
    return tuple(p for p in paths if p != Path("/"))


def grade_command(args) -> int:
    """`kata grade`, after checker.cli has checked the arguments that need no torch."""
    katas = [manifest.get(k) for k in args.kata] or list(manifest.load())
    try:
        devices = runner.devices_for(args.device)
    except ValueError as exc:
        print(f"kata grade: {exc.args[0]}", file=sys.stderr)
        return 2
    path = Path(args.batch or args.dir)
    if not args.kata and not args.batch and path.suffix == ".ipynb":
        # One notebook holds one kata (or a few): grading every other kata would only add
        # "not found" failures to its report.
        katas = submission.notebook_katas(path, katas) or katas
    seed = course_seed(args.seed)
    executor = _executor(args, devices)
    for kata in katas:          # reference results once, before any learner code runs
        runner.plan(kata, seed, devices)
    try:
        isolation = _isolation(executor)
    except Exception as exc:  # noqa: BLE001 - e.g. the fork server could not start
        print(f"kata grade: the sandbox could not start: {exc}", file=sys.stderr)
        return 2
    if "cuda" in devices and args.isolation != "none":
        isolation = dict(isolation, warnings=list(isolation.get("warnings", [])) + [
            "no memory limit on CUDA: RLIMIT_AS cannot cap a process that maps GPU memory"])
    for warning in isolation.get("warnings", []):
        print(f"kata grade: warning: {warning}", file=sys.stderr)
    try:
        if args.batch:
            return grade_batch(path, Path(args.out_dir), katas, executor, isolation, args, seed, devices)
        report = grade_submission(submission.read(path), katas, executor, seed=seed, devices=devices,
                                  budget_s=args.submission_timeout)
        report.metadata["isolation"] = isolation
        text = emitters.write(report, args.format, Path(args.out) if args.out else None,
                              **_format_options(args))
        if not args.out:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return 1 if emitters.FORMATS[args.format].exit_status_grades and not report.passed else 0
    finally:
        if hasattr(executor, "close"):
            executor.close()


def _format_options(args) -> dict:
    return {"hidden_after_due": True} if args.format == "gradescope" and args.hidden_after_due else {}


def _submissions(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir()
                  if not p.name.startswith(".") and (p.is_dir() or p.suffix in (".zip", ".ipynb")))


class Progress:
    """One status line on stderr: done/total, time per submission and an ETA."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.started = time.perf_counter()
        self.lock = threading.Lock()

    def step(self, label: str) -> None:
        with self.lock:
            self.done += 1
            elapsed = time.perf_counter() - self.started
            each = elapsed / self.done
            eta = each * (self.total - self.done)
            filled = int(24 * self.done / max(self.total, 1))
            line = (f"\r[{'#' * filled}{'.' * (24 - filled)}] {self.done}/{self.total} "
                    f"· {each:.2f} s each · ETA {eta:.0f} s · {label[:30]:<30}")
            self.stream.write(line + ("\n" if self.done == self.total else ""))
            self.stream.flush()


def grade_batch(root: Path, out_dir: Path, katas, executor, isolation, args, seed, devices) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = _submissions(root)
    fmt = args.format if args.format != "text" else "json"
    progress = Progress(len(entries))
    rows: dict[str, list] = {}

    def one(entry: Path):
        name = entry.stem if entry.is_file() else entry.name
        try:
            report = grade_submission(submission.read(entry), katas, executor, seed=seed, devices=devices,
                                      budget_s=args.submission_timeout)
            report.metadata["isolation"] = isolation
            emitters.write(report, fmt, out_dir / f"{name}.{emitters.FORMATS[fmt].extension}", **_format_options(args))
            by_kata = {k.kata_id: k.score for k in report.katas}
            rows[name] = [name, report.score, report.max_score] + [by_kata.get(k.id, 0) for k in katas]
        except Exception as exc:  # noqa: BLE001 - one broken submission never stops the batch
            rows[name] = [name, 0, sum(len(k.graded) for k in katas)] + [0] * len(katas) + [f"grader error: {exc!r}"]
        progress.step(name)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(one, entries))
    with open(out_dir / "summary.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["submission", "score", "max_score"] + [k.id for k in katas])
        for name in sorted(rows):
            writer.writerow(rows[name])
    print(f"graded {len(entries)} submission(s) into {out_dir}/ (summary.csv)", file=sys.stderr)
    return 0
