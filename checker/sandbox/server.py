"""The fork server: the one process that forks the children which run learner code.

`checker.sandbox.ForkServer` starts it once per grader with `python -I` (no user site, no
PYTHON* variables, no current directory on sys.path). It imports torch, `checker.wire` and the
entry's module, and nothing else of the grader: no suites, no references, no results. For each
request it forks one copy of itself, the runner (see checker.sandbox.children):

    grader  ──socket──▶  fork server   (never runs learner code; stays privileged)
                           ├─ init      `sleep`, pid 1 of the run's PID namespace (spawned, not
                           │            forked: no copy of the server); holds the namespace
                           └─ runner    pid 2 there; its own mount, network and IPC namespaces,
                                        limits, unprivileged uid; runs the entry

Only the runner's wait status, which the server reads itself, and its answer pipe count: a child
cannot claim success with an exit code alone. The server enforces the wall clock from outside and
answers only after every process of the run is gone: once the runner has ended, the server kills
the init, and the kernel kills and reaps the rest of the namespace before the init's own end is
reported. Without a PID namespace the server, as child subreaper, sweeps up what the run left.
The runner is not the namespace's init on purpose: an init ignores the signals it sends itself,
so abort(), SIGXCPU and SIGXFSZ would not end it. The init lives in the server's mount namespace
with an empty environment; its /proc/1 links (root, cwd, fd) would lead out of the run's
filesystem, and only a process with rights over it (not the runner's unprivileged uid) may
follow them. Every child is a copy of the server, so the
server never lets learner data (requests, answers, output) into its heap: see framing.Buffer.
"""
from __future__ import annotations

import fcntl
import json
import os
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback

from checker.sandbox.cgroups import Cgroups
from checker.sandbox.children import reap_any, runner, sweep
from checker.sandbox.detect import detect
from checker.sandbox.filesystem import runtime_files
from checker.sandbox.framing import ANSWER, MEMORY, RAISED, RESULT, SETUP, Buffer, recv_frame, send_frame
from checker.sandbox.linux import CLONE_NEWPID, F_SETPIPE_SZ, PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, \
    UidSlots, prctl, remove_files_of, remove_ipc_of, setns, unshare

# The most of a runner's own words (a traceback, a memory error) passed on: the child writes them.
MESSAGE_BYTES = 16 << 10


# --- One run, as the server tracks it -----------------------------------------------------------------

class ChildRun:
    def __init__(self, run_id: int, limits: dict, visible: list):
        self.id, self.limits, self.visible = run_id, limits, visible
        self.uid = self.lock_fd = self.home = self.pid = self.init = self.deadline = self.group = None
        self.started = time.monotonic()
        self.clean = False                  # every process of the run is known to be gone
        self.killed = None                  # "timeout" | "result-too-large" | "shutdown"
        self.status = None                  # raw wait status of the runner, once it ended
        self.init_ended = False             # the PID namespace's init (if any) has been reaped
        self.fds = {}                       # fd -> "answer" | "output"
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


def init_program(plan: dict) -> str | None:
    """The program that holds each run's PID namespace as its pid 1 (see the module docstring)."""
    if not plan["pid_ns"]:
        return None
    found = shutil.which("sleep", path=os.environ.get("PATH") or "/usr/bin:/bin")
    if found is None:
        raise RuntimeError("no `sleep` program on PATH to be the init of a run's PID namespace")
    return found


# --- The loop -------------------------------------------------------------------------------------------

