"""The pytest plugin behind `pytest exercises/` (registered as the `torchkata` pytest11 entry point).

It loads in every pytest run of the environment it is installed in, so it keeps to itself: unless
pytest runs inside a kata workspace (a folder made by `kata init`, marked by torchkata.toml) or
a course folder (one with katas.toml, such as a clone of torchkata), it only adds its two
`--kata-*` options and does nothing else: no collection, no markers, no summary, no imports of
torch or of the course.

Inside one, each kata file found under the given paths becomes a collector with one item per
graded name, e.g. `exercises/04_indexing/gather.py::gather_2d`. Items run in this process
through the same runner `kata grade` uses; their failure report is the judge's message, with no
checker frames.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker import course_root, manifest
from checker.course_root import Location

# pytest-timeout's limit for one kata item (one graded name), unless --timeout is given on the
# command line; an ini `timeout` (such as a project's own test settings) does not change it.
KATA_TIMEOUT_S = 20
_STATUS = "kata_status"
_PACKAGE_DIR = Path(__file__).resolve().parent


def pytest_addoption(parser):
    # Both options carry the kata- prefix, so they cannot clash with a project's own --device or
    # --seed; they are registered everywhere (pytest parses options before it knows the rootdir).
    group = parser.getgroup("torchkata", "torchkata kata grading (only inside a kata workspace)")
    group.addoption("--kata-device", dest="kata_device", default="auto", choices=["auto", "cpu", "cuda", "mps"],
                    help="device the katas run on (default: auto = cuda, then mps, then cpu)")
    group.addoption("--kata-seed", dest="kata_seed", type=int, default=0,
                    help="seed for the hidden inputs (default 0)")


def workspace_of(config) -> Location | None:
    """The kata workspace or course this run is in: found at or above the rootdir, or else the
    directory pytest was started from. None means this is some other project's run."""
    for start in (config.rootpath, config.invocation_params.dir):
        try:
            found = course_root.find_upward(start)
        except course_root.CourseError as error:
            raise pytest.UsageError(f"torchkata: {error}") from None
        if found is not None:
            return found
    return None


def pytest_configure(config):
    location = workspace_of(config)
    if location is None:
        return
    config.addinivalue_line("markers", "kata(id): an item graded by a torchkata hidden suite")
    config.addinivalue_line("markers", "chapter(name): the syllabus chapter a kata item belongs to")
    config.pluginmanager.register(KataSession(config, location), "torchkata-session")


class KataSession:
    """The hooks that run only inside a kata workspace, bound to its course."""

    def __init__(self, config, location: Location):
        self.config = config
        self.location = location
        try:
            self.katas = manifest.load(location.course.manifest)
        except (OSError, ValueError) as error:
            raise pytest.UsageError(f"torchkata: the course's manifest cannot be read: {error}") from None
        self.skip_dirs = {_PACKAGE_DIR, location.course.root / "checker"}

    def pytest_collect_file(self, file_path: Path, parent):
        kata = manifest.match_path(file_path, self.katas)
        if kata is None or self.skip_dirs & set(file_path.resolve().parents):
            return None
        return KataFile.from_parent(parent, path=file_path, kata=kata)

    def pytest_collection_modifyitems(self, items):
        # Katas run in syllabus order (the manifest's), not in file-name order.
        if items and all(isinstance(item, KataItem) for item in items):
            items.sort(key=lambda item: item.kata.index)

    def pytest_report_teststatus(self, report, config):
        if report.when == "call" and report.failed and _status_of(report) == "not-implemented":
            return "not implemented", "N", ("NOT IMPLEMENTED", {"yellow": True})
        return None

    def pytest_terminal_summary(self, terminalreporter):
        _summary(terminalreporter, self.katas)


