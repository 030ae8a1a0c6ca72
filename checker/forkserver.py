"""The fork server: the one process that forks the children which run learner code.

`checker.sandbox.ForkServer` starts it once per grader with `python -I` (no user site, no
PYTHON* variables, no current directory on sys.path). It imports torch, `checker.wire` and the
entry's module, and nothing else of the grader: no suites, no references, no results. For each
request it forks two processes:

    grader  ──socket──▶  fork server   (never runs learner code; stays privileged)
                           └─ keeper    pid 1 of a fresh PID namespace when the OS allows; builds the
                                        read-only view of the filesystem, waits, kills what is left
                                └─ runner   rlimits, unprivileged uid, no network; calls
                                            `entry(request) -> bytes` and writes the answer to a pipe

Only the keeper's report (a pipe the runner never holds) and the runner's answer pipe count: a
child cannot claim success with an exit code. The server enforces the wall clock from outside and
answers only after every process of the run is gone. Every child is a copy of the server, so the
server never lets learner data (requests, answers, output) into its heap: see `Buffer`.

Importing this module is cheap (no torch) so `detect_isolation()` can probe the OS quickly. Frames
on the control socket are `<u32 header length><u64 blob length><JSON header><blob>`: no pickle.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import math
import mmap
import os
import platform
import resource
import selectors
import shutil
import signal
import socket
import stat
import struct
import sys
import tempfile
import time
import traceback

FRAME = struct.Struct("<IQ")
MAX_HEADER = 64 << 20

# What the runner writes to its answer pipe: one kind byte, a length, then the body.
ANSWER = struct.Struct("<cQ")
RESULT, MEMORY, RAISED, SETUP = b"R", b"M", b"X", b"S"

UID_BASE = 2_000_000_000       # per-slot uids for the runner: far above any real account
UID_SLOTS = 1024

# --- Linux constants (see mount(2), unshare(2), prctl(2), seccomp(2)) ----------------------------
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x08000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_SECCOMP = 1, 4, 22
PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 36, 38
F_SETPIPE_SZ = 1031
_MOUNT_OPTIONS = {"ro": MS_RDONLY, "nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC,
                  "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _bytes(text):
    return None if text is None else os.fsencode(text)


def _mount(source, target, fstype, flags, data=None) -> None:
    _check(_libc.mount(_bytes(source), _bytes(target), _bytes(fstype), ctypes.c_ulong(flags), _bytes(data)),
           f"mount {target}")


def _unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def _prctl(option: int, arg2=0) -> None:
    _check(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(0), ctypes.c_ulong(0),
                       ctypes.c_ulong(0)), f"prctl({option})")


# --- Frames on the control socket ----------------------------------------------------------------

def send_frame(sock: socket.socket, header: dict, parts=()) -> None:
    """Send a header and, as its blob, the concatenated `parts` (bytes or memoryviews, not copied)."""
    head = json.dumps(header).encode()
    sock.sendall(FRAME.pack(len(head), sum(memoryview(p).nbytes for p in parts)) + head)
    for part in parts:
        sock.sendall(part)


def _recv_into(sock: socket.socket, view: memoryview) -> None:
    got = 0
    while got < len(view):
        n = sock.recv_into(view[got:])
        if n == 0:
            raise EOFError("the other end closed the connection")
        got += n


def recv_frame(sock: socket.socket, blob_buffer=None):
    """(header, blob): the blob in bytes, or in the Buffer that `blob_buffer(size)` returns."""
    sizes = bytearray(FRAME.size)
    _recv_into(sock, memoryview(sizes))
    head_len, blob_len = FRAME.unpack(sizes)
    if head_len > MAX_HEADER:
        raise EOFError("oversized frame header")
    head = bytearray(head_len)
    _recv_into(sock, memoryview(head))
    if blob_buffer is not None:
        blob = blob_buffer(blob_len)
        try:
            _recv_into(sock, blob.view)
        except BaseException:
            blob.close()
            raise
        return json.loads(head), blob
    data = bytearray(blob_len)
    _recv_into(sock, memoryview(data))
    return json.loads(head), bytes(data)


class Buffer:
    """Anonymous memory for learner data in the server (a request, an answer, captured output).

    Not the server's heap: freed heap memory keeps its contents, and every later child would
    inherit a copy, so one submission could read another's source or answers out of its own
    memory. A Buffer is unmapped when closed and, with `inherit=False`, never copied into a child
    at all (MADV_DONTFORK), even while its run is still going."""

    def __init__(self, size: int, inherit: bool = False):
        self.map = mmap.mmap(-1, max(size, 1), flags=mmap.MAP_PRIVATE)
        if not inherit:
            self.map.madvise(mmap.MADV_DONTFORK)
        self._whole = memoryview(self.map)
        self.view = self._whole[:size]

    def close(self) -> None:
        self.map.madvise(mmap.MADV_DONTNEED)   # private anonymous pages read back as zeros now
        self.view.release()
        self._whole.release()
        try:
            self.map.close()
        except BufferError:                     # a view is still alive: unmapped when it goes
            pass


# --- Processes: finding and killing what a run left behind ---------------------------------------

def _proc_status(pid: str) -> dict:
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
    except OSError:
        pass
    return fields


def _live_pids_of_uid(uid: int) -> list[int]:
    """Live (not zombie) processes whose real, effective or saved uid is `uid`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            fields = _proc_status(name)
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


