"""Reading submissions: layouts, hygiene, archives and notebooks, without running anything."""
import json
import zipfile

import nbformat

from checker import authoring, manifest, submission

GATHER = manifest.get("04_indexing/gather")


def test_directory_layout_flat_layout_and_rejections(tmp_path):
    (tmp_path / "04_indexing").mkdir()
    (tmp_path / "04_indexing" / "gather.py").write_text("x = 1\n")
    (tmp_path / "layernorm.py").write_text("y = 2\n")                  # flat layout
    (tmp_path / "conftest.py").write_text("import os\n")
    (tmp_path / "sitecustomize.py").write_text("import os\n")
    (tmp_path / "evil.pth").write_text("import os\n")
    (tmp_path / "notes.txt").write_text("hello\n")
    sub = submission.read(tmp_path)
    assert sub.sources["04_indexing/gather"] == ("04_indexing/gather.py", "x = 1\n")
    assert sub.sources["08_layers/layernorm"][0] == "layernorm.py"
    rejected = "\n".join(sub.rejected)
    for name in ("conftest.py", "sitecustomize.py", "evil.pth", "notes.txt"):
        assert name in rejected
    assert "never accepted" in rejected


def test_zip_is_read_safely(tmp_path):
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hw/04_indexing/gather.py", "x = 1\n")
        zf.writestr("../escape.py", "boom\n")
    sub = submission.read(archive)
    assert sub.sources["04_indexing/gather"][1] == "x = 1\n"
    assert any("escapes the archive" in r for r in sub.rejected)
    assert not (tmp_path.parent / "escape.py").exists()


def test_broken_zip_is_a_message_not_a_crash(tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"not a zip")
    sub = submission.read(archive)
    assert not sub.sources and sub.rejected


def test_notebook_definitions_are_extracted_without_running_other_code(tmp_path):
    stub_nb = authoring.render_notebook(GATHER, GATHER.solution_path.read_text())
    nb = nbformat.reads(stub_nb, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("!pip install something\nimport os\nos.system('echo pwned')\n"))
    nb.cells.append(nbformat.v4.new_code_cell("%%time\nprint('training...')"))
    path = tmp_path / "homework.ipynb"
    path.write_text(nbformat.writes(nb))
    sub = submission.read(path)
    display, source = sub.sources["04_indexing/gather"]
    assert display == "homework.ipynb"
    assert "def gather_2d" in source and "os.system" not in source and "print(" not in source
    compile(source, "homework.ipynb", "exec")


def test_notebook_with_no_graded_names_is_rejected(tmp_path):
    path = tmp_path / "other.ipynb"
    path.write_text(json.dumps(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])))
    sub = submission.read(path)
    assert not sub.sources and "defines none of the graded names" in sub.rejected[0]
