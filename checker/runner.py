"""Grading one kata: plan the suite's probes, run the reference in this (trusted) process, run the
learner's probes through an executor, judge, and return the one result model.

Executors differ only in *where* the learner's probes run:
  InProcess  this process (self-study, `kata validate`); fast, not a security boundary
  Sandboxed  a limited child process from a fork server (course grading, `kata grade`)
Both return the same plain data, so suites never know which one ran them.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib.util
import itertools
import os
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path

import torch

from checker import probe, reference_cache
from checker.guards import KataTimeout, time_limit
from checker.judge import NOT_IMPLEMENTED_YET, Malformed, format_error, is_stub_placeholder
from checker.manifest import Kata
from checker.results import KataResult, Status, TestResult


# ---------------------------------------------------------------------------------------------
# Trusted code: suites and references, loaded once per process
# ---------------------------------------------------------------------------------------------

def load_path(path: Path, module_name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _module_name(kata: Kata, role: str) -> str:
    return f"torchkata_{role}_{kata.id.replace('/', '_')}"


def load_course_file(kata: Kata, path: Path, role: str) -> types.ModuleType:
    """One of the kata's own files (suite, reference, catalogue), with the kata's course first
    in line for `checker.suites.<helper>` imports."""
    _course_helpers_first(kata.home.suites)
    return load_path(path, _module_name(kata, role))


def _course_helpers_first(suites: Path) -> None:
    """Suites import their shared helpers as `checker.suites.<name>`. That name would find the
    copies installed with torchkata; an instructor's course must get its own helpers (which may
    differ, or not exist in torchkata at all), so its suites folder goes first on the package's
    search path, and a same-named helper already imported from elsewhere is dropped."""
    import checker.suites
    folder = str(suites)
    if list(checker.suites.__path__)[:1] == [folder]:
        return
    checker.suites.__path__ = [folder, *(p for p in checker.suites.__path__ if p != folder)]
    for name, module in list(sys.modules.items()):
        if name.startswith("checker.suites.") and name.count(".") == 2:
            origin = Path(getattr(module, "__file__", None) or "")
            if origin.parent != suites and (suites / f"{name.rsplit('.', 1)[1]}.py").is_file():
                del sys.modules[name]


@functools.lru_cache(maxsize=None)
def suite_for(kata: Kata):
    """The kata's suite, refused (AuthoringError) when it names what the reference does not grade."""
    from checker.suite import AuthoringError
    if not kata.suite_path.is_file():
        raise AuthoringError(f"{kata.id}: no suite at {kata.suite_path}; `kata new {kata.id}` scaffolds one")
    suite = load_course_file(kata, kata.suite_path, "suite").suite
    unknown = [n for n in suite.graded_names if n not in kata.graded]
    if unknown:
        raise AuthoringError(
            f"{kata.suite_path}: checks {unknown}, which {kata.solution_path} does not grade (graded: "
            f"{list(kata.graded)}). Name each check after a graded name of this kata, or move the suite "
            f"to the kata it belongs to.")
    return suite


@functools.lru_cache(maxsize=None)
def reference_for(kata: Kata) -> types.ModuleType:
    return load_course_file(kata, kata.solution_path, "reference")


def resolve_device(device: str = "auto") -> str:
    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but CUDA is not available here")
    if device == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("--device mps was asked for, but MPS is not available here")
    if device not in ("cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {device!r}: use auto, cpu, cuda or mps")
    return device


def devices_for(device: str) -> tuple[str, ...]:
    """On an accelerator the probes run on the CPU as well, so device bugs show as differences."""
    device = resolve_device(device)
    return ("cpu",) if device == "cpu" else ("cpu", device)


@dataclass(frozen=True)
class Plan:
    checks: tuple            # suite Checks, in order
    expected: tuple          # reference results per check, aligned with check.specs


@functools.lru_cache(maxsize=64)
def plan(kata: Kata, seed: int = 0, devices: tuple[str, ...] = ("cpu",)) -> Plan:
    """The checks and the reference's results. Cached: a batch of submissions pays this once."""
    reference = reference_for(kata)
    checks = suite_for(kata).plan(reference, seed, devices, kata.spec)
    reference_source = kata.solution_path.read_bytes()
    expected = []
    for check in checks:
        specs = [dict(s, forbidden=kata.forbidden_for(check.name)) for s in check.specs]
        results = reference_cache.expected_results(
            reference_source, specs,
            lambda: probe.run_probes(reference, specs, str(kata.solution_path)))
        for spec, result in zip(specs, results):
            err = result.get("error") or result.get("grad_error") or result.get("forbidden")
            if err and not (spec.get("raises") and spec["raises"] in err.get("mro", ())):
                # A suite bug (an invalid case, say), never something to pass on to learners.
                raise RuntimeError(f"the reference for {kata.id} fails its own probe {spec['target']}: {err}")
        expected.append(results)
    return Plan(tuple(checks), tuple(expected))


