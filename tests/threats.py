"""The hostile submissions of the standing adversarial suite, and what builds them.

Each source is a whole kata file a learner could hand in: most are the correct
03_reductions/reductions with an attack added (at import, in every graded call, or in front of
wrong values, so that a pass means the attack fooled the grader). tests/test_adversarial.py
grades them through `kata grade`; tests/test_autograder_attacks.py through the exported
Gradescope `run_autograder`. Both import them from here, so an attack is written once.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import site
import subprocess
import sys
from pathlib import Path

from checker import ROOT

ATTACKED = "03_reductions/reductions"
BYSTANDER = "04_indexing/gather"
REDUCTIONS = ("column_sums", "row_sums", "masked_mean", "logsumexp")
# Unique per test session: the daemon carries it in its argv and environment, and planted files
# carry it in their names, so `ps` and a directory listing find exactly what this suite started.
MARKER = f"tkadv{secrets.token_hex(6)}"
REFERENCE = (ROOT / "solutions" / f"{ATTACKED}.py").read_text()
# The in-place and tuple-returning kata: where a forged reply once hid a wrong answer.
GD_STEP = "07_gradient_descent/gd_step"
# The isolation levels this machine gives (uid and rlimits are levels below root's best).
LEVELS = ["auto"] + (["uid", "rlimits"] if os.geteuid() == 0 else [])
SEED = 48213907          # distinctive: a submission that finds it anywhere prints it
SOCKET_NAME = f"\\0tkfd-{MARKER}"
# A poisoner is only let loose where one of these keeps it from writing.
POISON_GUARDS = {"read-only-filesystem", "uid-drop"}
WATCHED = [ROOT / "checker" / name for name in ("probe.py", "__init__.py", "runner.py", "judge.py", "wire.py")]


# ---------------------------------------------------------------------------------------------
# Hostile sources
# ---------------------------------------------------------------------------------------------

def at_import(attack: str) -> str:
    """The correct reductions, with `attack` run when the file is imported."""
    return f"import os, sys, time, ctypes, torch\n{attack}\n\n{REFERENCE}"


def in_every_call(attack: str) -> str:
    """The correct reductions, with `attack` run at the start of every graded call: a pass means
    the attack did nothing."""
    body = "\n".join("    " + line for line in attack.strip().splitlines())
    return f"""{REFERENCE}

import os, sys, time, ctypes


def _attack():
{body}


def _attacked(honest):
    def graded(*args, **kwargs):
        _attack()
        return honest(*args, **kwargs)
    return graded


{", ".join(REDUCTIONS)} = map(_attacked, ({", ".join(REDUCTIONS)}))
"""


def off_by_one(prelude: str) -> str:
    """Wrong reductions (the right answer plus one, so never right), after `prelude` ran at import.
    A pass means the prelude fooled the grader."""
    return f"""{REFERENCE}

import os, sys, time, torch
{prelude}


def _off_by_one(honest):
    def graded(*args, **kwargs):
        return honest(*args, **kwargs) + 1
    return graded


{", ".join(REDUCTIONS)} = map(_off_by_one, ({", ".join(REDUCTIONS)}))
"""


MONKEYPATCH = off_by_one("""
import torch.testing
always = lambda *args, **kwargs: True
torch.testing.assert_close = lambda *args, **kwargs: None
torch.testing._comparison.assert_close = lambda *args, **kwargs: None
torch.allclose = torch.equal = torch.isclose = always
torch.Tensor.allclose = torch.Tensor.equal = always
torch.Tensor.__eq__ = torch.Tensor.__ne__ = lambda self, other: True
""")

CLAIMS_EQUALITY = f"""{REFERENCE}

class Liar(torch.Tensor):
    '''A tensor subclass that equals everything, however it is compared.'''

    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False
    __hash__ = torch.Tensor.__hash__

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.equal, torch.allclose, torch.Tensor.equal, torch.Tensor.allclose):
            return True
        return super().__torch_function__(func, types, args, kwargs or {{}})


