"""The grader's side of the sandbox: start a fork server, send it runs, read back how they ended.

`ForkServer` speaks the frames of checker.sandbox.framing to the server of
checker.sandbox.server, which it starts as `python -I` with a scrubbed environment.
"""
from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from checker.sandbox import framing

# The checker package's parent: put first on the fork server's sys.path so `checker` resolves.
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
# Only these variables reach the fork server (and so learner code): no tokens, no secrets.
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES")
_THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")
# Code that drives torch._dynamo itself runs eagerly in a run: compiling needs a C++ toolchain
# and worker processes the sandbox does not provide (probes turn torch.compile into a no-op).
_EAGER_ENV = {"TORCHDYNAMO_DISABLE": "1", "TORCH_COMPILE_DISABLE": "1"}
_BOOT = "import sys; sys.path[:0] = {paths!r}; from checker.sandbox.{module} import main; main()"

# "sandbox-error" means the sandbox itself failed (could not fork, set up, or its server died):
# not the learner's doing as far as we can tell, but still never a pass.
STATUSES = ("ok", "timeout", "memory", "crashed", "result-too-large", "sandbox-error")


class SandboxError(RuntimeError):
    """The fork server could not be started (or the requested isolation is not available)."""


@dataclass
class Limits:
    wall_s: float = 10.0
    memory_bytes: int = 4 << 30          # RLIMIT_AS of the runner (torch itself maps ~0.5 GiB); 0: none
    max_processes: int = 64              # RLIMIT_NPROC (threads count too); enforced for the sandbox uid
    output_bytes: int = 64 * 1024        # captured stdout+stderr kept (head and tail)
    result_bytes: int = 64 << 20         # largest answer accepted
    threads: int = 1                     # torch.set_num_threads in the runner
    file_bytes: int = 64 << 20           # RLIMIT_FSIZE, and the size of the private /tmp
    max_files: int = 256                 # RLIMIT_NOFILE


@dataclass
class RunOutcome:
    """How a run ended. Only `status == "ok"` carries a payload: the bytes the entry returned."""

    status: str                          # one of STATUSES
    payload: bytes | None = None
    detail: str = ""                     # why it is not ok, in words
    output: str = ""                     # captured stdout/stderr, cut in the middle with a marker
    output_bytes: int = 0                # how much was printed in all
    exit_code: int | None = None         # of the runner, when it exited
    signal: str | None = None            # of the runner, when a signal ended it (e.g. "SIGSEGV")
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _server_env(threads: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k in _PASSED_ENV}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update({k: str(threads) for k in _THREAD_ENV})
    env["HOME"] = "/tmp"
    env.update(_EAGER_ENV)
    return env