def _has_children() -> bool:
    _reap_any()
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return False
    return True


def _reap_any() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# --- Seccomp: no sockets but AF_UNIX, no io_uring (which could open sockets around the filter) ----

class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


_SECCOMP_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}   # audit arch, __NR_socket


def seccomp_supported() -> bool:
    return platform.machine() in _SECCOMP_ARCH


def install_network_filter() -> None:
    """Refuse socket() for every family but AF_UNIX with EACCES. Needs no_new_privs."""
    arch, nr_socket = _SECCOMP_ARCH[platform.machine()]
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EACCES
    program = [
        (ld, 0, 0, 4),                    # 0: A = arch
        (jeq, 0, 8, arch),                # 1: foreign ABI (i386 int 0x80) -> deny
        (ld, 0, 0, 0),                    # 2: A = syscall number
        (jge, 6, 0, 0x40000000),          # 3: x32 ABI -> deny
        (jeq, 5, 0, 425),                 # 4: io_uring_setup -> deny
        (jeq, 1, 0, nr_socket),           # 5: socket -> check its family
        (ret, 0, 0, allow),               # 6
        (ld, 0, 0, 16),                   # 7: A = low word of args[0] (the family)
        (jeq, 0, 1, socket.AF_UNIX),      # 8
        (ret, 0, 0, allow),               # 9
        (ret, 0, 0, deny),                # 10
    ]
    filters = (_SockFilter * len(program))(*[_SockFilter(*ins) for ins in program])
    prog = _SockFprog(len(program), filters)
    _check(_libc.prctl(ctypes.c_int(PR_SET_SECCOMP), ctypes.c_ulong(2), ctypes.byref(prog),
                       ctypes.c_ulong(0), ctypes.c_ulong(0)), "seccomp")


# --- The filesystem view of a namespaced run ------------------------------------------------------

def _unescape(field: str) -> str:
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def _mounts() -> list[tuple[str, int]]:
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            flags = 0
            for option in parts[5].split(","):
                flags |= _MOUNT_OPTIONS.get(option, 0)
            mounts.append((_unescape(parts[4]), flags))
    return mounts


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _mountpoint(path: str, like_dir: bool) -> None:
    if os.path.lexists(path):
        return
    if like_dir:
        os.makedirs(path, mode=0o755)
    else:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))


