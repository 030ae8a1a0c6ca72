"""The sandbox contains each threat, at every isolation level this machine can give.

Each test runs against a fork server per level: "auto" (the best available), and, when running as
root, forced-down "uid" and "rlimits" servers, so the fallbacks used where namespaces are forbidden
(e.g. a Gradescope container) are exercised too. A protection that a level lacks makes the test
skip with the reason, never pass vacuously. The attacks live in tests/sandbox_entries.py.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import statistics
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

import pytest
import torch

from checker import ROOT, wire
from checker.sandbox import ForkServer, Limits, RunOutcome, SandboxError, detect_isolation

HERE = Path(__file__).resolve().parent
ENTRY = "sandbox_entries:serve"
QUICK = Limits(wall_s=20)            # generous: the machine may be busy; only timeouts use short walls
SHORT = Limits(wall_s=1.0)
IS_ROOT = os.geteuid() == 0
SECRET_ENV = "TORCHKATA_SANDBOX_TEST_SECRET"


@pytest.fixture(scope="module")
def secrets_dir():
    """A world-readable directory (and file) that only hiding can protect, outside /tmp so that the
    private /tmp does not hide it by accident."""
    base = Path(tempfile.mkdtemp(prefix="tk-sandbox-test-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None))
    base.chmod(0o755)
    hidden = base / "answers"
    hidden.mkdir(mode=0o755)
    (hidden / "reference.py").write_text("ANSWER = 42\n")
    (base / "results.json").write_text('{"score": 100}')
    (base / "public.txt").write_text("anyone may read this")
    for f in (hidden / "reference.py", base / "results.json", base / "public.txt"):
        f.chmod(0o644)
    yield base
    shutil.rmtree(base, ignore_errors=True)


LEVELS = ["auto"] + (["uid", "rlimits"] if IS_ROOT else [])


@pytest.fixture(scope="module", params=LEVELS)
def server(request, secrets_dir):
    os.environ[SECRET_ENV] = "hunter2"
    try:
        srv = ForkServer(ENTRY, hidden_paths=[secrets_dir / "answers", secrets_dir / "results.json"],
                         sys_path=[HERE], isolation=request.param)
        srv.start()
    finally:
        del os.environ[SECRET_ENV]
    print(f"\n[{request.param}] isolation: {srv.isolation}")
    yield srv
    srv.close()


def call(server: ForkServer, action: str, limits: Limits = QUICK, **args) -> RunOutcome:
    return server.run(json.dumps({"action": action, **args}).encode(), limits)


def answer(outcome: Outcome):
    assert outcome.status == "ok", (outcome.status, outcome.detail, outcome.output)
    return json.loads(outcome.payload)


def needs(server: ForkServer, *protections: str) -> None:
    missing = [p for p in protections if p not in server.isolation["protections"]]
    if missing:
        pytest.skip(f"isolation level {server.isolation['level']!r} lacks {', '.join(missing)}")


def still_works(server: ForkServer) -> None:
    assert answer(call(server, "echo", value=7)) == {"echo": 7}


def pids_named(marker: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                comm = Path(f"/proc/{name}/comm").read_text().strip()
                state = Path(f"/proc/{name}/stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if comm == marker and state not in ("Z", "X"):
                found.append(int(name))
    return found


# --- plain runs ------------------------------------------------------------------------------------

def test_a_run_returns_the_entry_answer_and_its_output(server):
    outcome = call(server, "echo", value=[1, "two"])
    assert answer(outcome) == {"echo": [1, "two"]}
    assert outcome.output == "hello from the child\n"
    assert outcome.exit_code == 0 and outcome.signal is None


def test_tensors_cross_as_wire_data(server):
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    outcome = call(server, "tensors", wire=wire.encode({"x": x, "label": "probe"}).hex())
    assert outcome.status == "ok", outcome.detail
    reply = wire.decode(outcome.payload)
    torch.testing.assert_close(reply["twice"], x * 2)
    assert reply["sum"].item() == x.sum().item() and reply["label"] == "probe"


def test_the_child_is_limited_and_pinned(server):
    limits = Limits(wall_s=20, memory_bytes=3 << 30, threads=2, file_bytes=1 << 20)
    info = answer(call(server, "info", limits))
    assert info["threads"] == 2
    assert info["stdin"] == ""                                       # fd 0 is /dev/null
    assert info["limits"]["RLIMIT_AS"] == [3 << 30, 3 << 30]
    assert info["limits"]["RLIMIT_FSIZE"] == [1 << 20, 1 << 20]
    assert info["limits"]["RLIMIT_CORE"] == [0, 0]
    assert info["limits"]["RLIMIT_CPU"][1] > 0
    assert info["no_new_privs"]
    assert SECRET_ENV not in info["env"]                             # the grader's environment stays home
    assert info["env"]["OMP_NUM_THREADS"] == "1"
    if "uid-drop" in server.isolation["protections"]:
        assert info["uid"] != 0 and info["gid"] != 0
        assert info["limits"]["RLIMIT_NPROC"] == [limits.max_processes] * 2


def test_the_fork_server_imported_nothing_of_the_grader(server):
    modules = answer(call(server, "info"))["modules"]
    assert "torch" in modules and "checker.wire" in modules and "sandbox_entries" in modules
    leaked = [m for m in modules if m.split(".")[0] in ("pytest", "_pytest", "test_sandbox", "conftest")
              or m.startswith(("checker.suites", "checker.course", "checker.runner", "solutions"))]
    assert leaked == []


# --- time ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["busy", "sleep"])
def test_a_run_past_its_wall_time_is_stopped(server, action):
    outcome = call(server, action, SHORT)
    assert outcome.status == "timeout", outcome.detail
    assert outcome.payload is None
    still_works(server)


# --- memory ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["torch_bomb", "list_bomb", "python_bomb"])
def test_a_memory_bomb_is_reported_as_memory(server, action):
    outcome = call(server, action, Limits(wall_s=20, memory_bytes=2 << 30))
    assert outcome.status == "memory", (outcome.status, outcome.detail)
    assert "memory" in outcome.detail.lower() or "MemoryError" in outcome.detail
    still_works(server)


def test_an_entry_may_catch_the_memory_error_itself(server):
    reply = answer(call(server, "torch_bomb_caught", Limits(wall_s=20, memory_bytes=2 << 30)))
    assert reply["error"] == "RuntimeError" and "allocate" in reply["message"]


# --- crashes and early exits ---------------------------------------------------------------------------------

def test_a_segfault_is_a_crash_with_its_signal(server):
    outcome = call(server, "segfault")
    assert (outcome.status, outcome.signal) == ("crashed", "SIGSEGV")
    assert "Segmentation fault" in outcome.output              # faulthandler shows where
    still_works(server)


@pytest.mark.parametrize("action, words", [
    ("os_exit", "exited with code 0 before returning a result"),
    ("sys_exit", "sys.exit(0)"),
    ("keyboard_interrupt", "KeyboardInterrupt"),
])
def test_leaving_early_is_a_crash_even_with_exit_code_zero(server, action, words):
    outcome = call(server, action)
    assert outcome.status == "crashed" and outcome.payload is None
    assert words in outcome.detail
    still_works(server)


def test_a_run_that_kills_itself_is_not_ok(server):
    outcome = call(server, "self_kill")
    assert outcome.status in ("memory", "crashed") and outcome.signal == "SIGKILL"
    still_works(server)


def test_an_entry_must_return_bytes(server):
    outcome = call(server, "not_bytes", raw=True)
    assert outcome.status == "crashed" and "not bytes" in outcome.detail


def test_a_crash_does_not_disturb_the_next_run(server):
    for action in ("segfault", "os_exit", "keyboard_interrupt"):
        assert call(server, action).status == "crashed"
        assert answer(call(server, "echo", value=action)) == {"echo": action}


# --- processes left behind ------------------------------------------------------------------------------------

@pytest.fixture
def drop_box():
    """A world-writable directory a daemon can write into, where the filesystem is shared."""
    path = Path(tempfile.mkdtemp(prefix="tk-sandbox-drop-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_daemonised_grandchild_dies_with_its_run(server, drop_box):
    marker = "tk-" + secrets.token_hex(4)
    heartbeat = drop_box / "heartbeat"
    outcome = call(server, "daemon", marker=marker, path=str(heartbeat))
    assert answer(outcome) == {"started": True}
    assert pids_named(marker) == [], "a process of the run outlived it"
    if "private-tmp" not in server.isolation["protections"]:
        # Shared filesystem: the daemon wrote while the run lasted (it said so before the
        # answer), and never after. With a uid of its own, what it left was removed.
        if "uid-drop" in server.isolation["protections"]:
            assert not heartbeat.exists(), "a file the run left in a shared place survived it"
            time.sleep(0.3)
            assert not heartbeat.exists(), "something kept writing after the run ended"
        else:
            assert heartbeat.exists() and heartbeat.read_text()
            size = heartbeat.stat().st_size
            time.sleep(0.3)
            assert heartbeat.stat().st_size == size, "something kept writing after the run ended"
    still_works(server)


def test_a_hanging_run_with_a_daemon_is_killed_whole(server, drop_box):
    marker = "tk-" + secrets.token_hex(4)
    seen_alive = []
    result = {}
    worker = threading.Thread(target=lambda: result.update(
        outcome=call(server, "daemon", Limits(wall_s=3.0), marker=marker, path=str(drop_box / "beat"), hang=True)))
    worker.start()
    deadline = time.monotonic() + 30
    while worker.is_alive() and time.monotonic() < deadline and not seen_alive:
        seen_alive = pids_named(marker)
        time.sleep(0.02)
    worker.join(60)
    assert seen_alive, "the test never saw the daemon, so it proves nothing"
    assert result["outcome"].status == "timeout"
    assert pids_named(marker) == []
    for pid in seen_alive:
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/comm").read_text().strip() != marker


def test_shared_memory_does_not_outlive_the_run(server):
    reply = answer(call(server, "keep_shared_memory"))
    if "seccomp-ipc" in server.isolation["protections"]:
        assert reply["shmid"] == -1         # no IPC namespace: the filter refuses SysV IPC outright
        return
    if not {"ipc-namespace", "uid-drop"} & set(server.isolation["protections"]):
        pytest.skip("no IPC namespace and no uid of its own: the run's segments cannot be told apart")
    assert reply["shmid"] >= 0
    rows = Path("/proc/sysvipc/shm").read_text().splitlines()
    header = rows[0].split()
    owners = [dict(zip(header, row.split())) for row in rows[1:]]
    assert [o for o in owners if str(reply["uid"]) in (o["uid"], o["cuid"])] == []


def test_the_process_count_is_limited(server):
    needs(server, "process-limit")
    limits = Limits(wall_s=30, max_processes=16)
    reply = answer(call(server, "fork_many", limits, count=100))
    assert reply["children"] < 16 and reply["error"] == "BlockingIOError"
    still_works(server)


# --- nothing of one run reaches another ---------------------------------------------------------------

def test_a_run_cannot_find_earlier_or_concurrent_runs_in_its_memory(server):
    """In batch grading every submission gets the same hidden inputs: a run that could read another
    run's request (its source) or answer (its outputs) out of memory inherited from the fork server
    could copy them. Runs carry a secret in request, output and answer; another run scans its own
    memory for it."""
    marker = "TKLEAK-"
    earlier, concurrent = (marker + secrets.token_hex(8) for _ in range(2))
    assert answer(call(server, "secret_run", secret=earlier)) == {"secret": earlier}
    result = {}
    holder = threading.Thread(target=lambda: result.update(
        outcome=call(server, "secret_run", Limits(wall_s=30), secret=concurrent, linger=3)))
    holder.start()
    time.sleep(1.0)                       # the concurrent run has printed and is lingering
    found = answer(call(server, "scan_memory", Limits(wall_s=30), marker=marker))["found"]
    holder.join(60)
    assert answer(result["outcome"]) == {"secret": concurrent}
    leaked = [f for f in found if f in (earlier, concurrent)]
    assert leaked == [], f"found other runs' secrets in memory: {leaked}"


# --- output and answer sizes -----------------------------------------------------------------------------------

def test_huge_output_is_cut_and_reported(server):
    limits = Limits(wall_s=60, output_bytes=10_000)
    outcome = call(server, "shout", limits, bytes=100_000_000)
    assert answer(outcome) == {"printed": 100_000_000}
    assert outcome.output_bytes == 100_000_000
    assert len(outcome.output) < 10_000 + 200
    assert "bytes of output cut" in outcome.output
    assert outcome.output.startswith("y") and outcome.output.endswith("y\n")


def test_an_answer_over_the_limit_is_refused(server):
    outcome = call(server, "big_answer", Limits(wall_s=20, result_bytes=1 << 20), bytes=(1 << 20) + 1)
    assert outcome.status == "result-too-large" and outcome.payload is None
    at_limit = call(server, "big_answer", Limits(wall_s=20, result_bytes=1 << 20), bytes=1 << 20)
    assert at_limit.status == "ok" and at_limit.payload == b"z" * (1 << 20)


# --- what the child can see and touch ------------------------------------------------------------------------

def test_hidden_paths_cannot_be_read(server, secrets_dir):
    needs(server, "hidden-paths")
    shown = ()
    if "filesystem-allowlist" in server.isolation["protections"]:
        # Off the allowlist the folder does not exist for a run at all; shown on purpose, its
        # hidden parts stay covered.
        assert answer(call(server, "listdir", path=str(secrets_dir)))["error"] == "FileNotFoundError"
        shown = [secrets_dir]

    def ask(action, path):
        return answer(server.run(json.dumps({"action": action, "path": str(path)}).encode(), QUICK,
                                 visible_paths=shown))

    assert ask("read", secrets_dir / "public.txt")["ok"] == "anyone may read this"
    assert ask("listdir", secrets_dir / "answers") == {"ok": []}
    assert "error" in ask("read", secrets_dir / "answers" / "reference.py")
    assert ask("read", secrets_dir / "results.json") == {"ok": ""}
    ask("write", secrets_dir / "results.json")        # a hidden file is /dev/null: writes vanish
    assert (secrets_dir / "results.json").read_text() == '{"score": 100}'


def test_a_run_sees_only_the_allowlist(server):
    """Interpreter, packages, system libraries and the runtime's own module files: no other part
    of this checkout (solutions, README, the suites), no home directory, no /etc, no /work."""
    needs(server, "filesystem-allowlist")
    # A sibling of this checkout that holds the interpreter (a venv beside it) is on the way to it.
    interpreter_dirs = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix)}
    siblings = tuple(p for p in ROOT.parent.iterdir()
                     if p != ROOT and not any(d.is_relative_to(p.resolve()) for d in interpreter_dirs))
    for path in (ROOT / "solutions", ROOT / "katas.toml", ROOT / "checker" / "suites", ROOT / "checker" / "judge.py",
                 "/etc/passwd", "/home", "/run") + siblings:
        reply = answer(call(server, "listdir" if Path(path).is_dir() else "read", path=str(path)))
        assert "error" in reply, (path, reply)
    # A home directory shows at most the way to an interpreter installed inside it.
    home = Path.home()
    on_the_way = {Path(p).resolve().relative_to(home).parts[0] for p in (sys.prefix, sys.base_prefix)
                  if Path(p).resolve().is_relative_to(home)}
    reply = answer(call(server, "listdir", path=str(home)))
    assert "error" in reply or set(reply["ok"]) <= on_the_way, reply
    assert answer(call(server, "read", path=str(ROOT / "checker" / "wire.py")))["ok"] == \
        (ROOT / "checker" / "wire.py").read_text()               # the runtime's own files are there
    shown = set(answer(call(server, "listdir", path=str(ROOT / "checker")))["ok"])
    assert "wire.py" in shown and not shown & {"suites", "judge.py", "course.py", "runner.py"}
    assert set(answer(call(server, "listdir", path=str(ROOT)))["ok"]) <= {"checker", "tests"}
    on_the_way_here = {p.name for p in ROOT.parent.iterdir() if p not in siblings}
    assert set(answer(call(server, "listdir", path=str(ROOT.parent)))["ok"]) <= on_the_way_here   # no sibling checkout
    assert set(answer(call(server, "listdir", path="/etc"))["ok"]) <= {"ld.so.cache"}
    assert answer(call(server, "read", path=torch.__file__))["ok"]          # packages stay importable


def test_without_namespaces_readable_hidden_paths_are_warned_about(server, secrets_dir):
    if "hidden-paths" in server.isolation["protections"]:
        pytest.skip("this level hides paths itself")
    assert any(str(secrets_dir / "answers") in w for w in server.isolation["warnings"])


def test_the_private_tmp_hides_the_host_tmp(server, drop_box):
    needs(server, "private-tmp")
    (drop_box / "note").write_text("host tmp")
    (drop_box / "note").chmod(0o644)
    assert "error" in answer(call(server, "read", path=str(drop_box / "note")))
    shown = server.run(json.dumps({"action": "read", "path": str(drop_box / "note")}).encode(), QUICK,
                       visible_paths=[drop_box])
    assert answer(shown) == {"ok": "host tmp"}


def test_the_network_is_refused(server):
    needs_any = {"network-namespace", "seccomp-network"} & set(server.isolation["protections"])
    if not needs_any:
        pytest.skip("no network isolation at this level")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    try:
        reply = answer(call(server, "connect", port=listener.getsockname()[1]))
        assert "error" in reply
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


@pytest.mark.parametrize("where", ["checker", "site-packages"])
def test_code_directories_cannot_be_poisoned(server, where):
    protections = server.isolation["protections"]
    if "uid-drop" not in protections and "read-only-filesystem" not in protections:
        pytest.skip("learner code runs as the grader's user here; it could really write")
    target = Path(ROOT / "checker" / "sitecustomize.py") if where == "checker" else \
        Path(sysconfig.get_paths()["purelib"]) / "torchkata_planted.pth"
    assert not target.exists()
    try:
        assert "error" in answer(call(server, "write", path=str(target)))
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)


def test_the_grader_process_cannot_be_inspected(server):
    protections = server.isolation["protections"]
    if "uid-drop" not in protections and "pid-namespace" not in protections:
        pytest.skip("same user as the grader: /proc/<grader> is readable")
    reply = answer(call(server, "peek_proc", pid=os.getpid()))
    assert "error" in reply["environ"]
    if "pid-namespace" in protections:      # only the namespace's init (pid 1) and the runner itself
        assert not reply["visible"] and reply["pids"] == [1, 2]
        # The init is a root process of the grader's mount namespace: its /proc links (root,
        # cwd, fds) would lead out of the run's filesystem, and need rights over it.
        if "uid-drop" in protections:
            for link in ("root", "cwd", "fd"):
                assert "error" in answer(call(server, "listdir", path=f"/proc/1/{link}")), link
    server_env = answer(call(server, "peek_proc", pid=server.pid))["environ"]
    assert "error" in server_env


def test_limits_cannot_be_raised_again(server):
    needs(server, "uid-drop")
    reply = answer(call(server, "raise_limits"))
    assert all("error" in attempt for attempt in reply.values()), reply


# --- the server as a whole ------------------------------------------------------------------------------------

def test_parallel_runs_from_threads_keep_their_own_answers(server):
    outcomes = {}

    def worker(n):
        outcomes[n] = call(server, "sleep", Limits(wall_s=1.0)) if n == 0 else call(server, "echo", value=n)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes[0].status == "timeout"
    assert all(answer(outcomes[n]) == {"echo": n} for n in range(1, 6))


def test_many_runs_in_a_row(server):
    times = []
    for i in range(30):
        started = time.perf_counter()
        assert answer(call(server, "echo", value=i)) == {"echo": i}
        times.append(time.perf_counter() - started)
    print(f"\n[{server.isolation['level']}] round trip per run: median {statistics.median(times) * 1000:.1f} ms, "
          f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {len(times)} runs")


def test_a_dead_fork_server_is_restarted():
    with ForkServer(ENTRY, sys_path=[HERE]) as srv:
        still_works(srv)
        os.kill(srv.pid, 9)
        time.sleep(0.2)
        still_works(srv)
        assert srv.restarts == 1


def test_a_dead_fork_server_fails_its_runs_cleanly():
    with ForkServer(ENTRY, sys_path=[HERE]) as srv:
        result = {}
        worker = threading.Thread(target=lambda: result.update(outcome=call(srv, "sleep", Limits(wall_s=30))))
        worker.start()
        time.sleep(0.5)
        os.kill(srv.pid, 9)
        worker.join(30)
        assert result["outcome"].status == "sandbox-error"
        still_works(srv)


def test_detect_isolation_agrees_with_a_started_server(server):
    if server.isolation_setting != "auto":
        pytest.skip("compared once, for the automatic level")
    report = detect_isolation(server.hidden_paths)
    assert report["level"] == server.isolation["level"]
    assert set(report["protections"]) == set(server.isolation["protections"])


def test_unknown_isolation_is_refused():
    with pytest.raises(SandboxError):
        detect_isolation(isolation="bulletproof")


@pytest.mark.skipif(IS_ROOT, reason="as root every level is available")
def test_an_unavailable_isolation_level_is_refused_not_faked():
    with pytest.raises(SandboxError):
        ForkServer(ENTRY, sys_path=[HERE], isolation="uid").start()


@pytest.mark.skipif(not IS_ROOT, reason="building a run's filesystem needs root")
def test_a_python_under_a_private_tmp_dir_stays_visible():
    """A venv made in a `mktemp -d` directory (mode 700, under /tmp) must still be shown to a
    run, although the run's root is assembled on a tmpfs over /tmp: its directory is opened
    before anything is mounted."""
    from checker.sandbox import filesystem, linux
    private = tempfile.mkdtemp()                     # /tmp/tmpXXXX, mode 700, like CI's venv
    (Path(private) / "venv").mkdir()
    (Path(private) / "venv" / "marker.py").write_text("here")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            linux.unshare(linux.CLONE_NEWNS)
            plan = filesystem.filesystem_plan(hidden=[])
            plan["exposed"].append(os.path.join(private, "venv"))
            filesystem.build_filesystem(plan)
            seen = {"marker": open(os.path.join(private, "venv", "marker.py")).read(),
                    "tmp": sorted(os.listdir("/tmp")), "root": sorted(os.listdir("/")),
                    "etc": sorted(os.listdir("/etc")) if os.path.isdir("/etc") else []}
            os.write(w, json.dumps(seen).encode())
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            os.write(w, json.dumps({"error": repr(exc)}).encode())
        finally:
            os._exit(0)
    os.close(w)
    seen = json.loads(os.read(r, 1 << 16))
    os.close(r)
    os.waitpid(pid, 0)
    shutil.rmtree(private)
    assert seen.get("marker") == "here", seen
    # The way to it and, where the interpreter itself lives under /tmp (CI's venv), the way to that.
    interpreter = {Path(p).resolve().relative_to("/tmp").parts[0] for p in (sys.prefix, sys.base_prefix)
                   if Path(p).resolve().is_relative_to("/tmp")}
    assert set(seen["tmp"]) == {os.path.basename(private)} | interpreter, seen["tmp"]
    assert "home" not in seen["root"] and "proc" in seen["root"] and set(seen["etc"]) <= {"ld.so.cache"}


def test_a_launched_server_serves_without_an_explicit_start():
    """`launch` returns before the server has imported torch; the first run waits for it."""
    srv = ForkServer(ENTRY, sys_path=[HERE])
    srv.launch()
    try:
        assert srv.pid is None                      # not greeted yet: launch did not wait
        still_works(srv)
        assert srv.pid is not None and srv.restarts == 0
    finally:
        srv.close()


def test_a_launched_server_that_is_closed_unused_leaves_no_process():
    srv = ForkServer(ENTRY, sys_path=[HERE])
    srv.launch()
    proc = srv._launched[0]
    srv.close()
    assert proc.poll() is not None


def test_the_cli_can_launch_the_server_before_importing_torch():
    """kata grade starts its fork server first, so both `import torch` run at once: everything
    it needs for that is importable without torch."""
    import subprocess
    import sys
    code = ("import sys, checker.course_sandbox, checker.sandbox; "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr


# --- descriptors, messages and memory a run could abuse ----------------------------------------------

def _grab_fd(pid: int, fd: int) -> int:
    """A copy of descriptor `fd` of process `pid` (pidfd_getfd): what a process the run passed
    its pipe ends to would hold."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        got = libc.syscall(438, pidfd, fd, 0)              # pidfd_getfd, the same on x86_64 and aarch64
        if got < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd")
        return got
    finally:
        os.close(pidfd)