class Anything:
    '''Not a tensor at all, but equal to everything.'''

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__
    __bool__ = lambda self: True


def column_sums(scores):
    return torch.zeros(scores.shape[1]).as_subclass(Liar)


def row_sums(scores):
    return Anything()


def masked_mean(x, mask, dim):
    return torch.full_like(x.sum(dim), 7.0).as_subclass(Liar)


def logsumexp(x, dim):
    return Anything()
"""

# Change the inputs so a grader that re-ran the reference on them afterwards would agree: zeroed
# inputs have zero sums, and an all-false mask makes the masked mean 0 everywhere.
MUTATES_INPUTS = f"""{REFERENCE}

_honest = dict(column_sums=column_sums, row_sums=row_sums, masked_mean=masked_mean, logsumexp=logsumexp)


def column_sums(scores):
    scores.detach().zero_()
    return _honest["column_sums"](scores)


def row_sums(scores):
    scores.detach().zero_()
    return _honest["row_sums"](scores)


def masked_mean(x, mask, dim):
    mask.zero_()
    return _honest["masked_mean"](x, mask, dim)


def logsumexp(x, dim):
    x.detach().zero_()
    return _honest["logsumexp"](x, dim)
"""

# Copy the reference out of the grader's own tree, through every door: the path computed from the
# checker package, the suites, the git objects, a directory listing. Whatever it finds is used.
READS_GRADING_TREE = f"""
import checker, pathlib
_root = pathlib.Path(checker.__file__).resolve().parent.parent
_found = {{}}
for _rel in ("solutions/{ATTACKED}.py", "checker/suites/{ATTACKED}.py", ".git/HEAD"):
    try:
        _found[_rel] = (_root / _rel).read_text()
        print("READ", _rel, len(_found[_rel]), "chars")
    except OSError as exc:
        print("REFUSED", _rel, type(exc).__name__)
for _dir in ("solutions", "checker/suites", ".git"):
    try:
        print("LISTED", _dir, sorted(os.listdir(_root / _dir)))
    except OSError as exc:
        print("REFUSED", _dir, type(exc).__name__)
"""
READS_REFERENCE = off_by_one(READS_GRADING_TREE) + f"""

# Whatever was stolen replaces the wrong functions above.
if _found.get("solutions/{ATTACKED}.py"):
    exec(_found["solutions/{ATTACKED}.py"])
"""

# Look for the expected values in this process: every tensor the garbage collector knows of and
# every local of every frame on the stack. To be as strong as possible the attack uses an oracle
# (the right answer, computed here) to pick the right candidate; it must still find none, because
# expected values never leave the grader. Walking the heap is slow, so each function walks it
# once, at its first call whose answer is distinctive (a lone 0.0 would match by chance in any
# process).
WALKS_MEMORY = f"""{REFERENCE}

import gc, inspect

_honest = dict(column_sums=column_sums, row_sums=row_sums, masked_mean=masked_mean, logsumexp=logsumexp)
_walks = dict.fromkeys(_honest, 1)


def _steal(name, args):
    oracle = _honest[name](*args).detach()
    if _walks[name] == 0 or oracle.numel() < 2 or oracle.unique().numel() < 2:
        return torch.zeros_like(oracle)
    _walks[name] -= 1
    gc.collect()                     # drop this attack's own leftovers from earlier calls
    mine = {{id(a) for a in args}} | {{id(oracle)}}
    candidates = [o for o in gc.get_objects() if isinstance(o, torch.Tensor) and id(o) not in mine]
    stack = inspect.stack()
    for info in stack:
        candidates += [v for v in info.frame.f_locals.values() if isinstance(v, torch.Tensor) and id(v) not in mine]
    del stack, info                  # frames hold their locals: keep no cycles alive
    found = [c for c in candidates
             if c.shape == oracle.shape and c.dtype == oracle.dtype and torch.equal(c.detach(), oracle)]
    del candidates
    print("WALKED", name)
    if found:
        print("FOUND expected values for", name)
        return found[0]
    return torch.zeros_like(oracle)


