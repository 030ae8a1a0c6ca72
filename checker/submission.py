"""Reading a submission without running it: which kata sources it holds, and what is refused.

A submission is a directory laid out like exercises/ (or flat: `gather.py` at its top), a .zip
of one, or a notebook. Only kata files named by the manifest (.py) and notebooks (.ipynb) are
read; everything else (conftest.py, sitecustomize.py, .pth files, ...) is listed as rejected
and never touched again. Notebooks are not executed: for each kata a notebook holds, only its
graded definitions and the imports, helpers and constants they use are lifted out of the code
cells (checker.notebook), so scratch cells never run.

This runs in the trusted parent, on files a student controls, so every step is bounded and
nothing a file holds can raise out of here:
- sizes and counts are checked before anything is parsed: the archive's central directory
  before the archive is opened, each member's size before it is read, files and folders
  before a folder is walked further;
- archives are read in memory, never extracted, so member names that the filesystem would
  refuse (too long, a file and a folder of the same name) cannot break the grader;
- notebooks are lifted in time linear in their size;
- whatever is malformed (a bad archive, an encrypted or oddly compressed member, deeply
  nested JSON, code the parser gives up on, names that are not UTF-8) becomes one "rejected"
  line that says why, and `read` returns normally.
"""
from __future__ import annotations

import ast
import io
import json
import os
import re
import stat
import struct
import tokenize
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from checker import manifest, notebook

MAX_FILE_BYTES = 2 << 20          # a kata .py file larger than this is refused
MAX_NOTEBOOK_BYTES = 8 << 20      # notebooks carry outputs (images), so they may be larger
MAX_NOTEBOOK_CODE = 256 << 10     # characters of code in one notebook (a kata needs a few KiB)
MAX_TOTAL_BYTES = 64 << 20        # everything read from one submission, together
MAX_ARCHIVE_BYTES = 64 << 20      # an uploaded .zip, as stored
MAX_CENTRAL_DIRECTORY = 1 << 20   # an archive's table of contents, read before anything else
MAX_ENTRIES = 2000                # files and folders looked at in one submission
MAX_DEPTH = 16                    # folder levels below the submission's top
MAX_NAME = 255                    # characters in one file or folder name
MAX_REJECTED_LINES = 50           # more are summarised in one line
DISPLAY_LIMIT = 160               # characters of a name shown in a message

STARTUP_FILES = ("conftest.py", "sitecustomize.py", "usercustomize.py")
# Folders that archivers and editors add and nobody submits on purpose: skipped without a word.
IGNORED_FOLDERS = ("__pycache__", "__MACOSX")
READABLE_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_EOCD = struct.Struct("<4s4H2LH")  # a zip's end-of-central-directory record
_ZIP64_LOCATOR = b"PK\x06\x07"


class Refused(ValueError):
    """One file, or the whole submission, cannot be read; the message says why."""


@dataclass
class Submission:
    name: str
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)   # kata id -> (display, source)
    rejected: list[str] = field(default_factory=list)                   # "path: why"
    problems: dict[str, str] = field(default_factory=dict)              # kata id -> why it has no source
    refused: str | None = None     # why nothing at all could be read (then every kata says so)
    _hidden_rejections: int = field(default=0, repr=False)
    _bytes_read: int = field(default=0, repr=False)

    def reject(self, path: str, why: str) -> None:
        """Note that `path` (already made printable) is not graded, and why."""
        if len(self.rejected) < MAX_REJECTED_LINES:
            self.rejected.append(f"{path}: {why}")
            return
        self._hidden_rejections += 1
        more = f"… and {self._hidden_rejections} more files were rejected"
        if len(self.rejected) == MAX_REJECTED_LINES:
            self.rejected.append(more)
        else:
            self.rejected[-1] = more

    def refuse(self, path: str, why: str) -> "Submission":
        self.refused = f"{path}: {why}"
        self.reject(path, why)
        return self

    def budget(self, size: int) -> None:
        """Count `size` bytes against the submission's total, refusing what would pass it."""
        if self._bytes_read + size > MAX_TOTAL_BYTES:
            raise Refused(f"the submission's files add up to more than {MAX_TOTAL_BYTES >> 20} MiB")
        self._bytes_read += size


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

def name_bytes(name) -> bytes:
    """The bytes of a file name (as the OS gave them; undecodable ones survive the round trip)."""
    if isinstance(name, bytes):
        return name
    try:
        return os.fsencode(str(name))
    except UnicodeEncodeError:                  # a lone surrogate that no filesystem produced
        return str(name).encode("utf-8", "surrogatepass")