@pytest.mark.skipif(not IS_ROOT, reason="taking another process's descriptors needs root")
def test_the_server_never_waits_on_a_pipe_end_held_elsewhere(server):
    """A run passes its answer and output pipe ends to a process that outlives it (here: this
    test takes copies). The run is still answered when it ends, and the wall clock of a run
    started meanwhile is still enforced."""
    marker = "tk-" + secrets.token_hex(4)
    result = {}
    holder = threading.Thread(target=lambda: result.update(
        held=call(server, "name_and_linger", Limits(wall_s=30), marker=marker, linger=2)))
    holder.start()
    deadline = time.monotonic() + 20
    while not pids_named(marker) and time.monotonic() < deadline:
        time.sleep(0.02)
    [pid] = pids_named(marker)
    held = [_grab_fd(pid, fd) for fd in (1, 2, 3)]
    try:
        started = time.monotonic()
        assert call(server, "sleep", Limits(wall_s=1.0)).status == "timeout"
        holder.join(30)
        assert answer(result["held"]) == {"done": True}
        assert time.monotonic() - started < 20, "the server stalled on the held pipe ends"
        still_works(server)
    finally:
        for fd in held:
            os.close(fd)


def test_a_forged_message_is_cut_before_it_is_passed_on(server):
    outcome = call(server, "forged_raise", Limits(wall_s=20, result_bytes=64 << 20), bytes=50 << 20)
    assert outcome.status == "crashed"
    assert len(outcome.detail) < 20 << 10


