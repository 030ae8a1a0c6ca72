"""`kata export`: run torchkata's course grader on the platforms courses already use.

gradescope OUT.zip
    An autograder zip. Gradescope unpacks it into /autograder/source, runs `setup.sh` once when
    it builds the image, then runs `run_autograder` once per submission. setup.sh makes a venv
    with the CPU build of torch and an editable install of the bundled torchkata tree;
    run_autograder grades /autograder/submission with `kata grade --format gradescope` and
    always leaves a valid /autograder/results/results.json, even when the grader itself fails.
    The bundled tree carries the reference solutions and suites: /autograder/source is never
    shown to students, and `kata grade` hides those paths from the learner's child process.

github-classroom DIR
    A student template repository: `.github/workflows/classroom.yml`, which grades
    exercises/ on every push and hands the score to GitHub Classroom's grading reporter, plus
    fresh stubs in exercises/ for any kata file the template does not have yet. That workflow
    runs inside the student's own repository, so nothing it installs (references included) is
    secret from a student who looks; see CLASSROOM_CAVEAT.

Why installs are editable: `checker.ROOT` is the directory above the checker package, and
grading reads katas.toml, solutions/ and checker/suites/ from there. A wheel carries only the
checker package, so a non-editable install would grade with no manifest and no references.

Environment knobs (each read when the script runs; defaults baked in at export time):
    setup.sh        TORCHKATA_TORCH_SPEC   requirement for torch            (default "torch")
                    TORCHKATA_TORCH_INDEX  index torch comes from (default: PyTorch's CPU index;
                                           empty: pip's normal index)
                    TORCHKATA_PIP_ARGS     extra arguments for every pip call (mirror, proxy...)
                    TORCHKATA_VENV         where the venv goes      (default <root>/torchkata-venv)
    run_autograder  TORCHKATA_PYTHON       interpreter that has torchkata's dependencies
                                           (default: the venv setup.sh made)
                    TORCHKATA_GRADE_ARGS   extra `kata grade` arguments (--timeout 20, --kata ...)
                    TORCHKATA_HIDDEN_AFTER_DUE=1   per-test details only after the due date
                    TORCHKATA_TIME_LIMIT   seconds for the whole submission   (default 540)
    both            TORCHKATA_AUTOGRADER_ROOT      (default /autograder; tests point it at a
                                                    temporary tree laid out the same way)
"""
from __future__ import annotations

import ast
import os
import re
import shlex
import sys
import zipfile
from pathlib import Path

from checker import ROOT, __version__

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
SOURCE_DIR = "torchkata"                      # where the tree sits inside /autograder/source
TOP_LEVEL_FILES = ("pyproject.toml", "README.md", "katas.toml")
TREE_DIRS = ("checker", "solutions")
SKIPPED_NAMES = {"__pycache__"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)             # the earliest time a zip entry can hold
DEFAULT_TIME_LIMIT_S = 540                    # under Gradescope's default 10-minute limit
CLASSROOM_PYTHON = "3.11"
CLASSROOM_RUNNER_ID = "torchkata"             # reporter reads env TORCHKATA_RESULTS
CLASSROOM_WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
INSTALL_SPEC_ENV = "TORCHKATA_INSTALL_SPEC"
# A pip requirement, URL or path, with nothing a shell or YAML double-quoted string would act on.
_SAFE_SPEC = re.compile(r"[A-Za-z0-9._~:/@#+=?&%!,\-\[\]]+")


class ExportError(ValueError):
    """The grader cannot be exported as asked; the message says what to fix."""


# ---------------------------------------------------------------------------------------------
# The bundled source tree
# ---------------------------------------------------------------------------------------------

def _skipped(rel: Path) -> bool:
    return any(part.startswith(".") or part in SKIPPED_NAMES for part in rel.parts) \
        or rel.name.endswith(SKIPPED_SUFFIXES)


def source_files(root: Path = ROOT) -> list[tuple[str, Path]]:
    """(path inside the tree, file on disk) for everything the autograder needs, sorted.

    Only the top-level files and checker/ and solutions/ travel: not exercises/, notebooks/,
    tests/, benchmarks/, git metadata, build leftovers or caches."""
    root = Path(root)
    found = [(name, root / name) for name in TOP_LEVEL_FILES if (root / name).is_file()]
    for top in TREE_DIRS:
        for path in (root / top).rglob("*"):
            rel = path.relative_to(root)
            if path.is_file() and not path.is_symlink() and not _skipped(rel):
                found.append((rel.as_posix(), path))
    return sorted(found)


