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

The scripts and the workflow are jinja2 templates in checker/templates/ (gradescope_*.sh.j2,
classroom*.j2); this module checks every value that goes into them.

What the zip carries: the course being exported (its katas.toml, solutions/ and suites, from a
clone, an instructor's folder or the copy inside an installed wheel) laid out like a clone beside
the checker package that is running, and a pyproject.toml made for it. setup.sh installs that
tree editable, so the grader reads the course from /autograder/source, where students never look.

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
import json
import os
import re
import shlex
import sys
import zipfile
from pathlib import Path

import jinja2

from checker import __version__, course_root, emitters
from checker.course_root import Course, tomllib   # tomllib, or tomli on Python 3.10

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
SOURCE_DIR = "torchkata"                      # where the tree sits inside /autograder/source
SKIPPED_NAMES = {"__pycache__"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)             # the earliest time a zip entry can hold
DEFAULT_TIME_LIMIT_S = 540                    # under Gradescope's default 10-minute limit
CLASSROOM_PYTHON = "3.11"
CLASSROOM_RUNNER_ID = "torchkata"             # reporter reads env TORCHKATA_RESULTS
# The actions the workflow uses, at their current major versions (checkout and setup-python
# run on Node 24 from v5 and v6 on; v7 is current for both). The grading reporter has only v1.
CLASSROOM_ACTIONS = {
    "checkout": "actions/checkout@v7",
    "setup_python": "actions/setup-python@v7",
    "reporter": "classroom-resources/autograding-grading-reporter@v1",
}
CLASSROOM_WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
INSTALL_SPEC_ENV = "TORCHKATA_INSTALL_SPEC"
# A pip requirement, URL or path, with nothing a shell or YAML double-quoted string would act on.
_SAFE_SPEC = re.compile(r"[A-Za-z0-9._~:/@#+=?&%!,\-\[\]]+")
TEMPLATES = Path(__file__).resolve().parent / "templates"


class ExportError(ValueError):
    """The grader cannot be exported as asked; the message says what to fix."""


# ---------------------------------------------------------------------------------------------
# The bundled source tree
# ---------------------------------------------------------------------------------------------

def _skipped(rel: Path) -> bool:
    return any(part.startswith(".") or part in SKIPPED_NAMES for part in rel.parts) \
        or rel.name.endswith(SKIPPED_SUFFIXES)


def _files_under(folder: Path, *, top_only: bool = False):
    """(path relative to folder, file) for the files worth shipping under `folder`."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*") if top_only else folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not path.is_symlink() and not _skipped(rel):
            yield rel, path


def _course(root: Path | Course | None) -> Course:
    if isinstance(root, Course):
        return root
    return Course(Path(root)) if root is not None else course_root.current().course


def source_files(root: Path | Course | None = None) -> list[tuple[str, Path]]:
    """(path inside the bundled tree, file on disk) for everything the autograder needs, sorted.

    The tree is laid out like a clone, whatever the course came from (a clone, an instructor's
    folder, or the copy inside an installed wheel): the course's katas.toml, solutions/ and
    suites, and the checker package that is running now, minus the course a wheel carries. The
    installed suites' shared helpers come along too, so a course's suites can import them; the
    course's own files win where names meet. Never shipped: exercises/, notebooks/, tests/,
    git metadata, build leftovers, caches."""
    course = _course(root)
    package = course_root.package_dir()
    files = {"katas.toml": course.manifest} if course.manifest.is_file() else {}
    files.update((f"solutions/{rel.as_posix()}", path) for rel, path in _files_under(course.solutions))
    files.update((f"checker/{rel.as_posix()}", path) for rel, path in _files_under(package)
                 if rel.parts[0] not in (course_root.PACKAGED_DIR, "suites"))
    files.update((f"checker/suites/{rel.as_posix()}", path)
                 for rel, path in _files_under(package / "suites", top_only=True))
    files.update((f"checker/suites/{rel.as_posix()}", path) for rel, path in _files_under(course.suites))
    return sorted(files.items())


def _runtime_requirements() -> list[str]:
    """What the running torchkata needs at run time, for the bundled tree's pyproject.toml: from
    the installed distribution's metadata, else (a clone used through PYTHONPATH) its pyproject."""
    from importlib import metadata
    try:
        found = metadata.requires("torchkata") or []
        return [r for r in found if "extra ==" not in r]
    except metadata.PackageNotFoundError:
        clone = course_root.checkout_root()
        if clone is None or not (clone / "pyproject.toml").is_file():
            raise ExportError("cannot tell torchkata's requirements: it is neither installed nor a clone")
        return list(tomllib.loads((clone / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"])


def render_pyproject() -> str:
    """The bundled tree's pyproject.toml: just enough for `pip install -e` of the checker package
    with torchkata's own requirements (the course files are read from the tree, not installed)."""
    # JSON strings are TOML basic strings: requirements may hold quotes (environment markers).
    return render_template("gradescope_pyproject.toml.j2",
                           requirements=[json.dumps(r) for r in _runtime_requirements()])


def problems(root: Path | Course | None = None) -> list[str]:
    """Why an autograder built from the course at `root` (default: the current course) would
    fail every submission; empty when it would not.

    `kata grade` plans every kata against its reference before it grades anything, so one
    missing suite or reference, or one file with a syntax error, stops every grading run."""
    from checker import manifest
    course = _course(root)
    if not course.manifest.is_file():
        return [f"{course.manifest} is missing"]
    try:
        katas = manifest.load(course.manifest)
    except (ValueError, KeyError, OSError) as exc:
        return [f"katas.toml cannot be read: {exc}"]
    found = []
    for kata in katas:
        for label, path, name in (("reference", course.solutions / kata.relpath, f"solutions/{kata.relpath}"),
                                  ("suite", course.suites / kata.relpath, f"checker/suites/{kata.relpath}")):
            if not path.is_file():
                found.append(f"{kata.id}: no {label} at {name}")
    for name, path in source_files(course):
        if name.endswith(".py"):
            try:
                ast.parse(path.read_bytes(), filename=name)
            except (SyntaxError, ValueError) as exc:
                found.append(f"{name}: does not parse ({exc})")
    return found


def total_points(root: Path | Course | None = None) -> int:
    """What a full score is: one point per graded name in the manifest."""
    from checker import manifest
    try:
        return sum(len(k.graded) for k in manifest.load(_course(root).manifest))
    except (ValueError, KeyError, OSError):
        return 0


# ---------------------------------------------------------------------------------------------
# Gradescope
# ---------------------------------------------------------------------------------------------




# The shell scripts and the workflow are files under checker/templates/, rendered with jinja2
# like the stub template, but with their own delimiters: Jinja's defaults collide with bash
# (`${#array[@]}` opens a Jinja comment) and with GitHub's `${{ expression }}`.
_SCRIPT_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    variable_start_string="<@", variable_end_string="@>",
    block_start_string="<%", block_end_string="%>",
    comment_start_string="<#", comment_end_string="#>",
    undefined=jinja2.StrictUndefined,     # a value the caller forgot is an error, never ""
    keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, autoescape=False,
)


def render_template(name: str, **values) -> str:
    """checker/templates/`name` with `values` filled in (every placeholder must get one)."""
    return _SCRIPT_TEMPLATES.get_template(name).render(version=__version__, **values)


def render_setup_sh(*, torch_spec: str | None = None, torch_index: str | None = None) -> str:
    torch_spec = torch_spec or os.environ.get("TORCHKATA_TORCH_SPEC") or "torch"
    if torch_index is None:
        torch_index = os.environ.get("TORCHKATA_TORCH_INDEX", TORCH_CPU_INDEX)
    for label, value in (("torch spec", torch_spec), ("torch index", torch_index)):
        if value and not _SAFE_SPEC.fullmatch(value):
            raise ExportError(f"the {label} {value!r} has characters a shell script would act on")
    return render_template("gradescope_setup.sh.j2", source_dir=SOURCE_DIR, torch_spec=torch_spec,
                           torch_index=torch_index)


def render_run_autograder(*, extra_args=(), max_score: float = 0,
                          time_limit_s: int = DEFAULT_TIME_LIMIT_S) -> str:
    return render_template("gradescope_run_autograder.sh.j2", source_dir=SOURCE_DIR,
                           results_format=emitters.FORMATS["gradescope"].name,
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
    entries, written beside `dest` first and moved into place. Readable by its owner only, from
    its first byte: it holds every reference solution, and where learner code runs under a uid
    of its own without a filesystem allowlist (the sandbox's uid level), permissions are all
    that keep a copy on the grading machine out of its reach."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh, \
                zipfile.ZipFile(fh, "w") as zf:
            for name, data, executable in sorted(entries):
                zf.writestr(_zip_entry(name, executable), data, compresslevel=9)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def export_gradescope(dest_zip: Path, *, root: Path | Course | None = None, extra_args=(), strict: bool = True,
                      torch_spec: str | None = None, torch_index: str | None = None,
                      time_limit_s: int = DEFAULT_TIME_LIMIT_S) -> Path:
    """Build the Gradescope autograder zip at `dest_zip` from the course at `root` (default: the
    current course) and the checker package that is running.

    extra_args are baked into run_autograder's `kata grade` call (e.g. --hidden-after-due,
    --timeout 20). strict=True refuses a course whose grader would fail every submission (a kata
    without its suite or reference, a file that does not parse). The zip holds the references:
    it is written readable by its owner only, and never inside the course or a workspace, where
    graded code or a commit could reach it."""
    course = _course(root)
    _refuse_inside_graded_tree(Path(dest_zip), course)
    if strict:
        found = problems(course)
        if found:
            raise ExportError("this course would fail every submission:\n  " + "\n  ".join(found))
    entries = [("setup.sh", render_setup_sh(torch_spec=torch_spec, torch_index=torch_index).encode(), True),
               ("run_autograder", render_run_autograder(extra_args=extra_args, max_score=total_points(course),
                                                        time_limit_s=time_limit_s).encode(), True),
               (f"{SOURCE_DIR}/pyproject.toml", render_pyproject().encode(), False)]
    entries += [(f"{SOURCE_DIR}/{name}", path.read_bytes(), False) for name, path in source_files(course)]
    return write_zip(Path(dest_zip), entries)


def default_gradescope_zip() -> Path:
    """Where `kata export gradescope` writes when no path is given: outside every course."""
    return Path.home() / "torchkata-exports" / "gradescope-autograder.zip"


def _refuse_inside_graded_tree(dest: Path, course: Course) -> None:
    """The autograder zip carries every reference solution. Inside the course folder or the
    learner's workspace it would be one `git add` away from students, and where learner code runs
    as another uid on the grader's filesystem (the uid isolation level) a world-readable copy
    there is the answer key."""
    dest = dest.expanduser().resolve()
    trees = {course.root}
    location = course_root.current()
    if location.workspace is not None:
        trees.add(location.workspace.root)
    for tree in trees:
        if dest.is_relative_to(tree):
            raise ExportError(f"{dest} is inside {tree}, which is graded or shared with learners, and the "
                              f"zip holds every reference solution: write it somewhere else "
                              f"(the default is {default_gradescope_zip()})")


# ---------------------------------------------------------------------------------------------
# GitHub Classroom
# ---------------------------------------------------------------------------------------------

CLASSROOM_CAVEAT = (
    "This workflow runs in the student's own repository, on a runner the student's commits\n"
    "control, and it installs torchkata with its reference solutions. It gives fast feedback\n"
    "on every push; it is not tamper-proof. Grade work that counts with `kata grade --batch`\n"
    "or the Gradescope export, where learner code never sees the grader."
)




def classroom_grade_script() -> str:
    """The workflow's grading step, as a bash script run from the student's repository root."""
    return render_template("classroom_grade.sh.j2", results_format=emitters.FORMATS["exercism"].name)


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
    script = "\n".join(f"          {line}" for line in classroom_grade_script().splitlines())
    caveat = "\n".join(f"# {line}" for line in CLASSROOM_CAVEAT.splitlines())
    return render_template("classroom.yml.j2", caveat=caveat, install_spec=install_spec,
                           exercises=exercises, grade_args=grade_args, python=python,
                           torch_index=TORCH_CPU_INDEX, runner_id=CLASSROOM_RUNNER_ID, grade_script=script,
                           actions=CLASSROOM_ACTIONS,
                           results_env=f"{CLASSROOM_RUNNER_ID.upper()}_RESULTS")


def export_github_classroom(dest_dir: Path, *, install_spec: str | None = None, root: Path | Course | None = None,
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
        course = _course(root)
        for kata in manifest.load(course.manifest):
            target = dest_dir / "exercises" / kata.relpath
            reference = course.solutions / kata.relpath
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
    try:
        if args.platform == "gradescope":
            dest = Path(args.dest).expanduser() if args.dest else default_gradescope_zip()
            if dest.suffix != ".zip":
                raise ExportError(f"{dest} should end in .zip: Gradescope takes the autograder as a zip")
            extra = tuple(getattr(args, "grade_args", None) or ())
            path = export_gradescope(dest, extra_args=extra)
            print(f"wrote {path} ({len(zipfile.ZipFile(path).namelist())} files)")
            print("upload it as the assignment's autograder (zip upload); Gradescope runs setup.sh "
                  "once, then run_autograder for each submission")
            return 0
        if args.platform == "github-classroom":
            if not args.dest:
                raise ExportError("say which template repository folder to write the workflow into")
            dest = Path(args.dest)
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
