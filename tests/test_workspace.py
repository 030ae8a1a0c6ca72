"""`kata init`: a learner's workspace with stubs, notebooks, a pytest config and a README, in which
`pytest` grades the katas and `kata` commands work on the learner's own files."""
import subprocess
import sys

import pytest

from checker import authoring, cli, course_root, manifest, workspace

KATAS = [k for k in manifest.load() if k.solution_path.is_file()]
GATHER = manifest.get("04_indexing/gather")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    dest = tmp_path_factory.mktemp("learner") / "ws"
    report = workspace.init(dest, course_root.installed_course())
    return dest, report


def test_init_makes_stubs_notebooks_config_and_readme(made):
    dest, report = made
    assert report.created and report.kept == 0
    for kata in KATAS:
        source = kata.solution_path.read_text()
        assert (dest / "exercises" / kata.relpath).read_text() == authoring.render_stub(kata, source)
        assert (dest / "notebooks" / f"{kata.id}.ipynb").read_text() == authoring.render_notebook(kata, source)
    assert "testpaths = exercises" in (dest / "pytest.ini").read_text()
    readme = (dest / "README.md").read_text()
    assert f"exercises/{KATAS[0].relpath}" in readme and "kata check" in readme and "kata restore" in readme
    location = course_root.find_upward(dest / "exercises")
    assert location.workspace.root == dest and location.course == course_root.installed_course()
    assert not (dest / "katas.toml").exists() and not (dest / "solutions").exists(), "no answers in a workspace"


def test_init_again_adds_only_what_is_missing(made):
    dest, _ = made
    mine = dest / "exercises" / GATHER.relpath
    mine.write_text("# my work in progress\n")
    (dest / "notebooks" / f"{GATHER.id}.ipynb").unlink()
    report = workspace.init(dest, course_root.installed_course())
    assert not report.created and report.added == [dest / "notebooks" / f"{GATHER.id}.ipynb"]
    assert mine.read_text() == "# my work in progress\n"


def test_init_refuses_a_folder_that_holds_something_else(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(workspace.WorkspaceError, match="not empty"):
        workspace.init(tmp_path, course_root.installed_course())
    (tmp_path / "notes.txt").unlink()
    (tmp_path / "katas.toml").write_text("")
    with pytest.raises(workspace.WorkspaceError, match="course folder"):
        workspace.init(tmp_path, course_root.installed_course())


def test_kata_init_command_and_an_instructors_course(tmp_path, capsys):
    course = tmp_path / "course"
    (course / "solutions" / GATHER.chapter).mkdir(parents=True)
    (course / "katas.toml").write_text(f'[chapters]\n"{GATHER.chapter}" = "Indexing"\n'
                                       f'[[kata]]\nid = "{GATHER.id}"\ntitle = "{GATHER.title}"\n')
    (course / GATHER.solution_path.relative_to(GATHER.home.root)).write_text(GATHER.solution_path.read_text())
    dest = tmp_path / "ws"
    assert cli.main(["init", str(dest), "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "made a kata workspace" in out and f"open exercises/{GATHER.relpath}" in out
    assert sorted(p.name for p in (dest / "exercises").rglob("*.py")) == ["gather.py"]
    assert course_root.read_marker(dest).course.root == course.resolve()


@pytest.mark.slow
def test_pytest_and_kata_run_in_the_workspace_work_on_its_files(made):
    dest, _ = made
    (dest / "exercises" / GATHER.relpath).write_text(GATHER.solution_path.read_text())
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
                          f"exercises/{GATHER.relpath}"], cwd=dest, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "katas solved: 1/1" in run.stdout
    check = subprocess.run([sys.executable, "-m", "checker", "check", "gather"], cwd=dest / "notebooks",
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0 and "✓ 04_indexing/gather" in check.stdout, check.stdout + check.stderr
    assert (dest / ".torchkata" / "progress.json").is_file()