def display(name) -> str:
    """A file name as it may be shown anywhere: bytes that are not UTF-8 as \\xNN, control and
    layout characters (newlines, escapes, bidirectional overrides) as escapes, and at most
    DISPLAY_LIMIT characters."""
    text = name_bytes(name).decode("utf-8", "backslashreplace")
    text = "".join(c if c == " " or unicodedata.category(c)[0] not in "CZ" else _escape_char(c) for c in text)
    return text if len(text) <= DISPLAY_LIMIT else text[:DISPLAY_LIMIT - 1] + "…"


def _escape_char(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _is_ignored(parts) -> bool:
    return any(p.startswith(".") or p in IGNORED_FOLDERS for p in parts)


# ---------------------------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------------------------

def _code_cells(nb) -> list[tuple[str, set]]:
    """(source, tags) of every code cell, from an nbformat v4 (`cells`) or v3 (`worksheets`)
    notebook. Anything not shaped like a notebook is refused."""
    if not isinstance(nb, dict):
        raise Refused("not a notebook (the JSON is not an object)")
    if isinstance(nb.get("cells"), list):
        cells, key = nb["cells"], "source"
    elif isinstance(nb.get("worksheets"), list):
        cells = [c for w in nb["worksheets"] if isinstance(w, dict) and isinstance(w.get("cells"), list)
                 for c in w["cells"]]
        key = "input"
    else:
        raise Refused("not a notebook (it has no cells)")
    found = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code = cell.get(key, "")
        if isinstance(code, list) and all(isinstance(piece, str) for piece in code):
            code = "".join(code)
        if not isinstance(code, str):
            raise Refused("a code cell's source is not text")
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        found.append((code, {t for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()))
    return found


_KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
         ast.AnnAssign)


def _parse(code: str):
    """The module AST of `code`, or None when the parser refuses it, for any reason (a syntax
    error, null bytes, nesting too deep for the parser or for Python's recursion limit)."""
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def _segments(code: str, nodes) -> list[str]:
    """The source text of each top-level node, in time linear in len(code) overall.

    ast.get_source_segment splits the whole cell into lines on every call, which is quadratic
    in the number of statements; here the line offsets are found once. Offsets are in UTF-8
    bytes (as ast gives columns), and `code` has only '\\n' line breaks."""
    data = code.encode("utf-8")
    starts = [0] + [m.end() for m in re.finditer(b"\n", data)]
    return [data[starts[n.lineno - 1] + n.col_offset:starts[n.end_lineno - 1] + n.end_col_offset].decode("utf-8")
            for n in nodes]


def notebook_source(text, graded: set[str] | None = None) -> str:
    """The importable part of a notebook: imports plus top-level definitions and constants from
    its code cells. Shell escapes, magics and top-level statements (training runs, prints) are
    dropped, so nothing but definitions executes when the result is imported.

    Raises Refused for anything that is not a readable notebook."""
    try:
        nb = json.loads(text)
    except RecursionError:
        raise Refused("not a readable notebook (its JSON is nested too deeply)") from None
    except ValueError as exc:
        raise Refused(f"not a readable notebook ({exc})") from None
    pieces, size = [], 0
    for code, tags in _code_cells(nb):
        # splitlines knows every line break; joined with '\n' only, ast's line numbers match.
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
        size += len(code)
        if size > MAX_NOTEBOOK_CODE:
            raise Refused(f"more than {MAX_NOTEBOOK_CODE >> 10} KiB of code; a kata needs far less")
        tree = _parse(code)
        if tree is None:
            if graded and tags & graded or "graded" in tags:
                pieces.append(code)   # keep it, so the learner sees their own syntax error
            continue
        pieces += _segments(code, [node for node in tree.body if isinstance(node, _KEPT)])
    return "\n\n".join(pieces) + "\n"


def _defined_names(source: str) -> set[str]:
    tree = _parse(source)
    if tree is None:   # a graded cell with a syntax error: find its names by eye
        return {m.group(1) for m in re.finditer(r"^(?:async\s+def|def|class)\s+(\w+)", source, re.M)}
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}


