"""The process of a run, forked from the server, and the sweeps that kill what a run leaves.

A run is one copy of the server, the runner: pid 2 of a fresh PID namespace where the OS allows
(the server holds the namespace with a small init; see checker.sandbox.server). It enters the
run's other namespaces, builds its filesystem, drops to the run's limits and uid, calls
`entry(request) -> bytes` and writes the answer to its answer pipe (see framing.ANSWER). The
server judges it from outside: its wait status, and that pipe.
"""
from __future__ import annotations

import fcntl
import os
import resource
import signal
import sys
import tempfile
import time
import traceback

from checker.sandbox.filesystem import build_filesystem
from checker.sandbox.framing import ANSWER, MEMORY, RAISED, RESULT, SETUP, write_all
from checker.sandbox.cgroups import RunGroup
from checker.sandbox.linux import CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, PR_SET_DUMPABLE, \
    PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG, install_filter, prctl, proc_status, refused_calls, set_rlimits, unshare


# --- Finding and killing what a run left behind ---------------------------------------------------

def _live_pids_of_uid(uid: int) -> list[int]:
    """Live (not zombie) processes whose real, effective or saved uid is `uid`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            fields = proc_status(name)
            uids = fields.get("Uid", "").split()[:3]
            if str(uid) in uids and not fields.get("State", "Z").startswith(("Z", "X")):
                found.append(int(name))
    return found


def _live_children_of(parent: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    state, ppid = f.read().rpartition(")")[2].split()[:2]
            except (OSError, ValueError):
                continue
            if int(ppid) == parent and state not in ("Z", "X"):
                found.append(int(name))
    return found


def sweep(uid: int | None, exclude=(), reap=lambda: None, rounds: int = 2000) -> bool:
    """SIGKILL every process of `uid` (with uid None: every child of this process except
    `exclude`) until none is left. Survivors of a killed parent are re-parented to us (we are a
    child subreaper), so repeating reaches the whole tree. Returns False if something outlived
    every round (a process stuck in the kernel)."""
    me = os.getpid()
    for _ in range(rounds):
        reap()
        victims = _live_pids_of_uid(uid) if uid is not None else _live_children_of(me)
        victims = [p for p in victims if p != me and p not in exclude]
        if not victims:
            return True
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.001)
    return False


def reap_any() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return



# --- Inside the children ---------------------------------------------------------------------------

def keep_only_fds(wanted: list[int]) -> None:
    """Move `wanted` to fds 3, 4, 5... and close every other inherited descriptor (the control
    socket, other runs' pipes, lock files): a child holds nothing of the server's."""
    floor = max(wanted) + len(wanted) + 3
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, floor) for fd in wanted]
    for target, fd in enumerate(moved, start=3):
        os.dup2(fd, target)
    keep = set(range(3 + len(wanted)))
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)



def is_memory_error(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(
        s in text for s in ("can't allocate memory", "not enough memory", "out of memory", "cannot allocate memory"))


def runner(server_pid: int, entry, request: bytes, limits: dict, plan: dict, uid: int | None, home: str,
           fds: list[int], visible, group: RunGroup | None) -> None:
    """The run, in the forked child. `fds`: its answer pipe (becomes fd 3) and output pipe (1, 2).
    `group`: the run's cgroup, joined before anything else."""
    kind, body = SETUP, b""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if not plan["pid_ns"] and os.getppid() != server_pid:
            os._exit(70)                               # the server died while we started
        if group is not None:
            group.join()
        keep_only_fds(fds)                             # 3 answer, 4 output
        os.dup2(4, 1)
        os.dup2(4, 2)
        os.close(4)
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", errors="backslashreplace",
                                           closefd=False, buffering=1)
        sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="backslashreplace",
                                           closefd=False, buffering=1)
        import faulthandler
        faulthandler.enable(sys.stderr)        # a segfault shows the learner where it happened
        if plan["pid_ns"]:
            unshare(CLONE_NEWNS | CLONE_NEWNET * plan["net_ns"] | CLONE_NEWIPC * plan["ipc_ns"])
            build_filesystem(plan, visible, int(limits["file_bytes"]))
        os.environ.update(HOME=home, TMPDIR=home, USER="sandbox", LOGNAME="sandbox")
        tempfile.tempdir = None
        os.chdir(home)
        set_rlimits(limits, uid is not None)
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        prctl(PR_SET_DUMPABLE, 1)             # its own /proc/self stays readable to itself
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # reset by the uid change
        if plan["seccomp"]:
            install_filter(refused_calls(plan, group is not None), unix_sockets=plan["net_ns"])
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(int(limits["threads"]))
            try:
                torch.set_num_interop_threads(int(limits["threads"]))
            except RuntimeError:                # only possible before any inter-op work
                pass
        sys.dont_write_bytecode = True
        kind = RAISED
        try:
            answer = entry(bytes(request))
            if isinstance(answer, (bytes, bytearray, memoryview)):
                kind, body = RESULT, answer
            else:
                body = f"the entry returned {type(answer).__name__}, not bytes".encode()
        except SystemExit as exc:
            body = f"the code called sys.exit({exc.code!r}) before a result was returned".encode()
        except KeyboardInterrupt:
            body = b"the code raised KeyboardInterrupt"
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which judges
            if is_memory_error(exc):
                kind, body = MEMORY, f"{type(exc).__name__}: {str(exc)[:500]}".encode()
            else:
                body = traceback.format_exc()[-8000:].encode("utf-8", "replace")
    except BaseException:  # noqa: BLE001 - the sandbox itself failed before learner code ran
        kind = SETUP
        try:
            body = traceback.format_exc()[-8000:].encode("utf-8", "replace")
        except BaseException:  # noqa: BLE001
            body = b"sandbox setup failed"
    try:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 - a broken stream must not lose the answer
                pass
        size = memoryview(body).nbytes
        write_all(3, ANSWER.pack(kind, size))
        write_all(3, body)
    except BaseException:  # noqa: BLE001
        os._exit(1)
    os._exit(0)