def _bind_readonly(fd: int, path: str) -> None:
    _mountpoint(path, stat.S_ISDIR(os.fstat(fd).st_mode))
    _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND)
    _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_filesystem(plan: dict, visible=(), tmp_bytes: int = 64 << 20) -> list[str]:
    """In a fresh mount namespace: everything read-only, private tmpfs on /tmp and /dev/shm,
    `plan["hidden"]` covered by empty read-only tmpfs (a file by /dev/null), directories the
    sandbox user could not traverse (`plan["masks"]`, e.g. /root) replaced by empty ones, and the
    interpreter's own paths plus `visible` bind-mounted back, read-only. Returns the mount points
    that could not be made read-only."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)      # nothing we do here reaches the host
    keep = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in plan["exposed"] if os.path.exists(p)]
    shown = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in visible]
    failed = []
    for point, flags in _mounts():
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | flags)
        except OSError:
            if point == "/":
                raise
            failed.append(point)
    size = max(tmp_bytes, 1 << 20)
    for mask in plan["masks"]:
        _mount("tmpfs", mask, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for tmp in plan["tmp"]:
        if os.path.isdir(tmp):
            _mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    covered = list(plan["masks"]) + list(plan["tmp"])
    for path, fd in keep:
        if any(_under(path, c) for c in covered):
            _bind_readonly(fd, path)
        os.close(fd)
    hidden_dirs = []
    for path in plan["hidden"]:
        if os.path.isdir(path) and not os.path.islink(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=0755")
            hidden_dirs.append(path)
        elif os.path.lexists(path):
            _mount("/dev/null", path, None, MS_BIND)
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC)
    for path, fd in shown:
        _bind_readonly(fd, path)
        os.close(fd)
    # Read-only only now: mount points for `visible` may have been made inside them.
    for path in list(plan["masks"]) + hidden_dirs:
        _mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # A /proc of the new PID namespace: the run sees only its own processes.
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    return failed


def filesystem_plan(hidden, drop_uid: bool) -> dict:
    """Which paths to hide, mask and re-expose, computed once in the server."""
    needed = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
              os.path.dirname(os.path.realpath(sys.executable))}
    needed.update(p for p in sys.path if p and os.path.exists(p))
    needed = sorted({os.path.realpath(p) for p in needed})
    exposed = [p for p in needed if not any(q != p and _under(p, q) for q in needed)]
    masks = set()
    if drop_uid:        # an ancestor the sandbox user cannot enter (e.g. /root, mode 700)
        for path in exposed:
            parts = path.strip("/").split("/")
            for i in range(1, len(parts)):
                ancestor = "/" + "/".join(parts[:i])
                if not os.stat(ancestor).st_mode & stat.S_IXOTH:
                    masks.add(ancestor)
                    break
    tmp = [p for p in ("/tmp", "/dev/shm") if os.path.isdir(p)]
    # A mask under /tmp (a venv in a mktemp -d directory, say) would be buried by the fresh
    # tmpfs mounted over /tmp, and its final read-only remount would then fail; that tmpfs
    # already hides the directory, so such a mask is not needed.
    masks = sorted(m for m in masks if not any(o != m and _under(m, o) for o in masks)
                   and not any(_under(m, t) for t in tmp))
    return {"hidden": sorted({os.path.realpath(p) for p in hidden}), "masks": masks, "exposed": exposed,
            "tmp": tmp}


# --- Inside the children ---------------------------------------------------------------------------

def _keep_only_fds(wanted: list[int]) -> None:
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


def _write_all(fd: int, data) -> None:
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view[:1 << 20]):]


def _count_processes_of(uid: int) -> int:
    return sum(1 for n in os.listdir("/proc")
               if n.isdigit() and _proc_status(n).get("Uid", "").split()[:1] == [str(uid)])


def _set_rlimits(limits: dict, own_uid: bool) -> None:
    def pin(which, value):
        resource.setrlimit(which, (value, value))
    if limits["memory_bytes"]:           # 0: no address-space limit (CUDA reserves huge ranges)
        pin(resource.RLIMIT_AS, int(limits["memory_bytes"]))
    pin(resource.RLIMIT_CORE, 0)
    pin(resource.RLIMIT_FSIZE, int(limits["file_bytes"]))
    cpu = int(math.ceil(limits["wall_s"] * max(1, limits["threads"]))) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))       # SIGXCPU first, then SIGKILL
    if own_uid:
        pin(resource.RLIMIT_NPROC, int(limits["max_processes"]))
    elif os.geteuid() != 0:      # shared with the grader's own processes: allow that many more
        pin(resource.RLIMIT_NPROC, _count_processes_of(os.getuid()) + int(limits["max_processes"]))


def _is_memory_error(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(
        s in text for s in ("can't allocate memory", "not enough memory", "out of memory", "cannot allocate memory"))


def _runner(entry, request: bytes, limits: dict, plan: dict, uid: int | None, home: str) -> None:
    """Runs in the runner process, fds: 3 keeper report (closed here), 4 answer, 5 output."""
    kind, body = SETUP, b""
    try:
        os.close(3)
        os.dup2(5, 1)
        os.dup2(5, 2)
        os.close(5)
        os.dup2(4, 3)
        os.close(4)
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", errors="backslashreplace",
                                           closefd=False, buffering=1)
        sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="backslashreplace",
                                           closefd=False, buffering=1)
        import faulthandler
        faulthandler.enable(sys.stderr)        # a segfault shows the learner where it happened
        os.environ.update(HOME=home, TMPDIR=home, USER="sandbox", LOGNAME="sandbox")
        tempfile.tempdir = None
        os.chdir(home)
        _set_rlimits(limits, uid is not None)
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _prctl(PR_SET_DUMPABLE, 1)             # its own /proc/self stays readable to itself
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if plan["seccomp"]:
            install_network_filter()
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
            if _is_memory_error(exc):
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
        _write_all(3, ANSWER.pack(kind, size))
        _write_all(3, body)
    except BaseException:  # noqa: BLE001
        os._exit(1)
    os._exit(0)


def _keeper(server_pid: int, entry, request: bytes, limits: dict, plan: dict, uid, home, fds, visible) -> None:
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if not plan["pid_ns"] and os.getppid() != server_pid:
            os._exit(code)                             # the server died while we started
        _keep_only_fds(fds)                            # 3 report, 4 answer, 5 output
        if plan["pid_ns"]:
            _unshare(CLONE_NEWNS | CLONE_NEWNET * plan["net_ns"] | CLONE_NEWIPC * plan["ipc_ns"])
            build_filesystem(plan, visible, int(limits["file_bytes"]))
        else:
            _prctl(PR_SET_CHILD_SUBREAPER, 1)
        runner = os.fork()
        if runner == 0:
            _runner(entry, request, limits, plan, uid, home)
        os.close(4)
        os.close(5)
        while True:                                     # as pid 1 we also reap the orphans
            pid, status = os.waitpid(-1, 0)
            if pid == runner:
                break
        clean = True
        if not plan["pid_ns"] and _has_children():
            # No namespace to die with: kill by hand. As a subreaper we inherit every orphan of
            # the run, so "no children left" means nothing of it is left.
            clean = sweep(None, reap=_reap_any)
        _write_all(3, (json.dumps({"status": status, "clean": clean}) + "\n").encode())
        code = 0
    except BaseException:  # noqa: BLE001
        try:
            _write_all(3, (json.dumps({"error": traceback.format_exc()[-4000:]}) + "\n").encode())
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


# --- The server -------------------------------------------------------------------------------------

class _UidSlots:
    """Machine-wide unique runner uids: a run holds an flock on its uid's file, so concurrent runs,
    even from different graders, never share a uid (which scopes RLIMIT_NPROC and the kill sweep)."""

    def __init__(self):
        base = "/run" if os.access("/run", os.W_OK) else tempfile.gettempdir()
        self.dir = os.path.join(base, "torchkata-sandbox-uids")
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        st = os.lstat(self.dir)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o077:
            raise RuntimeError(f"{self.dir} is not a private root-owned directory")

    def acquire(self) -> tuple[int, int, bool]:
        """(uid, lock fd, whether the last run of this uid ended with a verified clean-up)."""
        for slot in range(UID_SLOTS):
            uid = UID_BASE + slot
            fd = os.open(os.path.join(self.dir, str(uid)), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            clean = os.pread(fd, 5, 0) == b"clean"
            os.pwrite(fd, b"dirty", 0)
            return uid, fd, clean
        raise RuntimeError("no free sandbox uid")

    @staticmethod
    def release(fd: int, clean: bool) -> None:
        if clean:
            os.pwrite(fd, b"clean", 0)
        os.close(fd)


class _Run:
    def __init__(self, run_id: int, limits: dict, visible: list):
        self.id, self.limits, self.visible = run_id, limits, visible
        self.uid = self.lock_fd = self.home = self.keeper = self.deadline = None
        self.started = time.monotonic()
        self.clean = False                  # every process of the run is known to be gone
        self.killed = None                  # "timeout" | "result-too-large" | "shutdown"
        self.keeper_status = None           # raw wait status of the keeper
        self.report = bytearray()           # the keeper's JSON lines (trusted: no learner data)
        self.fds = {}                       # fd -> "answer" | "output" | "report"
        # Learner data lives in Buffers only (see Buffer). The answer buffer is one byte larger
        # than the largest acceptable answer, so filling it means "too large".
        self.answer = Buffer(int(limits["result_bytes"]) + ANSWER.size + 1)
        self.answer_used = 0
        # Output keeps its first `output_bytes` and, once over, its last quarter of that: a ring.
        self.cap = int(limits["output_bytes"])
        self.head, self.head_used = Buffer(self.cap), 0
        self.ring, self.ring_pos = Buffer(self.cap // 4), 0
        self.output_total = 0

    def take_answer(self, fd: int) -> int:
        n = os.readv(fd, [self.answer.view[self.answer_used:]])
        self.answer_used += n
        return n

    def take_output(self, fd: int) -> int:
        ring = self.ring.view
        if self.head_used < self.cap:
            n = os.readv(fd, [self.head.view[self.head_used:]])
            self._into_ring(self.head.view[self.head_used:self.head_used + n])
            self.head_used += n
        elif len(ring):
            n = os.readv(fd, [ring[self.ring_pos:], ring[:self.ring_pos]])
            self.ring_pos = (self.ring_pos + n) % len(ring)
        else:
            n = _discard(fd)
        self.output_total += n
        return n

    def _into_ring(self, data: memoryview) -> None:
        size = len(self.ring.view)
        if not size or not len(data):
            return
        data = data[-size:]
        first = min(size - self.ring_pos, len(data))
        self.ring.view[self.ring_pos:self.ring_pos + first] = data[:first]
        self.ring.view[:len(data) - first] = data[first:]
        self.ring_pos = (self.ring_pos + len(data)) % size

    def output_parts(self) -> tuple[list, list, int]:
        """(head parts, tail parts, bytes cut from the middle) of the kept output."""
        if self.output_total <= self.cap:
            return [self.head.view[:self.head_used]], [], 0
        size = len(self.ring.view)
        head = self.head.view[:self.cap - size]
        tail = [self.ring.view[self.ring_pos:], self.ring.view[:self.ring_pos]]
        return [head], tail, self.output_total - len(head) - size

    def close(self) -> None:
        for buffer in (self.answer, self.head, self.ring):
            buffer.close()


_discard_buffer: Buffer | None = None


def _discard(fd: int) -> int:
    """Read and drop output that no buffer keeps (a cap under 4 bytes)."""
    global _discard_buffer
    if _discard_buffer is None:
        _discard_buffer = Buffer(1 << 16)
    return os.readv(fd, [_discard_buffer.view])


class Server:
    def __init__(self, sock: socket.socket, entry, plan: dict, scratch: str):
        self.sock, self.entry, self.plan, self.scratch = sock, entry, plan, scratch
        self.pid = os.getpid()
        self.runs: dict[int, _Run] = {}     # keeper pid -> run
        self.slots = _UidSlots() if plan["uid"] else None
        self.own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC) if plan["pid_ns"] else None
        self.selector = selectors.DefaultSelector()

    # -- events
    def serve(self) -> None:
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.selector.register(self.sock, selectors.EVENT_READ, "control")
        self.selector.register(wake_r, selectors.EVENT_READ, "wake")
        try:
            while True:
                now = time.monotonic()
                waits = [r.deadline - now for r in self.runs.values() if r.killed is None]
                timeout = max(0.0, min(waits)) if waits else None
                for key, _ in self.selector.select(timeout):
                    if key.data == "control":
                        if not self._control():
                            return
                    elif key.data == "wake":
                        try:
                            os.read(wake_r, 4096)
                        except BlockingIOError:
                            pass
                    else:
                        self._read(*key.data, key.fd)
                self._reap()
                now = time.monotonic()
                for run in list(self.runs.values()):
                    if run.killed is None and now >= run.deadline:
                        self._kill(run, "timeout")
                    if run.keeper_status is not None:
                        self._finish(run)
        finally:                                # the grader has gone: nothing may outlive us
            for run in list(self.runs.values()):
                self._kill(run, "shutdown")
            for run in list(self.runs.values()):
                if run.keeper_status is None:
                    try:
                        os.waitpid(run.keeper, 0)
                    except ChildProcessError:
                        pass
                if not self.plan["pid_ns"] and run.uid is not None:
                    sweep(run.uid)
                self._release(run)
            if not self.plan["pid_ns"]:
                sweep(None, reap=_reap_any)
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _control(self) -> bool:
        try:
            # The request goes straight into a Buffer the keeper inherits and we unmap after the
            # fork: a later run's child never finds this submission's source in its memory.
            header, request = recv_frame(self.sock, lambda size: Buffer(size, inherit=True))
        except (EOFError, OSError):
            return False
        try:
            if header.get("type") == "run":
                self._start(header["id"], header["limits"], request.view, header.get("visible", []))
            return header.get("type") != "close"
        finally:
            request.close()

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.runs:
                self.runs[pid].keeper_status = status
            # anything else is an orphan of a run we already killed

    # -- one run
    def _start(self, run_id: int, limits: dict, request: memoryview, visible: list) -> None:
        run = _Run(run_id, limits, visible)
        plan = self.plan
        pipes = {}
        try:
            if self.slots:
                run.uid, run.lock_fd, clean = self.slots.acquire()
                if not clean and not plan["pid_ns"]:
                    sweep(run.uid)             # leftovers of a grader that died before cleaning up
            if plan["pid_ns"]:
                run.home = "/tmp"
            else:
                run.home = tempfile.mkdtemp(prefix=f"run-{run_id}-", dir=self.scratch)
                if run.uid is not None:
                    os.chown(run.home, run.uid, run.uid)
            for name in ("report", "answer", "output"):
                pipes[name] = os.pipe()
            for name in ("answer", "output"):
                try:
                    fcntl.fcntl(pipes[name][0], F_SETPIPE_SZ, 1 << 20)
                except OSError:
                    pass
            if plan["pid_ns"]:
                _setns(self.own_pid_ns, CLONE_NEWPID)
                _unshare(CLONE_NEWPID)         # the next child is pid 1 of a fresh namespace
            pid = os.fork()
        except OSError as exc:
            for r, w in pipes.values():
                os.close(r)
                os.close(w)
            self._reply(run, "sandbox-error", f"could not start the run: {exc}", None, None)
            self._release(run)
            return
        if pid == 0:
            child_fds = [pipes["report"][1], pipes["answer"][1], pipes["output"][1]]
            _keeper(self.pid, self.entry, request, limits, plan, run.uid, run.home, child_fds, visible)
        if plan["pid_ns"]:
            _setns(self.own_pid_ns, CLONE_NEWPID)
        run.keeper, run.deadline = pid, time.monotonic() + float(limits["wall_s"])
        for name, (r, w) in pipes.items():
            os.close(w)
            os.set_blocking(r, False)
            run.fds[r] = name
            self.selector.register(r, selectors.EVENT_READ, (run, name))
        self.runs[pid] = run

    def _read(self, run: _Run, name: str, fd: int) -> bool:
        """Take what `fd` has; False once it is at its end (or no longer wanted)."""
        try:
            if name == "output":
                n = run.take_output(fd)
            elif name == "answer":
                n = run.take_answer(fd) if run.killed is None else 0
                if n and run.answer_used == len(run.answer.view):
                    self._kill(run, "result-too-large")
                    n = 0
            else:
                chunk = os.read(fd, 65536)
                run.report += chunk[:max(0, (1 << 16) - len(run.report))]
                n = len(chunk)
        except BlockingIOError:
            return True
        except OSError:
            n = 0
        if n == 0:
            self._close(run, fd)
            return False
        return True

    def _close(self, run: _Run, fd: int) -> None:
        if fd in run.fds:
            self.selector.unregister(fd)
            os.close(fd)
            del run.fds[fd]

    def _kill(self, run: _Run, reason: str) -> None:
        if run.killed is None:
            run.killed = reason
        if run.keeper_status is not None:
            return
        if not self.plan["pid_ns"]:
            try:
                os.killpg(run.keeper, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.kill(run.keeper, signal.SIGKILL)   # as pid 1 of its namespace, it takes all with it
        except OSError:
            pass

    def _finish(self, run: _Run) -> None:
        del self.runs[run.keeper]
        run.clean = self.plan["pid_ns"] or _report(run).get("clean") is True
        if not run.clean:
            # The keeper was killed before it could clean up, so its orphans came to us.
            run.clean = sweep(run.uid, exclude=self.runs.keys(), reap=self._reap)
        for fd, name in list(run.fds.items()):        # every writer is gone: drain to the end
            while self._read(run, name, fd):
                pass
        status, detail, exit_code, signame, message, payload = _judge(run)
        if not run.clean:
            detail += " (warning: some processes of this run could not be killed)"
        self._release(run, keep_buffers=True)   # nothing of the run is left when the grader hears of it
        self._reply(run, status, detail, exit_code, signame, message, payload)
        for view in (message, payload):
            if view is not None:
                view.release()
        run.close()

    def _release(self, run: _Run, keep_buffers: bool = False) -> None:
        if run.home and run.home != "/tmp":
            shutil.rmtree(run.home, ignore_errors=True)
        if run.uid is not None and not self.plan["mount_ns"]:
            _remove_files_of(run.uid)
        if run.uid is not None and not self.plan["ipc_ns"]:
            _remove_ipc_of(run.uid)
        if run.lock_fd is not None:
            _UidSlots.release(run.lock_fd, run.clean)
            run.lock_fd = None
        if not keep_buffers:
            run.close()

    def _reply(self, run, status, detail, exit_code, signame, message=None, payload=None) -> None:
        """Header from the server's own words; output, message and payload go as raw parts,
        straight from their Buffers, and the parent decodes them."""
        head, tail, cut = run.output_parts()
        parts = {"head": head, "tail": tail, "message": [message] if message is not None else [],
                 "payload": [payload] if payload is not None else []}
        header = {"type": "done", "id": run.id, "status": status, "detail": detail, "exit_code": exit_code,
                  "signal": signame, "elapsed_s": time.monotonic() - run.started,
                  "output_bytes": run.output_total, "output_cut": cut,
                  "sizes": {k: sum(len(p) for p in v) for k, v in parts.items()}}
        try:
            send_frame(self.sock, header, [p for name in ("head", "tail", "message", "payload") for p in parts[name]])
        except OSError:
            pass                                # the grader has gone; the loop sees EOF next


def _remove_ipc_of(uid: int) -> None:
    """Without an IPC namespace, SysV shared memory, semaphores and queues outlive their creator:
    a run could keep memory or leave a channel to the next run. Remove those it owns."""
    for kind, remove in (("shm", lambda i: _libc.shmctl(i, 0, None)), ("msg", lambda i: _libc.msgctl(i, 0, None)),
                         ("sem", lambda i: _libc.semctl(i, 0, 0))):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                header = f.readline().split()
                rows = [dict(zip(header, line.split())) for line in f]
        except OSError:
            continue
        id_field = {"shm": "shmid", "msg": "msqid", "sem": "semid"}[kind]
        for row in rows:
            if row.get("uid") == str(uid) or row.get("cuid") == str(uid):
                remove(int(row[id_field]))          # IPC_RMID


def _remove_files_of(uid: int) -> None:
    """Without a private /tmp, a run could leave files in the shared world-writable directories."""
    for base in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _report(run: _Run) -> dict:
    """The keeper's JSON lines, merged."""
    report = {}
    for line in bytes(run.report).splitlines():
        try:
            report.update(json.loads(line))
        except ValueError:
            pass
    return report


