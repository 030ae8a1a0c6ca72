"""What `kata grade` hides from the sandbox, and starting its fork server early.

Torch-free on purpose: the CLI launches the fork server before it imports the grader (and so
torch), so that the server's `import torch` and the grader's own run at the same time instead
of one after the other.

$TORCHKATA_SANDBOX_LEVEL caps the isolation level (namespaces, uid or rlimits; default: the best
this machine gives), to see how a submission fares where a course platform gives less.
"""
from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

from checker import ROOT

# What the sandboxed child must never see: the answers, the suites, and (added per run) results.
HIDDEN_PATHS = (ROOT / "solutions", ROOT / "checker" / "suites", ROOT / ".git")
ENTRY = "checker.probe:serve"


def results_paths(args) -> tuple:
    """Where this `kata grade` writes its results: hidden from the child too."""
    paths = []
    if args.out:
        paths.append(Path(args.out).resolve().parent)
    if args.out_dir:
        paths.append(Path(args.out_dir).resolve())
    return tuple(p for p in paths if p != Path("/"))


def hidden_paths(args) -> list[str]:
    from checker import reference_cache
    cache = reference_cache.folder()
    return [str(p) for p in HIDDEN_PATHS + results_paths(args) + ((cache,) if cache else ())]


def hide_seed() -> None:
    """The seed decides the hidden inputs: take it off this process's command line, which any
    process that can see this one may read (at the uid level, learner code can)."""
    from checker.sandbox.linux import hide_option_values
    try:
        hide_option_values(["--seed"])
    except OSError as exc:
        print(f"kata grade: warning: could not hide --seed from the command line ({exc}); "
              f"prefer $TORCHKATA_SEED", file=sys.stderr)


@contextlib.contextmanager
def closed_to_others(path: Path, isolation: dict):
    """Where runs share the grader's filesystem under a uid of their own (the uid level), take
    away the "other" permissions of `path` (the batch folder) while grading, so that no run can
    read a classmate's files; they are put back afterwards. Elsewhere nothing changes: with a
    mount namespace a run does not see the folder at all, and without a uid drop permissions
    cannot keep it out."""
    protections = set(isolation.get("protections", ()))
    if "uid-drop" not in protections or "filesystem-allowlist" in protections:
        yield
        return
    mode = stat.S_IMODE(os.stat(path).st_mode)
    os.chmod(path, mode & ~0o007)
    try:
        yield
    finally:
        os.chmod(path, mode)


def launch(args, threads: int = 1):
    """A started (not yet greeted) fork server for `kata grade args`, or None without a sandbox."""
    hide_seed()
    if args.isolation == "none":
        return None
    from checker.sandbox import ForkServer
    server = ForkServer(ENTRY, hidden_paths=hidden_paths(args), threads=threads,
                        isolation=os.environ.get("TORCHKATA_SANDBOX_LEVEL") or "auto")
    server.launch()
    return server
