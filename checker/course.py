"""Course grading: `kata grade` for one submission or a batch.

The trusted parent (this process) holds the manifest, suites, references, expected values and
the results file; it never imports learner code. Learner probes run in sandboxed children
forked from a fork server that has imported torch and the probe runtime only, and only plain
data (checker.wire) comes back. Reference results are computed once per process and reused for
every submission in a batch.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import hashlib
import os
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from checker import (__version__, course_sandbox, emitters, insight, manifest, reference_cache, runner, shard,
                     submission, wire)
from checker.course_sandbox import HIDDEN_PATHS  # noqa: F401 - where callers have always found it
from checker.results import GradeReport, KataResult, Status
from checker.runner import ProbeOutcome as Outcome, Target



class Sandboxed:
    """Executor that runs each kata's probes in a fresh, limited child process."""

    trusted_results = False

    def __init__(self, limits, hidden_paths=(), threads: int = 1, server=None):
        """`server`: one already launched (see course_sandbox.launch), else one is started here."""
        from checker import sandbox
        self.limits = limits
        self.server = server or sandbox.ForkServer(course_sandbox.ENTRY, hidden_paths=[str(p) for p in hidden_paths],
                                                   threads=threads)
        self._local = threading.local()
        # Grading threads (--batch -j N) take turns for all their work in this process (planning,
        # encoding, judging, formatting), and overlap only while they wait for their children:
        # torch's print options and other global state are then never used by two at once.
        self._turn = threading.Lock()
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

    def print_into(self, sink: dict[str, str]) -> None:
        """Collect what learner code prints, by kata file, into `sink` for the runs this thread
        makes from now on. One sink per submission: its katas may run on several threads, and
        `--batch -j N` grades N submissions at once, whose output must never mix."""
        self._local.sink = sink

    def close(self):
        self.server.close()

    @contextlib.contextmanager
    def turn(self):
        """Hold the parent's turn: see __init__. Given up inside `run` while the child runs."""
        with self._turn:
            self._local.holding = True
            try:
                yield
            finally:
                self._local.holding = False

    def _run_child(self, request: bytes):
        if not getattr(self._local, "holding", False):
            return self.server.run(request, self.limits)
        self._turn.release()
        try:
            return self.server.run(request, self.limits)
        finally:
            self._turn.acquire()

    def run(self, target: Target, specs: list[dict]) -> Outcome:
        if target.problem:
            return Outcome(status=Status.IMPORT_ERROR, message=target.problem)
        self.isolation   # noqa: B018 - waits for the server, raising if it could not start
        request = wire.encode({"filename": target.display, "source": target.source, "given": target.given,
                               "specs": specs,
                               "threads": self.limits.threads})
        outcome = self._run_child(request)
        sink = getattr(self._local, "sink", None)
        if outcome.output and sink is not None:
            sink[target.display] = outcome.output
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
            reply = _bounded(wire.decode(outcome.payload))
            if "import_error" in reply:
                return runner.import_failure(reply["import_error"])
            results = reply["results"]
            if not isinstance(results, list) or len(results) != len(specs) or \
                    not all(isinstance(r, dict) for r in results):
                raise wire.WireError("wrong number of results")
        except Exception as exc:  # noqa: BLE001 - whatever the child sent, it is the submission's doing
            # The child runs the learner's code and can send any bytes at all: an answer that
            # cannot be decoded is the submission's fault, never "the grader failed".
            return Outcome(status=Status.CRASHED, message=(
                f"the process running your code sent back an answer the grader cannot read "
                f"({type(exc).__name__}: {str(exc)[:200]})."))
        return Outcome(results=results)


# The longest text from a child passed to the judge: its own messages are far shorter, and a
# hostile one must not fill the results file (a tensor's size is bounded by Limits.result_bytes).
STRING_CHARS = 4000


