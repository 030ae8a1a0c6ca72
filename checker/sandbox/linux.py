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


def remove_files_of(uid: int) -> None:
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
