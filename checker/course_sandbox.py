"""What `kata grade` hides from the sandbox, and starting its fork server early.

Torch-free on purpose: the CLI launches the fork server before it imports the grader (and so
torch), so that the server's `import torch` and the grader's own run at the same time instead
of one after the other.
"""
from __future__ import annotations

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
    return [str(p) for p in HIDDEN_PATHS + results_paths(args)]


def launch(args, threads: int = 1):
    """A started (not yet greeted) fork server for `kata grade args`, or None without a sandbox."""
    if args.isolation == "none":
        return None
    from checker.sandbox import ForkServer
    server = ForkServer(ENTRY, hidden_paths=hidden_paths(args), threads=threads)
    server.launch()
    return server
