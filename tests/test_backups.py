"""Learner work is never lost: `kata build` refuses to overwrite written graded bodies unless
forced, and then backs them up; backups can be listed and restored."""
import shutil

import nbformat
import pytest

from checker import authoring, backups
from test_authoring import FIXTURE_KATA, FIXTURE_SOLUTIONS, build_roots, fixture_source

WRITTEN = "    return [sum(values[: i + 1]) for i in range(len(values))]\n"


def built(tmp_path):
    roots = build_roots(tmp_path)
    authoring.build([FIXTURE_KATA], **roots)
    return roots, roots["exercises_root"] / FIXTURE_KATA.relpath, roots["notebooks_root"] / f"{FIXTURE_KATA.id}.ipynb"


def write_a_body(stub_text: str) -> str:
    """The stub with running_total's `raise NotImplementedError(...)` line replaced by a body."""
    lines = stub_text.split("\n")
    at = next(i for i, line in enumerate(lines) if "running_total is not implemented" in line)
    lines[at] = WRITTEN.rstrip("\n")
    return "\n".join(lines)


def stale(roots):
    """A reference whose lesson changed, so every generated file is stale."""
    solutions = roots["exercises_root"].parent / "solutions"
    shutil.copytree(FIXTURE_SOLUTIONS, solutions)
    path = solutions / FIXTURE_KATA.relpath
    path.write_text(path.read_text().replace("running totals", "running sums", 1))
    return dict(roots, solutions_root=solutions)


def test_written_bodies_are_named_and_untouched_stubs_are_not(tmp_path):
    roots, stub, notebook = built(tmp_path)
    generated = stub.read_bytes()
    assert authoring.written_bodies(stub, generated) == []
    stub.write_text(write_a_body(stub.read_text()))
    assert authoring.written_bodies(stub, generated) == ["running_total"]
    stub.write_text(stub.read_text() + "\ndef broken(:\n")
    assert "does not parse" in authoring.written_bodies(stub, generated)[0]


def test_build_refuses_to_overwrite_written_bodies_and_writes_nothing(tmp_path):
    roots, stub, notebook = built(tmp_path)
    mine = write_a_body(stub.read_text())
    stub.write_text(mine)
    before = notebook.read_text()
    with pytest.raises(authoring.OverwriteRefused, match="running_total") as refused:
        authoring.build([FIXTURE_KATA], **stale(roots))
    assert list(refused.value.written) == [stub]
    assert stub.read_text() == mine and notebook.read_text() == before, "nothing is written"


def test_build_force_backs_the_work_up_first(tmp_path):
    roots, stub, notebook = built(tmp_path)
    mine = write_a_body(stub.read_text())
    stub.write_text(mine)
    backed_up = []
    changed = authoring.build([FIXTURE_KATA], **stale(roots), force=True, backup_root=tmp_path / "backup",
                              backed_up=backed_up)
    assert stub in changed and "running sums" in stub.read_text()
    [(original, copy)] = backed_up
    assert original == stub and copy.read_text() == mine
    assert copy.parent == tmp_path / "backup" / "01_fixture"


def test_a_stale_but_untouched_stub_is_simply_regenerated(tmp_path):
    roots, stub, notebook = built(tmp_path)
    changed = authoring.build([FIXTURE_KATA], **stale(roots))
    assert stub in changed and notebook in changed


def test_a_filled_in_notebook_is_protected_too(tmp_path):
    roots, stub, notebook = built(tmp_path)
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if "running_total" in c.metadata.get("tags", []))
    cell.source = write_a_body(cell.source)
    nbformat.write(nb, notebook)
    with pytest.raises(authoring.OverwriteRefused) as refused:
        authoring.build([FIXTURE_KATA], **stale(roots))
    assert refused.value.written == {notebook: ["running_total"]}


def test_backups_are_listed_newest_first_and_restored_with_a_copy_of_what_they_replace(tmp_path):
    root = tmp_path / "backup"
    work = tmp_path / "basic.py"
    work.write_text("first\n")
    first = backups.save(work, FIXTURE_KATA.id, root)
    work.write_text("second\n")
    second = backups.save(work, FIXTURE_KATA.id, root)      # within the same second: a distinct name
    (root / "01_fixture" / "notes.txt").write_text("not a backup")
    found = backups.listing(root)
    assert [b.path for b in found] == [second, first] and found[0].kata_id == FIXTURE_KATA.id
    assert found[0].original(tmp_path / "ex", tmp_path / "nb") == tmp_path / "ex" / f"{FIXTURE_KATA.id}.py"

    work.write_text("third, unsaved anywhere\n")
    previous = backups.restore(found[-1], work, root)
    assert work.read_text() == "first\n" and previous.read_text() == "third, unsaved anywhere\n"
    assert backups.restore(found[-1], work, root) is None, "restoring what is already there backs up nothing"
    assert len(backups.listing(root, FIXTURE_KATA.id)) == 3


def test_reset_uses_the_same_backups(tmp_path):
    dest = tmp_path / "exercises" / FIXTURE_KATA.relpath
    dest.parent.mkdir(parents=True)
    dest.write_text(write_a_body(authoring.render_stub(FIXTURE_KATA, fixture_source())))
    backup = authoring.reset(FIXTURE_KATA, dest, solutions_root=FIXTURE_SOLUTIONS, backup_root=tmp_path / "b")
    assert [b.path for b in backups.listing(tmp_path / "b")] == [backup]