class Server:
    def __init__(self, sock: socket.socket, entry, plan: dict, scratch: str):
        self.sock, self.entry, self.plan, self.scratch = sock, entry, plan, scratch
        self.pid = os.getpid()
        self.runs: dict[int, ChildRun] = {}     # runner pid -> run
        self.inits: dict[int, ChildRun] = {}    # pid of the init of a run's PID namespace -> run
        self.init_program = init_program(plan)
        self.cgroups = Cgroups.create() if plan["cgroups"] else None
        self.slots = UidSlots() if plan["uid"] else None
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
                    if run.status is not None and run.init is not None and not run.init_ended:
                        self._end_namespace(run)
                    if run.status is not None and (run.init is None or run.init_ended):
                        self._finish(run)
        finally:                                # the grader has gone: nothing may outlive us
            for run in list(self.runs.values()):
                self._kill(run, "shutdown")
            for run in list(self.runs.values()):
                for pid in (run.pid, run.init):
                    try:
                        if pid is not None:
                            os.waitpid(pid, 0)
                    except ChildProcessError:
                        pass
                if not self.plan["pid_ns"] and run.uid is not None:
                    sweep(run.uid)
                self._release(run)
            if not self.plan["pid_ns"]:
                sweep(None, reap=reap_any)
            if self.cgroups is not None:
                self.cgroups.remove()
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _control(self) -> bool:
        try:
            # The request goes straight into a Buffer the runner inherits and we unmap after the
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
                self.runs[pid].status = status
            elif pid in self.inits:
                self.inits.pop(pid).init_ended = True
            # anything else is an orphan of a run we already killed

    # -- one run
    def _start(self, run_id: int, limits: dict, request: memoryview, visible: list) -> None:
        run = ChildRun(run_id, limits, visible)
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
            if self.cgroups is not None:
                run.group = self.cgroups.leaf(run_id, int(limits["memory_bytes"]), int(limits["max_processes"]))
            for name in ("answer", "output"):
                pipes[name] = os.pipe()
            for name in ("answer", "output"):
                try:
                    fcntl.fcntl(pipes[name][0], F_SETPIPE_SZ, 1 << 20)
                except OSError:
                    pass
            if plan["pid_ns"]:
                setns(self.own_pid_ns, CLONE_NEWPID)
                unshare(CLONE_NEWPID)         # children from here on go into a fresh namespace
                # Its pid 1: a `sleep` that outlives the run's wall clock (and so cannot outlive a
                # server that died), spawned without copying this process.
                lifetime = str(int(float(limits["wall_s"])) + 120)
                run.init = os.posix_spawn(self.init_program, [self.init_program, lifetime], {},
                                          setsid=True)
                self.inits[run.init] = run
            pid = os.fork()
        except OSError as exc:
            for r, w in pipes.values():
                os.close(r)
                os.close(w)
            if plan["pid_ns"]:
                setns(self.own_pid_ns, CLONE_NEWPID)
            if run.init is not None:
                os.kill(run.init, signal.SIGKILL)
                os.waitpid(run.init, 0)
                self.inits.pop(run.init, None)
            self._reply(run, "sandbox-error", f"could not start the run: {exc}", None, None)
            self._release(run)
            return
        if pid == 0:
            runner(self.pid, self.entry, request, limits, plan, run.uid, run.home,
                   [pipes["answer"][1], pipes["output"][1]], visible, run.group)
        if plan["pid_ns"]:
            setns(self.own_pid_ns, CLONE_NEWPID)
        run.pid, run.deadline = pid, time.monotonic() + float(limits["wall_s"])
        for name, (r, w) in pipes.items():
            os.close(w)
            os.set_blocking(r, False)
            run.fds[r] = name
            self.selector.register(r, selectors.EVENT_READ, (run, name))
        self.runs[pid] = run

    def _read(self, run: ChildRun, name: str, fd: int, draining: bool = False) -> bool:
        """Take what `fd` has; False once it is at its end (or no longer wanted). While draining
        a finished run, an empty pipe is its end too, whoever still holds its other end."""
        try:
            if name == "output":
                n = run.take_output(fd)
            else:
                n = run.take_answer(fd) if run.killed is None else 0
                if n and run.answer_used == len(run.answer.view):
                    self._kill(run, "result-too-large")
                    n = 0
        except BlockingIOError:
            if draining:
                self._close(run, fd)
                return False
            return True
        except OSError:
            n = 0
        if n == 0:
            self._close(run, fd)
            return False
        return True

    def _close(self, run: ChildRun, fd: int) -> None:
        if fd in run.fds:
            self.selector.unregister(fd)
            os.close(fd)
            del run.fds[fd]

    def _kill(self, run: ChildRun, reason: str) -> None:
        if run.killed is None:
            run.killed = reason
        if run.init is not None and not run.init_ended:
            try:
                os.kill(run.init, signal.SIGKILL)  # the kernel takes the whole namespace with it
            except OSError:
                pass
        if run.status is not None:
            return
        if not self.plan["pid_ns"]:
            try:
                os.killpg(run.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.kill(run.pid, signal.SIGKILL)
        except OSError:
            pass

    def _end_namespace(self, run: ChildRun) -> None:
        """The runner has ended: end its PID namespace, whose init's exit we then wait for."""
        try:
            os.kill(run.init, signal.SIGKILL)
        except OSError:
            pass

    def _finish(self, run: ChildRun) -> None:
        del self.runs[run.pid]
        # With a PID namespace, the kernel killed and reaped the rest of the run before its
        # init's exit was reported. Without one, its orphans came to us (we are a child
        # subreaper) or still run under its uid: sweep them, sparing the other runs.
        run.clean = self.plan["pid_ns"] or sweep(run.uid, exclude=self.runs.keys(), reap=self._reap)
        # All the run's processes are gone, so everything they wrote is in the pipes now: take
        # it and stop at the first empty read. An end passed to another process (over a unix
        # socket, say) must not keep us here.
        for fd, name in list(run.fds.items()):
            while self._read(run, name, fd, draining=True):
                pass
        status, detail, exit_code, signame, message, payload = judge_run(run)
        if message is not None and len(message) > MESSAGE_BYTES:    # the child wrote it: bound it
            message = message[-MESSAGE_BYTES:]
        if not run.clean:
            detail += " (warning: some processes of this run could not be killed)"
        self._release(run, keep_buffers=True)   # nothing of the run is left when the grader hears of it
        self._reply(run, status, detail, exit_code, signame, message, payload)
        for view in (message, payload):
            if view is not None:
                view.release()
        run.close()

    def _release(self, run: ChildRun, keep_buffers: bool = False) -> None:
        if run.group is not None:
            run.group.remove()
            run.group = None
        if run.home and run.home != "/tmp":
            shutil.rmtree(run.home, ignore_errors=True)
        if run.uid is not None and not self.plan["mount_ns"]:
            remove_files_of(run.uid)
        if run.uid is not None and not self.plan["ipc_ns"]:
            remove_ipc_of(run.uid)
        if run.lock_fd is not None:
            UidSlots.release(run.lock_fd, run.clean)
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


# --- How a run ended, from what it left behind ----------------------------------------------------------

def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def judge_run(run: ChildRun):
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
    code = os.waitstatus_to_exitcode(run.status)
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
    if signame == "SIGKILL" and run.group is not None and run.group.oom_killed():
        return ("memory", f"killed by the kernel for using more than its {int(run.limits['memory_bytes']) >> 20} MiB "
                "of memory (shared memory and files in memory included)", exit_code, signame, None, None)
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


def _parse_answer(run: ChildRun):
    """(kind, body view) of a complete answer, else (None, None)."""
    if run.answer_used < ANSWER.size:
        return None, None
    kind, size = ANSWER.unpack_from(run.answer.view, 0)
    if run.answer_used != ANSWER.size + size:
        return None, None
    return kind, run.answer.view[ANSWER.size:run.answer_used]


# --- Start-up -----------------------------------------------------------------------------------------

def _resolve(entry: str):
    import importlib
    module_name, _, attr = entry.partition(":")
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def main() -> None:
    # The configuration comes over the socket, not argv: /proc/<pid>/cmdline is world-readable.
    sock = socket.socket(fileno=int(sys.argv[1]))
    sock.set_inheritable(False)                 # nothing the server spawns may hold it
    try:
        config, _ = recv_frame(sock)
        # Same-uid processes (rlimits-only mode) must not ptrace us or read our /proc files.
        prctl(PR_SET_DUMPABLE, 0)
        started = time.monotonic()
        isolation, plan = detect(config.get("hidden", []), config.get("isolation", "auto"))
        import torch  # noqa: F401 - paid once here, inherited by every run
        from checker import dynamo_on_demand
        dynamo_on_demand.install()              # optimizers in a run skip a 1.3 s import
        import checker.wire  # noqa: F401
        entry = _resolve(config["entry"])
        # Let the entry's module import whatever it loads lazily, once, here: every run forks
        # from this process, so the cost is not paid again per kata or per submission.
        warm_up = getattr(sys.modules.get(getattr(entry, "__module__", ""), None), "warm_up", None)
        if callable(warm_up):
            warm_up()
        plan["files"] = runtime_files(plan)    # the runtime's own module files, shown one by one
        if not plan["pid_ns"]:
            prctl(PR_SET_CHILD_SUBREAPER, 1)       # orphans of a run come to us
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
    # serve() has killed every run and removed what they left. Skip the interpreter's own
    # teardown: finalising torch's modules takes most of a second, and the grader waits for it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
