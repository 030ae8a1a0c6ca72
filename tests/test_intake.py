"""Intake that cannot hurt the grader: whatever a submission holds, reading it is bounded work,
anything malformed is one "rejected" line with a reason, and a valid results file is written.

Three kinds of evidence: a table of hand-made malformed inputs (each one a known way to break
an unzip-and-parse intake), property-based fuzzing with hypothesis (archives, folders and
notebooks built from arbitrary names, bytes and flags), and end-to-end runs of `kata grade`.
The exported Gradescope autograder gets its own end-to-end run in tests/test_export.py.
"""
from __future__ import annotations

import ast
import csv
import io
import json
import os
import struct
import subprocess
import sys
import threading
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker import ROOT, course, emitters, manifest, runner, submission
from checker.results import Status

GATHER = manifest.get("04_indexing/gather")
GOOD = GATHER.solution_path.read_bytes()
FUZZ = settings(derandomize=True, deadline=None, max_examples=100,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def printable_line(text: str) -> bool:
    return text.isprintable() and "\n" not in text


def assert_well_formed(sub: submission.Submission) -> None:
    """What every submission read must look like, whatever it held."""
    assert isinstance(sub, submission.Submission)
    assert len(sub.rejected) <= submission.MAX_REJECTED_LINES + 1
    for line in sub.rejected + list(sub.problems.values()) + [sub.name]:
        assert isinstance(line, str) and printable_line(line), repr(line)
    for kata_id, (shown, source) in sub.sources.items():
        assert kata_id in {k.id for k in manifest.load()}
        assert printable_line(shown) and isinstance(source, str)


# ---------------------------------------------------------------------------------------------
# Building malformed archives
# ---------------------------------------------------------------------------------------------

def zip_bytes(members, *, flag_bits=0) -> bytes:
    """A zip of (name, data) members; `flag_bits` are set on every member's headers."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as zf:
        warnings.simplefilter("ignore")          # duplicate names are on purpose
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.flag_bits |= flag_bits
            zf.writestr(info, data)
    return buffer.getvalue()


def patch_headers(data: bytes, *, method: int | None = None, flag_bits: int = 0) -> bytes:
    """Rewrite every member's compression method and/or add flag bits, in the local headers and
    the central directory alike, as a hostile archiver could."""
    data = bytearray(data)
    for signature, flags_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = data.find(signature)
        while at >= 0:
            flags = struct.unpack_from("<H", data, at + flags_at)[0] | flag_bits
            struct.pack_into("<H", data, at + flags_at, flags)
            if method is not None:
                struct.pack_into("<H", data, at + method_at, method)
            at = data.find(signature, at + 4)
    return bytes(data)


def non_utf8_name_zip() -> bytes:
    """A member whose name is marked UTF-8 (flag 0x800) but is not valid UTF-8."""
    data = zip_bytes([("04_indexing/gather.py", GOOD), ("notes-XX.txt", b"hi")])
    return patch_headers(data.replace(b"notes-XX", b"notes-\xff\xfe"), flag_bits=0x800)


def notebook(cells) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {"tags": ["graded"]}, "source": c}
                                 for c in cells], "nbformat": 4, "nbformat_minor": 5})


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def folder(tmp: Path, files: dict) -> Path:
    for rel, data in files.items():
        write(tmp / rel, data)
    return tmp


# label -> (make(tmp) -> submission path, words its rejection or problem must contain, whether
# the correct gather.py beside it is still graded)
MALFORMED = {
    "overlong member names": (lambda t: write(t / "s.zip", zip_bytes([
        ("04_indexing/gather.py", GOOD), ("a" * 300 + ".py", b"x"), ("d/" * 3000 + "x.py", b"x")])),
        "name is too long", True),
    "a file and a folder of the same name": (lambda t: write(t / "s.zip", zip_bytes([
        ("04_indexing/gather.py", GOOD), ("notes.txt", b"x"), ("notes.txt/inner.py", b"x")])),
        "share this name", True),
    "the same member twice": (lambda t: write(t / "s.zip", zip_bytes([
        ("04_indexing/gather.py", GOOD), ("04_indexing/gather.py", b"raise SystemExit")])),
        "appears twice", True),
    "an encrypted member": (lambda t: write(t / "s.zip", patch_headers(zip_bytes([
        ("08_layers/layernorm.py", b"x = 1")]), flag_bits=0x1)), "encrypted", False),
    "an unknown compression method": (lambda t: write(t / "s.zip", patch_headers(zip_bytes([
        ("08_layers/layernorm.py", b"x = 1")]), method=99)), "zip method 99", False),
    "a member name that is not UTF-8": (lambda t: write(t / "s.zip", non_utf8_name_zip()),
                                        "not; the archive cannot be read", False),
    "paths that climb out": (lambda t: write(t / "s.zip", zip_bytes([
        ("04_indexing/gather.py", GOOD), ("../../escape.py", b"x"), ("/etc/cron.d/x", b"x"),
        ("C:\\evil.py", b"x")])), "escapes the archive", True),
    "a symbolic link in the archive": (lambda t: write(t / "s.zip", _symlink_zip()), "symbolic links", True),
    "too many members": (lambda t: write(t / "s.zip", zip_bytes(
        [(f"f{i}.txt", b"") for i in range(submission.MAX_ENTRIES + 1)])), "at most 2000", False),
    "a table of contents too large": (lambda t: write(t / "s.zip", zip_bytes(
        [(f"{i:04d}" + "n" * 600, b"") for i in range(1900)])), "table of contents", False),
    "not a zip at all": (lambda t: write(t / "s.zip", b"PK\x03\x04 this is not really a zip"),
                         "not a zip archive", False),
    "a truncated zip": (lambda t: write(t / "s.zip", zip_bytes([("04_indexing/gather.py", GOOD)])[:-30]),
                        "not a zip archive", False),
    "a member larger than it claims": (lambda t: write(t / "s.zip", _lying_size_zip()), "could not be read",
                                       False),
    "deeply nested JSON": (lambda t: write(t / "s.ipynb", "[" * 100_000 + "]" * 100_000),
                           "nested too deeply", False),
    "a notebook that is not JSON": (lambda t: write(t / "s.ipynb", b"\xff\xfe{{{"), "not a readable notebook",
                                    False),
    "a notebook without cells": (lambda t: write(t / "s.ipynb", '{"metadata": {}}'), "has no cells", False),
    "a cell whose source is not text": (lambda t: write(t / "s.ipynb", json.dumps(
        {"cells": [{"cell_type": "code", "source": {"not": "text"}}]})), "not text", False),
    "code that makes the parser give up": (lambda t: write(t / "s.ipynb", notebook([
        "(" * 5000 + ")" * 5000, "-" * 100_000 + "1", "x = '\x00'", "def f(:", "a = [" * 500 + "]" * 500])),
        "defines none of the graded names", False),
    "a notebook with too much code": (lambda t: write(t / "s.ipynb", notebook(
        ["x = 1\n" * (submission.MAX_NOTEBOOK_CODE // 6 + 10)])), "KiB of code", False),
    "an oversized notebook": (lambda t: write(t / "s.ipynb", b" " * (submission.MAX_NOTEBOOK_BYTES + 1)),
                              "larger than", False),
    "an oversized kata file": (lambda t: folder(t / "s", {"04_indexing/gather.py": b"#" * (2 << 20) + b"\n"}),
                               "larger than 2 MiB", False),
    "non-UTF-8 file names": (lambda t: _non_utf8_folder(t / "s"), "\\xff", True),
    "a FIFO named like a kata file": (lambda t: _fifo_folder(t / "s"), "not a regular file", True),
    "a symbolic link in the folder": (lambda t: _link_folder(t / "s"), "symbolic links", True),
    "a submission that is a link": (lambda t: _linked_submission(t), "is a symbolic link", False),
    "folders nested too deep": (lambda t: folder(t / "s", {"04_indexing/gather.py": GOOD,
                                                           "/".join(["d"] * 20) + "/x.py": b"x"}),
                                "nested more than 16 deep", True),
    "an unsupported kind of file": (lambda t: write(t / "s.tar", b"x"), "submit a directory", False),
}


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("04_indexing/gather.py", GOOD)
        link = zipfile.ZipInfo("08_layers/layernorm.py")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _lying_size_zip() -> bytes:
    data = zip_bytes([("08_layers/layernorm.py", b"x = 1\n" * 1000)])
    # Halve the uncompressed size the central directory claims: the data then fails its check.
    at = data.find(b"PK\x01\x02")
    size = struct.unpack_from("<L", data, at + 24)[0]
    return data[:at + 24] + struct.pack("<L", size // 2) + data[at + 28:]


def _non_utf8_folder(path: Path) -> Path:
    folder(path, {"04_indexing/gather.py": GOOD})
    os.makedirs(os.fsencode(path) + b"/caf\xe9\xff")
    with open(os.fsencode(path) + b"/caf\xe9\xff/\xff\xfe\n.py", "wb") as fh:
        fh.write(b"x = 1\n")
    return path


def _fifo_folder(path: Path) -> Path:
    folder(path, {"04_indexing/gather.py": GOOD})
    (path / "08_layers").mkdir()
    os.mkfifo(path / "08_layers" / "layernorm.py")    # opening it would block forever
    return path


def _link_folder(path: Path) -> Path:
    folder(path, {"04_indexing/gather.py": GOOD})
    (path / "08_layers").mkdir()
    os.symlink("/etc/passwd", path / "08_layers" / "layernorm.py")
    return path


def _linked_submission(tmp: Path) -> Path:
    real = folder(tmp / "real", {"04_indexing/gather.py": GOOD})
    os.symlink(real, tmp / "s")
    return tmp / "s"


@pytest.mark.parametrize("label", sorted(MALFORMED))
def test_malformed_input_is_a_rejected_line_with_a_reason(tmp_path, label):
    make, words, gather_graded = MALFORMED[label]
    sub = submission.read(make(tmp_path))
    assert_well_formed(sub)
    said = "\n".join(sub.rejected + list(sub.problems.values()))
    assert words in said, said
    assert (sub.sources.get(GATHER.id, (None, None))[1] == GOOD.decode()) == gather_graded, said


def test_the_grader_writes_a_valid_results_file_in_every_format_whatever_the_submission(tmp_path):
    """Every malformed input above, graded (in this process, to keep it quick) and written in
    every format: each file parses, and a refused submission says why in every kata."""
    executor = runner.InProcess()
    for n, label in enumerate(sorted(MALFORMED)):
        path = MALFORMED[label][0](tmp_path / f"case{n}")
        report = course.grade_safely(path, [GATHER], executor, seed=0, devices=("cpu",), budget_s=None,
                                     isolation={"level": "none"})
        assert report.katas and all(t.status in Status for t in report.tests)
        for name, fmt in emitters.FORMATS.items():
            out = tmp_path / "results" / f"{n}.{name}.{fmt.extension}"
            emitters.write(report, name, out)
            text = out.read_text(encoding="utf-8")
            if fmt.extension == "json":
                json.loads(text)
            elif fmt.extension == "xml":
                ET.fromstring(text)
        if label == "a submission that is a link":
            assert all("could not be read: s: is a symbolic link" in t.message for t in report.tests)


def test_an_unexpected_failure_while_reading_is_still_a_results_file(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(submission, "read_directory", broken)
    sub = submission.read(folder(tmp_path / "s", {"04_indexing/gather.py": GOOD}))
    assert sub.refused and "RuntimeError: disk on fire" in sub.rejected[0]
    monkeypatch.setattr(course, "grade_submission", broken)
    report = course.grade_safely(tmp_path / "s", [GATHER], runner.InProcess(), seed=0, devices=("cpu",),
                                 budget_s=None, isolation={})
    assert {t.status for t in report.tests} == {Status.CRASHED}
    assert "the grader failed" in report.tests[0].message and "not a verdict on your code" in report.tests[0].message


def test_rejections_are_capped(tmp_path):
    sub = submission.read(folder(tmp_path / "s", {f"junk{i:03d}.txt": b"" for i in range(120)}))
    assert len(sub.rejected) == submission.MAX_REJECTED_LINES + 1
    assert sub.rejected[-1] == f"… and {120 - submission.MAX_REJECTED_LINES} more files were rejected"


# ---------------------------------------------------------------------------------------------
# Bounded work: caps before parsing, linear lifting
# ---------------------------------------------------------------------------------------------

def test_caps_are_checked_before_anything_is_parsed(tmp_path, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("parsed before the cap was checked")
    big_notebook = write(tmp_path / "big.ipynb", b" " * (submission.MAX_NOTEBOOK_BYTES + 1))
    many_members = write(tmp_path / "many.zip", zip_bytes([(f"{i}.txt", b"") for i in range(2001)]))
    monkeypatch.setattr(submission.json, "loads", must_not_run)
    monkeypatch.setattr(submission.zipfile, "ZipFile", must_not_run)
    assert "larger than" in submission.read(big_notebook).rejected[0]
    assert "at most 2000" in submission.read(many_members).rejected[0]


def test_a_huge_folder_is_walked_only_up_to_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(submission, "MAX_ENTRIES", 30)
    root = folder(tmp_path / "s", {f"d{i}/f{j}.txt": b"" for i in range(10) for j in range(10)})
    sub = submission.read(root)
    assert_well_formed(sub)
    assert "holds more than 30 files and folders" in sub.rejected[-1] or \
        "holds more than 30 files and folders" in "\n".join(sub.rejected)


def _profile_events(fn, *args) -> int:
    """How many calls and returns (Python and C) `fn(*args)` makes: a count of work that, unlike
    a timing, is the same on every machine."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        count += 1

    sys.setprofile(profile)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
    return count


def test_notebook_lifting_is_linear_in_the_cell_size():
    """ast.get_source_segment re-splits the whole cell for every statement: a notebook with
    one big cell cost the parent hours. Four times the statements must cost about four times
    the work (the old code took 17 times), on one line or on many."""
    def one_cell(n: int, sep: str) -> str:
        return json.dumps({"cells": [{"cell_type": "code", "source": sep.join(f"x{i} = {i}" for i in range(n))}]})
    for sep in ("\n", "; "):
        small, large = (_profile_events(submission.notebook_source, one_cell(n, sep)) for n in (500, 2000))
        assert large / small < 5, (sep, small, large)


CELL_PIECES = st.sampled_from([
    "import torch", "from torch import nn as é", "x = 1", "y: int = 2", "z = 'ü✓𝛁'", "print(x)",
    "def f(a, b=3):\n    '''doc ✓'''\n    return a + b", "class C(nn.Module):\n    pass",
    "@staticmethod\ndef g():\n    return [1,\n            2]", "async def h():\n    await x", "if x:\n    y = 2",
    "for i in range(3): pass", "x = 1; y = 2; def_ = 3", "# a comment", "", "\t", "s = '''multi\nline'''",
    "λ = lambda q: q", "w = (1 +\n     2)",
])


@FUZZ
@given(st.lists(CELL_PIECES, max_size=12), st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
def test_lifted_text_is_exactly_what_ast_would_cut_out(pieces, newline):
    code = newline.join(pieces)
    normalised = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    tree = submission._parse(normalised)
    if tree is None:
        return
    assert submission._segments(normalised, tree.body) == [ast.get_source_segment(normalised, n) for n in tree.body]


# ---------------------------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)
CELL = st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown", 3]),
                              "source": st.one_of(st.text(), st.lists(st.text(max_size=20), max_size=4),
                                                  CELL_PIECES, JSON),
                              "metadata": st.one_of(JSON, st.just({"tags": ["graded"]}))})