def problems(root: Path = ROOT) -> list[str]:
    """Why an autograder built from `root` would fail every submission; empty when it would not.

    `kata grade` plans every kata against its reference before it grades anything, so one
    missing suite or reference, or one file with a syntax error, stops every grading run."""
    from checker import manifest
    root = Path(root)
    found = [f"{name} is missing" for name in ("pyproject.toml", "katas.toml", "checker/__init__.py")
             if not (root / name).is_file()]
    if found:
        return found
    try:
        katas = manifest.load(root / "katas.toml")
    except (ValueError, KeyError, OSError) as exc:
        return [f"katas.toml cannot be read: {exc}"]
    for kata in katas:
        for label, path in (("reference", root / "solutions" / kata.relpath),
                            ("suite", root / "checker" / "suites" / kata.relpath)):
            if not path.is_file():
                found.append(f"{kata.id}: no {label} at {path.relative_to(root).as_posix()}")
    for name, path in source_files(root):
        if name.endswith(".py"):
            try:
                ast.parse(path.read_bytes(), filename=name)
            except (SyntaxError, ValueError) as exc:
                found.append(f"{name}: does not parse ({exc})")
    return found


def total_points(root: Path = ROOT) -> int:
    """What a full score is: one point per graded name in the manifest."""
    from checker import manifest
    try:
        return sum(len(k.graded) for k in manifest.load(Path(root) / "katas.toml"))
    except (ValueError, KeyError, OSError):
        return 0


# ---------------------------------------------------------------------------------------------
# Gradescope
# ---------------------------------------------------------------------------------------------

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# Written by `kata export gradescope` (torchkata __VERSION__).
set -euo pipefail
umask 022           # the venv must stay readable by the unprivileged uid learner code runs as

AUTOGRADER="${TORCHKATA_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$AUTOGRADER/source/__SOURCE_DIR__"
VENV="${TORCHKATA_VENV:-$AUTOGRADER/torchkata-venv}"
TORCH_SPEC="${TORCHKATA_TORCH_SPEC:-__TORCH_SPEC__}"
TORCH_INDEX="${TORCHKATA_TORCH_INDEX-__TORCH_INDEX__}"
PIP_ARGS="${TORCHKATA_PIP_ARGS:-}"

# The base image has python3, but not always the venv module or pip.
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
# shellcheck disable=SC2086  # PIP_ARGS holds several words on purpose
"$PY" -m pip install $PIP_ARGS --upgrade pip

# torch first, from the CPU index: the default Linux wheel drags in gigabytes of CUDA
# libraries that a Gradescope container has no GPU for. Once torch is there, installing
# torchkata finds its torch requirement met and fetches nothing more for it.
index_args=()
[ -n "$TORCH_INDEX" ] && index_args=(--index-url "$TORCH_INDEX")
# shellcheck disable=SC2086
"$PY" -m pip install $PIP_ARGS ${index_args[@]+"${index_args[@]}"} "$TORCH_SPEC"

# Editable, so checker.ROOT is the bundled tree: grading reads katas.toml, solutions/ and
# checker/suites/ from there, and a wheel would carry none of them.
# shellcheck disable=SC2086
"$PY" -m pip install $PIP_ARGS -e "$SOURCE"

"$PY" -m checker list >/dev/null
"$PY" -W ignore -c "import torch, checker; print('torchkata', checker.__version__, 'with torch', torch.__version__, 'is ready')"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this once per submission (from a copy at /autograder/run_autograder).
# Written by `kata export gradescope` (torchkata __VERSION__).
#
# It grades /autograder/submission into /autograder/results/results.json and always leaves a
# valid results file there: if the grader cannot run, stops early, runs out of time or writes
# something unreadable, the student gets score 0 and a message saying why, not a broken page.
set -uo pipefail

AUTOGRADER="${TORCHKATA_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$AUTOGRADER/source/__SOURCE_DIR__"
SUBMISSION="$AUTOGRADER/submission"
RESULTS="$AUTOGRADER/results/results.json"
PYTHON="${TORCHKATA_PYTHON:-${TORCHKATA_VENV:-$AUTOGRADER/torchkata-venv}/bin/python}"
TIME_LIMIT="${TORCHKATA_TIME_LIMIT:-__TIME_LIMIT__}"
MAX_SCORE=__MAX_SCORE__

args=(-m checker grade "$SUBMISSION" --format gradescope --out "$RESULTS")
args+=(__EXTRA_ARGS__)
if [ "${TORCHKATA_HIDDEN_AFTER_DUE:-0}" = 1 ]; then
    args+=(--hidden-after-due)
