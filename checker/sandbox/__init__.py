"""Run untrusted code in limited child processes, forked from a server that paid `import torch` once.

    with ForkServer("checker.probe:serve", hidden_paths=[solutions, suites, results_dir]) as server:
        outcome = server.run(request_bytes, Limits(wall_s=10))
        if outcome.status == "ok":
            reply = wire.decode(outcome.payload)      # plain data only; the parent judges

The sandbox moves bytes and knows nothing of probes: the child calls the trusted entry function
`entry(request: bytes) -> bytes` named by a "module:function" string. How each run is isolated
depends on what the OS allows; `ForkServer.isolation` (or `detect_isolation()`) says what was
actually applied, and warns about what was not:

  namespaces+uid  root and namespaces allowed (a VM, a privileged container). Fresh PID, mount,
                  network and IPC namespaces per run. The filesystem is an allowlist (see
                  filesystem.py): interpreter, packages, system libraries and the runtime's own
                  module files, read-only, a private /tmp and /dev/shm, and nothing else: no other
                  checkout, no export zip, no batch folder, no home directory. No network, only
                  the run's own processes in /proc; runs as a per-run unprivileged uid with
                  no_new_privs. When the run's namespace ends the kernel kills every process in
                  it, daemons included.
  uid             root, but namespaces forbidden (a default Docker container, where unshare and
                  mount are refused). Per-run unprivileged uid, no_new_privs; seccomp refuses
                  every socket (abstract unix names are shared by the whole machine) and SysV and
                  POSIX IPC. Leftover processes, and files the uid left in /tmp, /var/tmp,
                  /dev/shm and the lock directories (in world-writable folders within them too),
                  are removed after the run. What cannot be done here: an allowlist. The
                  filesystem is protected by permissions only, so whatever is world-readable is
                  readable (hidden paths that are get a warning; `kata grade --batch` closes its
                  batch folder to "other" while it grades), and files left in other
                  world-writable places are not searched for.
  rlimits-only    not root. Limits, timeouts and the kill sweep still hold, but learner code runs as
                  the grader's own user: it is not a security boundary.

Every level enforces from outside the child: wall time, address space (RLIMIT_AS), process count,
file size, open files, no core dumps, captured and capped output and messages, pinned threads, a
fresh fd table and a scrubbed environment. Memory is bounded by a cgroup per run where the
kernel lets us make one (cgroup v2, else v1: memory and pids; needs root): it counts shared
memory, memfd and tmpfs pages, which RLIMIT_AS does not. Without one, memfd is refused (where
seccomp works) and a namespaced run's private /dev/shm and /tmp are small;
`isolation["memory_bound"]` lists what applied. And at every level no run can find another
run's request or answer in its memory: the server keeps learner data out of its heap (see
framing.Buffer); nor can it stall the server by passing its pipe ends on (a finished run's
pipes are read up to the first empty read, never to an EOF).

The package, one concern per module:

  client      ForkServer, Limits, RunOutcome, detect_isolation: what the grader uses
  framing     frames on the control socket, the answer record, Buffer
  linux       namespaces, mounts, seccomp, rlimits, per-run uids, clean-up of shared places
  filesystem  the allowlisted filesystem a namespaced run gets
  cgroups     per-run memory and process-count bounds
  children    the process of a run (the runner), and the sweeps that kill what runs leave
  server      the fork server's loop: start runs, enforce wall clocks, judge how runs ended
  detect      what the OS allows here (imports no torch)
"""
from checker.sandbox.client import STATUSES, ForkServer, Limits, RunOutcome, SandboxError, detect_isolation

__all__ = ["STATUSES", "ForkServer", "Limits", "RunOutcome", "SandboxError", "detect_isolation"]