NOTEBOOKS = st.one_of(
    JSON.map(json.dumps),
    st.lists(CELL, max_size=5).map(lambda cells: json.dumps({"cells": cells})),
    st.lists(CELL, max_size=5).map(lambda cells: json.dumps({"worksheets": [{"cells": [
        {**c, "input": c.pop("source")} for c in cells]}]})),
    st.binary(max_size=200),
)


@FUZZ
@given(NOTEBOOKS)
def test_any_notebook_is_lifted_or_refused(text):
    try:
        source = submission.notebook_source(text, set(GATHER.graded))
    except submission.Refused as exc:
        assert str(exc)
    else:
        assert isinstance(source, str)


# Names as an archive may hold them: kata paths, climbing paths, control characters, very long
# names, backslashes, and any text at all.
MEMBER_NAMES = st.one_of(
    st.sampled_from(["04_indexing/gather.py", "gather.py", "hw/04_indexing/gather.py", "conftest.py",
                     "x.ipynb", "../x.py", "/abs.py", "a\\b.py", "d/", "d/./e.py", ".hidden/x.py",
                     "__MACOSX/._gather.py", "a" * 300, "a/" * 40 + "x"]),
    st.text(min_size=1, max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x20), min_size=1, max_size=5),
)
MEMBER_DATA = st.one_of(st.just(GOOD), st.binary(max_size=200), NOTEBOOKS.map(
    lambda t: t if isinstance(t, bytes) else t.encode("utf-8", "surrogatepass")))