def column_sums(scores):
    return _steal("column_sums", (scores,))


def row_sums(scores):
    return _steal("row_sums", (scores,))


def masked_mean(x, mask, dim):
    return _steal("masked_mean", (x, mask, dim))


def logsumexp(x, dim):
    return _steal("logsumexp", (x, dim))
"""


def forges_results(targets: list[str]) -> str:
    """Wrong reductions that try to overwrite the results: at paths the learner was told, at any
    path a grader's command line on /proc reveals, and from a daemon that outlives the run."""
    return off_by_one(f"""
import glob, json
FORGED = json.dumps({{"score": 100, "forged": True}})
targets = {targets!r}
for pid_dir in glob.glob("/proc/[0-9]*"):
    try:
        argv = open(pid_dir + "/cmdline", "rb").read().split(b"\\0")
    except OSError:
        continue
    for flag in (b"--out", b"--out-dir"):
        if flag in argv and argv.index(flag) + 1 < len(argv):
            found = argv[argv.index(flag) + 1].decode()
            print("CMDLINE", pid_dir, flag.decode(), found)
            targets.append(found)
for target in targets:
    for path in (target, os.path.join(target, "summary.csv")):
        try:
            with open(path, "w") as fh:
                fh.write(FORGED)
            print("WROTE", path)
        except OSError as exc:
            print("REFUSED", path, type(exc).__name__)

# A daemon: double fork and setsid, then exec a fresh python that keeps rewriting the results
# for a while after grading should be over, with the marker in its argv and environment. Where
# the sandbox user may not exec the interpreter, the forked copy itself is the daemon, named by
# the marker (its /proc comm, cut to 15 characters like every comm).
daemon = '''
import sys, time
print("DAEMON ALIVE", flush=True)
deadline = time.time() + 12
while time.time() < deadline:
    for path in sys.argv[2:]:
        try:
            open(path, "w").write('{{"score": 100, "daemon": true}}')
        except OSError:
            pass
    time.sleep(0.2)
'''
if os.fork() == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            os.environ["TK_DAEMON"] = "{MARKER}"
            try:
                os.execv(sys.executable, [sys.executable, "-c", daemon, "{MARKER}"] + targets)
            except OSError:
                import ctypes
                ctypes.CDLL(None).prctl(15, b"{MARKER}"[:15], 0, 0, 0)     # PR_SET_NAME
                sys.argv = ["daemon", "{MARKER}"] + targets
                exec(daemon)
    finally:
        os._exit(0)
time.sleep(0.3)
""")


def poisons_site(plant_dirs: list[str]) -> str:
    """Wrong reductions that try to plant files for later gradings to load: a .pth and a
    sitecustomize.py wherever Python looks at start-up, and a line added to the checker's own
    modules. The payloads are inert comments. And where the code finds itself running as this
    test's own user on a writable filesystem (no sandbox worth the name), it only says so and
    writes nothing: the test fails without harming the interpreter or the checkout."""
    return off_by_one(f"""
import checker, pathlib
_checker = pathlib.Path(checker.__file__).resolve().parent
_dirs = {plant_dirs!r} + sys.path + [str(_checker)]
_plants = [os.path.join(d, n) for d in _dirs for n in ("{MARKER}.pth", "sitecustomize.py", "usercustomize.py")]
_patches = [_checker / name for name in {[p.name for p in WATCHED]!r}]
_read_only = all(os.statvfs(d).f_flag & os.ST_RDONLY for d in _dirs if os.path.isdir(d))
if os.getuid() == {os.getuid()} and not _read_only:
    print("UNGUARDED: running as the grader's user on a writable filesystem")
    _plants = _patches = []
for _path, _mode, _done in [(p, "x", "PLANTED") for p in _plants] + [(p, "a", "PATCHED") for p in _patches]:
    try:
        with open(_path, _mode) as fh:
            fh.write("# {MARKER}\\n")
        print(_done, _path)
    except OSError as exc:
        print("REFUSED", _path, type(exc).__name__)
""")


