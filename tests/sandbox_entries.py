"""Entry functions for tests/test_sandbox.py: each plays an attack (or a harmless run) inside the
sandbox child. The request is JSON {"action": name, ...}; the answer is JSON.

Everything used here is imported at module level, so it is already loaded by the fork server: at
the "uid" level on a machine whose Python lives in a private directory, the child could not
import anything new."""
from __future__ import annotations

import ctypes
import encodings.idna  # noqa: F401 - socket name lookups need it; see the module docstring
import json
import os
import resource
import signal
import socket
import struct
import sys
import time

import torch

from checker import wire

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15


def serve(request: bytes) -> bytes:
    args = json.loads(request)
    answer = ACTIONS[args["action"]](args)
    if isinstance(answer, bytes) or args.get("raw"):
        return answer
    return json.dumps(answer).encode()


def _attempt(fn):
    try:
        return {"ok": fn()}
    except BaseException as exc:  # noqa: BLE001 - the test wants to see what failed
        return {"error": type(exc).__name__, "message": str(exc)}


def echo(args):
    print("hello from the child")
    return {"echo": args.get("value")}


def tensors(args):
    data = wire.decode(bytes.fromhex(args["wire"]))
    return wire.encode({"sum": data["x"].sum(), "twice": data["x"] * 2, "label": data["label"]})


