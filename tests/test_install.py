"""torchkata as a user gets it: built into an sdist, the wheel built from that sdist, installed
into a fresh venv outside any clone. There `kata init` makes a workspace in which `pytest`,
`kata check` and `kata grade` work; an unrelated project's tests still pass in the same venv;
and the unpacked sdist runs torchkata's own tests.

Slow (a venv, two builds and an install: minutes) but run by default and in CI. It skips, with
the reason, where a venv cannot be made or pip cannot reach a package index.
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from checker import course_root, manifest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

CLONE = course_root.checkout_root()
GATHER = manifest.get("04_indexing/gather")
# Never copied into the build: git metadata, build leftovers, venvs, caches, learner state.
IGNORED = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".torchkata",
                                 ".venv", "venv", ".pytest_cache", ".ipynb_checkpoints")


def run(args, cwd, *, ok=(0,), timeout=900, env=None):
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TORCHKATA_COURSE", "VIRTUAL_ENV")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env={**clean, **(env or {})})
    if ok is not None and result.returncode not in ok:
        raise AssertionError(f"{' '.join(map(str, args))} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def build_and_install(base: Path) -> dict:
    """Make a venv under base, build the sdist and from it the wheel, and install the wheel."""
    venv = base / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    python = venv / "bin" / "python"
    if made.returncode != 0 or not python.exists():
        pytest.skip(f"cannot make a venv here: {made.stderr.strip()[-300:]}")
    # The CPU build of torch first (a local file on the development machines), so the wheel's
    # torch>=2.2 is already met and no CUDA packages are pulled; `build` makes the sdist.
    tools = run([python, "-m", "pip", "install", "--quiet", "torch==2.13.0", "build"], base, ok=None)
    if tools.returncode != 0:
        pytest.skip(f"pip cannot install torch==2.13.0 and build here: {tools.stderr.strip()[-300:]}")
    src = base / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(CLONE, src, ignore=IGNORED)      # building writes build/ and egg-info: not in the clone
    dist = base / "dist"
    run([python, "-m", "build", "--sdist", "--outdir", dist, src], base)
    [sdist] = dist.glob("torchkata-*.tar.gz")
    run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, sdist], base)   # from the sdist
    [wheel] = dist.glob("torchkata-*.whl")
    run([python, "-m", "pip", "install", "--quiet", wheel], base)
    home = base / "home"               # outside any clone or course
    home.mkdir(exist_ok=True)
    return {"base": str(base), "bin": str(venv / "bin"), "python": str(python), "sdist": str(sdist),
            "wheel": str(wheel), "home": str(home)}


@pytest.fixture(scope="module")
def installed(once):
    if CLONE is None:
        pytest.skip("needs a clone or an unpacked sdist (katas.toml beside the checker package)")
    # Once per session even under xdist: the other workers wait for this venv and share it.
    return {key: Path(value) for key, value in once("wheel-install", build_and_install).items()}


def test_the_wheel_carries_the_course_templates_and_license(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    assert "checker/packaged_course/katas.toml" in names
    for kata in manifest.load():
        assert f"checker/packaged_course/solutions/{kata.relpath}" in names
        assert f"checker/suites/{kata.relpath}" in names
        assert f"checker/suites/{kata.chapter}/{kata.module}_catalogue.py" in names
    assert {"checker/templates/stub.py.j2", "checker/templates/workspace/pytest.ini.j2"} <= names
    assert not any(n.startswith(("exercises/", "solutions/", "tests/")) for n in names)
    metadata = zipfile.ZipFile(installed["wheel"]).read("torchkata-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_a_learner_inits_a_workspace_and_pytest_and_kata_work_there(installed):
    kata, home = installed["bin"] / "kata", installed["home"]
    listing = run([kata, "list"], home).stdout
    assert GATHER.id in listing and "the course packaged with torchkata" in listing
    run([kata, "init", "ws"], home)
    ws = home / "ws"
    assert (ws / "pytest.ini").is_file() and (ws / "notebooks" / f"{GATHER.id}.ipynb").is_file()

    first = run([installed["bin"] / "pytest", "-q", "-W", "error"], ws, ok=(1,))
    assert f"katas solved: 0/{len(manifest.load())}" in first.stdout and "Warning" not in first.stdout

    shutil.copy(GATHER.solution_path, ws / "exercises" / GATHER.relpath)
    check = run([kata, "check", "gather"], ws / "exercises")
    assert "✓ 04_indexing/gather" in check.stdout and "next kata:" in check.stdout
    assert "def gather_2d" in run([kata, "solution", "gather"], ws).stdout

    graded = run([kata, "grade", "exercises", "--kata", "gather", "--format", "json"], ws)
    statuses = [t["status"] for k in json.loads(graded.stdout)["katas"] for t in k["tests"]]
    assert statuses == ["passed"] * len(GATHER.graded)
    # A lone notebook is graded for its own kata only (its stub bodies are not implemented).
    notebook = run([kata, "grade", f"notebooks/{GATHER.id}.ipynb", "--format", "json"], ws, ok=(1,))
    assert [k["kata_id"] for k in json.loads(notebook.stdout)["katas"]] == [GATHER.id]

    assert "ok " in run([kata, "validate", "gather", "--reseeds", "1", "-v"], home).stdout


def test_course_staff_export_a_gradescope_autograder_that_grades(installed):
    """From the wheel install: `kata export gradescope` with no path writes under the home folder,
    and the zip's run_autograder, pointed at this venv, grades a submission with the bundled tree."""
    staff = installed["base"] / "staff"
    staff.mkdir(exist_ok=True)
    run([installed["bin"] / "kata", "export", "gradescope"], staff, env={"HOME": str(staff)})
    zipped = staff / "torchkata-exports" / "gradescope-autograder.zip"
    assert zipped.stat().st_mode & 0o077 == 0
    autograder = staff / "autograder"
    with zipfile.ZipFile(zipped) as zf:
        names = set(zf.namelist())
        assert {"torchkata/pyproject.toml", "torchkata/katas.toml", f"torchkata/solutions/{GATHER.relpath}",
                f"torchkata/checker/suites/{GATHER.relpath}", "torchkata/checker/cli.py"} <= names
        zf.extractall(autograder / "source")
    (autograder / "source" / "run_autograder").chmod(0o755)
    (autograder / "submission" / GATHER.chapter).mkdir(parents=True)
    shutil.copy(GATHER.solution_path, autograder / "submission" / GATHER.relpath)
    run([autograder / "source" / "run_autograder"], staff, env={
        "TORCHKATA_AUTOGRADER_ROOT": str(autograder), "TORCHKATA_PYTHON": str(installed["python"]),
        "TORCHKATA_GRADE_ARGS": "--kata gather"})
    results = json.loads((autograder / "results" / "results.json").read_text())
    assert results["score"] == len(GATHER.graded), results