@FUZZ
@given(members=st.lists(st.tuples(MEMBER_NAMES, MEMBER_DATA), max_size=6),
       method=st.sampled_from([None, None, 0, 8, 12, 14, 93, 99]), flags=st.sampled_from([0, 0, 0x1, 0x800, 0x8]),
       cut=st.one_of(st.none(), st.integers(min_value=0, max_value=400)), flip=st.integers(min_value=0))
def test_any_archive_is_read_without_raising(tmp_path_factory, members, method, flags, cut, flip):
    try:
        data = patch_headers(zip_bytes(members), method=method, flag_bits=flags)
    except (ValueError, OSError):      # zipfile itself refuses to write such a member
        assume(False)
    if cut is not None:
        data = data[:cut]
    elif data and flip % 3 == 0:                         # one flipped byte somewhere
        at = flip % len(data)
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
    path = tmp_path_factory.mktemp("zip") / "s.zip"
    path.write_bytes(data)
    assert_well_formed(submission.read(path))


# Any bytes but '/' and NUL make a name on Linux.
FILE_NAMES = st.binary(min_size=1, max_size=30).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")).filter(
    lambda b: b not in (b".", b".."))


@FUZZ
@given(st.lists(st.tuples(st.lists(FILE_NAMES, min_size=1, max_size=3),
                          st.sampled_from(["file", "dir", "link", "fifo"]), MEMBER_DATA), max_size=6))