def _judge(run: _Run):
    """(status, detail, exit_code, signal name, message, payload) from what the run left behind.
    `detail` is in the server's words; `message` and `payload` are views of the runner's answer."""
    wall = float(run.limits["wall_s"])
    if run.killed == "timeout":
        return "timeout", f"still running after {wall:g} s (wall clock), so it was stopped", None, "SIGKILL", None, None
    if run.killed == "result-too-large":
        return ("result-too-large", f"the result was larger than {int(run.limits['result_bytes'])} bytes",
                None, "SIGKILL", None, None)
    if run.killed == "shutdown":
        return "sandbox-error", "the fork server shut down during the run", None, None, None, None
    report = _report(run)
    if "error" in report:
        last = report["error"].strip().splitlines()[-1]
        return "sandbox-error", f"the sandbox could not be set up: {last}", None, None, None, None
    if "status" not in report:
        code = os.waitstatus_to_exitcode(run.keeper_status)
        how = f"signal {_signal_name(-code)}" if code < 0 else f"exit code {code}"
        return "sandbox-error", f"the sandbox keeper died ({how})", None, None, None, None
    code = os.waitstatus_to_exitcode(report["status"])
    exit_code, signame = (code, None) if code >= 0 else (None, _signal_name(-code))
    kind, body = _parse_answer(run)
    if kind == RESULT and exit_code == 0:
        return "ok", "", exit_code, signame, None, body
    if kind == MEMORY:
        return "memory", "", exit_code, signame, body, None
    if kind == RAISED:
        return "crashed", "", exit_code, signame, body, None
    if kind == SETUP:
        return "sandbox-error", "the sandbox could not be set up", exit_code, signame, body[-2000:], None
    if signame == "SIGKILL":
        return "memory", "killed by SIGKILL without a timeout: most likely out of memory", exit_code, signame, None, None
    if signame == "SIGXCPU":
        return "timeout", "used up its CPU-time limit", exit_code, signame, None, None
    if signame is not None:
        what = {"SIGSEGV": "a segmentation fault", "SIGBUS": "a bus error", "SIGABRT": "an abort",
                "SIGFPE": "an arithmetic fault", "SIGILL": "an illegal instruction",
                "SIGXFSZ": "writing a file larger than the limit"}.get(signame, "a signal")
        return "crashed", f"killed by {signame} ({what})", exit_code, signame, None, None
    if kind == RESULT:
        return "crashed", f"returned a result but then exited with code {exit_code}", exit_code, signame, None, None
    return "crashed", f"exited with code {exit_code} before returning a result", exit_code, signame, None, None


