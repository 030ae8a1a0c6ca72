"""Notebooks: read in any nbformat version, only what graded code needs is lifted (scratch cells
never run), tracebacks name the cell, and a generated notebook grades itself when executed."""
import json
import os
import re
import shutil

import nbformat
import pytest

from checker import authoring, course_root, manifest, notebook, submission
from checker.notebook import Cell

GATHER = manifest.get("04_indexing/gather")


def cells(*sources):
    return [Cell(f"nb.ipynb, cell {i}", s) for i, s in enumerate(sources, start=1)]


def run_lifted(source):
    namespace = {}
    exec(compile(source, "lifted", "exec"), namespace)
    return namespace


def test_only_what_the_graded_names_use_is_lifted():
    source = notebook.lift(cells(
        "import math\nimport os\nSCALE = 3\nNOISE = os.system('echo scratch')",
        "def helper(x):\n    return x * SCALE",
        "def graded(x):\n    out = helper(x)\n    return math.floor(out)",
        "demo = graded(2.5)\nprint(demo)",
        "out = graded(1)   # a global `out` is not graded's local `out`",
    ), {"graded"})
    assert "os.system" not in source and "demo" not in source and "print(" not in source
    assert "out = graded(1)" not in source and "import os" not in source
    assert run_lifted(source)["graded"](2.5) == 7


def test_the_last_binding_wins_as_after_running_every_cell():
    source = notebook.lift(cells("K = 1\ndef graded():\n    return K", "def graded():\n    return K + 10",
                                 "K = 5"), {"graded"})
    assert run_lifted(source)["graded"]() == 15


def test_magics_and_shell_escapes_are_dropped_and_future_imports_lead():
    source = notebook.lift(cells("%%bash\necho hi", "!pip install x\n%matplotlib inline\nimport math",
                                 "from __future__ import annotations\ndef graded(x: Thing) -> int:\n"
                                 "    return math.ceil(x)"), {"graded"})
    assert source.startswith("from __future__ import annotations")
    assert "pip" not in source and "echo" not in source
    assert run_lifted(source)["graded"](1.5) == 2


def test_a_graded_cell_that_does_not_parse_is_kept_so_its_error_shows():
    source = notebook.lift(cells("def graded(x)\n    return x", "def other(:"), {"graded"})
    assert "def graded(x)" in source and "other" not in source
    with pytest.raises(SyntaxError):
        compile(source, "lifted", "exec")


def test_lines_map_back_to_their_cell():
    source = notebook.lift(cells("import math", "x = 1\n\n\ndef graded():\n    return math.nope()"), {"graded"})
    lines = source.splitlines(True)
    failing = next(i for i, line in enumerate(lines, start=1) if "math.nope" in line)
    from checker import cellmap
    assert cellmap.relocate("lifted", failing, lines) == ("nb.ipynb, cell 2", 5)
    assert cellmap.relocate("plain.py", 3, ["a\n", "b\n", "c\n"]) == ("plain.py", 3)


def test_a_v3_notebook_is_read(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "language": "python", "input": ["import torch\n", "def pick_per_row(data, cols):\n",
                                                              "    return torch.gather(data, 1, cols)\n"],
         "outputs": [], "metadata": {}}]}]}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(v3))
    sub = submission.read(path)
    assert "04_indexing/gather" in sub.sources
    assert "def pick_per_row" in sub.sources["04_indexing/gather"][1]


def test_a_notebook_with_its_metadata_is_graded_as_its_kata_only(tmp_path):
    text = authoring.render_notebook(manifest.get("08_layers/activations"),
                                     manifest.get("08_layers/activations").solution_path.read_text())
    path = tmp_path / "act.ipynb"
    path.write_text(text)
    # relu is a graded name of 04_indexing/where too; the metadata settles which kata this is.
    assert [k.id for k in submission.notebook_katas(path, manifest.load())] == ["08_layers/activations"]


# ---------------------------------------------------------------------------------------------
# Real notebooks, executed by a real kernel

nbclient = pytest.importorskip("nbclient", reason="nbclient is in the dev extra: pip install -e '.[dev]'")


