"""The learner-facing CLI: list, hint ladder, check (a kata, a file, a notebook, --all), solution,
progress, watch, reset and restore, each working on the learner's workspace."""
import re
import shutil

import nbformat
import pytest

from checker import authoring, cli, course_root, manifest

GATHER = manifest.get("04_indexing/gather")


@pytest.fixture
def workspace(tmp_path):
    """A learner's workspace in tmp_path, graded by this clone's course, used by every command."""
    (tmp_path / course_root.WORKSPACE_MARKER).write_text('[workspace]\ncourse = ""\n')
    location = course_root.find_upward(tmp_path)
    with course_root.using(location):
        yield location.workspace


def solve(workspace, kata=GATHER):
    dest = workspace.exercises / kata.relpath
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(kata.solution_path, dest)
    return dest


def stub(workspace, kata=GATHER):
    return authoring.reset(kata, workspace.exercises / kata.relpath)


def test_list_is_in_syllabus_order(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    ids = [k.id for k in manifest.load()]
    assert [out.index(i) for i in ids] == sorted(out.index(i) for i in ids)


def test_list_explains_the_chapter_numbers_it_skips(capsys):
    cli.main(["list"])
    out = capsys.readouterr().out
    numbers = {int(k.chapter[:2]) for k in manifest.load()}
    gaps = [n for n in range(min(numbers), max(numbers)) if n not in numbers]
    if not gaps:
        pytest.skip("the chapters are contiguous: nothing to explain")
    explanation = next(line for line in out.splitlines() if line.startswith("Chapter numbers"))
    assert "never change" in explanation and all(f"{n:02d}" in explanation for n in gaps)


def test_list_names_a_chapter_that_has_a_title_but_no_katas(tmp_path, capsys):
    (tmp_path / "katas.toml").write_text('[chapters]\n"01_a" = "First"\n"02_b" = "Second, still empty"\n'
                                         '"03_c" = "Third"\n[[kata]]\nid = "01_a/x"\ntitle = "x"\n'
                                         '[[kata]]\nid = "03_c/y"\ntitle = "y"\n')
    assert cli.main(["list", "--course", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.index("01_a/x") < out.index("02_b  Second, still empty  (no katas yet)") < out.index("03_c/y")
    assert "02 has no katas yet" in out and f"course: {tmp_path.resolve()}" in out


def test_hint_reveals_one_more_step_of_one_names_ladder_each_time(workspace, capsys):
    ladder = GATHER.hints_for("gather_2d")
    cli.main(["hint", "gather", "gather_2d"])
    first = capsys.readouterr().out
    assert f"hint 1 of {len(ladder)}" in first and "hint 2 of" not in first and ladder[0] in first
    cli.main(["hint", "gather", "gather_2d"])
    second = capsys.readouterr().out
    assert "hint 2 of" in second and ladder[1] in second
    # Another name's ladder starts at its own first step and never shows gather_2d's answer.
    cli.main(["hint", "gather", "pick_per_row"])
    other = capsys.readouterr().out
    assert "hint 1 of" in other and ladder[0] not in other and ladder[1] not in other
    assert (workspace.state / "hints.json").is_file()


def test_hint_without_a_name_lists_the_ladders(workspace, capsys):
    cli.main(["hint", "gather"])
    out = capsys.readouterr().out
    assert all(name in out for name in GATHER.graded) and "kata hint 04_indexing/gather NAME" in out


def test_reset_clears_that_katas_hint_steps(workspace, capsys):
    cli.main(["hint", "gather", "gather_2d"])
    cli.main(["reset", "gather"])
    capsys.readouterr()
    cli.main(["hint", "gather", "gather_2d"])
    assert "hint 1 of" in capsys.readouterr().out


def test_unknown_kata_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["hint", "no_such_kata"])
    assert exit_info.value.code == 2 and "known katas" in capsys.readouterr().err


def test_check_explains_and_sets_the_exit_code(workspace, tmp_path, kata_tree, capsys):
    kata_tree(GATHER.id)
    assert cli.main(["check", "gather", "--dir", str(tmp_path), "--device", "cpu"]) == 0
    assert "✓ 04_indexing/gather" in capsys.readouterr().out
    (tmp_path / GATHER.relpath).write_text(
        GATHER.solution_path.read_text().replace("return data[rows, index]", "return data[index, rows]"))
    assert cli.main(["check", "gather", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "gather_2d" in out and "kata hint 04_indexing/gather" in out


def test_check_grades_the_workspace_file_then_names_the_next_kata(workspace, capsys):
    solve(workspace)
    assert cli.main(["check", "gather"]) == 0
    out = capsys.readouterr().out
    assert "✓ 04_indexing/gather" in out and "kata solution 04_indexing/gather" in out
    following = manifest.load()[GATHER.index]     # the kata after gather in syllabus order
    assert f"next kata: {following.id}" in out and f"kata check {following.id}" in out
    # A kata that passed is skipped when the one before it passes next time.
    before = manifest.load()[GATHER.index - 2]
    solve(workspace, before)
    cli.main(["check", before.id])
    assert f"next kata: {following.id}" in capsys.readouterr().out


def test_check_of_a_kata_file_path(workspace, capsys, monkeypatch):
    path = solve(workspace)
    monkeypatch.chdir(workspace.root)
    assert cli.main(["check", str(path.relative_to(workspace.root))]) == 0
    assert "✓ 04_indexing/gather" in capsys.readouterr().out


def test_check_all_reports_every_kata_and_the_count(workspace, capsys):
    shutil.copytree(manifest.EXERCISES, workspace.exercises)
    solve(workspace)
    assert cli.main(["check", "--all"]) == 1
    out = capsys.readouterr().out
    assert all(k.id in out for k in manifest.load())
    assert f"katas solved: 1/{len(manifest.load())}" in out


def test_check_without_a_kata_or_workspace_says_what_to_do(capsys, tmp_path, monkeypatch):
    assert cli.main(["check"]) == 2
    assert "--all" in capsys.readouterr().err
    monkeypatch.setattr(course_root, "_current", course_root.Location(course_root.installed_course(), None, "test"))
    with pytest.raises(SystemExit):
        cli.main(["check", "gather"])
    assert "kata init" in capsys.readouterr().err


def filled_notebook(kata=GATHER, extra_cells=()):
    """The kata's generated notebook with its graded cells holding the reference definitions."""
    notebook = nbformat.reads(authoring.render_notebook(kata, kata.solution_path.read_text()), as_version=4)
    solution = kata.solution_path.read_text()
    for cell in notebook.cells:
        if "graded" in cell.metadata.get("tags", []):
            name = cell.metadata["tags"][1]
            match = re.search(rf"^(def|class) {name}\b.*?(?=^\S|\Z)", solution, re.S | re.M)
            cell.source = match.group(0)
    for position, source in extra_cells:
        notebook.cells.insert(position, nbformat.v4.new_code_cell(source))
    return notebook


def test_check_accepts_a_notebook_and_leaves_its_scratch_cells_alone(workspace, capsys):
    notebook = filled_notebook(extra_cells=[(-2, "demo = pick_per_row(torch.ones(2, 2), torch.zeros(1))\n")])
    path = workspace.notebooks / "gather.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(nbformat.writes(notebook))
    assert cli.main(["check", str(path)]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "✓ 04_indexing/gather" in out and "next kata:" in out


def test_check_names_the_notebook_cell_in_a_traceback(workspace, capsys):
    notebook = filled_notebook()
    graded = next(i for i, c in enumerate(notebook.cells) if "gather_2d" in c.metadata.get("tags", []))
    notebook.cells[graded].source = notebook.cells[graded].source.replace(
        "return data[rows, index]", "return data[rows, index] + not_defined_anywhere")
    path = workspace.root / "mine.ipynb"
    path.write_text(nbformat.writes(notebook))
    assert cli.main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    line = notebook.cells[graded].source.split("\n").index(
        "    return data[rows, index] + not_defined_anywhere") + 1
    assert f'File "{path.name}, cell {graded + 1}", line {line}, in gather_2d' in out
    assert "NameError" in out


def test_solution_is_shown_only_once_the_kata_passes(workspace, capsys):
    stub(workspace)
    assert cli.main(["solution", "gather"]) == 1
    captured = capsys.readouterr()
    assert "def gather_2d" not in captured.out and "kata check 04_indexing/gather" in captured.err
    solve(workspace)
    assert cli.main(["solution", "gather"]) == 0
    out = capsys.readouterr().out
    assert "def gather_2d" in out and "BEGIN SOLUTION" not in out and "passes too" in out


def test_progress_counts_solved_katas(workspace, capsys):
    shutil.copytree(manifest.EXERCISES, workspace.exercises)
    solve(workspace)
    assert cli.main(["progress"]) == 1
    out = capsys.readouterr().out
    assert "✓ 04_indexing/gather" in out and f"katas solved: 1/{len(manifest.load())}" in out


def test_watch_rechecks_a_kata_when_it_is_saved(workspace, tmp_path, kata_tree, capsys):
    kata_tree(GATHER.id)
    assert cli.main(["watch", "gather", "--dir", str(tmp_path), "--rounds", "1", "--interval", "0"]) == 0
    assert "✓ 04_indexing/gather" in capsys.readouterr().out


def test_reset_backs_up_the_learners_work_and_restore_brings_it_back(workspace, capsys):
    mine = solve(workspace)
    work = mine.read_text()
    assert cli.main(["reset", "gather"]) == 0
    assert "saved to .torchkata/backup/04_indexing/gather-" in capsys.readouterr().out.replace(str(workspace.root) + "/", "")
    assert mine.read_text() == authoring.render_stub(GATHER, GATHER.solution_path.read_text())

    assert cli.main(["restore"]) == 0
    listing = capsys.readouterr().out
    name = re.search(r"04_indexing/gather-\S+\.py", listing).group(0)
    assert "stub of 04_indexing/gather" in listing

    assert cli.main(["restore", "gather"]) == 0
    out = capsys.readouterr().out
    assert mine.read_text() == work and f"from {name}" in out
    assert "saved as" not in out, "a fresh stub is not worth a backup"

    mine.write_text(work + "# more work\n")          # replacing other work keeps a copy of it
    assert cli.main(["restore", name]) == 0
    assert "saved as" in capsys.readouterr().out
    assert len(list((workspace.backups / "04_indexing").glob("gather-*.py"))) == 2


def test_restore_of_an_unknown_backup_is_a_usage_error(workspace, capsys):
    assert cli.main(["restore", "nothing-like-this.py"]) == 2
    assert "kata restore" in capsys.readouterr().err


def test_build_check_reports_fresh_stubs(capsys):
    assert cli.main(["build", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize("mode", ["notify", "poll"])
def test_watch_grades_again_when_the_file_is_saved(tmp_path, mode):
    """A real `kata watch` process: it checks the stub at start, then again when a solution is
    saved over it, and prints the new verdict (no timing is asserted: that is benchmarks/)."""
    import subprocess
    import sys
    import time
    from checker import ROOT, authoring
    stub = tmp_path / GATHER.relpath
    stub.parent.mkdir(parents=True)
    stub.write_text(authoring.render_stub(GATHER, GATHER.solution_path.read_text()))
    args = [sys.executable, "-m", "checker", "watch", GATHER.id, "--dir", str(tmp_path), "--rounds", "2"]
    if mode == "poll":
        args += ["--poll", "--interval", "0.05"]
    watcher = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = ""
        while "✗ 04_indexing/gather" not in seen:
            line = watcher.stdout.readline()
            assert line, seen
            seen += line
        time.sleep(0.3)   # the observer is running once the first verdict is out; let it settle
        stub.write_text(GATHER.solution_path.read_text())
        rest, _ = watcher.communicate(timeout=120)
    finally:
        watcher.kill()
    assert "✓ 04_indexing/gather" in rest, seen + rest


def test_reading_a_watched_file_is_not_a_save(tmp_path):
    """The check reads the file it checks; if reading counted as a change, every check would
    start the next one. Read one watched file, then save another: the save comes alone."""
    import threading
    import time
    from checker.watching import file_changes
    read, saved = tmp_path / "read.py", tmp_path / "saved.py"
    read.write_text("x = 1\n")
    saved.write_text("y = 1\n")
    changes = file_changes([read, saved])
    first = []
    waiter = threading.Thread(target=lambda: first.append(next(changes)), daemon=True)
    waiter.start()
    deadline = time.monotonic() + 60
    while waiter.is_alive() and time.monotonic() < deadline:   # until the observer is watching
        read.read_text()
        saved.write_text("y = 2\n")
        waiter.join(0.2)
    assert first == [{saved.resolve()}]


@pytest.mark.parametrize("poll", [False, True], ids=["notify", "poll"])
def test_a_save_made_before_the_first_wait_is_not_lost(tmp_path, poll):
    """`kata watch` checks the kata once before it waits for saves: a save made meanwhile must be
    waiting for it, so watching starts when file_changes returns, not at the first next()."""
    import threading
    from checker.watching import file_changes
    mine = tmp_path / "mine.py"
    mine.write_text("x = 1\n")
    changes = file_changes([mine], poll_interval=0.05, force_poll=poll)
    mine.write_text("x = 22\n")            # saved while the first check would be running
    got = []
    waiter = threading.Thread(target=lambda: got.append(next(changes)), daemon=True)
    waiter.start()
    waiter.join(60)                          # a liveness bound, not a timing: it is there at once
    assert got == [{mine.resolve()}]


def test_build_and_new_are_refused_in_a_learners_workspace(workspace, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build"])
    assert exit_info.value.code == 2 and "kata reset" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["new", "04_indexing/more", "f"])


def test_course_option_selects_a_course_for_one_command(tmp_path, capsys):
    (tmp_path / "katas.toml").write_text('[chapters]\n"01_a" = "A"\n[[kata]]\nid = "01_a/only"\ntitle = "t"\n')
    before = course_root.current()
    assert cli.main(["--course", str(tmp_path), "list"]) == 0
    assert "01_a/only" in capsys.readouterr().out and course_root.current() == before
    assert cli.main(["--course", str(tmp_path / "nowhere"), "list"]) == 2
    assert "no katas.toml" in capsys.readouterr().err
