"""`kata init [DIR]`: a learner's workspace, made from the installed course (rustlings-style).

A workspace holds fresh stubs in exercises/ and notebooks in notebooks/, both rendered from the
course's references, plus a pytest.ini (so `pytest` there grades the katas), a short README and
the torchkata.toml that marks the folder (checker.course_root). Running init again in a
workspace adds the katas that are new in the course and never touches a file that exists, so a
learner can update torchkata without losing anything.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from checker import __version__, authoring, course_root, manifest
from checker.course_root import Course

_TEMPLATES = Path(__file__).resolve().parent / "templates" / "workspace"
_environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), undefined=jinja2.StrictUndefined,
                                  keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
# File in the workspace -> the template it comes from.
_FILES = {course_root.WORKSPACE_MARKER: "torchkata.toml.j2", "pytest.ini": "pytest.ini.j2",
          "README.md": "README.md.j2", ".gitignore": "gitignore.j2"}


class WorkspaceError(ValueError):
    """A workspace cannot be made where asked; the message says why."""


@dataclass
class InitReport:
    root: Path
    created: bool                                     # False: an existing workspace was updated
    added: list[Path] = field(default_factory=list)
    kept: int = 0                                     # kata files already there, left as they were


def _learner_commands(first) -> list[tuple[str, str]]:
    return [
        ("pytest", "grade every kata; ends with \"katas solved: N/M\""),
        (f"kata check {first.id}", "one kata, fully explained, then the next one to do"),
        (f"kata hint {first.id} NAME", "the next hint for one graded name"),
        (f"kata watch {first.id}", "re-check each time you save"),
        ("kata progress", "a table of every kata"),
        (f"kata reset {first.id}", "a fresh stub; yours is backed up (`kata restore` lists backups)"),
        (f"kata solution {first.id}", "the reference, once your version passes"),
        ("kata list", "the syllabus"),
    ]


def _render(template: str, course: Course, katas) -> str:
    named = "" if course == course_root.installed_course_or_none() else str(course.root)
    commands = _learner_commands(katas[0])
    return _environment.get_template(template).render(
        course=json.dumps(named), version=__version__, count=len(katas), first=katas[0],
        commands=commands, width=max(len(c) for c, _ in commands))


def init(dest: Path, course: Course) -> InitReport:
    """Make a workspace at dest for course, or add the course's new katas to the one there."""
    dest = Path(dest).resolve()
    if (dest / course_root.MANIFEST_NAME).exists():
        raise WorkspaceError(f"{dest} is a course folder (it has {course_root.MANIFEST_NAME}); "
                             f"make the workspace somewhere else")
    created = not (dest / course_root.WORKSPACE_MARKER).is_file()
    if created and dest.exists() and any(dest.iterdir()):
        raise WorkspaceError(f"{dest} is not empty and is not a workspace; give an empty or new folder")
    if not created:
        existing = course_root.read_marker(dest)
        if existing.course != course:
            raise WorkspaceError(f"{dest} is a workspace of the course at {existing.course.root}, not of "
                                 f"{course.root}; run `kata init` there without --course")
    katas = [k for k in manifest.load(course.manifest) if k.solution_path.is_file()]
    if not katas:
        raise WorkspaceError(f"the course at {course.root} has no kata with a reference yet")

    rendered: list[tuple[Path, str]] = []
    for kata in katas:
        source = authoring.read_solution(kata)
        rendered.append((dest / "exercises" / kata.relpath, authoring.render_stub(kata, source)))
        rendered.append((dest / "notebooks" / f"{kata.id}.ipynb", authoring.render_notebook(kata, source)))
    report = InitReport(dest, created)
    for path, text in rendered:
        if path.exists():
            report.kept += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report.added.append(path)
    for name, template in _FILES.items():
        if not (dest / name).exists():
            (dest / name).write_text(_render(template, course, katas), encoding="utf-8")
    return report
