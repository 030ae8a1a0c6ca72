"""checker/sandbox/cgroups.py against a fake kernel: the cgroup v2 path, which machines that only
have cgroup v1 (like the one these tests were written on) never take, and the report of what
bounds memory where no cgroup layout is usable.

The fake is a /proc (our own group, the mount table, the live pids) and a cgroup2 hierarchy in
tmp_path. Folders and files stand in for cgroupfs, and a stand-in `os` inside the module makes
mkdir and rmdir behave there as the kernel's do: a new group gets the interface files its
parent's subtree_control enables, and a group goes only when it holds no process and no group.
"""
from __future__ import annotations

import functools
import os
import types
from pathlib import Path

import pytest

from checker.sandbox import Limits, cgroups
from checker.sandbox.detect import detect
from checker.sandbox.linux import refused_calls

OUR_GROUP = "/system.slice/grader.service"
MEMORY_FILES = {"memory.max": "max\n", "memory.swap.max": "max\n", "memory.current": "0\n",
                "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"}
PIDS_FILES = {"pids.max": "max\n", "pids.current": "0\n"}
CORE_FILES = {"cgroup.procs": "", "cgroup.controllers": "", "cgroup.subtree_control": "",
              "cgroup.events": "populated 0\nfrozen 0\n"}


class FakeKernel:
    """A cgroup2 hierarchy mounted at `mount`, and a /proc at `proc` that says we sit in
    OUR_GROUP, whose parent hands memory and pids down when `delegated`."""

    def __init__(self, base: Path, delegated: bool = True, mounted: str = "cgroup2"):
        self.mount, self.proc = base / "sys-fs-cgroup", base / "proc"
        (self.proc / "self").mkdir(parents=True)
        (self.proc / str(os.getpid())).mkdir()
        (self.proc / "self" / "cgroup").write_text(f"0::{OUR_GROUP}\n")
        fstype = {"cgroup2": "cgroup2 cgroup2 rw,nsdelegate", "none": "tmpfs tmpfs rw"}[mounted]
        (self.proc / "self" / "mountinfo").write_text(
            "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
            f"35 24 0:30 / {self.mount} rw,nosuid,nodev,noexec - {fstype}\n")
        self.mount.mkdir()
        self._populate(self.mount, "cpu io memory pids")
        (self.mount / "cgroup.subtree_control").write_text("cpu memory pids\n" if delegated else "cpu\n")
        self.parent = self.mkdir(self.mount / OUR_GROUP.lstrip("/").rpartition("/")[0])
        (self.parent / "cgroup.subtree_control").write_text("memory pids\n" if delegated else "\n")
        ours = self.mkdir(self.mount / OUR_GROUP.lstrip("/"))
        (ours / "cgroup.procs").write_text(f"{os.getpid()}\n")
        self.os = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
        self.os.mkdir, self.os.rmdir = self.mkdir, self.rmdir

    @staticmethod
    def enabled(group: Path) -> set[str]:
        """The controllers `group` hands down ("+memory" as written, "memory" as the kernel shows)."""
        return {word.lstrip("+") for word in (group / "cgroup.subtree_control").read_text().split()}

    @staticmethod
    def _populate(group: Path, controllers: str) -> None:
        files = dict(CORE_FILES, **{"cgroup.controllers": controllers + "\n"})
        if "memory" in controllers.split():
            files.update(MEMORY_FILES)
        if "pids" in controllers.split():
            files.update(PIDS_FILES)
        for name, text in files.items():
            (group / name).write_text(text)

    def interface_files(self, group: Path) -> set[str]:
        """The files the kernel shows in `group`: nothing else may appear there."""
        controllers = set((group / "cgroup.controllers").read_text().split())
        return set(CORE_FILES) | (set(MEMORY_FILES) if "memory" in controllers else set()) | \
            (set(PIDS_FILES) if "pids" in controllers else set())

    def mkdir(self, path, mode: int = 0o777) -> Path:
        path = Path(path)
        os.mkdir(path, mode)
        if self.mount in path.parents:
            self._populate(path, " ".join(sorted(self.enabled(path.parent))))
        return path

    def rmdir(self, path) -> None:
        path = Path(path)
        if self.mount not in path.parents:
            return os.rmdir(path)
        if (path / "cgroup.procs").read_text().split() or any(p.is_dir() for p in path.iterdir()):
            raise OSError(16, "Device or resource busy", str(path))     # EBUSY, as the kernel says
        for file in path.iterdir():
            file.unlink()
        os.rmdir(path)

    def server_group(self, pid: int) -> Path:
        return self.parent / f"torchkata-{pid}"


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> FakeKernel:
    fake = FakeKernel(tmp_path)
    monkeypatch.setattr(cgroups, "os", fake.os)
    return fake