def _bounded(value):
    """A child's reply with every string, dict key included, cut to STRING_CHARS."""
    if isinstance(value, str):
        return value if len(value) <= STRING_CHARS else value[:STRING_CHARS] + " [... cut]"
    if isinstance(value, list):
        return [_bounded(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_bounded(v) for v in value)
    if isinstance(value, dict):
        return {_bounded(k): _bounded(v) for k, v in value.items()}
    return value


def make_limits(args, devices=("cpu",)):
    from checker import sandbox
    # CUDA reserves huge address ranges up front, so RLIMIT_AS cannot cap memory there.
    memory = 0 if "cuda" in devices else args.memory_mb << 20
    return sandbox.Limits(wall_s=args.timeout, memory_bytes=memory)


def chosen_seed(explicit: int | None) -> int | None:
    """The seed staff chose (--seed, else $TORCHKATA_SEED), or None: one that can come back."""
    if explicit is not None:
        return explicit
    return int(os.environ["TORCHKATA_SEED"]) if os.environ.get("TORCHKATA_SEED") else None


def course_seed(explicit: int | None) -> int:
    """Hidden inputs come from a seed learners cannot know: the chosen one, or a fresh random one
    (recorded in the results' metadata, so any grade can be reproduced)."""
    chosen = chosen_seed(explicit)
    return chosen if chosen is not None else secrets.randbelow(2**31)


def grade_submission(sub: submission.Submission, katas, executor, *, seed: int, devices,
                     budget_s: float | None = None, workers: int = 1) -> GradeReport:
    """Grade every kata of one submission. budget_s caps the whole submission's wall time:
    katas that would start after it is spent are reported as timeouts without running.
    workers > 1 (sandboxed executors only) runs that many katas' children at once; the work in
    this process still takes turns (see Sandboxed), so a kata is planned and judged here while
    another one's child runs."""
    started = time.perf_counter()
    report = GradeReport(metadata={"submission": sub.name, "seed": seed, "devices": list(devices),
                                   "torchkata": __version__})
    printed: dict[str, str] = {}

    def one(kata) -> KataResult:
        if hasattr(executor, "print_into"):
            executor.print_into(printed)
        if kata.id in sub.sources:
            display, source = sub.sources[kata.id]
            target = Target(display, source=source)
        else:
            target = Target(kata.relpath, problem=sub.problems.get(kata.id) or (
                f"the submission could not be read: {sub.refused}" if sub.refused else
                f"{kata.relpath} was not found in the submission"))
        if budget_s is not None and time.perf_counter() - started > budget_s:
            result = KataResult(kata.id, kata.title)
            result.tests = [runner.finish(kata, n, runner.verdict_of(Status.TIMEOUT, (
                f"not run: this submission used up its {budget_s:g} s time budget on earlier katas")))
                for n in kata.graded]
            return result
        try:
            with executor.turn() if hasattr(executor, "turn") else contextlib.nullcontext():
                return runner.grade_kata(kata, target, executor, seed=seed, devices=devices)
        except Exception as exc:  # noqa: BLE001 - one kata's trouble never stops the others
            result = KataResult(kata.id, kata.title)
            result.tests = [runner.finish(kata, n, runner.verdict_of(Status.CRASHED, f"the grader failed: {exc!r}"))
                            for n in kata.graded]
            return result

    if workers > 1 and hasattr(executor, "print_into"):
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            report.katas.extend(pool.map(one, katas))      # in manifest order, whatever finishes first
    else:
        report.katas.extend(one(kata) for kata in katas)
    if sub.rejected:
        report.metadata["rejected"] = sub.rejected
    if printed:
        report.metadata["captured_output"] = {
            t.test_id: printed[sub.sources[t.kata_id][0]]
            for t in report.tests if t.kata_id in sub.sources and sub.sources[t.kata_id][0] in printed}
    report.execution_time_s = time.perf_counter() - started
    return report


def _executor(args, devices, server=None):
    if args.isolation == "none":
        return runner.InProcess()
    return Sandboxed(make_limits(args, devices), course_sandbox.hidden_paths(args), server=server)


def _isolation(executor) -> dict:
    if isinstance(executor, runner.InProcess):
        return {"level": "none", "protections": [], "warnings": [
            "--isolation none: learner code ran inside the grader; use it only for trusted code"]}
    return executor.isolation


def grade_command(args, server=None) -> int:
    """`kata grade`, after checker.cli has checked the arguments that need no torch. `server`: a
    fork server checker.cli launched before importing this module (see course_sandbox)."""
    from checker import dynamo_on_demand
    dynamo_on_demand.install()      # references and suites that build optimizers skip a 1.3 s import
    katas = [manifest.get(k) for k in args.kata] or list(manifest.load())
    try:
        devices = runner.devices_for(args.device)
    except ValueError as exc:
        print(f"kata grade: {exc.args[0]}", file=sys.stderr)
        if server is not None:
            server.close()
        return 2
    path = Path(args.batch or args.dir)
    if not args.kata and not args.batch and path.suffix == ".ipynb":
        # One notebook holds one kata (or a few): grading every other kata would only add
        # "not found" failures to its report.
        katas = submission.notebook_katas(path, katas) or katas
    seed = course_seed(args.seed)
    executor = _executor(args, devices, server)
    # Reference results from disk only where learner code runs outside this process, and only
    # for a seed that can come back.
    reference_cache.enable(args.isolation != "none", seed_repeats=chosen_seed(args.seed) is not None)
    if args.batch:
        for kata in katas:      # reference results once, before the first submission
            runner.plan(kata, seed, devices)
    try:
        if args.batch:
            isolation = _announced_isolation(executor, args, devices)
            if isolation is None:
                return 2
            return grade_batch(path, Path(args.out_dir), katas, executor, isolation, args, seed, devices)
        # One submission: its first katas are planned while the sandbox is still starting, and
        # the isolation it got is known once their children have run.
        report = grade_safely(path, katas, executor, seed=seed, devices=devices,
                              budget_s=args.submission_timeout, isolation=None,
                              workers=kata_workers(args))
        isolation = _announced_isolation(executor, args, devices)
        if isolation is None:
            return 2
        report.metadata["isolation"] = isolation
        text = emitters.write(report, args.format, Path(args.out) if args.out else None,
                              **_format_options(args))
        if not args.out:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return 1 if emitters.FORMATS[args.format].exit_status_grades and not report.passed else 0
    finally:
        if hasattr(executor, "close"):
            executor.close()


def _announced_isolation(executor, args, devices) -> dict | None:
    """The isolation runs get, its warnings printed; None (and why, printed) when the sandbox
    could not start."""
    try:
        isolation = _isolation(executor)
    except Exception as exc:  # noqa: BLE001 - e.g. the fork server could not start
        print(f"kata grade: the sandbox could not start: {exc}", file=sys.stderr)
        return None
    if "cuda" in devices and args.isolation != "none":
        isolation = dict(isolation, warnings=list(isolation.get("warnings", [])) + [
            "no memory limit on CUDA: RLIMIT_AS cannot cap a process that maps GPU memory"])
    for warning in isolation.get("warnings", []):
        print(f"kata grade: warning: {warning}", file=sys.stderr)
    return isolation


def kata_workers(args) -> int:
    """How many of one submission's katas run at once: -j, else one per core (at most 2: the
    parent's own work takes turns, and more children only wait for it). A batch runs its
    submissions side by side instead, each one kata at a time."""
    if args.batch or args.isolation == "none":
        return 1
    return max(1, args.jobs) if args.jobs else min(2, os.cpu_count() or 1)


def _format_options(args) -> dict:
    return {"hidden_after_due": True} if args.format == "gradescope" and args.hidden_after_due else {}


SUBMISSION_SUFFIXES = (".zip", ".ipynb")
MAX_STEM = 100        # UTF-8 bytes of a submission's name kept in its results file's name


@dataclass(frozen=True)
class BatchEntry:
    """One submission of a batch: where it is, its name as people read it, and the name of its
    results file (without extension), which is safe on any filesystem and unique in the batch."""

    path: Path
    shown: str
    stem: str


def safe_stem(name: str) -> str:
    """A results-file name for the submission called `name` (any bytes): letters, digits and
    `._-` are kept, anything else becomes `_`, and a name that had to change gets a short hash
    of its original bytes, so two names that differ only in what was replaced stay apart."""
    kept = "".join(c if (c.isalnum() and c.isprintable()) or c in "._-" else "_" for c in name)
    kept = "_" + kept[1:] if kept.startswith(".") else kept
    kept = kept.encode("utf-8")[:MAX_STEM].decode("utf-8", "ignore") or "_"
    if kept == name:
        return kept
    return f"{kept}-{hashlib.sha256(submission.name_bytes(name)).hexdigest()[:8]}"


def unique_stems(stems: list[str]) -> list[str]:
    """`stems`, with -2, -3... added where two would name the same file. Case is ignored (some
    filesystems do), and a name that is unique as given is never taken by another's suffix."""
    counts = collections.Counter(s.casefold() for s in stems)
    used = {s.casefold() for s in stems if counts[s.casefold()] == 1}
    out = []
    for stem in stems:
        candidate, n = stem, 1
        if counts[stem.casefold()] > 1:
            while candidate.casefold() in used:
                n += 1
                candidate = f"{stem}-{n}"
            used.add(candidate.casefold())
        out.append(candidate)
    return out


def batch_entries(root: Path) -> list[BatchEntry]:
    """The submissions under `root`, in byte order of their names: folders, .zip and .ipynb
    files, and links (which submission.read refuses, so they get a results file saying so)."""
    found = sorted((p for p in root.iterdir() if not p.name.startswith(".")
                    and (p.is_symlink() or p.is_dir() or p.suffix in SUBMISSION_SUFFIXES)),
                   key=lambda p: submission.name_bytes(p.name))

    def base(p: Path) -> str:
        return p.stem if p.suffix in SUBMISSION_SUFFIXES and not p.is_dir() else p.name

    stems = unique_stems([safe_stem(base(p)) for p in found])
    return [BatchEntry(p, submission.display(base(p)), stem) for p, stem in zip(found, stems)]


def failed_report(katas, why: str, metadata: dict) -> GradeReport:
    """What a submission gets when the grader itself failed on it: every graded name crashed,
    with a message that says it is not a verdict on the learner's code."""
    report = GradeReport(metadata=dict(metadata))
    message = (f"the grader failed while grading this submission ({why}); this is not a verdict "
               f"on your code: ask course staff to re-grade.")
    for kata in katas:
        result = KataResult(kata.id, kata.title)
        result.tests = [runner.finish(kata, n, runner.verdict_of(Status.CRASHED, message)) for n in kata.graded]
        report.katas.append(result)
    return report


def grade_safely(path: Path, katas, executor, *, seed: int, devices, budget_s, isolation,
                 name: str | None = None, workers: int = 1) -> GradeReport:
    """grade_submission for the submission at `path`, never raising: whatever happens, there is
    a report to write."""
    try:
        report = grade_submission(submission.read(path, katas, name=name), katas, executor, seed=seed,
                                  devices=devices, budget_s=budget_s, workers=workers)
    except Exception as exc:  # noqa: BLE001 - a results file must be written whatever happened
        report = failed_report(katas, f"{type(exc).__name__}: {str(exc)[:200]}",
                               {"submission": name or submission.display(path.name), "seed": seed,
                                "devices": list(devices), "torchkata": __version__})
    report.metadata["isolation"] = isolation
    return report


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
    """Grade every submission under root (with --shard K/N, only shard K's share) into out_dir:
    one results file each, then grades.jsonl, summary.csv and katas.csv (checker.insight)."""
    with course_sandbox.closed_to_others(root, isolation):
        return _grade_batch(root, out_dir, katas, executor, isolation, args, seed, devices)


def _grade_batch(root: Path, out_dir: Path, katas, executor, isolation, args, seed, devices) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = batch_entries(root)
    if getattr(args, "shard", None) is not None:
        k, n = args.shard
        entries = [e for e in entries if shard.shard_of(e.shown, n) == k]
    fmt = args.format if args.format != "text" else "json"
    names = sorted({emitters.clean_text(e.shown) for e in entries})   # as records name them
    batch = insight.Batch(katas=[k.id for k in katas], titles={k.id: k.title for k in katas}, assigned=names,
                          root=str(root), shard=getattr(args, "shard", None), format=fmt, seed=seed)
    records = insight.RecordWriter(out_dir, batch)
    progress = Progress(len(entries))
    max_score = sum(len(k.graded) for k in katas)

    def one(entry: BatchEntry):
        results = out_dir / f"{entry.stem}.{emitters.FORMATS[fmt].extension}"
        report = grade_safely(entry.path, katas, executor, seed=seed, devices=devices,
                              budget_s=args.submission_timeout, isolation=isolation, name=entry.shown)
        note = "; ".join(report.metadata.get("rejected", []))[:500]
        try:
            emitters.write(report, fmt, results, **_format_options(args))
        except Exception as exc:  # noqa: BLE001 - one unwritable file never stops the batch
            note = f"results file not written: {type(exc).__name__}: {exc}"
        records.add(insight.submission_record(entry.shown, report, results.name, note=note))
        progress.step(entry.shown)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs or 1)) as pool:
        list(pool.map(one, entries))
    batch = records.finish()
    summaries = insight.write_tables(out_dir, batch)
    sys.stderr.write(insight.summary_text(batch, summaries))
    print(f"graded {len(entries)} submission(s) into {out_dir}/ "
          f"({insight.SUMMARY}, {insight.KATA_SUMMARY}, {insight.RECORDS})", file=sys.stderr)
    return 0
