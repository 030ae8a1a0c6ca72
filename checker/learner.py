"""What a learner sees after a self-study check, wherever it runs (`kata check`, `kata progress`,
`kata watch`, the last cell of a notebook): the same report, then what to do next.

A workspace remembers two things in .torchkata/: which hint steps were shown (hints.json) and
which katas passed their last check (progress.json), so a pass can point at the next kata to do
without grading the whole course again. Outside a workspace nothing is remembered.

torch is imported only when something is graded.
"""
from __future__ import annotations

import json
from pathlib import Path

from checker import course_root, manifest
from checker.course_root import Workspace
from checker.manifest import Kata


# ---------------------------------------------------------------------------------------------
# Remembered state


class State:
    """A workspace's .torchkata/ files; with no workspace, an empty state that keeps nothing."""

    def __init__(self, workspace: Workspace | None):
        self.folder = workspace.state if workspace is not None else None

    def _read(self, name: str) -> dict:
        if self.folder is None:
            return {}
        try:
            data = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, name: str, data: dict) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    # hint steps shown, per "kata id::graded name"
    def hints(self) -> dict:
        return self._read("hints.json")

    def save_hints(self, steps: dict) -> None:
        self._write("hints.json", steps)

    def forget_hints(self, kata: Kata) -> None:
        """A fresh start (kata reset) climbs that kata's hint ladders from the bottom again."""
        self.save_hints({k: v for k, v in self.hints().items() if not k.startswith(kata.id + "::")})

    # katas whose last check passed
    def solved(self) -> set[str]:
        return set(self._read("progress.json").get("solved", []))

    def record(self, results) -> None:
        solved = self.solved()
        for result in results:
            (solved.add if result.passed else solved.discard)(result.kata_id)
        self._write("progress.json", {"solved": sorted(solved)})


def state() -> State:
    return State(course_root.current().workspace)


# ---------------------------------------------------------------------------------------------
# Grading and the report


def grade(kata: Kata, target, *, device: str = "auto", seed: int = 0, executor=None):
    from checker import runner
    executor = executor or runner.InProcess(time_limit_s=runner.NAME_TIME_LIMIT_S)
    return runner.grade_kata(kata, target, executor, seed=seed, devices=runner.devices_for(device))


def grade_files(katas, folder: Path, *, device: str = "auto", seed: int = 0) -> list:
    """Grade each kata's file under folder (laid out like exercises/), in one executor."""
    from checker import runner
    executor = runner.InProcess(time_limit_s=runner.NAME_TIME_LIMIT_S)
    return [grade(k, runner.Target.from_file(Path(folder) / k.relpath), device=device, seed=seed, executor=executor)
            for k in katas]


def mark(result) -> str:
    return "✓" if result.passed else "✗"


def report(result) -> str:
    """One kata's verdict: a line per graded name, with the full explanation of each failure."""
    lines = [f"{mark(result)} {result.kata_id}: {result.title}"]
    for test in result.tests:
        lines.append(f"  {'ok' if test.status.passed else test.status.value:<16} {test.name}")
        if not test.status.passed and test.status.value != "not-implemented":
            lines.append("    " + test.message.replace("\n", "\n    "))
    return "\n".join(lines)


def next_kata(after: Kata | None, solved: set[str], katas=None) -> Kata | None:
    """The first unsolved kata after `after` in syllabus order, wrapping round to the start."""
    katas = list(katas if katas is not None else manifest.load())
    start = next((i + 1 for i, k in enumerate(katas) if after is not None and k.id == after.id), 0)
    for kata in katas[start:] + katas[:start]:
        if kata.id not in solved and (after is None or kata.id != after.id):
            return kata
    return None


def where_to_work(kata: Kata, in_notebook: bool = False) -> str:
    """The learner's file for a kata, as a path to show: relative to the working directory when
    it is below it, else to the workspace (a notebook's kernel runs in notebooks/<chapter>/)."""
    workspace = course_root.current().workspace
    root = workspace.root if workspace else Path.cwd()
    path = root / ("notebooks" if in_notebook else "exercises") / f"{kata.id}{'.ipynb' if in_notebook else '.py'}"
    for base in (Path.cwd(), root):
        if path.is_relative_to(base.resolve()):
            return str(path.relative_to(base.resolve()))
    return str(path)


def after(results, kata: Kata | None = None, in_notebook: bool = False) -> list[str]:
    """The closing lines of a check: on a pass, where to see the reference and the next kata."""
    st = state()
    st.record(results)
    if not results or not all(r.passed for r in results):
        return []
    lines = []
    if len(results) == 1:
        lines.append(f"solved! compare with the reference solution: kata solution {results[0].kata_id}")
    following = next_kata(kata or manifest.get(results[-1].kata_id), st.solved())
    if following is None:
        lines.append("every kata is solved")
    elif in_notebook:
        lines.append(f"next kata: {following.id}: {following.title}  ({where_to_work(following, True)})")
    else:
        lines.append(f"next kata: {following.id}: {following.title}  "
                     f"({where_to_work(following)}, then `kata check {following.id}`)")
    return lines


def check_source(kata: Kata, source: str, display: str, *, device: str = "auto", seed: int = 0,
                 in_notebook: bool = False) -> str:
    """Grade source text (a notebook's lifted code, say) as `kata check` would: report and next."""
    from checker import runner
    result = grade(kata, runner.Target(display, source=source), device=device, seed=seed)
    return "\n".join([report(result), *after([result], kata, in_notebook)])