def created(kernel: FakeKernel) -> cgroups.Cgroups:
    groups = cgroups.Cgroups.create(proc=str(kernel.proc))
    assert groups is not None and groups.kind == "cgroup-v2"
    return groups


def test_the_server_group_goes_beside_ours_and_hands_memory_and_pids_down(kernel):
    groups = created(kernel)
    base = kernel.server_group(os.getpid())
    assert groups.bases == {"": str(base)}
    assert kernel.enabled(base) == {"memory", "pids"}
    assert set(os.listdir(base)) == kernel.interface_files(base)


def test_a_run_leaf_gets_the_limits_the_server_passes(kernel):
    limits = Limits(wall_s=5, memory_bytes=768 << 20, max_processes=32)
    leaf = created(kernel).leaf(7, limits.memory_bytes, limits.max_processes)
    path = kernel.server_group(os.getpid()) / "run-7"
    assert leaf.dirs == {"": str(path)}
    assert (path / "memory.max").read_text() == str(768 << 20)
    assert (path / "pids.max").read_text() == "32"
    assert (path / "memory.swap.max").read_text() == "0"          # no way around memory.max through swap
    assert set(os.listdir(path)) == kernel.interface_files(path)   # only the kernel's files were written


def test_a_leaf_without_a_memory_limit_still_bounds_processes(kernel):
    path = kernel.server_group(os.getpid()) / "run-1"
    created(kernel).leaf(1, 0, 16)
    assert (path / "memory.max").read_text() == "max\n" and (path / "pids.max").read_text() == "16"


def test_the_runner_joins_its_leaf_and_the_server_sees_its_processes(kernel):
    leaf = created(kernel).leaf(3, 1 << 30, 8)
    leaf.join()
    path = Path(leaf.dirs[""])
    assert (path / "cgroup.procs").read_text() == "0"             # "0": the writing process itself
    (path / "cgroup.procs").write_text("4242\n4243\n")             # what the kernel lists afterwards
    assert leaf.pids() == [4242, 4243]


def test_an_oom_kill_is_recognised_from_memory_events(kernel):
    leaf = created(kernel).leaf(4, 1 << 30, 8)
    events = Path(leaf.dirs[""]) / "memory.events"
    assert not leaf.oom_killed()
    events.write_text("low 0\nhigh 3\nmax 9\noom 1\noom_kill 0\noom_group_kill 0\n")
    assert not leaf.oom_killed()          # the limit was hit and reclaim coped: nothing was killed
    events.write_text("low 0\nhigh 3\nmax 9\noom 1\noom_kill 1\noom_group_kill 0\n")
    assert leaf.oom_killed()
    events.unlink()
    assert not leaf.oom_killed()          # a group already gone says nothing


def test_the_leaf_goes_after_the_run_and_the_server_group_after_the_server(kernel):
    groups = created(kernel)
    leaf = groups.leaf(5, 1 << 30, 8)
    path = Path(leaf.dirs[""])
    (path / "cgroup.procs").write_text("4242\n")
    leaf.remove()                          # a process still in it: the kernel refuses, quietly
    assert path.is_dir()
    (path / "cgroup.procs").write_text("")
    leaf.remove()
    assert not path.exists()
    groups.remove()
    assert not kernel.server_group(os.getpid()).exists()