fi
if [ -n "${TORCHKATA_GRADE_ARGS:-}" ]; then
    set -f                              # split into words, but never expand globs
    # shellcheck disable=SC2206
    args+=(${TORCHKATA_GRADE_ARGS})
    set +f
fi

limit=()
if command -v timeout >/dev/null 2>&1; then
    limit=(timeout --kill-after=15 "$TIME_LIMIT")
fi

mkdir -p "$(dirname "$RESULTS")"
rm -f "$RESULTS"                        # never report a results file this run did not write
# Where the container forbids namespaces (Docker's default, as on Gradescope), the sandbox keeps
# the references and suites from the learner's unprivileged uid by file permissions alone: take
# every permission on them away from everyone but their owner. The results folder only loses
# write access for others; Gradescope's harness must still be able to read it.
chmod -R go-rwx "$SOURCE/solutions" "$SOURCE/checker/suites" 2>/dev/null || true
chmod go-w "$(dirname "$RESULTS")" 2>/dev/null || true
LOG="$(mktemp "${TMPDIR:-/tmp}/torchkata-grade.XXXXXX")"
trap 'rm -f "$LOG"' EXIT

# PYTHONPATH puts the bundled tree first, so this tree (its manifest, references and suites)
# is what grades even when $PYTHON's own torchkata install points somewhere else.
PYTHONPATH="$SOURCE${PYTHONPATH:+:$PYTHONPATH}" \
    ${limit[@]+"${limit[@]}"} "$PYTHON" "${args[@]}" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}

results_are_valid() {
    [ -s "$RESULTS" ] || return 1
    command -v python3 >/dev/null 2>&1 || return 0     # cannot look inside; trust the grader
    python3 - "$RESULTS" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as fh:
        data = json.load(fh)
except Exception:
    sys.exit(1)
numeric = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
ok = (isinstance(data, dict) and numeric(data.get("score"))
      and isinstance(data.get("tests", []), list)
      and all(isinstance(t, dict) for t in data.get("tests", [])))
sys.exit(0 if ok else 1)
PY
}

if results_are_valid; then
    exit 0
fi

# JSON string body: printable ASCII, tab and newline only (so the file is valid UTF-8 whatever
# the log held), then backslashes, quotes and control characters escaped.
json_text() {
    local s
    s="$(printf '%s' "$1" | LC_ALL=C tr -cd '\11\12\40-\176')"
    s="${s//\\/\\\\}"
    s="${s//\"/\\\"}"
    s="${s//$'\t'/\\t}"
    s="${s//$'\n'/\\n}"
    printf '%s' "$s"
}

if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    reason="grading took longer than $TIME_LIMIT s and was stopped."
elif [ "$status" -eq 126 ] || [ "$status" -eq 127 ]; then
    reason="the grader's Python ($PYTHON) could not be started; did setup.sh finish?"
elif [ -e "$RESULTS" ]; then
    reason="the grader wrote a results file that is not valid Gradescope JSON (exit status $status)."
else
    reason="the grader stopped with exit status $status before writing any results."
fi
message="The autograder could not grade this submission: $reason This is a fault in the grader, not a verdict on your code; please tell the course staff."
log_tail="$(tail -c 2000 "$LOG" 2>/dev/null)"
output="$message"
if [ -n "$log_tail" ]; then
    output="$output

Last lines of the grader's log:
$log_tail"
fi

