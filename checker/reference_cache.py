"""What the grader derives from each reference, kept on disk between runs of `kata grade`.

Every `kata grade` is a fresh process, and before it can judge anything it runs each kata's
reference on the suite's inputs (about 2 s for the whole curriculum) and cuts the stub's given
code out of each reference (0.6 s). Both depend only on the reference's source, the inputs (the
probe specs, themselves made from the seed) and the code that derives them, so they are stored
under a hash of exactly that and reused: a course grading one submission per process
(Gradescope, a CI job, `kata grade` by hand) pays for them once.

What an entry is trusted for. Expected values for one seed are as secret as the references, and
whoever can write an entry decides what passes (the given code, too, runs over the learner's). It lives in a folder of the grader's
own (`$TORCHKATA_CACHE`, else `$XDG_CACHE_HOME/torchkata`, else `~/.cache/torchkata`), mode 0700,
files 0600, and an entry is read only when that folder and the file belong to this user and no
one else may write them. Learner code never sees it where the sandbox has a filesystem allowlist,
and cannot open it where it runs as another user (the uid level); both levels also list it as a
hidden path. At rlimits-only, where learner code runs as the grader's own user, nothing on disk is
safe from it, the references included (see the README): use `TORCHKATA_CACHE=off` there if that
matters. Entries are plain data (checker.wire), never pickles.

Torch-free at import (checker.wire is imported where entries are read or written), so the CLI
can name the folder to the sandbox before it imports torch.
"""
from __future__ import annotations

import functools
import hashlib
import os
import stat
import sys
from pathlib import Path

CACHE_ENV = "TORCHKATA_CACHE"
_SUBFOLDER = "derived"
# Past this many entries, the oldest go first: entries of older checkers, courses and seeds are
# never read again, and a grader that runs for a whole term must not fill its disk.
MAX_ENTRIES = 20_000
_enabled = False
_keep_expected = False


def enable(on: bool = True, *, seed_repeats: bool = True) -> None:
    """Use the cache in this process (`kata grade` does, for sandboxed grading only: in-process
    grading runs learner code here, which must not be able to write expected values).
    seed_repeats=False (a fresh random seed) keeps the given code only: expected values for a
    seed that never comes back would only take up space."""
    global _enabled, _keep_expected
    where = folder() if on else None
    _enabled = where is not None and _usable(where)
    _keep_expected = _enabled and seed_repeats
    if _enabled:
        _prune(where)


def _prune(where: Path) -> None:
    try:
        entries = list(os.scandir(where))
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime)
        for entry in entries[:len(entries) - MAX_ENTRIES // 2]:
            os.unlink(entry.path)
    except OSError:
        pass                     # pruning is housekeeping: never a reason to fail a grade


def _usable(where: Path) -> bool:
    """A folder someone else owns or may write into may hold planted entries: not used at all
    (its permissions are never "fixed", which would bless what is already in it)."""
    try:
        return _private(os.stat(where), stat.S_ISDIR)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def folder() -> Path | None:
    """Where entries live; None when $TORCHKATA_CACHE is "off"."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in ("off", "0", "no", "false"):
        return None
    if chosen:
        return Path(chosen).expanduser() / _SUBFOLDER
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "torchkata" / _SUBFOLDER


@functools.lru_cache(maxsize=1)
def _runtime_fingerprint() -> bytes:
    """The code that computes reference results: the checker package's own modules (not the
    course's suites, which enter a key through the specs they make), torch and Python."""
    import torch
    digest = hashlib.sha256(f"{torch.__version__}\0{sys.version}\0".encode())
    from checker import course_root
    package = course_root.package_dir()
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if rel.parts[0] in ("suites", course_root.PACKAGED_DIR):
            continue
        digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _key(parts) -> str:
    digest = hashlib.sha256(_runtime_fingerprint())
    for part in parts:
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def _private(st: os.stat_result, kind) -> bool:
    return kind(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _read(path: Path) -> bytes | None:
    try:
        if not _private(os.stat(path.parent), stat.S_ISDIR):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not _private(os.fstat(fd), stat.S_ISREG):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)     # (parents: the umask's mode)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        pass                     # a cache that cannot be written is only slower


def _remembered(parts, compute, valid):
    """compute(), or the plain data stored under `parts` when a valid entry is there."""
    if not _enabled:
        return compute()
    from checker import wire
    path = folder() / _key(parts)
    data = _read(path)
    if data is not None:
        try:
            found = wire.decode(data)
            if valid(found):
                return found
        except (wire.WireError, ValueError, TypeError):
            pass                 # damaged: computed again and rewritten below
    fresh = compute()
    try:
        _write(path, wire.encode(fresh))
    except (wire.WireError, TypeError, ValueError):
        pass                     # what is not plain data is simply not kept
    return fresh


def expected_results(reference_source: bytes, specs: list, compute) -> list:
    """compute(): the reference's results for `specs`, one dict per spec."""
    from checker import wire
    if not _keep_expected:
        return compute()
    try:
        encoded = wire.encode(specs)
    except (wire.WireError, TypeError, ValueError):
        return compute()         # specs this runtime cannot write down are never kept
    return _remembered((b"expected", reference_source, encoded), compute, lambda found: (
        isinstance(found, list) and len(found) == len(specs) and all(isinstance(r, dict) for r in found)))


def given_code(reference_source: bytes, compute) -> str:
    """compute(): the stub's given code, cut out of the reference."""
    return _remembered((b"given", reference_source), compute, lambda found: isinstance(found, str))