# ---------------------------------------------------------------------------------------------
# What gets graded
# ---------------------------------------------------------------------------------------------

@dataclass
class Target:
    """A learner's kata: a file's source text, or an in-memory namespace (catalogue variants)."""

    display: str                            # the name shown in messages and tracebacks
    source: str | None = None
    namespace: types.ModuleType | None = None
    problem: str | None = None              # e.g. "file not found"
    given: str | None = None                # the stub's helpers, run again over the learner's file

    @classmethod
    def from_file(cls, path: Path, display: str | None = None) -> "Target":
        display = display or _display_path(path)
        try:
            return cls(display, source=Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(display, problem=f"{display} was not found")
        except (OSError, UnicodeDecodeError) as exc:
            return cls(display, problem=f"{display} could not be read: {exc}")


def _display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


#: How long one graded name's probes may run in self-study (`pytest exercises/`, `kata check`,
#: `kata watch`, `kata progress`) before it is stopped and reported as a timeout by name.
NAME_TIME_LIMIT_S = 20.0


@dataclass
class ProbeOutcome:
    """What an executor returns: results aligned with the specs, or one status for the kata."""

    results: list | None = None
    status: Status | None = None
    message: str = ""


class InProcess:
    """Runs probes in this process. The learner's module is loaded once per source text.

    time_limit_s bounds each graded name's probes (main thread only): a name that runs past it
    gets a timeout verdict naming it, and the names after it still run."""

    def __init__(self, time_limit_s: float | None = None):
        self._modules: dict[tuple[str, str], object] = {}
        self.time_limit_s = time_limit_s
        # Kata inputs are tiny: one thread avoids the pool's start-up and contention costs.
        torch.set_num_threads(1)

    def load(self, target: Target):
        if target.namespace is not None:
            return target.namespace
        key = (target.display, target.source, target.given)
        if key not in self._modules:
            try:
                with time_limit(self.time_limit_s):
                    self._modules[key] = probe.load_source(target.source, target.display, given=target.given)
            except KataTimeout:
                self._modules[key] = {"type": "KataTimeout", "mro": ["KataTimeout"], "frames": [],
                                      "message": "importing your file did not finish within the time limit"}
            except BaseException as exc:  # noqa: BLE001 - SystemExit at import included
                self._modules[key] = probe.describe_exception(exc, target.display)
        return self._modules[key]

    def run(self, target: Target, specs: list[dict]) -> ProbeOutcome:
        if target.problem:
            return ProbeOutcome(status=Status.IMPORT_ERROR, message=target.problem)
        module = self.load(target)
        if isinstance(module, dict):
            return import_failure(module)
        results = []
        for _, group in itertools.groupby(specs, key=lambda s: s.get("target")):
            group = list(group)
            try:
                with time_limit(self.time_limit_s):
                    results += probe.run_probes(module, group, target.display)
            except KataTimeout:
                timeout = {"type": "KataTimeout", "mro": ["KataTimeout"], "frames": [],
                           "message": f"did not finish within {self.time_limit_s:g} s"}
                results += [{"error": timeout}] * len(group)
        return ProbeOutcome(results=results)


def import_failure(err: dict) -> ProbeOutcome:
    if is_stub_placeholder(err):
        return ProbeOutcome(status=Status.NOT_IMPLEMENTED, message=NOT_IMPLEMENTED_YET)
    if "KataTimeout" in err["mro"]:
        return ProbeOutcome(status=Status.TIMEOUT, message=err["message"] + ": look for an endless loop at module level.")
    return ProbeOutcome(status=Status.IMPORT_ERROR,
                   message="your file could not be imported:\n" + format_error(err))


# ---------------------------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------------------------

def hint_line(kata: Kata, name: str = "") -> str:
    return f"stuck? run `kata hint {kata.id}{' ' + name if name else ''}`"


def verdict_of(status: Status, message: str):
    from checker.judge import Verdict
    return Verdict(status, message)


NO_CHECK = object()   # a graded name the suite registered no check for


def finish(kata: Kata, name: str, verdict) -> TestResult:
    if verdict is NO_CHECK:
        return TestResult(kata.id, name, Status.ERROR,
                          f"the hidden suite has no check for {name}, so it cannot be graded (an authoring "
                          f"bug in {kata.suite_path.name}: `kata validate` names it). Never a pass.")
    if verdict is None:
        return TestResult(kata.id, name, Status.PASSED, "", score=1.0)
    if verdict.status is Status.NOT_IMPLEMENTED:
        message = f"not implemented yet: fill in {name} in {kata.relpath} ({hint_line(kata, name)})"
    else:
        message = f"{verdict.message}\n{hint_line(kata, name)}"
    return TestResult(kata.id, name, verdict.status, message)


def judge_checks(kata: Kata, checks, expected, got, trusted: bool = True) -> dict[str, object]:
    """The first failing verdict per graded name (None when all of its checks pass).

    Results from a sandboxed child are untrusted: if they do not have the shape a judge
    expects, that is the submission's failure, never the grader's crash."""
    verdicts: dict[str, object] = {}
    if len(got) != len(checks):
        got = list(got) + [[]] * (len(checks) - len(got))
    for check, exp, res in zip(checks, expected, got):
        if verdicts.get(check.name) is not None:
            continue
        try:
            # The structure first: one reply per probe, each a dict, before any judge zips them.
            if not isinstance(res, list) or len(res) != len(exp) or not all(isinstance(r, dict) for r in res):
                raise Malformed(f"{len(res) if isinstance(res, list) else 'no'} replies for {len(exp)} probes")
            verdicts[check.name] = check.judge(exp, res)
        except Malformed as exc:
            verdicts[check.name] = verdict_of(Status.FAILED, f"your code's answer could not be read: {exc}.")
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, RuntimeError) as exc:
            if trusted:
                raise
            verdicts[check.name] = verdict_of(Status.FAILED, f"your code's answer could not be read ({exc!r}).")
    return verdicts


