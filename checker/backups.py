"""Backups of a learner's kata files: no command overwrites one without keeping a copy here.

`kata reset` and `kata build --force` copy a stub or notebook that holds the learner's work to
`.torchkata/backup/<chapter>/<module>-<YYYYmmdd-HHMMSS>[-N].py` (or `.ipynb`) before they
replace it; `kata restore` lists these copies and puts one back, after backing up whatever it
would replace. A backup's name alone says which file it belongs to: exercises/<id>.py for a
.py copy, notebooks/<id>.ipynb for an .ipynb one.
"""
from __future__ import annotations

import datetime
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"(?P<module>[a-z_][a-z0-9_]*)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?(?P<ext>\.py|\.ipynb)")
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Backup:
    path: Path
    kata_id: str
    taken: datetime.datetime
    kind: str              # "stub" or "notebook"

    @property
    def name(self) -> str:
        """How `kata restore` names it: <chapter>/<file name>."""
        return f"{self.path.parent.name}/{self.path.name}"

    def original(self, exercises: Path, notebooks: Path) -> Path:
        """The file this is a copy of, in a workspace with these exercises/ and notebooks/."""
        if self.kind == "notebook":
            return Path(notebooks) / f"{self.kata_id}.ipynb"
        return Path(exercises) / f"{self.kata_id}.py"


def save(file: Path, kata_id: str, root: Path) -> Path:
    """Copy file into the backup folder root under a fresh name, and return that name."""
    stamp = datetime.datetime.now().strftime(_STAMP)
    base = Path(root) / f"{kata_id}-{stamp}"
    suffix = Path(file).suffix
    backup = base.with_name(base.name + suffix)
    attempt = 1
    while backup.exists():  # two backups of one kata within a second
        attempt += 1
        backup = base.with_name(f"{base.name}-{attempt}{suffix}")
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(file, backup)
    return backup


def listing(root: Path, kata_id: str | None = None) -> list[Backup]:
    """Every backup under root (of one kata, if given), newest first."""
    found = []
    for path in Path(root).glob("*/*"):
        match = _NAME.fullmatch(path.name)
        if not match or not path.is_file():
            continue
        backup = Backup(path, f"{path.parent.name}/{match['module']}",
                        datetime.datetime.strptime(match["stamp"], _STAMP),
                        "notebook" if match["ext"] == ".ipynb" else "stub")
        if kata_id is None or backup.kata_id == kata_id:
            found.append(backup)
    return sorted(found, key=lambda b: (b.taken, int(_NAME.fullmatch(b.path.name)["n"] or 1), b.kind), reverse=True)


def restore(backup: Backup, dest: Path, root: Path, fresh: bytes | None = None) -> Path | None:
    """Put backup back at dest. If dest holds something else, that is backed up first (its
    backup's path is returned), unless it is `fresh` (the untouched generated file, which any
    reset makes again). The backup itself stays, so a restore can be undone."""
    dest = Path(dest)
    previous = None
    current = dest.read_bytes() if dest.is_file() else None
    if current is not None and current not in (backup.path.read_bytes(), fresh):
        previous = save(dest, backup.kata_id, root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(backup.path, dest)
    return previous