def test_any_folder_is_read_without_raising(tmp_path_factory, entries):
    root = os.fsencode(tmp_path_factory.mktemp("dir"))
    for parts, kind, data in entries:
        path = root + b"/" + b"/".join(parts)
        if os.path.lexists(path):            # made before (writing into a FIFO would block)
            continue
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if kind == "file":
                with open(path, "wb") as fh:
                    fh.write(data)
            elif kind == "dir":
                os.makedirs(path, exist_ok=True)
            elif kind == "link":
                os.symlink(b"/etc/passwd", path)
            else:
                os.mkfifo(path)
        except OSError:          # the name clashes with one made before: skip it
            continue
    assert_well_formed(submission.read(Path(os.fsdecode(root))))


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=30), st.binary(max_size=30).map(os.fsdecode),
                          st.sampled_from(["alice", "Alice", "ALICE", "alice-2", "a/b", ".x", "", "summary"])),
                max_size=12))
def test_batch_names_are_safe_and_unique(names):
    stems = course.unique_stems([course.safe_stem(n) for n in names])
    assert len({s.casefold() for s in stems}) == len(stems)
    for stem in stems:
        assert stem and not stem.startswith(".") and "/" not in stem and "\0" not in stem
        assert all((c.isalnum() and c.isprintable()) or c in "._-" for c in stem), stem
        assert len(stem.encode("utf-8")) < 255
        stem.encode("utf-8")          # no surrogates: the name can be written and printed
    assert stems == course.unique_stems([course.safe_stem(n) for n in names])      # deterministic