def _add_notebook(sub: Submission, data: bytes, shown: str, katas) -> None:
    try:
        # The bounded reader first: size, shape and depth are checked before anything else.
        source = notebook_source(data, {n for k in katas for n in k.graded})
    except Refused as exc:
        sub.reject(shown, str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - e.g. MemoryError: this notebook's problem only
        sub.reject(shown, f"not a readable notebook ({type(exc).__name__})")
        return
    try:
        # Then, per kata, only the graded code and what it uses (scratch cells never run).
        parsed = notebook.read(data.decode("utf-8", "replace"))
        cells = notebook.file_cells(parsed, shown)
        found = [(kata, notebook.lift(cells, kata.graded)) for kata in notebook.katas_in(parsed, cells, katas)]
    except Exception:  # noqa: BLE001 - nbformat refuses what the bounded reader read: lift by name
        defined = _defined_names(source)
        found = [(kata, source) for kata in katas if set(kata.graded) & defined]
    used = False
    for kata, lifted in found:
        if kata.id in sub.sources:
            continue
        sub.sources[kata.id] = (shown, lifted)
        used = True
    if not used:
        sub.reject(shown, "defines none of the graded names")


def notebook_katas(path: Path, katas) -> list:
    """The katas a single notebook submission holds (for grading it without --kata)."""
    try:
        if Path(path).stat().st_size > MAX_NOTEBOOK_BYTES:
            return []
        parsed = notebook.read(Path(path).read_text(encoding="utf-8", errors="replace"))
        return notebook.katas_in(parsed, notebook.file_cells(parsed, Path(path).name), katas)
    except Exception:  # noqa: BLE001 - an unreadable notebook holds no kata; intake says why later
        return []


# ---------------------------------------------------------------------------------------------
# Files, from a folder or an archive
# ---------------------------------------------------------------------------------------------

def _python_text(data: bytes) -> str:
    """A kata file's text: in the encoding it declares (PEP 263), UTF-8 otherwise; bytes that do
    not decode become U+FFFD and show up in the learner's own error messages."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    try:
        return data.decode(encoding, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


class _Intake:
    """Sorts the files of one submission into kata sources, notebooks and rejections."""

    def __init__(self, sub: Submission, katas):
        self.sub, self.katas = sub, list(katas)
        self.by_relpath = {k.relpath: k for k in self.katas}
        self.by_flat_name = {f"{k.module}.py": k for k in self.katas}
        self.notebooks: list[tuple[str, bytes]] = []

    def wanted(self, parts: tuple[str, ...]):
        """What a file at `parts` is: a kata, "notebook", or a reason to reject it."""
        name = parts[-1]
        kata = self.by_relpath.get("/".join(parts[-2:])) or (self.by_flat_name.get(name) if len(parts) == 1 else None)
        if kata is not None:
            return kata
        if name.endswith(".ipynb"):
            return "notebook"
        if name in STARTUP_FILES or name.endswith(".pth"):
            return Refused("files that change how Python or pytest start up are never accepted")
        if name.endswith(".py"):
            return Refused("not a kata file")
        return Refused("only kata .py files and .ipynb notebooks are graded")

    def refuse(self, parts: tuple[str, ...], why: str) -> None:
        """A file that is not read (a link, a FIFO, an encrypted member...): rejected, and when
        it is where a kata file goes, that kata says why it has no source."""
        shown = display("/".join(parts))
        self.sub.reject(shown, why)
        what = self.wanted(parts)
        if not isinstance(what, (Refused, str)):     # a kata
            self.sub.problems.setdefault(what.id, f"{shown} was not read: {why}")

    def add(self, parts: tuple[str, ...], size: int, read) -> None:
        """One regular file: `read()` returns at most `limit + 1` bytes of it."""
        shown = display("/".join(parts))
        what = self.wanted(parts)
        if isinstance(what, Refused):
            self.sub.reject(shown, str(what))
            return
        limit = MAX_NOTEBOOK_BYTES if what == "notebook" else MAX_FILE_BYTES
        try:
            if size > limit:
                raise Refused(f"larger than {limit >> 20} MiB")
            self.sub.budget(size)
            data = read(limit)
            if len(data) > limit:            # the size it claimed was not the size it had
                raise Refused(f"larger than {limit >> 20} MiB")
        except Exception as exc:  # noqa: BLE001 - an unreadable file is that file's problem only
            why = str(exc) if isinstance(exc, Refused) else f"could not be read ({type(exc).__name__}: {exc})"
            if what == "notebook":
                self.sub.reject(shown, why)
            else:
                self.sub.problems.setdefault(what.id, f"{shown} was not read: {why}")
            return
        if what == "notebook":
            self.notebooks.append((shown, data))
        elif what.id in self.sub.sources:
            self.sub.reject(shown, f"a second copy of {what.id}; {self.sub.sources[what.id][0]} is graded")
        else:
            self.sub.sources[what.id] = (shown, _python_text(data))

    def finish(self) -> Submission:
        for shown, data in self.notebooks:     # kata files win over notebooks
            _add_notebook(self.sub, data, shown, self.katas)
        return self.sub


def _read_fd(fd: int, limit: int) -> bytes:
    chunks, left = [], limit + 1
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _open_regular(path) -> int:
    """A descriptor for the regular file at `path`, never following a link and never blocking
    on a FIFO that was swapped in; Refused for anything else."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Refused(f"could not be opened ({exc.strerror or exc})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused("not a regular file")
    return fd


def _read_file(path, limit: int) -> bytes:
    fd = _open_regular(path)
    try:
        return _read_fd(fd, limit)
    finally:
        os.close(fd)


def read_directory(root: Path, katas, name: str | None = None) -> Submission:
    """Walk a submission folder breadth-first, at most MAX_ENTRIES entries and MAX_DEPTH levels
    deep; links and special files are rejected, never followed or opened."""
    root = Path(root)
    sub = Submission(name or display(root.name))
    intake = _Intake(sub, katas)
    pending, seen = [()], 0
    while pending:
        folder = pending.pop(0)
        try:
            with os.scandir(root.joinpath(*folder)) as it:
                entries = []
                for entry in it:
                    seen += 1
                    if seen > MAX_ENTRIES:
                        break
                    entries.append(entry)
        except OSError as exc:
            sub.reject(display("/".join(folder) or "."), f"could not be listed ({exc.strerror or exc})")
            continue
        for entry in sorted(entries, key=lambda e: os.fsencode(e.name)):
            parts = folder + (entry.name,)
            if _is_ignored(parts):
                continue
            shown = display("/".join(parts))
            try:
                if entry.is_symlink():
                    intake.refuse(parts, "symbolic links are not accepted")
                elif entry.is_dir(follow_symlinks=False):
                    if len(parts) > MAX_DEPTH:
                        sub.reject(shown, f"folders nested more than {MAX_DEPTH} deep are not read")
                    else:
                        pending.append(parts)
                elif not entry.is_file(follow_symlinks=False):
                    intake.refuse(parts, "not a regular file")
                else:
                    size = entry.stat(follow_symlinks=False).st_size
                    intake.add(parts, size, lambda limit, p=entry.path: _read_file(p, limit))
            except OSError as exc:
                sub.reject(shown, f"could not be read ({exc.strerror or exc})")
        if seen > MAX_ENTRIES:
            sub.reject(display(root.name), f"holds more than {MAX_ENTRIES} files and folders; the rest were not read")
            break
    return intake.finish()


def _check_central_directory(fh, size: int) -> None:
    """Refuse an archive whose table of contents is too big to read, before zipfile reads it.

    zipfile reads the whole central directory into memory when it opens an archive; its size
    and entry count sit in the end-of-central-directory record, found the way zipfile finds it
    (the last signature within the final 64 KiB + 22 bytes)."""
    tail_size = min(size, _EOCD.size + 0xFFFF)
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise Refused("not a zip archive")
    _, _, _, _, entries, cd_size, _, _ = _EOCD.unpack_from(tail, at)
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or tail[max(0, at - 20):at - 16] == _ZIP64_LOCATOR:
        raise Refused("ZIP64 archives are not accepted: a kata submission is far smaller")
    if entries > MAX_ENTRIES:
        raise Refused(f"holds {entries} files; at most {MAX_ENTRIES} are accepted")
    if cd_size > MAX_CENTRAL_DIRECTORY:
        raise Refused(f"its table of contents is larger than {MAX_CENTRAL_DIRECTORY >> 20} MiB")


def _member_parts(name: str) -> tuple[str, ...]:
    """A member name as path parts, Refused when it is absolute, climbs out with `..`, or is
    longer than any real file name."""
    if len(name) > MAX_DEPTH * (MAX_NAME + 1):
        raise Refused("its name is too long")
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        raise Refused("path escapes the archive")
    parts = tuple(p for p in re.split(r"[/\\]", name) if p not in ("", "."))
    if ".." in parts:
        raise Refused("path escapes the archive")
    if any(len(p) > MAX_NAME for p in parts):
        raise Refused("its name is too long")
    if len(parts) > MAX_DEPTH + 1:
        raise Refused(f"folders nested more than {MAX_DEPTH} deep are not read")
    return parts


def _strip_wrapper(entries):
    """Drop a single top folder that wraps every file (hw/04_indexing/gather.py), as archivers
    make when a folder is zipped; the wrapper's own folder entry goes with it."""
    files = [parts for parts, info in entries if not info.is_dir()]
    if not files or len({parts[0] for parts in files}) != 1 or any(len(parts) == 1 for parts in files):
        return entries
    return [(parts[1:], info) for parts, info in entries if len(parts) > 1]


def read_zip(path: Path, katas, name: str | None = None) -> Submission:
    path = Path(path)
    sub = Submission(name or display(Path(path.name).stem))
    shown = display(path.name)
    try:
        fd = _open_regular(path)
    except Refused as exc:
        return sub.refuse(shown, str(exc))
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fd).st_size
        try:
            if size > MAX_ARCHIVE_BYTES:
                raise Refused(f"larger than {MAX_ARCHIVE_BYTES >> 20} MiB")
            _check_central_directory(fh, size)
            fh.seek(0)
            archive = zipfile.ZipFile(fh)
        except Refused as exc:
            return sub.refuse(shown, str(exc))
        except UnicodeDecodeError:
            return sub.refuse(shown, "a member's name is marked UTF-8 but is not; the archive cannot be read")
        except Exception as exc:  # noqa: BLE001 - zipfile raises many kinds on a damaged archive
            return sub.refuse(shown, f"not a readable zip archive ({type(exc).__name__}: {exc})")
        with archive:
            return _read_members(sub, archive, katas)


