"""Reading a submission without running it: which kata sources it holds, and what is refused.

A submission is a directory laid out like exercises/ (or flat: `gather.py` at its top), a .zip
of one, or a notebook. Only kata files named by the manifest (.py) and notebooks (.ipynb) are
read; everything else (conftest.py, sitecustomize.py, .pth files, ...) is listed as rejected
and never touched again. Notebooks are not executed: for each kata a notebook holds, only its
graded definitions and the imports, helpers and constants they use are lifted out of the code
cells (checker.notebook), so scratch cells never run.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from checker import manifest, notebook

MAX_FILE_BYTES = 2 << 20          # a kata file or notebook larger than this is refused
MAX_ZIP_BYTES = 64 << 20          # uncompressed size of an uploaded archive
MAX_ZIP_MEMBERS = 2000


@dataclass
class Submission:
    name: str
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)   # kata id -> (display, source)
    rejected: list[str] = field(default_factory=list)                   # "path: why"
    problems: dict[str, str] = field(default_factory=dict)              # kata id -> why it has no source


def _is_hidden(path: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in path.parts)


def notebook_source(text: str, graded, display: str = "notebook.ipynb") -> str:
    """The importable part of a notebook for these graded names: what they need and no more."""
    parsed = notebook.read(text)
    return notebook.lift(notebook.file_cells(parsed, display), graded)


def _flat_name(kata: manifest.Kata) -> str:
    return f"{kata.module}.py"


def read_directory(root: Path, katas, name: str | None = None) -> Submission:
    root = Path(root)
    sub = Submission(name or root.name)
    wanted = {k.relpath: k for k in katas}
    flat = {_flat_name(k): k for k in katas}
    notebooks = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        rel = path.relative_to(root)
        if _is_hidden(rel):
            continue
        rel_posix = rel.as_posix()
        if path.is_symlink():
            sub.rejected.append(f"{rel_posix}: symbolic links are not accepted")
            continue
        kata = wanted.get("/".join(rel.parts[-2:])) or (flat.get(rel.name) if len(rel.parts) == 1 else None)
        if rel.suffix == ".ipynb":
            notebooks.append(path)
            continue
        if kata is None:
            why = "not a kata file" if rel.suffix == ".py" else "only kata .py files and .ipynb notebooks are graded"
            if rel.name in ("conftest.py", "sitecustomize.py", "usercustomize.py") or rel.suffix == ".pth":
                why = "files that change how Python or pytest start up are never accepted"
            sub.rejected.append(f"{rel_posix}: {why}")
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            sub.problems[kata.id] = f"{rel_posix} is larger than {MAX_FILE_BYTES >> 20} MiB"
            continue
        if kata.id in sub.sources:
            sub.rejected.append(f"{rel_posix}: a second copy of {kata.id}; {sub.sources[kata.id][0]} is graded")
            continue
        sub.sources[kata.id] = (rel_posix, path.read_text(encoding="utf-8", errors="replace"))
    for path in notebooks:
        _add_notebook(sub, path, path.relative_to(root).as_posix(), katas)
    return sub


def _add_notebook(sub: Submission, path: Path, display: str, katas) -> None:
    if path.stat().st_size > MAX_FILE_BYTES:
        sub.rejected.append(f"{display}: larger than {MAX_FILE_BYTES >> 20} MiB")
        return
    try:
        parsed = notebook.read(path.read_text(encoding="utf-8", errors="replace"))
    except notebook.NotebookError as exc:
        sub.rejected.append(f"{display}: not a readable notebook ({exc})")
        return
    cells = notebook.file_cells(parsed, display)
    used = False
    for kata in notebook.katas_in(parsed, cells, katas):
        if kata.id in sub.sources:
            continue
        sub.sources[kata.id] = (display, notebook.lift(cells, kata.graded))
        used = True
    if not used:
        sub.rejected.append(f"{display}: defines none of the graded names")


def notebook_katas(path: Path, katas) -> list:
    """The katas a single notebook submission holds (for grading it without --kata)."""
    try:
        parsed = notebook.read(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (notebook.NotebookError, OSError):
        return []
    return notebook.katas_in(parsed, notebook.file_cells(parsed, Path(path).name), katas)


def _safe_extract(archive: Path, dest: Path) -> list[str]:
    rejected = []
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise ValueError(f"{archive.name} is too large to grade")
        for member in members:
            target = (dest / member.filename).resolve()
            if dest.resolve() not in target.parents or member.is_dir():
                if not member.is_dir():
                    rejected.append(f"{member.filename}: path escapes the archive")
                continue
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                rejected.append(f"{member.filename}: symbolic links are not accepted")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    return rejected


def read(path: Path, katas=None) -> Submission:
    """Read a submission directory, .zip or .ipynb."""
    path = Path(path)
    katas = list(katas or manifest.load())
    if path.is_dir():
        return read_directory(path, katas)
    if path.suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="torchkata-zip-") as tmp:
            try:
                rejected = _safe_extract(path, Path(tmp))
            except (zipfile.BadZipFile, ValueError) as exc:
                sub = Submission(path.stem)
                sub.rejected.append(f"{path.name}: {exc}")
                return sub
            entries = [p for p in Path(tmp).iterdir() if not _is_hidden(Path(p.name))]
            inner = entries[0] if len(entries) == 1 and entries[0].is_dir() else Path(tmp)
            sub = read_directory(inner, katas, name=path.stem)
            sub.rejected = rejected + sub.rejected
            return sub
    if path.suffix == ".ipynb":
        sub = Submission(path.stem)
        _add_notebook(sub, path, path.name, katas)
        return sub
    sub = Submission(path.name)
    sub.rejected.append(f"{path.name}: submit a directory, a .zip or an .ipynb")
    return sub
