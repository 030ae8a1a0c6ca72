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


def test_hint_reveals_one_more_step_each_time(state, capsys):
    cli.main(["hint", "gather"])
    first = capsys.readouterr().out
    assert "hint 1 of 3" in first and "hint 2 of 3" not in first
    cli.main(["hint", "gather"])
    second = capsys.readouterr().out
    assert "hint 2 of 3" in second and GATHER.hints[1] in second
    cli.main(["hint", "gather", "--all"])
    assert "hint 3 of 3" in capsys.readouterr().out


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
