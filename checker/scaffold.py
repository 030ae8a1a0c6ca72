"""`kata new <chapter>/<module> NAME...`: scaffold a kata that `kata build` and `kata validate` run
on at once, and that validate keeps failing (naming each TODO) until the author has written a
real reference, real checks and real mistakes.

It writes the manifest entry (and the chapter row when the chapter is new), the reference with
markers, spec lines and hint slots, the suite, and the catalogue. Nothing existing is overwritten.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path

import jinja2

from checker import manifest

_TEMPLATES = Path(__file__).resolve().parent / "templates" / "new"
_environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), undefined=jinja2.StrictUndefined,
                                  keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


class ScaffoldError(ValueError):
    pass


def _check_names(kata_id: str, names: list[str]) -> None:
    if not re.fullmatch(r"\d\d_[a-z0-9_]+/[a-z_][a-z0-9_]*", kata_id):
        raise ScaffoldError(f"kata id {kata_id!r}: write it as <NN_chapter>/<module>, e.g. 04_indexing/selection")
    if not names:
        raise ScaffoldError("name at least one graded function or class, e.g. `kata new 04_indexing/selection last_row`")
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ScaffoldError(f"{name!r} is not a Python name")
    if len(set(names)) != len(names):
        raise ScaffoldError("each graded name once, please")


def _manifest_addition(text: str, kata_id: str) -> str:
    chapter = kata_id.split("/")[0]
    if f'"{chapter}"' not in text.split("[[kata]]")[0]:
        # The chapter row goes at the end of the [chapters] table, before the first entry.
        head, sep, rest = text.partition("\n[[kata]]")
        text = head.rstrip("\n") + f'\n"{chapter}" = "TODO: chapter title"\n' + (sep + rest if sep else "")
    return text.rstrip("\n") + f'\n\n[[kata]]\nid = "{kata_id}"\ntitle = "TODO: one line for listings"\n'


def new_kata(kata_id: str, names: list[str], manifest_path: Path | None = None) -> list[Path]:
    """Write the kata's files; returns the paths written (the manifest included)."""
    _check_names(kata_id, names)
    manifest_path = Path(manifest_path or manifest.MANIFEST_PATH)
    text = manifest_path.read_text(encoding="utf-8")
    if re.search(rf'^id\s*=\s*"{re.escape(kata_id)}"', text, re.MULTILINE):
        raise ScaffoldError(f"{kata_id} is already in {manifest_path.name}")
    root = manifest_path.parent
    chapter, module = kata_id.split("/")
    files = {
        root / "solutions" / chapter / f"{module}.py": "reference.py.j2",
        root / "checker" / "suites" / chapter / f"{module}.py": "suite.py.j2",
        root / "checker" / "suites" / chapter / f"{module}_catalogue.py": "catalogue.py.j2",
    }
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise ScaffoldError(f"refusing to overwrite {', '.join(existing)}")
    context = dict(kata_id=kata_id, names=names, classes=any(n[0].isupper() for n in names))
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_environment.get_template(template).render(**context), encoding="utf-8")
    manifest_path.write_text(_manifest_addition(text, kata_id), encoding="utf-8")
    manifest.load.cache_clear()
    return [manifest_path, *files]
