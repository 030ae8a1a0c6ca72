"""Where the course is, and where the learner's own files are.

A *course* is what grades: `katas.toml`, the references in `solutions/`, and the suites and
mistake catalogues in `checker/suites/`. A clone of torchkata is a course, an instructor's own
folder laid out the same way is one, and so is the copy a wheel carries inside the package
(manifest and references in `checker/packaged_course/`, suites in `checker/suites/`, written
there at build time by setup.py).

A *workspace* is where a learner works: `exercises/`, `notebooks/` and `.torchkata/` (hint steps
and backups). `kata init` makes one, marked by a `torchkata.toml` that names its course; a
course folder is its own workspace, which is how a clone has always worked.

Which course and workspace a process uses is decided once, first match wins:

1. `--course DIR` (the kata CLI) or `$TORCHKATA_COURSE`: a course folder or a workspace;
2. the nearest folder, at or above the working directory, that holds `katas.toml` (a course)
   or `torchkata.toml` (a workspace);
3. the installed course: the clone this package sits in (an editable install), else the course
   packaged inside it (a wheel).

Only the standard library is imported here, so every command can ask at once.
"""
from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MANIFEST_NAME = "katas.toml"
WORKSPACE_MARKER = "torchkata.toml"
COURSE_ENV = "TORCHKATA_COURSE"
PACKAGED_DIR = "packaged_course"


class CourseError(ValueError):
    """No usable course where one was asked for; the message says what to do."""


class _Folder:
    """A folder with exercises/ and notebooks/ in it: a course's generated stubs, or a learner's
    own. Its root is kept resolved, so two spellings of one folder compare equal."""

    root: Path

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"


@dataclass(frozen=True)
class Course(_Folder):
    """A folder holding katas.toml, solutions/ and checker/suites/ (plus, in a clone or an
    instructor's folder, the generated exercises/ and notebooks/)."""

    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST_NAME

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def suites(self) -> Path:
        # The packaged course's suites sit in the package itself, as in a clone, because they
        # import their shared helpers as checker.suites.<name>.
        return (package_dir() if self.packaged else self.root / "checker") / "suites"

    @property
    def packaged(self) -> bool:
        """True for the copy inside an installed wheel: `kata build` and `kata new` must not
        write there, and no learner works there."""
        packaged = packaged_root()
        return packaged is not None and self.root == packaged.resolve()

    def describe(self) -> str:
        return f"the course packaged with torchkata ({self.root})" if self.packaged else str(self.root)


@dataclass(frozen=True)
class Workspace(_Folder):
    """Where a learner's stubs, notebooks, hint steps and backups live."""

    root: Path
    course: Course

    @property
    def state(self) -> Path:
        return self.root / ".torchkata"

    @property
    def backups(self) -> Path:
        return self.state / "backup"

    @property
    def is_course(self) -> bool:
        """A course folder used as its own workspace (a clone of torchkata, say)."""
        return self.root == self.course.root


@dataclass(frozen=True)
class Location:
    course: Course
    workspace: Workspace | None
    how: str            # why this course, for messages: "--course", "found above the working directory", ...


# ---------------------------------------------------------------------------------------------
# The installed course


def package_dir() -> Path:
    return Path(__file__).resolve().parent


def checkout_root() -> Path | None:
    """The clone this checker package sits in, when it sits in one (an editable install or a
    PYTHONPATH run): the folder above the package, when that folder holds katas.toml."""
    root = package_dir().parent
    return root if (root / MANIFEST_NAME).is_file() else None


def packaged_root() -> Path | None:
    """The course a wheel carries as package data (checker/packaged_course/), found through
    importlib.resources; None in a clone, where the build step that writes it has not run."""
    folder = resources.files("checker") / PACKAGED_DIR
    if not folder.is_dir() or not (folder / MANIFEST_NAME).is_file():
        return None
    if not isinstance(folder, Path):  # e.g. imported from a zip: suites must be real files
        raise CourseError(f"torchkata's packaged course is not on the file system ({folder}); "
                          f"install torchkata from its wheel, unzipped, as pip does")
    return folder


def installed_course() -> Course:
    """The course that comes with this torchkata: its clone's, else the packaged one."""
    root = checkout_root() or packaged_root()
    if root is None:
        raise CourseError("this torchkata install carries no course (no katas.toml beside or inside the "
                          "checker package); reinstall it from its wheel, or point --course or "
                          f"${COURSE_ENV} at a course folder")
    return Course(root)


def installed_course_or_none() -> Course | None:
    try:
        return installed_course()
    except CourseError:
        return None


# ---------------------------------------------------------------------------------------------
# Finding a course or workspace from a folder


def read_marker(folder: Path) -> Workspace:
    """The workspace whose torchkata.toml is in folder; its course is the one the marker names
    (a path, relative to the workspace or absolute), or the installed course when it names none."""
    marker = Path(folder) / WORKSPACE_MARKER
    try:
        data = tomllib.loads(marker.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CourseError(f"{marker} cannot be read: {error}") from None
    named = str(data.get("workspace", {}).get("course", "") or "")
    if not named:
        return Workspace(folder, installed_course())
    course_dir = (Path(folder) / named).resolve()
    if not (course_dir / MANIFEST_NAME).is_file():
        raise CourseError(f"{marker} names the course {named!r}, but {course_dir} holds no {MANIFEST_NAME}")
    return Workspace(folder, Course(course_dir))


def at(folder: Path) -> Location | None:
    """The course or workspace whose marker file is in folder itself, or None."""
    folder = Path(folder)
    if (folder / WORKSPACE_MARKER).is_file():
        workspace = read_marker(folder)
        return Location(workspace.course, workspace, "")
    if (folder / MANIFEST_NAME).is_file():
        course = Course(folder)
        return Location(course, Workspace(folder, course), "")
    return None


def find_upward(start: Path) -> Location | None:
    """The nearest course or workspace at or above start."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        found = at(folder)
        if found is not None:
            return Location(found.course, found.workspace, f"found at or above {start}")
    return None


def resolve(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Location:
    """The course and workspace for this process, by the rules in the module docstring."""
    for value, how in ((explicit, "--course"), (os.environ.get(COURSE_ENV), f"${COURSE_ENV}")):
        if value:
            found = at(Path(value).expanduser())
            if found is None:
                raise CourseError(f"{how} {value}: no {MANIFEST_NAME} (a course) or {WORKSPACE_MARKER} "
                                  f"(a workspace made by `kata init`) in that folder")
            return Location(found.course, found.workspace, how)
    found = find_upward(cwd or Path.cwd())
    if found is not None:
        return found
    course = installed_course()
    workspace = Workspace(course.root, course) if not course.packaged else None
    return Location(course, workspace, "the course installed with torchkata")


# ---------------------------------------------------------------------------------------------
# The one location of this process

_current: Location | None = None


def current() -> Location:
    """The location of this process, resolved on first use and kept."""
    global _current
    if _current is None:
        _current = resolve()
    return _current


def select(explicit: str | os.PathLike | None) -> Location:
    """Decide the location now (the CLI calls this with --course before any command runs)."""
    global _current
    _current = resolve(explicit)
    return _current


@contextlib.contextmanager
def using(location: Location):
    """Run with another location, then put the previous one back (tests, `kata init`)."""
    global _current
    previous = _current
    _current = location
    try:
        yield location
    finally:
        _current = previous