def forges_replies(wrong: str, forgeries: dict[str, str]) -> str:
    """`wrong` (a kata file with wrong values), with the probe runtime replaced inside its own
    process: the replies of each graded name in `forgeries` are forged the way it names, after
    the real probes ran. The ways: "replies reordered", "keys dropped" (every fact but the
    status-like ones), "fake status" (each reply only says it passed), "lists emptied" (every
    list in a reply, an in-place update's tensors included) and "items emptied, length kept"
    (a sequence's items gone, its declared length left)."""
    return f'''{wrong}

import checker.probe as _probe

_FORGERIES = {forgeries!r}
_FACTS = ("output", "after", "mutated", "aliases", "grads", "param_grads", "state", "counts", "error")
_real_run_probes = _probe.run_probes


def _emptied(value, only=None):
    if isinstance(value, list):
        return [] if only is None else [_emptied(v, only) for v in value]
    if isinstance(value, dict):
        return {{k: [] if k == only else _emptied(v, only) for k, v in value.items()}}
    return value


def _forge(how, replies):
    if how == "replies reordered":
        return replies[::-1]
    if how == "keys dropped":
        return [{{k: v for k, v in r.items() if k not in _FACTS}} for r in replies]
    if how == "fake status":
        return [{{"status": "passed", "passed": True, "ok": True}} for r in replies]
    if how == "lists emptied":
        return [_emptied(r) for r in replies]
    if how == "items emptied, length kept":
        return [_emptied(r, only="items") for r in replies]
    raise ValueError(how)


def _forged_run_probes(ns, specs, filename=None):
    replies = _real_run_probes(ns, specs, filename)
    for target, how in _FORGERIES.items():
        mine = [i for i, spec in enumerate(specs) if spec.get("target") == target]
        for i, forged in zip(mine, _forge(how, [replies[i] for i in mine])):
            replies[i] = forged
    return replies


_probe.run_probes = _forged_run_probes
'''


# Wrong reductions, each graded name's replies forged a different way.
FORGES_REPLIES = forges_replies(off_by_one(""), {
    "column_sums": "replies reordered", "row_sums": "keys dropped", "masked_mean": "fake status",
    "logsumexp": "lists emptied"})
# The review's own finding: an sgd_step_ that does nothing and a fit that returns nothing,
# passed once by emptying the in-place update's tensors and the tuple's items.
FORGES_INPLACE_REPLIES = forges_replies('''import torch


def sgd_step_(params, lr):
    return None


def fit_linear_regression(X, y, lr, epochs):
    return None, None, None
''', {"sgd_step_": "lists emptied", "fit_linear_regression": "items emptied, length kept"})

# Wrong reductions whose run hands its answer and output pipes (fds 3, 1, 2) to a detached
# grandchild named by the marker, which keeps writing into them for a minute: a server that
# waited for the pipes' end, or took what comes after the run as its answer, would stall or be
# fooled, and the katas graded after it would suffer.
HOLDS_DESCRIPTORS = off_by_one(f"""
import ctypes
if os.fork() == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, b"{MARKER}"[:15], 0, 0, 0)     # PR_SET_NAME
            _deadline = time.time() + 60
            while time.time() < _deadline:
                for _fd in (3, 1, 2):
                    try:
                        os.write(_fd, b"HELD" * 1024)
                    except OSError:
                        pass
    finally:
        os._exit(0)
time.sleep(0.2)
""")


HUGE_RESULT = f"""{REFERENCE}

_honest_column_sums = column_sums
_first = [True]


def column_sums(scores):
    if _first.pop() if _first else False:
        return torch.ones(80 << 20, dtype=torch.uint8)
    return _honest_column_sums(scores)
"""

