"""Finding out what the OS allows: a throw-away child tries every step of a run's set-up and
reports which worked; `detect` turns that into the isolation report and the plan the server
follows. Imports nothing heavy (no torch), so `detect_isolation()` answers quickly.
"""
from __future__ import annotations

import json
import os
import socket
import sys

from checker.sandbox.cgroups import Cgroups
from checker.sandbox.filesystem import build_filesystem, filesystem_plan, pivot_supported
from checker.sandbox.framing import write_all
from checker.sandbox.linux import CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, PR_SET_NO_NEW_PRIVS, \
    UID_BASE, install_filter, prctl, refused_calls, seccomp_supported, setns, unshare

def _exposed(paths) -> list[tuple[str, str]]:
    """Which of `paths` this process can read or change (file permissions decide)."""
    found = []
    for path in paths:
        readable, writable = os.access(path, os.R_OK), os.access(path, os.W_OK)
        if readable or writable:
            found.append((path, " and ".join(w for w, ok in (("readable", readable), ("writable", writable)) if ok)))
    return found


def _trial(plan: dict, want_ns: bool) -> dict:
    """Fork a throw-away child that goes through a runner's set-up and reports
    which steps worked."""
    r, w = os.pipe()
    report = {}
    own_ns = None
    if want_ns:
        try:
            own_ns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
            setns(own_ns, CLONE_NEWPID)
            unshare(CLONE_NEWPID)
            report["pid_ns"] = True
        except OSError as exc:
            report["pid_ns_error"] = str(exc)
    pid = os.fork()
    if pid == 0:
        out = {}
        try:
            os.close(r)
            if report.get("pid_ns"):
                for flag, name in ((CLONE_NEWNET, "net_ns"), (CLONE_NEWIPC, "ipc_ns"), (CLONE_NEWNS, "mount_ns")):
                    try:
                        unshare(flag)
                        out[name] = True
                    except OSError as exc:
                        out[name + "_error"] = str(exc)
                if out.get("mount_ns") and pivot_supported():
                    try:
                        build_filesystem(plan)
                        out["filesystem"] = True
                    except OSError as exc:
                        out["filesystem_error"] = str(exc)
            if plan["uid"]:
                try:
                    os.setgroups([])
                    os.setresgid(UID_BASE, UID_BASE, UID_BASE)
                    os.setresuid(UID_BASE, UID_BASE, UID_BASE)
                    out["uid"] = True
                    out["stdlib_readable"] = os.access(os.__file__, os.R_OK)
                    out["exposed_hidden"] = _exposed(plan["hidden"])
                    out["writable_code"] = [p for p in plan["exposed"] if os.access(p, os.W_OK)]
                except OSError as exc:
                    out["uid_error"] = str(exc)
            else:
                out["exposed_hidden"] = _exposed(plan["hidden"])
                out["writable_code"] = [p for p in plan["exposed"] if os.access(p, os.W_OK)]
            try:
                prctl(PR_SET_NO_NEW_PRIVS, 1)
                out["no_new_privs"] = True
                if seccomp_supported():
                    install_filter(refused_calls({"ipc_ns": out.get("ipc_ns")}, True),
                                   unix_sockets=bool(out.get("net_ns")))
                    try:
                        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
                    except PermissionError:
                        out["seccomp"] = True
            except OSError as exc:
                out["seccomp_error"] = str(exc)
        except BaseException as exc:  # noqa: BLE001
            out["trial_error"] = repr(exc)
        finally:
            try:
                write_all(w, json.dumps(out).encode())
            finally:
                os._exit(0)
    os.close(w)
    if own_ns is not None:
        try:
            setns(own_ns, CLONE_NEWPID)
        finally:
            os.close(own_ns)
    chunks = []
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    try:
        report.update(json.loads(b"".join(chunks) or b"{}"))
    except ValueError:
        report["trial_error"] = "unreadable trial report"
    return report


def _rlimits_bound(plan: dict) -> tuple[str, list[str]]:
    """What bounds a run's memory without a cgroup, as applied under `plan`, and what escapes it."""
    applied, caveats = ["address space", "size of each file", "number of open files"], []
    if plan["seccomp"]:
        applied.append("memfd refused")
    else:
        caveats.append("memfd is not refused (no seccomp) and its pages are not counted")
    if plan["mount_ns"]:
        applied.append("a private /tmp and /dev/shm no larger than one file may be")
    else:
        caveats.append("files written to the shared /dev/shm and /tmp are counted only file by file, " +
                       ("and removed after the run" if plan["uid"] else
                        "and stay after the run (they are the grader's own user's)"))
    return "rlimits: " + ", ".join(applied), caveats