def test_names_that_need_no_change_keep_it_and_collisions_get_a_suffix():
    assert course.safe_stem("alice_smith-2") == "alice_smith-2"
    assert course.safe_stem("josé") == "josé"
    assert course.safe_stem("a b").startswith("a_b-") and course.safe_stem("a b") != course.safe_stem("a_b")
    assert course.unique_stems(["alice", "alice", "Alice", "alice-2"]) == ["alice", "alice-3", "Alice-4", "alice-2"]


# ---------------------------------------------------------------------------------------------
# The child's answer
# ---------------------------------------------------------------------------------------------

def frame_text(body: bytes, blobs: bytes = b"") -> bytes:
    """A probe answer as the wire carries it: header length, JSON header, tensor bytes."""
    return struct.pack("<Q", len(body)) + body + blobs


def frame(header: dict, blobs: bytes = b"") -> bytes:
    return frame_text(json.dumps(header).encode(), blobs)


GARBAGE_ANSWERS = {
    "not framed at all": b"\x00\x01garbage",
    "nesting past the recursion limit": frame_text(b'{"value": {"__dict__": {"results": '
                                                   + b"[" * 5000 + b"]" * 5000 + b'}}, "sizes": []}'),
    "a float that is not a number": frame({"value": {"__dict__": {"results": [{"__float__": "many"}]}}, "sizes": []}),
    "a tensor with an impossible shape": frame({"value": {"__dict__": {"results": [{"__tensor__": 0, "dtype": "float32",
                                                                                    "shape": [-1, -1]}]}},
                                                "sizes": [4]}, b"\0\0\0\0"),
    "a tensor that is not there": frame({"value": {"__dict__": {"results": [{"__tensor__": 7, "dtype": "float32",
                                                                             "shape": [1]}]}}, "sizes": []}),
    "an import error of the wrong shape": frame({"value": {"__dict__": {"import_error": "boom"}}, "sizes": []}),
    "a reply that is a string": frame({"value": "import_error", "sizes": []}),
    "the wrong number of results": frame({"value": {"__dict__": {"results": []}}, "sizes": []}),
    "results that are not mappings": frame({"value": {"__dict__": {"results": [1, 2, 3]}}, "sizes": []}),
}


