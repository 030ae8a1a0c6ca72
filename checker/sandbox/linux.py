"""The Linux primitives the sandbox isolates a run with: namespaces, mounts and prctl through
libc, a seccomp filter, resource limits, machine-wide unique uids, and the clean-up of what a
run can leave in places shared with the rest of the machine.

Importing this module is cheap (no torch), like the rest of the package's server side.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import math
import os
import platform
import resource
import shutil
import socket
import stat
import tempfile

# --- Linux constants (see mount(2), unshare(2), prctl(2), seccomp(2)) ----------------------------
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x08000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_SECCOMP = 1, 4, 22
PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 36, 38
F_SETPIPE_SZ = 1031
MOUNT_OPTIONS = {"ro": MS_RDONLY, "nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC,
                 "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}

UID_BASE = 2_000_000_000       # per-slot uids for the runner: far above any real account
UID_SLOTS = 1024

libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _bytes(text):
    return None if text is None else os.fsencode(text)


def mount(source, target, fstype, flags, data=None) -> None:
    _check(libc.mount(_bytes(source), _bytes(target), _bytes(fstype), ctypes.c_ulong(flags), _bytes(data)),
           f"mount {target}")


def unshare(flags: int) -> None:
    _check(libc.unshare(ctypes.c_int(flags)), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def prctl(option: int, arg2=0) -> None:
    _check(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(0), ctypes.c_ulong(0),
                      ctypes.c_ulong(0)), f"prctl({option})")


# --- Seccomp: refuse what a run must not use, with EACCES -------------------------------------------

class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


# audit arch, then syscall numbers by name
_SECCOMP_ARCH = {
    "x86_64": (0xC000003E, {"socket": 41, "io_uring_setup": 425, "mq_open": 240, "shmget": 29, "semget": 64,
                            "msgget": 68, "memfd_create": 319}),
    "aarch64": (0xC00000B7, {"socket": 198, "io_uring_setup": 425, "mq_open": 180, "shmget": 194, "semget": 190,
                             "msgget": 186, "memfd_create": 279}),
}


def seccomp_supported() -> bool:
    return platform.machine() in _SECCOMP_ARCH


def refused_calls(plan: dict, memory_cgroup: bool) -> list[str]:
    """What the filter refuses for a run under `plan`:
    io_uring always (it could open sockets around the filter); SysV and POSIX IPC where there is
    no IPC namespace (objects that outlive the run, shared with every other run); memfd where no
    memory cgroup counts its pages (RLIMIT_AS does not)."""
    refused = ["io_uring_setup"]
    if not plan.get("ipc_ns"):
        refused += ["mq_open", "shmget", "semget", "msgget"]
    if not memory_cgroup:
        refused.append("memfd_create")
    return refused


def install_filter(refused=("io_uring_setup",), unix_sockets: bool = True) -> None:
    """Refuse with EACCES the calls named in `refused`, and socket() for every family but
    AF_UNIX (with `unix_sockets=False`, for every family: without a network namespace the
    abstract unix socket names are shared with the whole machine). Needs no_new_privs."""
    arch, numbers = _SECCOMP_ARCH[platform.machine()]
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    code = [("ld", 4), ("deny_unless", arch), ("ld", 0), ("deny_if_ge", 0x40000000)]   # no foreign or x32 ABI
    code += [("deny_if", numbers[name]) for name in refused]
    code += [("allow_unless", numbers["socket"])]
    code += [("ld", 16), ("deny_unless", socket.AF_UNIX)] if unix_sockets else [("deny",)]
    code += [("allow",), ("deny",)]
    allow_at, deny_at = len(code) - 2, len(code) - 1
    program = []
    for i, (op, *arg) in enumerate(code):
        to_allow, to_deny = allow_at - i - 1, deny_at - i - 1
        program.append({
            "ld": lambda: (ld, 0, 0, arg[0]),
            "deny_unless": lambda: (jeq, 0, to_deny, arg[0]),
            "deny_if": lambda: (jeq, to_deny, 0, arg[0]),
            "deny_if_ge": lambda: (jge, to_deny, 0, arg[0]),
            "allow_unless": lambda: (jeq, 0, to_allow, arg[0]),
            "allow": lambda: (ret, 0, 0, 0x7FFF0000),
            "deny": lambda: (ret, 0, 0, 0x00050000 | errno.EACCES),
        }[op]())
    filters = (_SockFilter * len(program))(*[_SockFilter(*ins) for ins in program])
    prog = _SockFprog(len(program), filters)
    _check(libc.prctl(ctypes.c_int(PR_SET_SECCOMP), ctypes.c_ulong(2), ctypes.byref(prog),
                      ctypes.c_ulong(0), ctypes.c_ulong(0)), "seccomp")


# --- Resource limits ---------------------------------------------------------------------------------

def proc_status(pid: str) -> dict:
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
    except OSError:
        pass
    return fields


def _count_processes_of(uid: int) -> int:
    return sum(1 for n in os.listdir("/proc")
               if n.isdigit() and proc_status(n).get("Uid", "").split()[:1] == [str(uid)])


def set_rlimits(limits: dict, own_uid: bool) -> None:
    def pin(which, value):
        resource.setrlimit(which, (value, value))
    if limits["memory_bytes"]:           # 0: no address-space limit (CUDA reserves huge ranges)
        pin(resource.RLIMIT_AS, int(limits["memory_bytes"]))
    pin(resource.RLIMIT_CORE, 0)
    pin(resource.RLIMIT_FSIZE, int(limits["file_bytes"]))
    pin(resource.RLIMIT_NOFILE, int(limits["max_files"]))   # with FSIZE, bounds what files can hold
    cpu = int(math.ceil(limits["wall_s"] * max(1, limits["threads"]))) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))       # SIGXCPU first, then SIGKILL
    if own_uid:
        pin(resource.RLIMIT_NPROC, int(limits["max_processes"]))
    elif os.geteuid() != 0:      # shared with the grader's own processes: allow that many more
        pin(resource.RLIMIT_NPROC, _count_processes_of(os.getuid()) + int(limits["max_processes"]))


# --- A uid per run ----------------------------------------------------------------------------------

class UidSlots:
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


# --- What a run can leave behind where nothing is private ----------------------------------------------

def remove_ipc_of(uid: int) -> None:
    """Without an IPC namespace, SysV shared memory, semaphores and queues outlive their creator:
    a run could keep memory or leave a channel to the next run. Remove those it owns."""
    for kind, remove in (("shm", lambda i: libc.shmctl(i, 0, None)), ("msg", lambda i: libc.msgctl(i, 0, None)),
                         ("sem", lambda i: libc.semctl(i, 0, 0))):
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


# World-writable places a run could leave files in where it has no private /tmp of its own.
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue")


def remove_files_of(uid: int, bases=SHARED_WRITABLE) -> None:
    """Without a private /tmp, a run could leave files in the shared world-writable directories
    (and in world-writable directories inside them): remove everything `uid` owns there. The
    sandbox uid has no groups, so a directory it can write to is its own or world-writable."""
    pending = list(bases)
    while pending:
        base = pending.pop()
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
                if st.st_uid == uid:
                    if stat.S_ISDIR(st.st_mode):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)
                elif stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_IWOTH:
                    pending.append(entry.path)
            except OSError:
                pass


def hide_option_values(options, argv_area=None) -> bool:
    """Overwrite, in this process's own command line, the values given to `options` (as
    `--opt VALUE` or `--opt=VALUE`) with x's. /proc/PID/cmdline is readable by every process on
    the machine that can see this one, sandboxed runs at the uid level included. Returns whether
    anything was hidden."""
    fields = open("/proc/self/stat").read().rpartition(")")[2].split()
    start, end = int(fields[45]), int(fields[46])         # arg_start, arg_end (fields 48, 49)
    with open("/proc/self/mem", "r+b", buffering=0) as mem:
        mem.seek(start)
        args = mem.read(end - start).split(b"\0")
        changed = False
        for i, arg in enumerate(args):
            for option in (o.encode() for o in options):
                if arg == option and i + 1 < len(args) and args[i + 1]:
                    args[i + 1], changed = b"x" * len(args[i + 1]), True
                elif arg.startswith(option + b"=") and len(arg) > len(option) + 1:
                    args[i], changed = option + b"=" + b"x" * (len(arg) - len(option) - 1), True
        if changed:
            mem.seek(start)
            mem.write(b"\0".join(args))
    return changed