def test_memory_outside_the_address_space_is_bounded(server):
    """1.25 GiB held in memfd and /dev/shm files under a 768 MiB limit: a memory cgroup kills
    the run; without one, memfd is refused and the private /dev/shm is small. Never does a run
    come back holding more than its limit."""
    protections = server.isolation["protections"]
    if "memory-cgroup" not in protections and "private-tmp" not in protections:
        pytest.skip("no memory cgroup and a shared /dev/shm: files written there are counted only one by one "
                    f"(the level warns: {server.isolation['warnings']})")
    limits = Limits(wall_s=60, memory_bytes=768 << 20, file_bytes=64 << 20)
    outcome = call(server, "hoard", limits, mib=1280)
    if outcome.status != "memory":
        reply = answer(outcome)
        assert reply["held_mib"] < 768 and reply["stopped"], reply
    if "memory-cgroup" in protections:
        assert outcome.status == "memory" and "memory" in outcome.detail, (outcome.status, outcome.detail)
    still_works(server)


def test_unix_sockets_only_inside_a_network_namespace(server):
    """Without a network namespace, abstract unix socket names are shared by the whole machine
    (other runs, the host's daemons): no sockets at all there."""
    needs(server, "seccomp-network")
    reply = answer(call(server, "unix_socket"))
    if "network-namespace" in server.isolation["protections"]:
        assert "ok" in reply, reply
    else:
        assert reply.get("error") == "PermissionError", reply


