"""The ordered kata manifest (katas.toml) and the paths derived from a kata id."""
from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checker import course_root
from checker.course_root import Course
from checker.spec import ReferenceSpec, reference_spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# The current course's paths, read as module attributes (manifest.SOLUTIONS ...): each call asks
# checker.course_root, so `kata --course DIR` and a workspace's course are honoured everywhere.
_COURSE_PATHS = {"MANIFEST_PATH": "manifest", "SOLUTIONS": "solutions", "EXERCISES": "exercises",
                 "NOTEBOOKS": "notebooks", "SUITES": "suites"}


def __getattr__(name: str):
    if name in _COURSE_PATHS:
        return getattr(course_root.current().course, _COURSE_PATHS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def current_course() -> Course:
    return course_root.current().course


@dataclass(frozen=True)
class Kata:
    """One manifest entry. Only the id and title are written in katas.toml; every path is
    derived from the id, and the per-name facts (graded names, forbidden calls, loops, hints)
    are read from the reference module itself (`checker.spec`)."""

    id: str                      # "04_indexing/gather"
    title: str
    chapter_title: str
    index: int = 0               # position in the manifest, 1-based
    # The course this entry was read from; None (katas built by hand, in tests) is the current one.
    course: Course | None = field(default=None, repr=False)

    @property
    def chapter(self) -> str:
        return self.id.split("/")[0]

    @property
    def module(self) -> str:
        return self.id.split("/")[1]

    @property
    def relpath(self) -> str:
        """Path of the kata file inside an exercises-like tree, e.g. `04_indexing/gather.py`."""
        return f"{self.id}.py"

    @property
    def home(self) -> Course:
        return self.course or current_course()

    @property
    def solution_path(self) -> Path:
        return self.home.solutions / self.relpath

    @property
    def exercise_path(self) -> Path:
        """The course's own generated stub (what `kata build` writes); a learner's copy lives
        in their workspace, at workspace.exercises / relpath."""
        return self.home.exercises / self.relpath

    @property
    def notebook_path(self) -> Path:
        return self.home.notebooks / f"{self.id}.ipynb"

    @property
    def suite_path(self) -> Path:
        return self.home.suites / self.relpath

    @property
    def catalogue_path(self) -> Path:
        return self.home.suites / self.chapter / f"{self.module}_catalogue.py"

    # -- facts read from the reference ---------------------------------------------------------

    @property
    def spec(self) -> ReferenceSpec:
        return reference_spec(self.solution_path)

    @property
    def graded(self) -> tuple[str, ...]:
        return self.spec.graded

    def forbidden_for(self, name: str) -> tuple[str, ...]:
        entry = self.spec.names.get(name)
        return tuple(entry.forbidden or ()) if entry else ()

    def hints_for(self, name: str) -> tuple[str, ...]:
        entry = self.spec.names.get(name)
        return entry.hints if entry else ()


class ManifestError(ValueError):
    pass


_KATA_KEYS = {"id", "title"}


def load(path: Path | None = None) -> tuple[Kata, ...]:
    """The katas of a manifest file, in order (default: the current course's)."""
    return _load(current_course() if path is None else Course(Path(path).parent), Path(path or "").name)


def _cache_clear() -> None:
    _load.cache_clear()


load.cache_clear = _cache_clear   # scaffold clears it after writing an entry


@functools.lru_cache(maxsize=None)
def _load(course: Course, name: str = "") -> tuple[Kata, ...]:
    path = course.root / (name or course_root.MANIFEST_NAME)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    chapters = data.get("chapters", {})
    katas = []
    for position, entry in enumerate(data.get("kata", []), start=1):
        kata_id = entry.get("id", "")
        if not re.fullmatch(r"\d\d_[a-z0-9_]+/[a-z_][a-z0-9_]*", kata_id):
            raise ManifestError(f"{path}: kata #{position} has id {kata_id!r}; write it as "
                                f"'<NN_chapter>/<module>', e.g. '04_indexing/gather'")
        unknown = set(entry) - _KATA_KEYS
        if unknown:
            raise ManifestError(f"{path}: {kata_id}: unknown keys {sorted(unknown)}; an entry holds only "
                                f"id and title (graded names, forbidden calls and hints live in the reference)")
        chapter = kata_id.split("/")[0]
        if chapter not in chapters:
            raise ManifestError(f"{path}: {kata_id}: chapter {chapter!r} is missing from [chapters]")
        katas.append(Kata(id=kata_id, title=entry.get("title", ""), chapter_title=chapters[chapter],
                          index=position, course=course))
    ids = [k.id for k in katas]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{path}: duplicate kata ids in the manifest")
    return tuple(katas)


def chapters(path: Path | None = None) -> dict[str, str]:
    """The [chapters] table of a manifest (default: the current course's), in file order; it may
    name chapters that have no katas yet."""
    path = Path(path) if path is not None else current_course().manifest
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("chapters", {})
    return {str(k): str(v) for k, v in table.items()}


def get(kata_id: str, katas: tuple[Kata, ...] | None = None) -> Kata:
    """Look a kata up by full id or, when unambiguous, by module name (`gather`)."""
    katas = load() if katas is None else katas
    matches = [k for k in katas if kata_id in (k.id, k.module, k.relpath)]
    if len(matches) != 1:
        known = ", ".join(k.id for k in katas)
        raise KeyError(f"unknown kata {kata_id!r}; known katas: {known}")
    return matches[0]


def match_path(path: Path, katas: tuple[Kata, ...] | None = None) -> Kata | None:
    """The kata whose file this is, judged by its last two path parts (`04_indexing/gather.py`)."""
    path = Path(path)
    if path.suffix != ".py" or len(path.parts) < 2:
        return None
    rel = f"{path.parent.name}/{path.name}"
    for kata in load() if katas is None else katas:
        if kata.relpath == rel:
            return kata
    return None