def test_groups_of_servers_that_died_are_removed_and_the_living_kept(kernel):
    dead, alive, busy = 999_999_901, 4242, 999_999_902
    (kernel.proc / str(alive)).mkdir()
    for pid in (dead, alive, busy):
        kernel.mkdir(kernel.server_group(pid))
        (kernel.server_group(pid) / "cgroup.subtree_control").write_text("+memory +pids")
        kernel.mkdir(kernel.server_group(pid) / "run-3")
    (kernel.server_group(busy) / "run-3" / "cgroup.procs").write_text("4343\n")   # an orphan lives on
    unrelated = kernel.mkdir(kernel.parent / "torchkata-notapid")
    created(kernel)
    assert not kernel.server_group(dead).exists()
    assert (kernel.server_group(alive) / "run-3").is_dir()
    assert (kernel.server_group(busy) / "run-3").is_dir()
    assert unrelated.is_dir() and kernel.server_group(os.getpid()).is_dir()


def test_no_group_where_the_parent_does_not_delegate_or_nothing_is_mounted(tmp_path, monkeypatch):
    for name, fake in (("undelegated", FakeKernel(tmp_path / "a", delegated=False)),
                       ("unmounted", FakeKernel(tmp_path / "b", mounted="none"))):
        monkeypatch.setattr(cgroups, "os", fake.os)
        assert cgroups.Cgroups.create(proc=str(fake.proc)) is None, name
        assert not fake.server_group(os.getpid()).exists(), name


# ---------------------------------------------------------------------------------------------
# What the isolation report says bounds memory
# ---------------------------------------------------------------------------------------------

def detect_with(monkeypatch, kernel: FakeKernel, isolation: str) -> tuple[dict, dict]:
    """detect() as it runs, but asking the fake kernel for cgroups."""
    monkeypatch.setattr(cgroups, "os", kernel.os)
    create = functools.partial(cgroups.Cgroups.create.__func__, proc=str(kernel.proc))
    monkeypatch.setattr(cgroups.Cgroups, "create", classmethod(create))
    return detect([], isolation)


def test_the_report_names_cgroup_v2_where_it_applies(kernel, monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("detect asks for cgroups only as root: only root can move a run into one")
    report, plan = detect_with(monkeypatch, kernel, "auto")
    assert report["memory_bound"].startswith("cgroup-v2: ") and plan["cgroups"]
    assert {"memory-cgroup", "pids-cgroup"} <= set(report["protections"])
    assert not [w for w in report["warnings"] if "memory cgroup" in w]
    assert "memfd_create" not in refused_calls(plan, memory_cgroup=True)   # its pages are counted
    assert not kernel.server_group(os.getpid()).exists()                  # the trial group is gone


@pytest.mark.parametrize("isolation", ["auto", "uid", "rlimits"])
def test_without_a_usable_layout_the_report_names_the_limits_that_apply(tmp_path, monkeypatch, isolation):
    if isolation == "uid" and os.geteuid() != 0:
        pytest.skip("the uid level needs root")
    report, plan = detect_with(monkeypatch, FakeKernel(tmp_path, delegated=False), isolation)
    bound = report["memory_bound"]
    assert not plan["cgroups"] and "memory-cgroup" not in report["protections"]
    assert bound.startswith("rlimits: address space, size of each file, number of open files")
    [warning] = [w for w in report["warnings"] if w.startswith("no memory cgroup")]
    if plan["seccomp"]:
        assert "memfd refused" in bound and "memfd_create" in refused_calls(plan, memory_cgroup=False)
    else:
        assert "memfd" not in bound and "memfd is not refused" in warning
    if plan["mount_ns"]:
        assert "a private /tmp and /dev/shm" in bound
    else:
        assert "/dev/shm" not in bound and "shared /dev/shm" in warning
        assert ("removed after the run" if plan["uid"] else "stay after the run") in warning