def test_an_unrelated_project_passes_its_tests_in_the_same_venv(installed):
    project = installed["base"] / "unrelated"
    (project / "tests" / GATHER.chapter).mkdir(parents=True)
    (project / "conftest.py").write_text("def pytest_addoption(parser):\n"
                                         "    parser.addoption('--device', default='cpu')\n")
    (project / "tests" / "test_it.py").write_text("def test_it(request):\n"
                                                  "    assert request.config.getoption('device') == 'cpu'\n")
    (project / "tests" / f"{GATHER.relpath}").write_text("VALUE = 1\n")     # named like a kata file
    result = run([installed["bin"] / "pytest", "-W", "error", "-p", "no:cacheprovider"], project)
    assert "1 passed" in result.stdout and "katas solved" not in result.stdout


def test_the_sdist_runs_its_own_tests(installed):
    unpacked = installed["base"] / "sdist"
    with tarfile.open(installed["sdist"]) as archive:
        archive.extractall(unpacked, filter="data")
    [root] = unpacked.iterdir()
    for needed in ("LICENSE", "katas.toml", "setup.py", "solutions", "exercises", "notebooks", "tests", ".ci/run"):
        assert (root / needed).exists(), needed
    result = run([installed["python"], "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
                  "tests/test_manifest.py", "tests/test_course_root.py", "tests/test_workspace.py"],
                 root, env={"PYTHONPATH": str(root)})
    assert " passed" in result.stdout and "failed" not in result.stdout
