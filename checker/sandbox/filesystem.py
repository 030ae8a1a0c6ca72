"""The filesystem a namespaced run sees: an allowlist, built in its fresh mount namespace.

`filesystem_plan` decides once, in the server, what a run may see; `build_filesystem` builds it
in each run, before learner code starts. The run's root is an empty read-only tmpfs holding only:

  * the interpreter and its standard library (Python's prefixes, read-only);
  * torch and the other installed packages (site-packages, under those prefixes);
  * the system's shared libraries (/usr/lib and friends), which extension modules load;
  * the runtime's own module files (the probe runtime, the entry's module), one by one, and
    never the directories around them: not the checkout, its solutions, suites or exports;
  * the paths a run is shown on purpose (`visible`), read-only;
  * /dev/null, zero, full, random and urandom; a /proc of its own PID namespace;
  * a private, size-limited /tmp and /dev/shm.

Everything else (other checkouts, export zips, the batch folder with the classmates'
submissions, home directories, /etc, /run) does not exist there. Paths the grader names as
hidden are covered even where they lie inside an allowed directory.
"""
from __future__ import annotations

import ctypes
import glob
import os
import platform
import stat
import sys

from checker.sandbox.linux import MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, \
    MS_REMOUNT, libc, mount

_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
MNT_DETACH = 2
# Where the new root is assembled inside the run's mount namespace, before it becomes "/".
STAGE = "/tmp"
SYSTEM_LIBRARIES = ("/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/local/lib",
                    "/etc/ld.so.cache")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
READ_ONLY = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _outermost(paths) -> list[str]:
    paths = sorted(set(paths))
    return [p for p in paths if not any(q != p and _under(p, q) for q in paths)]


def _mountpoint(path: str, like_dir: bool) -> None:
    if os.path.lexists(path):
        return
    os.makedirs(path if like_dir else os.path.dirname(path), mode=0o755, exist_ok=True)
    if not like_dir:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))


def _bind(fd: int, target: str, flags: int = READ_ONLY) -> None:
    """Bind what `fd` (an O_PATH descriptor opened before anything was mounted over) refers to
    at `target`, then remount it with `flags`."""
    _mountpoint(target, stat.S_ISDIR(os.fstat(fd).st_mode))
    mount(f"/proc/self/fd/{fd}", target, None, MS_BIND)
    mount(None, target, None, flags)


def _pivot_into(new_root: str) -> None:
    """Make `new_root` the root and let go of the old one entirely (no way back up)."""
    os.chdir(new_root)
    if libc.syscall(ctypes.c_long(_PIVOT_ROOT[platform.machine()]), b".", b".") != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"pivot_root: {os.strerror(code)}")
    if libc.umount2(b".", ctypes.c_int(MNT_DETACH)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"umount old root: {os.strerror(code)}")
    os.chdir("/")


def _needs_cover(hidden: str, plan: dict, sources) -> bool:
    """Whether a hidden path must be covered in the assembled tree. Only what lies in a shown
    directory needs it: the rest of the machine is not there at all. Two cases must not be
    covered, because the cover would take away what the run needs and hides nothing: the run's
    own /tmp and /dev/shm (the grader's results going to /tmp, say), and a folder above a shown
    path (results going to the folder that holds the venv: everything else in it is absent)."""
    if hidden in plan["tmp"]:
        return False
    return not any(shown != hidden and _under(shown, hidden) for shown, _ in sources)


def build_filesystem(plan: dict, visible=(), tmp_bytes: int = 64 << 20) -> None:
    """In a fresh mount namespace (as root): assemble the allowlisted tree on a tmpfs and pivot
    into it. `visible`: more paths to show read-only at their own place."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)      # nothing we do here reaches the host
    # Open every source first: the stage covers /tmp, where some may live (a venv made by
    # mktemp -d, a path shown to this run).
    sources = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in
               list(plan["exposed"]) + list(plan["files"]) + list(visible) if os.path.exists(p)]
    devices = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in plan["devices"] if os.path.exists(p)]
    hidden = [p for p in plan["hidden"] if os.path.lexists(p) and _needs_cover(os.path.realpath(p), plan, sources)]
    try:
        mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        for link, target in plan["links"]:
            os.makedirs(os.path.dirname(STAGE + link), mode=0o755, exist_ok=True)
            os.symlink(target, STAGE + link)
        size = max(tmp_bytes, 1 << 20)
        for tmp in ("/tmp", "/dev/shm"):
            os.makedirs(STAGE + tmp, mode=0o755, exist_ok=True)
            mount("tmpfs", STAGE + tmp, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
        for path, fd in sources:
            _bind(fd, STAGE + path)
        for path, fd in devices:       # devices must stay devices, and /dev/null writable
            _bind(fd, STAGE + path, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC)
        for path in hidden:            # inside an allowed directory: cover it
            target = STAGE + path
            if not os.path.lexists(target):
                continue
            if os.path.isdir(target) and not os.path.islink(target):
                mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0755")
                mount(None, target, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
            elif not os.path.islink(target):         # /dev/null: reads nothing, writes vanish
                mount("/dev/null", target, None, MS_BIND)
                mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC)
        os.makedirs(STAGE + "/proc", mode=0o555, exist_ok=True)
        # A /proc of the run's PID namespace: it sees only its own processes.
        mount("proc", STAGE + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    finally:
        for _, fd in sources + devices:
            os.close(fd)
    _pivot_into(STAGE)
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def pivot_supported() -> bool:
    return platform.machine() in _PIVOT_ROOT


def filesystem_plan(hidden, devices=DEVICES) -> dict:
    """What a run may see, decided once in the server. `runtime_files` adds the module files of
    the probe runtime once the server has imported it."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                os.path.dirname(os.path.realpath(sys.executable))}
    prefixes = {os.path.realpath(p) for p in prefixes}
    # sys.path entries inside a prefix (stdlib, lib-dynload, site-packages) come with it; any
    # other entry is a code root (this checkout, a test folder, an editable install) and is
    # shown file by file, never as a directory.
    library = [p for p in SYSTEM_LIBRARIES if os.path.exists(p)]
    links = [(p, os.readlink(p)) for p in library if os.path.islink(p)]
    exposed = _outermost(list(prefixes) + [os.path.realpath(p) for p in library if not os.path.islink(p)])
    gpu = [p for p in glob.glob("/dev/nvidia*") if not os.path.isdir(p)] if os.path.exists("/dev/nvidiactl") else []
    if gpu:               # the CUDA driver reads /sys while it starts
        exposed = _outermost(exposed + ["/sys"])
    return {"hidden": sorted({os.path.realpath(p) for p in hidden}), "exposed": exposed, "links": links,
            "files": [], "devices": list(devices) + gpu, "tmp": ["/tmp", "/dev/shm"]}


def runtime_files(plan: dict, modules=None) -> list[str]:
    """The files of the modules this process imported from outside the exposed directories
    (the checker package and the entry's module): a run can still read their source for its
    tracebacks and import their lazily loaded parts, and sees nothing else beside them."""
    found = set()
    for module in list((modules or sys.modules).values()):
        path = getattr(module, "__file__", None)
        if not path or not os.path.isfile(path):
            continue
        path = os.path.realpath(path)
        if not any(_under(path, e) for e in plan["exposed"]) and \
                not any(_under(path, h) for h in plan["hidden"]):
            found.add(path)
    return sorted(found)