def detect_isolation(hidden_paths=(), isolation: str = "auto", python: str = sys.executable) -> dict:
    """What a fork server would apply here: {"level", "protections", "warnings"}. Runs a short-lived
    probe process (no torch import). A started server's `isolation` is the authoritative record."""
    config = {"hidden": [str(p) for p in hidden_paths], "isolation": isolation}
    proc = subprocess.run([python, "-I", "-c", _BOOT.format(paths=[_PACKAGE_PARENT], module="detect")],
                          input=json.dumps(config), capture_output=True, text=True, cwd="/",
                          env=_server_env(1), timeout=60)
    if proc.returncode != 0:
        raise SandboxError(f"isolation probe failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def _outcome(header: dict, blob: bytes) -> RunOutcome:
    """A RunOutcome from the server's reply: a header in the server's words, then the raw head and
    tail of the output, the runner's message and the payload, back to back."""
    parts, start = {}, 0
    for name in ("head", "tail", "message", "payload"):
        size = header["sizes"][name]
        parts[name] = blob[start:start + size]
        start += size
    output = parts["head"].decode("utf-8", "replace")
    if header["output_cut"]:
        output += f"\n[... {header['output_cut']} bytes of output cut: {header['output_bytes']} in all ...]\n"
        output += parts["tail"].decode("utf-8", "replace")
    detail, message = header["detail"], parts["message"].decode("utf-8", "replace").strip()
    if message:
        detail = f"{detail}: {message}" if detail else message
    return RunOutcome(status=header["status"], payload=parts["payload"] if header["status"] == "ok" else None,
                   detail=detail, output=output, output_bytes=header["output_bytes"],
                   exit_code=header["exit_code"], signal=header["signal"], elapsed_s=header["elapsed_s"])


class _Pending:
    def __init__(self, generation: int):
        self.generation = generation
        self.done = threading.Event()
        self.outcome: RunOutcome | None = None


class ForkServer:
    """One fork server per grader; `run` is safe to call from several threads at once (runs go in
    parallel, each in its own child). If the server dies it is restarted on the next `run`.

    entry         "module:function", imported by the server; `function(request: bytes) -> bytes`
    hidden_paths  files or directories the child must not see (reference solutions, suites, results)
    threads       OMP/MKL thread variables of the server (Limits.threads sets torch's per run)
    isolation     "auto" (the best available), or the most to use: "namespaces", "uid", "rlimits";
                  naming a level the OS cannot give raises SandboxError instead of degrading
    sys_path      extra import paths for the entry's module (the checker's parent is always first)
    """

    def __init__(self, entry: str, hidden_paths=(), threads: int = 1, python: str = sys.executable,
                 isolation: str = "auto", sys_path=()):
        if ":" not in entry:
            raise ValueError(f"entry must be 'module:function', not {entry!r}")
        self.entry, self.threads, self.python, self.isolation_setting = entry, threads, python, isolation
        self.hidden_paths = [str(Path(p).resolve()) for p in hidden_paths]
        self.sys_path = [_PACKAGE_PARENT] + [str(Path(p).resolve()) for p in sys_path]
        self.isolation: dict = {}
        self.pid: int | None = None
        self.restarts = 0
        self._closed = False
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._launched: tuple[subprocess.Popen, socket.socket] | None = None   # started, no hello yet
        self._pending: dict[int, _Pending] = {}
        self._generation = 0                   # which server process a pending run was sent to
        self._ids = itertools.count(1)
        self._lock = threading.Lock()          # guards start/stop and the pending table
        self._send_lock = threading.Lock()

    # -- life cycle
    def __enter__(self) -> "ForkServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def launch(self) -> None:
        """Start the server process and return at once: it imports torch while the caller goes
        on (with its own `import torch`, say). `start` or the first `run` waits for it."""
        with self._lock:
            self._closed = False
            if not self._alive() and self._launched is None:
                self._launch_locked()

    def start(self) -> None:
        """Make sure a server is up and has said hello (its isolation report is then known)."""
        with self._lock:
            self._closed = False
            if self._alive():
                return
            self._start_locked()

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None and self._sock is not None

    def _launch_locked(self) -> None:
        parent_end, child_end = socket.socketpair()
        config = {"entry": self.entry, "hidden": self.hidden_paths, "isolation": self.isolation_setting}
        try:
            proc = subprocess.Popen(
                [self.python, "-I", "-c", _BOOT.format(paths=self.sys_path, module="server"), str(child_end.fileno())],
                pass_fds=[child_end.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                cwd="/", env=_server_env(self.threads), start_new_session=True)
        finally:
            child_end.close()
        try:
            framing.send_frame(parent_end, config)     # a socket buffer holds it: does not block
        except OSError:
            pass                                       # the hello that never comes says why
        self._launched = (proc, parent_end)

    def _start_locked(self) -> None:
        if self._launched is None:
            self._launch_locked()
        (proc, parent_end), self._launched = self._launched, None
        try:
            parent_end.settimeout(300)         # import torch, on a slow disk
            header, _ = framing.recv_frame(parent_end)
        except (OSError, EOFError, ValueError) as exc:
            proc.kill()
            proc.wait()
            parent_end.close()
            raise SandboxError(f"the fork server did not start: {exc}") from None
        if header.get("type") != "hello":
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            parent_end.close()
            raise SandboxError("the fork server did not start:\n" + header.get("detail", str(header)))
        parent_end.settimeout(None)
        self._proc, self._sock, self.pid, self.isolation = proc, parent_end, header["pid"], header["isolation"]
        self._generation += 1
        threading.Thread(target=self._read_replies, args=(proc, parent_end, self._generation), daemon=True,
                         name="torchkata-forkserver-reader").start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop_locked()

    def _stop_locked(self) -> None:
        if self._launched is not None:             # never greeted: nothing of it is wanted
            proc, sock = self._launched
            self._launched = None
            sock.close()
            proc.kill()
            proc.wait()
        proc, sock = self._proc, self._sock
        self._proc = self._sock = None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)   # the server sees EOF, kills its runs and exits
            except OSError:
                pass
            sock.close()
        if proc is not None:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._fail_pending("the fork server was closed during the run", generation=self._generation)

    def _fail_pending(self, why: str, only=(), generation=None) -> None:
        for run_id, pending in list(self._pending.items()):
            if run_id in only or pending.generation == generation:
                pending.outcome = RunOutcome("sandbox-error", detail=why)
                pending.done.set()
                self._pending.pop(run_id, None)

    def _read_replies(self, proc, sock, generation: int) -> None:
        try:
            while True:
                header, blob = framing.recv_frame(sock)
                with self._lock:
                    pending = self._pending.pop(header.get("id"), None)
                if pending is None:
                    continue
                pending.outcome = _outcome(header, blob)
                pending.done.set()
        except (OSError, EOFError, ValueError, KeyError):
            pass
        with self._lock:
            if self._proc is proc:                  # died by itself: the next run restarts it
                self._proc = None
                if self._sock is not None:
                    self._sock.close()
                    self._sock = None
                try:
                    proc.kill()
                except OSError:
                    pass
                proc.wait()
            self._fail_pending("the fork server died during the run", generation=generation)

    # -- runs
    def run(self, request: bytes, limits: Limits | None = None, visible_paths=()) -> RunOutcome:
        """Run `entry(request)` in a fresh child. `visible_paths` are shown read-only to this run
        even inside the private /tmp (namespaced levels only; elsewhere file permissions decide)."""
        limits = limits or Limits()
        with self._lock:
            if self._closed:
                raise SandboxError("this ForkServer was closed")
            if not self._alive():
                if self._launched is None:         # not a launch still starting: a dead one
                    if self.pid is not None:
                        self.restarts += 1
                    self._stop_locked()
                self._start_locked()
            run_id = next(self._ids)
            pending = self._pending[run_id] = _Pending(self._generation)
            sock = self._sock
        header = {"type": "run", "id": run_id, "limits": asdict(limits),
                  "visible": [str(Path(p).resolve()) for p in visible_paths]}
        try:
            with self._send_lock:
                framing.send_frame(sock, header, [request])
        except OSError as exc:
            with self._lock:
                self._fail_pending(f"could not reach the fork server: {exc}", only={run_id})
        # The server enforces wall_s itself; this only guards against a wedged server.
        if not pending.done.wait(float(limits.wall_s) + 60):
            with self._lock:
                self._fail_pending("the fork server did not answer in time", only={run_id})
                self._stop_locked()            # wedged: the next run starts a fresh one
        return pending.outcome