def _parse_answer(run: _Run):
    """(kind, body view) of a complete answer, else (None, None)."""
    if run.answer_used < ANSWER.size:
        return None, None
    kind, size = ANSWER.unpack_from(run.answer.view, 0)
    if run.answer_used != ANSWER.size + size:
        return None, None
    return kind, run.answer.view[ANSWER.size:run.answer_used]


# --- Finding out what the OS allows ----------------------------------------------------------------

def _exposed(paths) -> list[tuple[str, str]]:
    """Which of `paths` this process can read or change (file permissions decide)."""
    found = []
    for path in paths:
        readable, writable = os.access(path, os.R_OK), os.access(path, os.W_OK)
        if readable or writable:
            found.append((path, " and ".join(w for w, ok in (("readable", readable), ("writable", writable)) if ok)))
    return found


def _trial(plan: dict, want_ns: bool) -> dict:
    """Fork a throw-away child that goes through the keeper's and the runner's setup and reports
    which steps worked."""
    r, w = os.pipe()
    report = {}
    own_ns = None
    if want_ns:
        try:
            own_ns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
            _setns(own_ns, CLONE_NEWPID)
            _unshare(CLONE_NEWPID)
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
                        _unshare(flag)
                        out[name] = True
                    except OSError as exc:
                        out[name + "_error"] = str(exc)
                if out.get("mount_ns"):
                    try:
                        out["not_read_only"] = build_filesystem(plan)
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
                _prctl(PR_SET_NO_NEW_PRIVS, 1)
                out["no_new_privs"] = True
                if seccomp_supported():
                    install_network_filter()
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
                _write_all(w, json.dumps(out).encode())
            finally:
                os._exit(0)
    os.close(w)
    if own_ns is not None:
        try:
            _setns(own_ns, CLONE_NEWPID)
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


