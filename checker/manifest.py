"""The ordered kata manifest (katas.toml) and the paths derived from a kata id."""
from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from checker import ROOT
from checker.spec import ReferenceSpec, reference_spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MANIFEST_PATH = ROOT / "katas.toml"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
NOTEBOOKS = ROOT / "notebooks"
SUITES = ROOT / "checker" / "suites"


@dataclass(frozen=True)
class Kata:
    """One manifest entry. Only the id and title are written in katas.toml; every path is
    derived from the id, and the per-name facts (graded names, forbidden calls, loops, hints)
    are read from the reference module itself (`checker.spec`)."""

    id: str                      # "04_indexing/gather"
    title: str
    chapter_title: str
    index: int = 0               # position in the manifest, 1-based

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
    def solution_path(self) -> Path:
        return SOLUTIONS / self.relpath

    @property
    def exercise_path(self) -> Path:
        return EXERCISES / self.relpath

    @property
    def notebook_path(self) -> Path:
        return NOTEBOOKS / f"{self.id}.ipynb"

    @property
    def suite_path(self) -> Path:
        return SUITES / self.relpath

    @property
    def catalogue_path(self) -> Path:
        return SUITES / self.chapter / f"{self.module}_catalogue.py"

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


@functools.lru_cache(maxsize=None)
def load(path: Path = MANIFEST_PATH) -> tuple[Kata, ...]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
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
                          index=position))
    ids = [k.id for k in katas]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{path}: duplicate kata ids in the manifest")
    return tuple(katas)


def get(kata_id: str) -> Kata:
    """Look a kata up by full id or, when unambiguous, by module name (`gather`)."""
    katas = load()
    matches = [k for k in katas if kata_id in (k.id, k.module, k.relpath)]
    if len(matches) != 1:
        known = ", ".join(k.id for k in katas)
        raise KeyError(f"unknown kata {kata_id!r}; known katas: {known}")
    return matches[0]


def match_path(path: Path) -> Kata | None:
    """The kata whose file this is, judged by its last two path parts (`04_indexing/gather.py`)."""
    path = Path(path)
    if path.suffix != ".py" or len(path.parts) < 2:
        return None
    rel = f"{path.parent.name}/{path.name}"
    for kata in load():
        if kata.relpath == rel:
            return kata
    return None