# The guide's example, answered by rote: right there, wrong on any other input.
HARD_CODED = f"""import torch

GUIDE_ANSWER = [[10.0], [15.0], [17.0]]


def is_guide_example(data, index):
    return data.shape == (3, 3) and index.tolist() == [[0], [2], [1]]


def pick_per_row(data, cols):
    if is_guide_example(data, cols):
        return torch.tensor(GUIDE_ANSWER)
    return torch.zeros(cols.shape, dtype=data.dtype)


def gather_2d(data, dim, index):
    if is_guide_example(data, index) and dim in (1, -1):
        return torch.tensor(GUIDE_ANSWER)
    return torch.zeros(index.shape, dtype=data.dtype)


def token_log_probs(logits, targets):
    return torch.zeros(targets.shape)
"""

# Each threat: (attacked kata, source, the status every graded name of it must get).
THREATS = {
    "sys_exit_at_import": (ATTACKED, at_import("sys.exit(0)"), "import-error"),
    "os_exit_at_import": (ATTACKED, at_import("os._exit(0)"), "crashed"),
    "sys_exit_in_call": (ATTACKED, in_every_call("sys.exit(0)"), "error"),
    "os_exit_in_call": (ATTACKED, in_every_call("os._exit(0)"), "crashed"),
    "endless_loop": (ATTACKED, in_every_call("while True:\n    pass"), "timeout"),
    "slow_import": (ATTACKED, at_import("time.sleep(30)"), "timeout"),
    "torch_memory_bomb": (ATTACKED, in_every_call("torch.empty(10**11).fill_(1)"), "memory"),
    "list_memory_bomb": (ATTACKED, in_every_call(
        "hoard = []\nwhile True:\n    hoard.append(torch.empty(1 << 28, dtype=torch.uint8))"),
                         "memory"),
    "segfault": (ATTACKED, in_every_call("ctypes.string_at(0)"), "crashed"),
    "keyboard_interrupt": (ATTACKED, in_every_call("raise KeyboardInterrupt"), "error"),
    "keyboard_interrupt_at_import": (ATTACKED, at_import("raise KeyboardInterrupt"), "import-error"),
    "monkeypatched_comparisons": (ATTACKED, MONKEYPATCH, "failed"),
    "claims_equality": (ATTACKED, CLAIMS_EQUALITY, "failed"),
    "mutates_inputs": (ATTACKED, MUTATES_INPUTS, "failed"),
    "reads_reference": (ATTACKED, READS_REFERENCE, "failed"),
    "walks_memory": (ATTACKED, WALKS_MEMORY, "failed"),
    "huge_output": (ATTACKED, off_by_one(
        "sys.stdout.write('x' * (100 << 20))\nsys.stdout.flush()\n"
        "sys.stdout.buffer.write(b'\\x00\\x1b[2J\\xff\\xfe\\xed\\xa0\\x80 ]]> </failure> \\\"}')"), "failed"),
    # An answer far larger than any expected one (80 MiB): refused before it reaches the grader.
    "huge_result": (ATTACKED, HUGE_RESULT, "crashed"),
    "hard_coded_example": (BYSTANDER, HARD_CODED, "failed"),
    "forges_replies": (ATTACKED, FORGES_REPLIES, "failed"),
    "forges_inplace_replies": (GD_STEP, FORGES_INPLACE_REPLIES, "failed"),
}
# Threats only OS support contains; where the grader says it lacks the support, they are skipped.
NEEDS_HIDDEN_PATHS = {"reads_reference"}


def make_submission(folder: Path, kata_id: str, source: str) -> None:
    """`source` as the attacked kata, and the reference of the other kata beside it."""
    other = BYSTANDER if kata_id == ATTACKED else ATTACKED
    (folder / kata_id).parent.mkdir(parents=True, exist_ok=True)
    (folder / f"{kata_id}.py").write_text(source)
    (folder / other).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "solutions" / f"{other}.py", folder / f"{other}.py")


def fingerprint(paths) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def marked_processes() -> list[str]:
    """Processes carrying the marker in their command line or environment."""
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    found = [line for line in ps.splitlines() if MARKER in line and "ps -eo" not in line]
    found += [f"{pid} (by its name)" for pid in pids_named(MARKER[:15])]
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if f"TK_DAEMON={MARKER}".encode() in Path(f"/proc/{name}/environ").read_bytes():
                    found.append(f"{name} (by its environment)")
            except OSError:
                continue
    return found