def detect(hidden=(), isolation: str = "auto") -> tuple[dict, dict]:
    """(isolation report, plan). `isolation` caps what is used: auto | namespaces | uid | rlimits."""
    if isolation not in ("auto", "namespaces", "uid", "rlimits"):
        raise ValueError(f"unknown isolation {isolation!r}")
    root = os.geteuid() == 0
    plan = filesystem_plan(hidden)
    plan.update(uid=root and isolation != "rlimits", pid_ns=False, mount_ns=False, net_ns=False, ipc_ns=False,
                seccomp=False, cgroups=False)
    trial = _trial(plan, want_ns=root and isolation in ("auto", "namespaces"))
    protections, warnings = ["rlimits", "wall-clock-kill", "output-cap", "thread-pinning", "scrubbed-fds"], []
    if trial.get("pid_ns") and trial.get("mount_ns") and trial.get("filesystem"):
        plan.update(pid_ns=True, mount_ns=True, net_ns=bool(trial.get("net_ns")), ipc_ns=bool(trial.get("ipc_ns")))
        protections += ["pid-namespace", "mount-namespace", "filesystem-allowlist", "read-only-filesystem",
                        "private-tmp", "hidden-paths"]
        if plan["net_ns"]:
            protections.append("network-namespace")
        if plan["ipc_ns"]:
            protections.append("ipc-namespace")
    else:
        protections.append("subreaper-kill")
        why = trial.get("pid_ns_error") or trial.get("mount_ns_error") or trial.get("filesystem_error") or \
            ("not root" if not root else "disabled by the isolation setting")
        warnings.append(f"no PID/mount namespaces ({why}): leftover processes are found and killed by sweeps, "
                        "the filesystem is shared (readable and writable where permissions allow: other "
                        "checkouts, the batch folder, home directories), hidden paths are protected only by "
                        "file permissions, and files left in shared writable places are removed after the run")
        for path, how in trial.get("exposed_hidden", []):
            warnings.append(f"hidden path {how} by the sandboxed code: {path}")
    if plan["uid"] and trial.get("uid"):
        protections += ["uid-drop", "process-limit"]
        if not trial.get("stdlib_readable", True) and not plan["mount_ns"]:
            warnings.append("the Python installation is not readable by the sandbox uid: submissions can import "
                            "only modules the fork server already imported")
    else:
        plan["uid"] = False
        warnings.append("no uid separation (" + (trial.get("uid_error") or ("not root" if not root else "disabled")) +
                        "): learner code runs as the grader's user and can read or change whatever the grader can, "
                        "results files included")
    if trial.get("no_new_privs"):
        protections.append("no-new-privs")
    if trial.get("seccomp"):
        plan["seccomp"] = True
        protections.append("seccomp-network")
        if not plan["ipc_ns"]:
            protections.append("seccomp-ipc")
    memory_bound = None
    if root and isolation != "rlimits":
        try:
            groups = Cgroups.create()
        except OSError:
            groups = None
        if groups is not None:
            groups.remove()
            plan["cgroups"] = True
            memory_bound = f"{groups.kind}: memory and process count of each run as the kernel counts them"
            protections += ["memory-cgroup", "pids-cgroup"]
    if not plan["cgroups"]:
        memory_bound, caveats = _rlimits_bound(plan)
        warnings.append(f"no memory cgroup: memory is bounded by {memory_bound.removeprefix('rlimits: ')}" +
                        "".join(f"; {c}" for c in caveats))
    if not plan["net_ns"] and not plan["seccomp"]:
        warnings.append("network access is not blocked (no network namespace, no seccomp)")
    if not plan["mount_ns"]:
        for path in trial.get("writable_code", []):
            warnings.append(f"code directory writable by the sandboxed code (later gradings could be poisoned): {path}")
    if plan["mount_ns"] and plan["uid"]:
        level = "namespaces+uid"
    elif plan["mount_ns"]:
        level = "namespaces"
    elif plan["uid"]:
        level = "uid"
    else:
        level = "rlimits-only"
    if isolation == "namespaces" and not plan["mount_ns"] or isolation == "uid" and not plan["uid"]:
        raise RuntimeError(f"isolation {isolation!r} is not available here: " + "; ".join(warnings))
    return {"level": level, "protections": protections, "warnings": warnings, "memory_bound": memory_bound}, plan



def main() -> None:
    """`--detect`: read {"hidden", "isolation"} on stdin, write the isolation report on stdout."""
    config = json.loads(sys.stdin.read())
    report, _ = detect(config.get("hidden", []), config.get("isolation", "auto"))
    sys.stdout.write(json.dumps(report))