tmp="$RESULTS.tmp.$$"
cat >"$tmp" <<EOF
{
  "score": 0,
  "output": "$(json_text "$output")",
  "output_format": "text",
  "visibility": "visible",
  "stdout_visibility": "hidden",
  "tests": [
    {
      "name": "torchkata grader",
      "number": "0",
      "score": 0,
      "max_score": $MAX_SCORE,
      "status": "failed",
      "output": "$(json_text "$message")",
      "visibility": "visible"
    }
  ]
}
EOF
mv -f "$tmp" "$RESULTS"
echo "torchkata: wrote a fallback results.json: $reason" >&2
exit 0
"""


def _fill(template: str, **values) -> str:
    for key, value in values.items():
        template = template.replace(f"__{key.upper()}__", str(value))
    leftover = re.findall(r"__[A-Z_]+__", template)
    if leftover:
        raise AssertionError(f"unfilled placeholders: {leftover}")
    return template


def render_setup_sh(*, torch_spec: str | None = None, torch_index: str | None = None) -> str:
    torch_spec = torch_spec or os.environ.get("TORCHKATA_TORCH_SPEC") or "torch"
    if torch_index is None:
        torch_index = os.environ.get("TORCHKATA_TORCH_INDEX", TORCH_CPU_INDEX)
    for label, value in (("torch spec", torch_spec), ("torch index", torch_index)):
        if value and not _SAFE_SPEC.fullmatch(value):
            raise ExportError(f"the {label} {value!r} has characters a shell script would act on")
    return _fill(SETUP_SH, version=__version__, source_dir=SOURCE_DIR, torch_spec=torch_spec,
                 torch_index=torch_index)


def render_run_autograder(*, extra_args=(), max_score: float = 0,
                          time_limit_s: int = DEFAULT_TIME_LIMIT_S) -> str:
    return _fill(RUN_AUTOGRADER, version=__version__, source_dir=SOURCE_DIR,
                 extra_args=" ".join(shlex.quote(str(a)) for a in extra_args),
                 max_score=f"{max_score:g}", time_limit=int(time_limit_s))


def _zip_entry(name: str, executable: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.create_system = 3                    # Unix, so unzip honours the permission bits
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_zip(dest: Path, entries: list[tuple[str, bytes, bool]]) -> Path:
    """A reproducible zip: entries sorted by name, fixed timestamps and modes, no directory
    entries, written beside `dest` first and moved into place."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name, data, executable in sorted(entries):
                zf.writestr(_zip_entry(name, executable), data, compresslevel=9)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def export_gradescope(dest_zip: Path, *, root: Path = ROOT, extra_args=(), strict: bool = True,
                      torch_spec: str | None = None, torch_index: str | None = None,
                      time_limit_s: int = DEFAULT_TIME_LIMIT_S) -> Path:
    """Build the Gradescope autograder zip at `dest_zip` from the torchkata tree at `root`.

    extra_args are baked into run_autograder's `kata grade` call (e.g. --hidden-after-due,
    --timeout 20). strict=True refuses a tree whose grader would fail every submission (a kata
    without its suite or reference, a file that does not parse)."""
    root = Path(root)
    if strict:
        found = problems(root)
        if found:
            raise ExportError("this tree would fail every submission:\n  " + "\n  ".join(found))
    entries = [("setup.sh", render_setup_sh(torch_spec=torch_spec, torch_index=torch_index).encode(), True),
               ("run_autograder", render_run_autograder(extra_args=extra_args, max_score=total_points(root),
                                                        time_limit_s=time_limit_s).encode(), True)]
    entries += [(f"{SOURCE_DIR}/{name}", path.read_bytes(), False) for name, path in source_files(root)]
    return write_zip(Path(dest_zip), entries)


# ---------------------------------------------------------------------------------------------
# GitHub Classroom
# ---------------------------------------------------------------------------------------------

CLASSROOM_CAVEAT = (
    "This workflow runs in the student's own repository, on a runner the student's commits\n"
    "control, and it installs torchkata with its reference solutions. It gives fast feedback\n"
    "on every push; it is not tamper-proof. Grade work that counts with `kata grade --batch`\n"
    "or the Gradescope export, where learner code never sees the grader."
)

# The grading step's script. `kata grade` exits 1 when any kata fails, so its status is
# collected rather than allowed to stop the step; checker.classroom then always sets the
# `result` output, writing an error result when grading produced nothing readable.
CLASSROOM_GRADE_SCRIPT = """\
status=0
kata grade "$TORCHKATA_EXERCISES" --format exercism --out "$RUNNER_TEMP/torchkata/results.json" $TORCHKATA_GRADE_ARGS || status=$?
python -m checker.classroom "$RUNNER_TEMP/torchkata/results.json" --grade-status "$status" --exercises "$TORCHKATA_EXERCISES"
"""

CLASSROOM_YML = """\
# Written by `kata export github-classroom` (torchkata __VERSION__).
#
# Grades exercises/ with torchkata on every push and reports the points to GitHub Classroom
# through its grading reporter. The reporter finds the scores by the name of this workflow
# and its job, so keep "Autograding Tests" and "run-autograding-tests" as they are, and add
# no autograding tests in Classroom's web form: Classroom writes its own classroom.yml then.
#
__CAVEAT__
#
# TORCHKATA_INSTALL is what `pip install -e` gets: a git URL pinned to a tag or commit
# (git+https://github.com/ORG/torchkata.git@v1#egg=torchkata) or a path inside this repo.
# The install is editable because grading reads katas.toml, solutions/ and checker/suites/
# from the torchkata source tree.
name: Autograding Tests
"on":
  - push
  - workflow_dispatch
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    env:
      TORCHKATA_INSTALL: "__INSTALL_SPEC__"
      TORCHKATA_EXERCISES: "__EXERCISES__"
      TORCHKATA_GRADE_ARGS: "__GRADE_ARGS__"
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "__PYTHON__"
      - name: Install torch (CPU build) and torchkata
        run: |
          python -m pip install torch --index-url __TORCH_INDEX__
          python -m pip install --src "$RUNNER_TEMP/torchkata-src" -e "$TORCHKATA_INSTALL"
      - name: Grade the katas
        id: __RUNNER_ID__
        run: |
__GRADE_SCRIPT__
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          __RESULTS_ENV__: "${{ steps.__RUNNER_ID__.outputs.result }}"
        with:
          runners: __RUNNER_ID__
"""