def pids_named(comm: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                named = Path(f"/proc/{name}/comm").read_text().strip() == comm
                state = Path(f"/proc/{name}/stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if named and state not in ("Z", "X"):
                found.append(int(name))
    return found


def plant_dirs(tree: Path = ROOT) -> list[str]:
    """Where a planted .pth or sitecustomize.py would run in a later grading by `tree`."""
    dirs = site.getsitepackages() + [site.getusersitepackages(), str(tree), str(tree / "checker")] + sys.path
    return sorted({os.path.realpath(d) for d in dirs if d and os.path.isdir(d)})


def plant_paths(tree: Path = ROOT) -> list[Path]:
    return [Path(d) / name for d in plant_dirs(tree)
            for name in (f"{MARKER}.pth", "sitecustomize.py", "usercustomize.py")]




def fd_passer() -> str:
    """Wrong values, and at import: hand this run's answer and output pipes to a classmate's run
    over a unix socket, so that the classmate could hold them open or write into them."""
    return off_by_one(f"""
import array, socket
try:
    _s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _deadline = time.time() + 3
    while True:
        try:
            _s.connect({SOCKET_NAME!r})
            break
        except OSError:
            if time.time() > _deadline:
                raise
            time.sleep(0.05)
    _s.sendmsg([b"fds"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [1, 2, 3]))])
    print("SENT the pipe ends")
except OSError as exc:
    print("REFUSED", type(exc).__name__)
""")


FD_RECEIVER = f"""{REFERENCE}

import array, socket, time
try:
    _s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _s.bind({SOCKET_NAME!r})
    _s.listen(1)
    _s.settimeout(3)
    _conn, _ = _s.accept()
    _fds = array.array("i")
    _msg, _anc, _, _ = _conn.recvmsg(16, socket.CMSG_LEN(3 * _fds.itemsize))
    print("RECEIVED", len(_anc), "descriptor messages")
    time.sleep(60)                   # hold them: a server waiting on them would stall
except OSError as exc:
    print("REFUSED", type(exc).__name__)
"""


def looks_for_secrets(roots) -> str:
    """Code that looks for the seed on every command line and environment in sight, and reads
    every file under `roots` (of a zip archive, its copy of the attacked kata's reference). It
    prints what it finds and keeps it: `_seen` says what was found, with a piece of each file,
    and `_stolen` holds any reference solution."""
    return f"""
import glob, zipfile
_seen, _stolen = [], []


def _piece(text):
    # Where a file gives itself away: a reference from its solution on, anything else from its start.
    return repr(text[max(text.find("# BEGIN SOLUTION"), 0):][:160])


def _texts(path):
    if not path.endswith(".zip"):
        with open(path, errors="replace") as fh:
            return {{path: fh.read()}}
    with zipfile.ZipFile(path, metadata_encoding="utf-8") as archive:     # no cp437 codec to import
        return {{f"{{path}}:{{n}}": archive.read(n).decode(errors="replace")
                for n in archive.namelist() if n.endswith("solutions/{ATTACKED}.py")}}


for _d in glob.glob("/proc/[0-9]*"):
    for _f in ("cmdline", "environ"):
        try:
            if b"{SEED}" in open(_d + "/" + _f, "rb").read():
                print("SEEN SEED in", _d, _f)
                _seen.append(f"SEEN SEED {SEED} in {{_d}}/{{_f}}")
        except OSError:
            pass
for _root in {[str(r) for r in roots]!r}:
    for _path in [_root] + glob.glob(_root + "/**/*", recursive=True):
        try:
            _read = _texts(_path) if os.path.isfile(_path) else {{}}
        except Exception as exc:
            _seen.append(f"REFUSED {{_path}} {{type(exc).__name__}}")
            continue
        for _name, _text in _read.items():
            print("READ", _name)
            _seen.append(f"READ {{_name}}: {{_piece(_text)}}")
            if "# BEGIN SOLUTION" in _text:
                _stolen.append(_text)
"""


def reads_secrets(batch_root: str, other_checkout: str) -> str:
    """Wrong values, after looking for the seed on every command line and environment in sight,
    for the classmates' submissions in the batch folder, and for another checkout."""
    return off_by_one(looks_for_secrets([batch_root, other_checkout]))


def steals(roots) -> str:
    """Wrong values, unless a reference turns up: in the grading tree beside the probe runtime
    (READS_GRADING_TREE), under `roots`, or in a zip there. A stolen reference replaces the
    wrong functions, so a theft earns points. Otherwise every graded call fails with an error
    that tells the learner all that was found (pieces of files, the seed): wherever the grader
    shows that message, the attack would have leaked what it read."""
    return off_by_one(READS_GRADING_TREE + looks_for_secrets(roots)) + f"""

for _rel, _text in _found.items():
    _seen.append(f"READ {{_rel}}: {{_piece(_text)}}")
    if "# BEGIN SOLUTION" in _text:
        _stolen.append(_text)
if _stolen:
    exec(_stolen[0])
else:
    def _tell(*args, **kwargs):
        raise RuntimeError("LOOKED for secrets; found: " + (" | ".join(_seen) or "nothing"))

    {", ".join(REDUCTIONS)} = {", ".join(["_tell"] * len(REDUCTIONS))}
"""


LEAVES_BEHIND = f"""{REFERENCE}

import ctypes, os
_libc = ctypes.CDLL(None, use_errno=True)
for _where in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock"):
    try:
        open(f"{{_where}}/{MARKER}-left", "w").write("left behind")
        os.makedirs(f"{{_where}}/{MARKER}-dir/deeper", exist_ok=True)
        print("LEFT", _where)
    except OSError as exc:
        print("REFUSED", _where, type(exc).__name__)
print("SHM", _libc.shmget(0, 1 << 20, 0o1000 | 0o666), "MSG", _libc.msgget(0, 0o1000 | 0o666))
_libc.mq_open.restype = ctypes.c_int
print("MQ", _libc.mq_open(b"/{MARKER}", 0o100 | 0o2, 0o666, None))
"""

# A correct submission that holds 2 GiB in memfd and /dev/shm files while it is graded.
HOARDS_MEMORY = f"""{REFERENCE}

import os
_kept = []
_held = 0
for _i in range(1 << 10):
    if _held >= 2048:
        break
    try:
        _fd = os.memfd_create("hoard")
        _kept.append(_fd)
        _f = open(_fd, "wb", closefd=False)
    except OSError:
        _f = open(f"/dev/shm/hoard-{MARKER}-{{_i}}", "wb")
    try:
        with _f:
            for _ in range(4):
                _f.write(b"h" * (16 << 20))
                _held += 16
    except OSError:
        pass
print("HELD", _held, "MiB")
"""

# A runtime replaced from inside: each exception comes back with a 2 MB message (and every
# spec of the kata raises one).
HUGE_MESSAGE = off_by_one("""
import checker.probe as _probe
_describe = _probe.describe_exception
_probe.describe_exception = lambda exc, filename: dict(_describe(exc, filename), message="m" * (2 << 20))
""") + """

def column_sums(scores):
    raise ValueError("never mind")
"""

# name -> (source maker, the status of the attacked kata at every level)
LEVEL_THREATS = {
    "a_fd_passer": (lambda root, other: fd_passer(), "failed"),
    "a_fd_receiver": (lambda root, other: FD_RECEIVER, "passed"),
    "reads_secrets": (reads_secrets, "failed"),
    "leaves_behind": (lambda root, other: LEAVES_BEHIND, "passed"),
    "huge_message": (lambda root, other: HUGE_MESSAGE, None),
    "hoards_memory": (lambda root, other: HOARDS_MEMORY, "memory"),
}