class AnsweringServer:
    """Stands in for the fork server: every run 'succeeds' with the same payload."""

    isolation = {"level": "test", "protections": [], "warnings": []}

    def __init__(self, payload: bytes):
        self.payload = payload

    def run(self, request, limits):
        return SimpleNamespace(status="ok", payload=self.payload, output="", detail="")


def sandboxed_with(payload: bytes) -> course.Sandboxed:
    executor = course.Sandboxed.__new__(course.Sandboxed)     # no real fork server
    executor.limits = SimpleNamespace(threads=1, wall_s=1.0, memory_bytes=0)
    executor.server = AnsweringServer(payload)
    executor._local = threading.local()
    executor._start_error = None
    executor._starting = threading.Thread(target=lambda: None)
    executor._starting.start()
    return executor


@pytest.mark.parametrize("label", sorted(GARBAGE_ANSWERS))
def test_an_answer_the_grader_cannot_read_is_the_submissions_fault(label):
    executor = sandboxed_with(GARBAGE_ANSWERS[label])
    target = runner.Target("gather.py", source=GOOD.decode())
    result = runner.grade_kata(GATHER, target, executor)
    assert {t.status for t in result.tests} == {Status.CRASHED}
    for test in result.tests:
        assert "sent back an answer the grader cannot read" in test.message, test.message
        assert "the grader failed" not in test.message


# ---------------------------------------------------------------------------------------------
# End to end: `kata grade`, sandboxed
# ---------------------------------------------------------------------------------------------