def _read_members(sub: Submission, archive: zipfile.ZipFile, katas) -> Submission:
    entries = []
    for info in archive.infolist()[:MAX_ENTRIES]:       # the count was checked before opening
        try:
            parts = _member_parts(info.filename)
        except Refused as exc:
            sub.reject(display(info.filename), str(exc))
            continue
        if parts and not _is_ignored(parts):
            entries.append((parts, info))
    entries = _strip_wrapper(entries)
    folders = {parts[:i] for parts, _ in entries for i in range(1, len(parts))}
    folders |= {parts for parts, info in entries if info.is_dir()}
    intake, seen = _Intake(sub, katas), set()
    for parts, info in entries:
        if info.is_dir():
            continue
        why = _member_problem(info)
        if why is None and parts in folders:
            why = "a file and a folder in the archive share this name"
        if why is None and parts in seen:
            why = "appears twice in the archive; the first copy is read"
        seen.add(parts)
        if why is not None:
            intake.refuse(parts, why)
            continue
        intake.add(parts, info.file_size, lambda limit, i=info: _read_member(archive, i, limit))
    return intake.finish()


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
    if kind == stat.S_IFLNK:
        return "symbolic links are not accepted"
    if kind not in (0, stat.S_IFREG):
        return "not a regular file"
    if info.flag_bits & 0x1:
        return "encrypted; submit files without a password"
    if info.compress_type not in READABLE_COMPRESSION:
        return f"compressed with a method this grader does not read (zip method {info.compress_type})"
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with archive.open(info) as member:
        return member.read(limit + 1)