def test_hiding_the_hosts_tmp_leaves_the_run_its_own_writable_tmp():
    """`kata grade --out /tmp/results.json` hides /tmp (the results' folder): a run's private /tmp
    already hides the host's, and must stay writable for code that uses temporary files."""
    with ForkServer(ENTRY, hidden_paths=["/tmp", "/dev/shm"], sys_path=[HERE]) as srv:
        needs(srv, "private-tmp")
        for path in ("/tmp/scratch.txt", "/dev/shm/scratch.txt"):
            assert answer(call(srv, "write", path=path)) == {"ok": True}, path


def test_hiding_the_folder_that_holds_the_interpreter_keeps_the_interpreter():
    """`kata grade --out ~/results.json` hides the home folder, which may hold the venv: only
    the folder's other contents vanish (they are not in the allowlist anyway), not the venv."""
    holder = os.path.dirname(os.path.realpath(sys.prefix))
    if holder == "/":
        pytest.skip("the interpreter sits directly under /")
    with ForkServer(ENTRY, hidden_paths=[holder], sys_path=[HERE]) as srv:
        needs(srv, "filesystem-allowlist")
        still_works(srv)
        library = os.path.realpath(torch.__file__)           # lazily imported modules live there
        assert answer(call(srv, "read", path=library)) == {"ok": Path(library).read_text()}