class KataFile(pytest.File):
    def __init__(self, *, kata, **kwargs):
        super().__init__(**kwargs)
        self.kata = kata

    def collect(self):
        # The reference's results are computed here, at collection, so an item's time limit
        # measures the learner's code only (and `import torch` is paid before any item runs);
        # a file that is still the untouched stub needs none (its items say so without running).
        from checker import runner
        try:
            untouched = runner.untouched(self.kata, self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            untouched = frozenset()
        if not set(self.kata.graded) <= untouched:
            runner.plan(self.kata, self.config.getoption("kata_seed"),
                        runner.devices_for(self.config.getoption("kata_device")))
        for name in self.kata.graded:
            item = KataItem.from_parent(self, name=name, kata=self.kata)
            item.add_marker(pytest.mark.kata(self.kata.id))
            item.add_marker(pytest.mark.chapter(self.kata.chapter))
            if not item.get_closest_marker("timeout") and not _timeout_given(self.config):
                item.add_marker(pytest.mark.timeout(KATA_TIMEOUT_S))
            yield item


def _timeout_given(config) -> bool:
    try:
        return config.getoption("timeout", None) is not None
    except ValueError:  # pytest-timeout not installed
        return True


class KataFailure(Exception):
    def __init__(self, test):
        super().__init__(test.message)
        self.test = test


def _executor(config):
    # One in-process executor per pytest process, so each learner file is imported once.
    from checker.runner import InProcess
    if not hasattr(config, "_torchkata_executor"):
        config._torchkata_executor = InProcess()
    return config._torchkata_executor


class KataItem(pytest.Item):
    def __init__(self, *, kata, **kwargs):
        super().__init__(**kwargs)
        self.kata = kata
        self.user_properties.append(("kata", kata.id))
        self.user_properties.append(("kata_file", os.path.relpath(self.path)))

    def runtest(self):
        __tracebackhide__ = True
        from checker import runner
        from checker.results import Status
        config = self.config
        devices = runner.devices_for(config.getoption("kata_device"))
        display = os.path.relpath(self.path)
        try:
            result = runner.grade_kata(self.kata, runner.Target.from_file(self.path, display),
                                       _executor(config), seed=config.getoption("kata_seed"),
                                       devices=devices, names=[self.name])
        except pytest.fail.Exception as exc:
            if "Timeout" not in str(exc):
                raise
            from checker.results import TestResult
            result = None
            test = TestResult(self.kata.id, self.name, Status.TIMEOUT,
                              f"{self.name} did not finish within the time limit: look for an endless loop.\n"
                              f"{runner.hint_line(self.kata)}")
        else:
            test = result.tests[0]
        self.user_properties.append((_STATUS, test.status.value))
        if not test.status.passed:
            raise KataFailure(test)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, KataFailure):
            return excinfo.value.test.message
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.kata.id}::{self.name}"


def _status_of(report) -> str | None:
    return dict(report.user_properties).get(_STATUS)


def _summary(terminalreporter, katas) -> None:
    by_kata: dict[str, bool] = {}
    files: dict[str, str] = {}
    not_implemented: dict[str, list[str]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call" or not hasattr(report, "user_properties"):
                continue
            props = dict(report.user_properties)
            kata_id = props.get("kata")
            if kata_id:
                files[kata_id] = props.get("kata_file", f"exercises/{kata_id}.py")
                if _status_of(report) == "not-implemented":
                    not_implemented.setdefault(kata_id, []).append(report.nodeid.rpartition("::")[2])
                by_kata[kata_id] = by_kata.get(kata_id, True) and report.passed
    if not by_kata:
        return
    solved = sum(by_kata.values())
    terminalreporter.write_sep("-", "torchkata")
    order = {k.id: k.index for k in katas}
    todo = sorted((k for k, ok in by_kata.items() if not ok), key=lambda k: order.get(k, 0))
    for kata_id in sorted(not_implemented, key=lambda k: order.get(k, 0)):
        names = ", ".join(not_implemented[kata_id])
        terminalreporter.write_line(f"not implemented yet: {files[kata_id]} ({names})", yellow=True)
    if todo:
        terminalreporter.write_line(f"next kata: {files[todo[0]]}  (stuck? kata hint {todo[0]})")
    terminalreporter.write_line(f"katas solved: {solved}/{len(by_kata)}", bold=True, green=solved == len(by_kata))