# ---------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------

def read(path: Path, katas=None, name: str | None = None) -> Submission:
    """Read a submission directory, .zip or .ipynb. Never raises for anything the submission
    holds: what cannot be read is rejected, with the reason."""
    path = Path(path)
    katas = list(katas or manifest.load())
    shown = display(path.name)
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return Submission(name or shown).refuse(shown, f"could not be read ({exc.strerror or exc})")
    try:
        if stat.S_ISLNK(mode):
            return Submission(name or shown).refuse(
                shown, "is a symbolic link; submit the folder or file itself")
        if stat.S_ISDIR(mode):
            return read_directory(path, katas, name=name)
        if path.suffix == ".zip":
            return read_zip(path, katas, name=name)
        if path.suffix == ".ipynb":
            sub = Submission(name or display(path.stem))
            intake = _Intake(sub, katas)
            try:
                data = _read_file(path, MAX_NOTEBOOK_BYTES)
                if len(data) > MAX_NOTEBOOK_BYTES:
                    raise Refused(f"larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
            except Refused as exc:
                return sub.refuse(shown, str(exc))
            intake.notebooks.append((shown, data))
            return intake.finish()
        return Submission(name or shown).refuse(shown, "submit a directory, a .zip or an .ipynb")
    except Exception as exc:  # noqa: BLE001 - the last line of defence: intake never raises
        return Submission(name or shown).refuse(shown, f"could not be read ({type(exc).__name__}: {exc})")