def info(args):
    return {"uid": os.getuid(), "gid": os.getgid(), "pid": os.getpid(), "ppid": os.getppid(),
            "cwd": os.getcwd(), "threads": torch.get_num_threads(), "stdin": sys.stdin.read(),
            "modules": sorted(sys.modules), "env": dict(os.environ),
            "limits": {name: resource.getrlimit(getattr(resource, name))
                       for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_CORE")},
            "no_new_privs": open("/proc/self/status").read().count("NoNewPrivs:\t1") == 1}


def busy(args):
    while True:
        pass


def sleep(args):
    time.sleep(10 ** 6)


def torch_bomb(args):
    return {"size": torch.ones(10 << 30, dtype=torch.uint8).sum().item()}


def list_bomb(args):
    hoard = []
    while True:                          # untouched pages: the address-space limit trips at once
        hoard.append(torch.empty(256 << 20, dtype=torch.uint8))


def python_bomb(args):
    return {"length": len([0] * (1 << 34))}


def torch_bomb_caught(args):
    return _attempt(lambda: torch.empty(10 << 30, dtype=torch.uint8).numel())


def segfault(args):
    ctypes.string_at(0)


def os_exit(args):
    os._exit(0)


def sys_exit(args):
    sys.exit(0)


def keyboard_interrupt(args):
    raise KeyboardInterrupt


def self_kill(args):
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(5)


def daemon(args):
    """Leave a double-forked, session-leading grandchild that keeps appending to a file, named by
    `marker` in /proc/*/comm so the test can look for it; optionally hang afterwards."""
    ready_r, ready_w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() != 0:
            os._exit(0)
        _libc.prctl(PR_SET_NAME, args["marker"].encode(), 0, 0, 0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        os.write(ready_w, b"x")
        while True:
            try:
                with open(args["path"], "a") as f:
                    f.write(f"{time.time()}\n")
            except OSError:
                pass
            time.sleep(0.01)
    os.read(ready_r, 1)
    time.sleep(0.05)
    if args.get("hang"):
        time.sleep(10 ** 6)
    return {"started": True}


def shout(args):
    chunk = "y" * 999 + "\n"
    for _ in range(args["bytes"] // 1000):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    return {"printed": args["bytes"]}


def read(args):
    return _attempt(lambda: open(args["path"]).read())


def listdir(args):
    return _attempt(lambda: sorted(os.listdir(args["path"])))


def write(args):
    def attempt():
        with open(args["path"], "w") as f:
            f.write("import os  # planted by a submission\n")
        return True
    return _attempt(attempt)


def connect(args):
    def attempt():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(("127.0.0.1", args["port"]))
            s.sendall(b"leak")
        return True
    return _attempt(attempt)


def raise_limits(args):
    inf = resource.RLIM_INFINITY
    return {name: _attempt(lambda n=name: resource.setrlimit(getattr(resource, n), (inf, inf)))
            for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_CPU")}


def fork_many(args):
    children = 0
    try:
        for _ in range(args["count"]):
            if os.fork() == 0:
                time.sleep(10 ** 6)
                os._exit(0)
            children += 1
    except OSError as exc:
        return {"children": children, "error": type(exc).__name__}
    return {"children": children}


def peek_proc(args):
    pid = args["pid"]
    return {"visible": os.path.exists(f"/proc/{pid}"),
            "environ": _attempt(lambda: open(f"/proc/{pid}/environ", "rb").read().decode("latin-1")),
            "cmdline": _attempt(lambda: open(f"/proc/{pid}/cmdline", "rb").read().decode("latin-1")),
            "pids": sorted(int(n) for n in os.listdir("/proc") if n.isdigit())}


def keep_shared_memory(args):
    """A SysV shared-memory segment outlives its creator unless someone removes it."""
    shmid = _libc.shmget(0, 1 << 20, 0o1000 | 0o600)          # IPC_PRIVATE, IPC_CREAT
    return {"shmid": shmid, "uid": os.getuid()}


def scan_memory(args):
    """Look through this process's own anonymous memory (what it inherited from the fork server)
    for `marker` and report what follows each hit. The marker alone is in this request; a full
    secret found after it can only have come from another run."""
    marker, found = args["marker"].encode(), set()
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", buffering=0) as mem:
        for line in maps:
            fields = line.split()
            if "r" not in fields[1] or (len(fields) > 5 and fields[5] not in ("[heap]", "[stack]")):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(start)
                chunk = mem.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            at = chunk.find(marker)
            while at != -1:
                found.add(chunk[at:at + len(marker) + 16].decode("latin-1"))
                at = chunk.find(marker, at + 1)
    return {"found": sorted(found)}


def secret_run(args):
    """Hold a secret in the request, the output and the answer, then linger."""
    print(args["secret"])
    time.sleep(args.get("linger", 0))
    return {"secret": args["secret"]}


def big_answer(args):
    return b"z" * args["bytes"]


def not_bytes(args):
    return "a str, not bytes"




def forged_raise(args):
    """Write a RAISED answer record of any size straight to the answer pipe (fd 3), as a
    submission that replaced the runtime could, and leave."""
    body = b"x" * args["bytes"]
    os.write(3, struct.pack("<cQ", b"X", len(body)))
    view = memoryview(body)
    while view:
        view = view[os.write(3, view[:1 << 20]):]
    os._exit(0)


def name_and_linger(args):
    """Take a name the test can find in /proc, then return after `linger` seconds."""
    _libc.prctl(PR_SET_NAME, args["marker"].encode(), 0, 0, 0)
    time.sleep(args["linger"])
    return {"done": True}


def hoard(args):
    """Hold `mib` MiB where RLIMIT_AS does not look: memfd files kept open and files written to
    /dev/shm and closed, 16 MiB at a time, each file as large as it may grow. Reports how much
    it held when it stopped, and why it stopped."""
    chunk, held, kept, stopped, i = b"h" * (16 << 20), 0, [], [], 0
    places = ["memfd", "/dev/shm"]
    while held < args["mib"] and places:
        where = places[i % len(places)]
        i += 1
        try:
            if where == "memfd":
                fd = os.memfd_create(f"hoard-{i}")
                kept.append(fd)
                f = open(fd, "wb", closefd=False)
            else:
                f = open(f"/dev/shm/hoard-{os.getpid()}-{i}", "wb")
            with f:
                while held < args["mib"]:
                    f.write(chunk)
                    f.flush()
                    held += 16
        except OSError as exc:
            stopped.append(f"{where}: {type(exc).__name__}")
            if type(exc).__name__ in ("PermissionError", "OSError") and "No space" not in str(exc) \
                    and "too large" not in str(exc):
                places.remove(where)
            if len(stopped) > 400:
                break
    return {"held_mib": held, "stopped": sorted(set(stopped))}


def unix_socket(args):
    return _attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())


ACTIONS = {name: fn for name, fn in globals().items()
           if callable(fn) and not name.startswith("_") and name not in ("serve",) and
           getattr(fn, "__module__", None) == __name__}
