"""The learner-facing CLI: list, hint ladder, check, progress, watch and reset."""
import shutil

import pytest

from checker import cli, manifest

GATHER = manifest.get("04_indexing/gather")


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "STATE_DIR", tmp_path / ".torchkata")
    return tmp_path


def test_list_is_in_syllabus_order(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    ids = [k.id for k in manifest.load()]
    assert [out.index(i) for i in ids] == sorted(out.index(i) for i in ids)


def test_hint_reveals_one_more_step_of_one_names_ladder_each_time(state, capsys):
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


def test_hint_without_a_name_lists_the_ladders(state, capsys):
    cli.main(["hint", "gather"])
    out = capsys.readouterr().out
    assert all(name in out for name in GATHER.graded) and "kata hint 04_indexing/gather NAME" in out


def test_reset_clears_that_katas_hint_steps(state, capsys, tmp_path, monkeypatch):
    from checker import authoring
    cli.main(["hint", "gather", "gather_2d"])
    monkeypatch.setattr(authoring, "reset", lambda kata: None)
    cli.main(["reset", "gather"])
    capsys.readouterr()
    cli.main(["hint", "gather", "gather_2d"])
    assert "hint 1 of" in capsys.readouterr().out


def test_unknown_kata_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["hint", "no_such_kata"])
    assert exit_info.value.code == 2 and "known katas" in capsys.readouterr().err


def test_check_explains_and_sets_the_exit_code(tmp_path, kata_tree, capsys):
    kata_tree(GATHER.id)
    assert cli.main(["check", "gather", "--dir", str(tmp_path), "--device", "cpu"]) == 0
    assert "✓ 04_indexing/gather" in capsys.readouterr().out
    (tmp_path / GATHER.relpath).write_text(
        GATHER.solution_path.read_text().replace("return data[rows, index]", "return data[index, rows]"))
    assert cli.main(["check", "gather", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "gather_2d" in out and "kata hint 04_indexing/gather" in out


def test_progress_counts_solved_katas(tmp_path, kata_tree, capsys):
    shutil.copytree(manifest.EXERCISES, tmp_path, dirs_exist_ok=True)
    kata_tree(GATHER.id)
    assert cli.main(["progress", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "✓ 04_indexing/gather" in out and f"katas solved: 1/{len(manifest.load())}" in out


def test_watch_rechecks_a_kata_when_it_is_saved(tmp_path, kata_tree, capsys):
    kata_tree(GATHER.id)
    assert cli.main(["watch", "gather", "--dir", str(tmp_path), "--rounds", "1", "--interval", "0"]) == 0
    assert "✓ 04_indexing/gather" in capsys.readouterr().out


def test_reset_backs_up_the_learners_work(monkeypatch, tmp_path, capsys):
    from checker import authoring
    calls = []
    monkeypatch.setattr(authoring, "reset", lambda kata: calls.append(kata) or tmp_path / "backup.py")
    assert cli.main(["reset", "gather"]) == 0
    assert calls == [GATHER] and "backup.py" in capsys.readouterr().out


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
