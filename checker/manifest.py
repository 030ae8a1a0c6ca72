"""The ordered kata manifest (katas.toml) and the paths derived from a kata id."""
from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT

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
    id: str                      # "04_indexing/gather"
    title: str
    chapter_title: str
    graded: tuple[str, ...]
    hints: tuple[str, ...]
    #: graded name -> forbidden call names; the "*" entry applies to every graded name
    forbidden: dict = field(default_factory=dict, hash=False, compare=False)
    index: int = 0               # position in the manifest, 1-based
    suite: str = ""              # the hidden suite, relative to the repository root

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
        return ROOT / self.suite if self.suite else SUITES / self.relpath

    @property
    def catalogue_path(self) -> Path:
        return self.suite_path.with_name(f"{self.module}_catalogue.py")

    def forbidden_for(self, name: str) -> tuple[str, ...]:
        return tuple(self.forbidden.get("*", ())) + tuple(self.forbidden.get(name, ()))


class ManifestError(ValueError):
    pass


@functools.lru_cache(maxsize=None)
def load(path: Path = MANIFEST_PATH) -> tuple[Kata, ...]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    chapters = data.get("chapters", {})
    katas = []
    for position, entry in enumerate(data.get("kata", []), start=1):
        kata_id = entry["id"]
        chapter = kata_id.split("/")[0]
        if chapter not in chapters:
            raise ManifestError(f"{kata_id}: chapter {chapter!r} is missing from [chapters]")
        if len(entry.get("hints", [])) < 2:
            raise ManifestError(f"{kata_id}: a hint ladder needs at least 2 steps")
        forbidden = {k: tuple(v) for k, v in entry.get("forbidden", {}).items()}
        unknown = set(forbidden) - set(entry["graded"]) - {"*"}
        if unknown:
            raise ManifestError(f"{kata_id}: forbidden lists name ungraded {sorted(unknown)}")
        katas.append(Kata(
            id=kata_id, title=entry["title"], chapter_title=chapters[chapter],
            graded=tuple(entry["graded"]), hints=tuple(entry["hints"]),
            forbidden=forbidden, index=position, suite=entry.get("suite", ""),
        ))
    ids = [k.id for k in katas]
    if len(set(ids)) != len(ids):
        raise ManifestError("duplicate kata ids in the manifest")
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