def kata_grade(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker", "grade", *args], cwd=ROOT, capture_output=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """One sandboxed batch of good, colliding, oddly named and malformed submissions."""
    base = tmp_path_factory.mktemp("batch")
    root = base / "submissions"
    good = {"04_indexing/gather.py": GOOD}
    folder(root / "alice", good)
    write(root / "alice.zip", zip_bytes([("alice/04_indexing/gather.py", GOOD)]))       # same stem
    folder(root / "Alice", good)                                                         # same but for case
    folder(Path(os.fsdecode(os.fsencode(root) + b"/caf\xe9")), good)                   # not UTF-8
    folder(root / "evil\nname,\"quoted\"", good)
    folder(root / ("long" * 60), good)
    os.symlink(root / "alice", root / "linked")
    os.symlink(root / "alice.zip", root / "linked.zip")
    write(root / "locked.zip", patch_headers(zip_bytes([("04_indexing/gather.py", GOOD)]), flag_bits=0x1))
    write(root / "bomb.zip", zip_bytes([(f"{i}.txt", b"") for i in range(2001)]))
    write(root / "nested.ipynb", "[" * 50_000 + "]" * 50_000)
    write(root / "parser.ipynb", notebook(["(" * 5000 + ")" * 5000]))
    write(root / "notes.txt", b"not a submission")                                       # skipped
    out = base / "out"
    proc = kata_grade("--batch", str(root), "--out-dir", str(out), "--kata", GATHER.id, "--format", "gradescope",
                      "-j", "2", "--seed", "3")
    return proc, out


def test_a_hostile_batch_grades_everything_into_its_own_file(hostile_batch):
    proc, out = hostile_batch
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = (out / "summary.csv").read_bytes().decode("utf-8")          # valid UTF-8, whatever the names
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 12
    files = [row["results_file"] for row in rows]
    assert len({f.casefold() for f in files}) == len(files)                  # nothing overwritten
    assert sorted(p.name for p in out.iterdir()) == sorted(files + ["summary.csv", "katas.csv", "grades.jsonl"])
    by_name = {row["submission"]: row for row in rows}
    assert sorted(row["submission"] for row in rows) == sorted([
        "Alice", "alice", "alice", "bomb", "caf\\xe9", 'evil\\x0aname,"quoted"', "linked", "linked", "locked",
        "long" * 39 + "lon…", "nested", "parser"])
    # alice/, alice.zip and Alice/ would all be alice.json: each gets its own file.
    assert {r["results_file"] for r in rows if r["submission"].casefold() == "alice"} == {
        "Alice.json", "alice-2.json", "alice-3.json"}
    for row in rows:
        data = json.loads((out / row["results_file"]).read_text(encoding="utf-8"))
        assert data["score"] == float(row["score"])
        assert printable_line(row["submission"]) and printable_line(row["note"])
        full = float(row["score"]) == float(row["max_score"]) == len(GATHER.graded)
        hostile = row["submission"].startswith(("linked", "locked", "bomb", "nested", "parser"))
        assert full != hostile, row
        if hostile:
            assert row["note"] and row["note"] in data["output"].replace("\n", "; ").replace("rejected: ", "")


def test_a_malformed_submission_still_gets_valid_results_through_kata_grade(tmp_path):
    path = write(tmp_path / "hw.zip", zip_bytes([
        ("04_indexing/gather.py", GOOD), ("x" * 300, b""), ("notes.txt", b""), ("notes.txt/a", b"")]))
    out = tmp_path / "results.xml"
    # Intake happens in the parent; the sandboxed batch above covers the child's side.
    proc = kata_grade(str(path), "--kata", GATHER.id, "--format", "junit", "--out", str(out), "--isolation", "none")
    assert proc.returncode == 0, proc.stderr[-3000:]
    root = ET.parse(out).getroot()
    assert root.get("tests") == str(len(GATHER.graded)) and root.get("failures") == "0"
    linked = tmp_path / "linked.zip"
    os.symlink(path, linked)
    proc = kata_grade(str(linked), "--kata", GATHER.id, "--format", "exercism", "--out", str(out),
                      "--isolation", "none")
    assert proc.returncode == 0, proc.stderr[-3000:]        # Exercism: results written, so exit 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["status"] == "error" and "is a symbolic link" in data["message"]
