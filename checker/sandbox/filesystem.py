"""The filesystem a namespaced run sees, built in its fresh mount namespace.

`filesystem_plan` decides once, in the server, what to hide, mask and show again;
`build_filesystem` applies it in each run, before learner code starts.
"""
from __future__ import annotations

import os
import stat
import sys

from checker.sandbox.linux import MOUNT_OPTIONS, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, \
    MS_REC, MS_REMOUNT, mount

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
                flags |= MOUNT_OPTIONS.get(option, 0)
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
    mount(f"/proc/self/fd/{fd}", path, None, MS_BIND)
    mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_filesystem(plan: dict, visible=(), tmp_bytes: int = 64 << 20) -> list[str]:
    """In a fresh mount namespace: everything read-only, private tmpfs on /tmp and /dev/shm,
    `plan["hidden"]` covered by empty read-only tmpfs (a file by /dev/null), directories the
    sandbox user could not traverse (`plan["masks"]`, e.g. /root) replaced by empty ones, and the
    interpreter's own paths plus `visible` bind-mounted back, read-only. Returns the mount points
    that could not be made read-only."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)      # nothing we do here reaches the host
    keep = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in plan["exposed"] if os.path.exists(p)]
    shown = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in visible]
    failed = []
    for point, flags in _mounts():
        try:
            mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | flags)
        except OSError:
            if point == "/":
                raise
            failed.append(point)
    size = max(tmp_bytes, 1 << 20)
    for mask in plan["masks"]:
        mount("tmpfs", mask, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for tmp in plan["tmp"]:
        if os.path.isdir(tmp):
            mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    covered = list(plan["masks"]) + list(plan["tmp"])
    for path, fd in keep:
        if any(_under(path, c) for c in covered):
            _bind_readonly(fd, path)
        os.close(fd)
    hidden_dirs = []
    for path in plan["hidden"]:
        if os.path.isdir(path) and not os.path.islink(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=0755")
            hidden_dirs.append(path)
        elif os.path.lexists(path):
            mount("/dev/null", path, None, MS_BIND)
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC)
    for path, fd in shown:
        _bind_readonly(fd, path)
        os.close(fd)
    # Read-only only now: mount points for `visible` may have been made inside them.
    for path in list(plan["masks"]) + hidden_dirs:
        mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # A /proc of the new PID namespace: the run sees only its own processes.
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
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

