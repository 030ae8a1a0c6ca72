"""Per-run control groups: memory and process-count bounds that count what a run really uses.

RLIMIT_AS bounds a process's address space, not its memory: pages of shared memory, memfd and
tmpfs files written with write() and closed, SysV segments not attached, all escape it. A memory
cgroup charges every page a run touches (shmem, page cache, its tmpfs files) to the run, and
the OOM killer ends the run at `memory.max`; `pids.max` bounds its processes and threads.

Two layouts are handled: the unified hierarchy (cgroup v2: memory.max, pids.max, memory.events)
where the memory and pids controllers can be delegated to a group of ours, else the legacy one
(v1: memory.limit_in_bytes, memory.memsw.limit_in_bytes, pids.max, memory.oom_control). Each
server makes one group, torchkata-<pid>, next to its own; each run a leaf in it, which the
runner joins before anything else and which is removed once the run is gone.

Where the hierarchies are is read from /proc (our own group, the mount table); `proc` names
another tree laid out like it, so that tests can hand the module a fake kernel.
"""
from __future__ import annotations

import os

PROC = "/proc"


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _own_paths(proc: str) -> dict[str, str]:
    """controller name ("" for the unified hierarchy) -> this process's group path."""
    found = {}
    for line in _read(os.path.join(proc, "self", "cgroup")).splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            found[name] = path
    return found


def _mounts(proc: str) -> dict[str, str]:
    """controller name ("" for cgroup2) -> where its hierarchy is mounted."""
    found = {}
    for line in _read(os.path.join(proc, "self", "mountinfo")).splitlines():
        left, _, right = line.partition(" - ")
        fstype, _, options = right.split()[:3]
        point = left.split()[4]
        if fstype == "cgroup2":
            found.setdefault("", point)
        elif fstype == "cgroup":
            for option in options.split(","):
                if option in ("memory", "pids"):
                    found.setdefault(option, point)
    return found


class Cgroups:
    """The server's group(s). `kind` is "cgroup-v2" or "cgroup-v1"."""

    def __init__(self, kind: str, bases: dict[str, str]):
        self.kind, self.bases = kind, bases           # controller ("" for v2) -> our group dir

    @classmethod
    def create(cls, proc: str = PROC) -> "Cgroups | None":
        """Our own group for the runs, or None where cgroups cannot be used here (no writable
        hierarchy, controllers not delegated); the reason is not an error. Only root may move
        a run into a group, so only root asks (detect.detect does the asking)."""
        for attempt in (cls._v2, cls._v1):
            try:
                found = attempt(proc)
            except OSError:
                found = None
            if found is not None:
                return found
        return None

    @staticmethod
    def _make_base(parent: str, proc: str) -> str:
        """Our group in `parent`, after removing the empty ones of servers that died unannounced
        (SIGKILL leaves no chance to clean up)."""
        for name in os.listdir(parent):
            if name.startswith("torchkata-") and name[10:].isdigit() and \
                    not os.path.exists(os.path.join(proc, name[10:])):
                stale = os.path.join(parent, name)
                for leaf in os.listdir(stale):
                    if leaf.startswith("run-"):
                        try:
                            os.rmdir(os.path.join(stale, leaf))
                        except OSError:
                            pass
                try:
                    os.rmdir(stale)
                except OSError:
                    pass
        base = os.path.join(parent, f"torchkata-{os.getpid()}")
        os.mkdir(base, 0o755)
        return base

    @classmethod
    def _v2(cls, proc: str) -> "Cgroups | None":
        mounts, own = _mounts(proc), _own_paths(proc)
        if "" not in mounts or "" not in own:
            return None
        here = os.path.join(mounts[""], own[""].lstrip("/"))
        # No process may sit in a group that hands controllers down, and we (and the grader)
        # sit in ours: so our group goes beside it, in our parent, which already hands down
        # memory and pids if our own group has them.
        parent = here if own[""] == "/" else os.path.dirname(here)
        if not {"memory", "pids"} <= set(_read(os.path.join(parent, "cgroup.subtree_control")).split()):
            return None
        base = cls._make_base(parent, proc)
        try:
            _write(os.path.join(base, "cgroup.subtree_control"), "+memory +pids")
        except OSError:
            os.rmdir(base)
            raise
        return cls("cgroup-v2", {"": base})

    @classmethod
    def _v1(cls, proc: str) -> "Cgroups | None":
        mounts, own = _mounts(proc), _own_paths(proc)
        if not {"memory", "pids"} <= set(mounts) or not {"memory", "pids"} <= set(own):
            return None
        bases = {}
        try:
            for name in ("memory", "pids"):
                bases[name] = cls._make_base(os.path.join(mounts[name], own[name].lstrip("/")), proc)
        except OSError:
            for base in bases.values():
                os.rmdir(base)
            raise
        return cls("cgroup-v1", bases)

    def leaf(self, run_id: int, memory_bytes: int, processes: int) -> "RunGroup":
        """A group for one run, its limits set. memory_bytes 0: no memory limit."""
        dirs = {name: os.path.join(base, f"run-{run_id}") for name, base in self.bases.items()}
        group = RunGroup(self.kind, dirs)
        try:
            for path in dirs.values():
                os.mkdir(path, 0o755)
            group.limit(memory_bytes, processes)
        except OSError:
            group.remove()
            raise
        return group

    def remove(self) -> None:
        for base in self.bases.values():
            try:
                os.rmdir(base)
            except OSError:
                pass


class RunGroup:
    def __init__(self, kind: str, dirs: dict[str, str]):
        self.kind, self.dirs = kind, dirs

    def _file(self, controller: str, name: str) -> str:
        return os.path.join(self.dirs["" if self.kind == "cgroup-v2" else controller], name)

    def limit(self, memory_bytes: int, processes: int) -> None:
        _write(self._file("pids", "pids.max"), str(int(processes)))
        if not memory_bytes:
            return
        if self.kind == "cgroup-v2":
            _write(self._file("memory", "memory.max"), str(int(memory_bytes)))
            if os.path.exists(self._file("memory", "memory.swap.max")):
                _write(self._file("memory", "memory.swap.max"), "0")
        else:
            _write(self._file("memory", "memory.limit_in_bytes"), str(int(memory_bytes)))
            swap = self._file("memory", "memory.memsw.limit_in_bytes")
            if os.path.exists(swap):       # memory plus swap: no way around the limit through swap
                _write(swap, str(int(memory_bytes)))

    def join(self) -> None:
        """Move the calling process in (the runner does this first, as root)."""
        for path in self.dirs.values():
            _write(os.path.join(path, "cgroup.procs"), "0")

    def oom_killed(self) -> bool:
        """Whether the kernel's OOM killer ended a process of this run for its memory limit."""
        try:
            if self.kind == "cgroup-v2":
                text = _read(self._file("memory", "memory.events"))
            else:
                text = _read(self._file("memory", "memory.oom_control"))
        except OSError:
            return False
        fields = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
        return int(fields.get("oom_kill", 0)) > 0

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in _read(self._file("pids", "cgroup.procs")).split()]
        except OSError:
            return []

    def remove(self) -> None:
        for path in self.dirs.values():
            try:
                os.rmdir(path)
            except OSError:
                pass