def _add_diagnoses(kata, result, picked, checks, expected, got, seed, devices) -> None:
    """A line naming the catalogued mistake a failing name behaves like, where exactly one does."""
    from checker import diagnose
    for test in result.tests:
        if test.status not in diagnose.DIAGNOSED:
            continue
        mine = [i for i, c in enumerate(checks) if c.name == test.name]
        line = diagnose.diagnose(kata, test.name, [picked[i] for i in mine], [expected[i] for i in mine],
                                 [got[i] for i in mine], seed, devices)
        if line:
            test.diagnosis = line
            body, _, stuck = test.message.rpartition("\nstuck? ")
            test.message = f"{body}\n  {line}\nstuck? {stuck}" if body else f"{test.message}\n  {line}"


@functools.lru_cache(maxsize=256)
def untouched(kata: Kata, source: str) -> frozenset:
    """The kata's graded names that `source` leaves exactly as the stub does."""
    from checker import authoring
    return frozenset(authoring.untouched_stubs(source, kata.graded))


@functools.lru_cache(maxsize=None)
def _given_code(kata: Kata) -> str:
    from checker import authoring
    return reference_cache.given_code(kata.solution_path.read_bytes(), lambda: authoring.given_code(kata))


def grade_kata(kata: Kata, target: Target, executor, *, seed: int = 0, devices=("cpu",),
               names: list[str] | None = None, diagnose: bool = True) -> KataResult:
    started = time.perf_counter()
    graded = [n for n in kata.graded if names is None or n in names]
    if target.source is not None and set(graded) <= untouched(kata, target.source):
        # Every name asked for is still the stub's placeholder: "not implemented yet" is all a
        # run could say, so neither the reference nor the learner's code runs (a fresh
        # workspace's first `pytest` pays for no kata it has not started).
        result = KataResult(kata.id, kata.title)
        result.tests = [finish(kata, n, verdict_of(Status.NOT_IMPLEMENTED, NOT_IMPLEMENTED_YET)) for n in graded]
        result.duration_s = time.perf_counter() - started
        return result
    the_plan = plan(kata, seed, tuple(devices))
    if target.source is not None and target.given is None:
        target = dataclasses.replace(target, given=_given_code(kata))
    picked = [i for i, c in enumerate(the_plan.checks) if names is None or c.name in names]
    checks = [the_plan.checks[i] for i in picked]
    expected = [the_plan.expected[i] for i in picked]
    specs = [dict(s, forbidden=kata.forbidden_for(c.name)) for c in checks for s in c.specs]
    outcome = executor.run(target, specs)
    result = KataResult(kata.id, kata.title)
    if outcome.results is None:
        for name in graded:
            result.tests.append(finish(kata, name, verdict_of(outcome.status, outcome.message)))
    else:
        got, position = [], 0
        for check in checks:
            got.append(outcome.results[position:position + len(check.specs)])
            position += len(check.specs)
        verdicts = judge_checks(kata, checks, expected, got, getattr(executor, "trusted_results", True))
        result.tests = [finish(kata, name, verdicts.get(name, NO_CHECK)) for name in graded]
        if diagnose:
            _add_diagnoses(kata, result, picked, checks, expected, got, seed, devices)
    result.duration_s = time.perf_counter() - started
    return result