def detect(hidden=(), isolation: str = "auto") -> tuple[dict, dict]:
    """(isolation report, plan). `isolation` caps what is used: auto | namespaces | uid | rlimits."""
    if isolation not in ("auto", "namespaces", "uid", "rlimits"):
        raise ValueError(f"unknown isolation {isolation!r}")
    root = os.geteuid() == 0
    plan = filesystem_plan(hidden, drop_uid=root and isolation != "rlimits")
    plan.update(uid=root and isolation != "rlimits", pid_ns=False, mount_ns=False, net_ns=False, ipc_ns=False,
                seccomp=False)
    trial = _trial(plan, want_ns=root and isolation in ("auto", "namespaces"))
    protections, warnings = ["rlimits", "wall-clock-kill", "output-cap", "thread-pinning", "scrubbed-fds"], []
    if trial.get("pid_ns") and trial.get("mount_ns") and trial.get("filesystem"):
        plan.update(pid_ns=True, mount_ns=True, net_ns=bool(trial.get("net_ns")), ipc_ns=bool(trial.get("ipc_ns")))
        protections += ["pid-namespace", "mount-namespace", "read-only-filesystem", "private-tmp", "hidden-paths"]
        if plan["net_ns"]:
            protections.append("network-namespace")
        if plan["ipc_ns"]:
            protections.append("ipc-namespace")
        if trial.get("not_read_only"):
            warnings.append("could not make these mounts read-only: " + ", ".join(trial["not_read_only"]))
    else:
        protections.append("subreaper-kill")
        why = trial.get("pid_ns_error") or trial.get("mount_ns_error") or trial.get("filesystem_error") or \
            ("not root" if not root else "disabled by the isolation setting")
        warnings.append(f"no PID/mount namespaces ({why}): leftover processes are found and killed by sweeps, "
                        "the filesystem is shared (writable where permissions allow), and hidden paths are "
                        "protected only by file permissions")
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
    return {"level": level, "protections": protections, "warnings": warnings}, plan


