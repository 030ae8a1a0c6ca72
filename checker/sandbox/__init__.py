"""Run untrusted code in limited child processes, forked from a server that paid `import torch` once.

    with ForkServer("checker.probe:serve", hidden_paths=[solutions, suites, results_dir]) as server:
        outcome = server.run(request_bytes, Limits(wall_s=10))
        if outcome.status == "ok":
            reply = wire.decode(outcome.payload)      # plain data only; the parent judges

The sandbox moves bytes and knows nothing of probes: the child calls the trusted entry function
`entry(request: bytes) -> bytes` named by a "module:function" string. How each run is isolated
depends on what the OS allows; `ForkServer.isolation` (or `detect_isolation()`) says what was
actually applied, and warns about what was not:

  namespaces+uid  root and namespaces allowed (a VM, a privileged container). Fresh PID, mount and
                  network namespaces per run: the whole filesystem read-only, a private /tmp, hidden
                  paths covered by empty directories, no network, only the run's own processes in
                  /proc; runs as a per-run unprivileged uid with no_new_privs. When the run's pid 1
                  dies the kernel kills every process in it, daemons included.
  uid             root, but namespaces forbidden (a default Docker container, where unshare and
                  mount are refused). Per-run unprivileged uid, no_new_privs, seccomp refuses
                  network sockets; leftover processes, files in /tmp and SysV IPC of that uid are
                  removed after the run. The filesystem is protected by permissions only: hidden
                  paths must not be world-readable (a warning names those that are).
  rlimits-only    not root. Limits, timeouts and the kill sweep still hold, but learner code runs as
                  the grader's own user: it is not a security boundary.

Every level enforces from outside the child: wall time, address space (RLIMIT_AS), process count,
file size, no core dumps, captured and capped output, pinned threads, a fresh fd table and a
scrubbed environment. And at every level no run can find another run's request or answer in
its memory: the server keeps learner data out of its heap (see framing.Buffer).

The package, one concern per module:

  client      ForkServer, Limits, RunOutcome, detect_isolation: what the grader uses
  framing     frames on the control socket, the answer record, Buffer
  linux       namespaces, mounts, seccomp, rlimits, per-run uids, clean-up of shared places
  filesystem  the view of the filesystem a namespaced run gets
  children    the process of a run (the runner), and the sweeps that kill what runs leave
  server      the fork server's loop: start runs, enforce wall clocks, judge how runs ended
  detect      what the OS allows here (imports no torch)
"""
from checker.sandbox.client import STATUSES, ForkServer, Limits, RunOutcome, SandboxError, detect_isolation

__all__ = ["STATUSES", "ForkServer", "Limits", "RunOutcome", "SandboxError", "detect_isolation"]