def _kernel_or_skip():
    try:
        from jupyter_client.kernelspec import KernelSpecManager
        if "python3" not in KernelSpecManager().find_kernel_specs():
            raise LookupError("no python3 kernel spec")
    except Exception as error:  # noqa: BLE001 - any reason a kernel cannot start here
        pytest.skip(f"no Jupyter kernel can run here ({error}); pip install ipykernel")


def execute(path, cwd):
    """Run every cell of the notebook at path, as Jupyter's "Run All" would, in cwd."""
    _kernel_or_skip()
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(cwd)}})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(course_root.checkout_root() or ""),
                                                                    os.environ.get("PYTHONPATH", "")]))}
    try:
        client.execute(env=env)
    except (RuntimeError, OSError, TimeoutError) as error:
        pytest.skip(f"a Jupyter kernel could not run here: {error}")
    return nb


def stream_text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def filled(tmp_path, break_gather_2d=False):
    """A workspace copy of the gather notebook with the graded cells solved and a scratch cell
    that would fail the kata if grading ran it."""
    ws = tmp_path / "ws"
    (ws / "notebooks" / GATHER.chapter).mkdir(parents=True)
    (ws / course_root.WORKSPACE_MARKER).write_text('[workspace]\ncourse = ""\n')
    nb = nbformat.reads(authoring.render_notebook(GATHER, GATHER.solution_path.read_text()), as_version=4)
    solution = GATHER.solution_path.read_text()
    for cell in nb.cells:
        if "graded" in cell.metadata.get("tags", []):
            name = cell.metadata["tags"][1]
            cell.source = re.search(rf"^def {name}\b.*?(?=^\S|\Z)", solution, re.S | re.M).group(0)
            if break_gather_2d and name == "gather_2d":
                cell.source = cell.source.replace("return data[rows, index]",
                                                  "return data[rows, index] + undefined_here")
    nb.cells.insert(-2, nbformat.v4.new_code_cell("demo = pick_per_row(torch.ones(2, 2), torch.zeros(3))"))
    path = ws / "notebooks" / f"{GATHER.id}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_the_last_cell_grades_the_notebook_itself(tmp_path):
    path = filled(tmp_path)
    nb = execute(path, path.parent)
    assert nb.cells[-1].metadata["tags"] == [authoring.CHECK_TAG]
    out = stream_text(nb.cells[-1])
    assert "✓ 04_indexing/gather" in out and "next kata:" in out, nb.cells[-1].outputs
    assert "NumPy" not in json.dumps([c.get("outputs", []) for c in nb.cells]), "no NumPy warning for learners"
    # The scratch cell did fail when it ran, and grading never ran it again.
    assert any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_a_failure_in_a_notebook_names_the_cell_it_ran_in(tmp_path):
    path = filled(tmp_path, break_gather_2d=True)
    nb = execute(path, path.parent)
    out = stream_text(nb.cells[-1])
    graded = next(c for c in nb.cells if "gather_2d" in c.metadata.get("tags", []))
    assert "✗ 04_indexing/gather" in out and "NameError" in out
    assert f'File "Cell In[{graded.execution_count}]"' in out, out
    shutil.rmtree(tmp_path / "ws")


def test_checking_inside_a_kernel_leaves_torch_as_the_learner_had_it(monkeypatch, capsys, tmp_path):
    import torch
    (tmp_path / course_root.WORKSPACE_MARKER).write_text('[workspace]\ncourse = ""\n')
    monkeypatch.setattr(course_root, "_current", course_root.find_upward(tmp_path))
    source = GATHER.solution_path.read_text()
    monkeypatch.setattr(notebook, "kernel_cells", lambda: [Cell("Cell In[1]", source)])
    torch.manual_seed(1234)
    expected = torch.rand(3)
    torch.manual_seed(1234)
    threads = torch.get_num_threads()
    notebook.check(GATHER.id)
    assert "✓ 04_indexing/gather" in capsys.readouterr().out
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.rand(3), expected), "the learner's random stream goes on as if unchecked"