def _resolve(entry: str):
    import importlib
    module_name, _, attr = entry.partition(":")
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def main() -> None:
    if sys.argv[1:2] == ["--detect"]:
        config = json.loads(sys.stdin.read())
        report, _ = detect(config.get("hidden", []), config.get("isolation", "auto"))
        sys.stdout.write(json.dumps(report))
        return
    # The configuration comes over the socket, not argv: /proc/<pid>/cmdline is world-readable.
    sock = socket.socket(fileno=int(sys.argv[1]))
    try:
        config, _ = recv_frame(sock)
        # Same-uid processes (rlimits-only mode) must not ptrace us or read our /proc files.
        _prctl(PR_SET_DUMPABLE, 0)
        started = time.monotonic()
        isolation, plan = detect(config.get("hidden", []), config.get("isolation", "auto"))
        import torch  # noqa: F401 - paid once here, inherited by every run
        import checker.wire  # noqa: F401
        entry = _resolve(config["entry"])
        # Let the entry's module import whatever it loads lazily, once, here: every run forks
        # from this process, so the cost is not paid again per kata or per submission.
        warm_up = getattr(sys.modules.get(getattr(entry, "__module__", ""), None), "warm_up", None)
        if callable(warm_up):
            warm_up()
        if not plan["pid_ns"]:
            _prctl(PR_SET_CHILD_SUBREAPER, 1)       # orphans of a killed keeper come to us
        scratch = tempfile.mkdtemp(prefix="torchkata-sandbox-")
        os.chmod(scratch, 0o711)
        server = Server(sock, entry, plan, scratch)
    except BaseException:  # noqa: BLE001 - tell the parent why, then stop
        send_frame(sock, {"type": "error", "detail": traceback.format_exc()[-4000:]})
        raise SystemExit(1)
    send_frame(sock, {"type": "hello", "pid": os.getpid(), "isolation": isolation,
                      "startup_s": time.monotonic() - started, "python": sys.version.split()[0],
                      "torch": getattr(sys.modules.get("torch"), "__version__", None)})
    server.serve()


if __name__ == "__main__":
    main()