def classroom_install_spec(install_spec: str | None = None) -> str:
    spec = install_spec or os.environ.get(INSTALL_SPEC_ENV, "").strip()
    if not spec:
        raise ExportError(
            f"say where the workflow installs torchkata from: set {INSTALL_SPEC_ENV} to a pip spec "
            "such as git+https://github.com/ORG/torchkata.git@v1#egg=torchkata (pin a tag or "
            "commit), or to a path inside the template repository that holds the source tree "
            "(every student's repository then carries the reference solutions)")
    if not _SAFE_SPEC.fullmatch(spec):
        raise ExportError(f"the install spec {spec!r} has characters a shell or YAML string would act on")
    return spec


def render_classroom_workflow(install_spec: str, *, exercises: str = "exercises", grade_args: str = "",
                              python: str = CLASSROOM_PYTHON) -> str:
    for label, value in (("exercises directory", exercises), ("grade arguments", grade_args.replace(" ", ""))):
        if value and not _SAFE_SPEC.fullmatch(value):
            raise ExportError(f"the {label} {value!r} has characters a shell or YAML string would act on")
    script = "\n".join(f"          {line}" for line in CLASSROOM_GRADE_SCRIPT.splitlines())
    caveat = "\n".join(f"# {line}" for line in CLASSROOM_CAVEAT.splitlines())
    return _fill(CLASSROOM_YML, version=__version__, caveat=caveat, install_spec=install_spec,
                 exercises=exercises, grade_args=grade_args, python=python, torch_index=TORCH_CPU_INDEX,
                 runner_id=CLASSROOM_RUNNER_ID, grade_script=script,
                 results_env=f"{CLASSROOM_RUNNER_ID.upper()}_RESULTS")


def export_github_classroom(dest_dir: Path, *, install_spec: str | None = None, root: Path = ROOT,
                            stubs: bool = True) -> list[Path]:
    """Write the grading workflow into the template repository `dest_dir`, plus a fresh stub
    for every kata whose exercises/ file the template lacks (existing files are never
    replaced: a template's stubs may have been edited on purpose). Returns the paths written."""
    from checker import authoring, manifest
    spec = classroom_install_spec(install_spec)
    dest_dir = Path(dest_dir)
    written = []
    workflow = dest_dir / CLASSROOM_WORKFLOW
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(render_classroom_workflow(spec), encoding="utf-8")
    written.append(workflow)
    if stubs:
        for kata in manifest.load(Path(root) / "katas.toml"):
            target = dest_dir / "exercises" / kata.relpath
            reference = Path(root) / "solutions" / kata.relpath
            if target.exists() or not reference.is_file():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            stub = authoring.render_stub(kata, reference.read_text(encoding="utf-8"))
            target.write_text(stub, encoding="utf-8")
            written.append(target)
    return written


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------

def export_command(args) -> int:
    dest = Path(args.dest)
    try:
        if args.platform == "gradescope":
            if dest.suffix != ".zip":
                raise ExportError(f"{dest} should end in .zip: Gradescope takes the autograder as a zip")
            extra = tuple(getattr(args, "grade_args", None) or ())
            path = export_gradescope(dest, extra_args=extra)
            print(f"wrote {path} ({len(zipfile.ZipFile(path).namelist())} files)")
            print("upload it as the assignment's autograder (zip upload); Gradescope runs setup.sh "
                  "once, then run_autograder for each submission")
            return 0
        if args.platform == "github-classroom":
            written = export_github_classroom(dest, install_spec=getattr(args, "install", None))
            for path in written:
                print(f"wrote {path}")
            print(f"commit {dest} as the assignment's template repository.\n" + CLASSROOM_CAVEAT)
            return 0
        raise ExportError(f"unknown platform {args.platform!r}")
    except ExportError as exc:
        print(f"kata export: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kata export: {exc}", file=sys.stderr)
        return 1
