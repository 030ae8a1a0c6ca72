"""The stub and notebook builder (checker/authoring.py).

Most tests use a small torch-free fixture kata under tests/fixtures/authoring/, so they are fast
and independent of the real references; the last ones render every real kata that has one.
Nothing here writes into the repository's exercises/ or notebooks/.
"""
from __future__ import annotations

import ast
import inspect
import os
import re
import textwrap
import types
from pathlib import Path

import nbformat
import pytest

from checker import authoring, manifest
from checker.authoring import BuildError, render_notebook, render_stub
from checker.manifest import Kata

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "authoring"
FIXTURE_SOLUTIONS = FIXTURES / "solutions"

FIXTURE_KATA = Kata(
    id="01_fixture/basic",
    title="Running totals (fixture)",
    chapter_title="Fixture chapter",
)


def fixture_source() -> str:
    return (FIXTURE_SOLUTIONS / FIXTURE_KATA.relpath).read_text(encoding="utf-8")


def load_module(source: str, name: str = "kata_stub") -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


def call_with_placeholders(module: types.ModuleType, qualname: str):
    """Call the function or method `qualname` with None for every required argument.

    A method is called on an instance made without running __init__, so a stubbed __init__
    does not hide whether forward() is stubbed too.
    """
    *owners, name = qualname.split(".")
    owner = module
    for part in owners:
        owner = getattr(owner, part)
    raw = owner.__dict__[name]
    function = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
    parameters = list(inspect.signature(function).parameters.values())
    leading = []
    if owners and not isinstance(raw, staticmethod):
        leading = [owner if isinstance(raw, classmethod) else owner.__new__(owner)]
        parameters = parameters[1:]
    placeholders = [
        None for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return function(*leading, *placeholders)


def assert_every_region_is_stubbed(kata: Kata, source: str, stub: str) -> None:
    module = load_module(stub)
    for region in authoring.solution_regions(source):
        with pytest.raises(NotImplementedError) as raised:
            call_with_placeholders(module, region.qualname)
        message = str(raised.value)
        assert message.startswith(f"{kata.id}: {region.qualname} is not implemented yet")
        assert f"kata hint {kata.id}" in message


# ---------------------------------------------------------------------------------------------
# render_stub


def test_regions_are_found_with_their_qualified_names():
    regions = authoring.solution_regions(fixture_source())
    assert [r.qualname for r in regions] == [
        "running_total", "Scaler.__init__", "Scaler.forward", "Outer.Inner.method",
    ]
    assert [len(r.indent) for r in regions] == [4, 8, 8, 12]


def test_each_region_becomes_one_raise_at_the_body_indentation():
    stub = render_stub(FIXTURE_KATA, fixture_source())
    raises = [line for line in stub.splitlines() if line.lstrip().startswith("raise NotImplementedError(")]
    expected = {
        "running_total": 4, "Scaler.__init__": 8, "Scaler.forward": 8, "Outer.Inner.method": 12,
    }
    assert len(raises) == len(expected)
    for line, (qualname, indent) in zip(raises, expected.items()):
        assert line == " " * indent + line.lstrip()
        assert f"{FIXTURE_KATA.id}: {qualname} is not implemented yet" in line
    assert "solution_only_marker" not in stub
    assert "BEGIN SOLUTION" not in stub and "END SOLUTION" not in stub


def test_stub_keeps_docstrings_signatures_imports_and_helpers():
    source = fixture_source()
    stub = render_stub(FIXTURE_KATA, source)
    reference_tree, stub_tree = ast.parse(source), ast.parse(stub)
    assert ast.get_docstring(stub_tree) == ast.get_docstring(reference_tree)

    def definitions(tree):
        return {
            node.name: node for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        }

    reference_defs, stub_defs = definitions(reference_tree), definitions(stub_tree)
    assert reference_defs.keys() == stub_defs.keys()
    for name, node in reference_defs.items():
        assert ast.get_docstring(stub_defs[name]) == ast.get_docstring(node), name
        if isinstance(node, ast.FunctionDef):
            assert ast.dump(stub_defs[name].args) == ast.dump(node.args), name
    # Code outside the markers is copied verbatim.
    for kept in ("import math", "from itertools import accumulate", "SCALE = 2",
                 'return f"{len(values)} values"', 'if __name__ == "__main__":'):
        assert kept in stub


def test_stub_compiles_and_every_stubbed_body_raises_with_the_hint_command():
    source = fixture_source()
    stub = render_stub(FIXTURE_KATA, source)
    compile(stub, "stub.py", "exec")
    module = load_module(stub)
    assert module.describe([1, 2]) == "2 values"  # the given helper still works
    assert_every_region_is_stubbed(FIXTURE_KATA, source, stub)
    with pytest.raises(NotImplementedError, match="kata hint 01_fixture/basic"):
        module.Scaler(3)


def test_stub_header_says_generated_how_to_check_and_what_is_forbidden():
    stub = render_stub(FIXTURE_KATA, fixture_source())
    header = stub.split('"""', 1)[0]
    assert all(line.startswith("#") or not line for line in header.splitlines())
    assert "`kata build`" in header
    assert "pytest exercises/01_fixture/basic.py" in header
    assert "kata hint 01_fixture/basic" in header
    # running_total has its own list plus the "*" one; the two classes share the "*" list.
    assert "#   running_total:\n#       math.fsum, itertools.accumulate" in header
    assert "#   Scaler, Outer:\n#       math.fsum" in header
    # The module docstring is still the module's docstring after the comment header.
    assert ast.get_docstring(ast.parse(stub)).startswith("A fixture kata")


def test_stub_header_has_no_forbidden_section_when_nothing_is_forbidden():
    kata = Kata(id="01_fixture/basic", title="t", chapter_title="c")
    source = re.sub(r"Forbidden: [^\n]*", "Forbidden: nothing.", fixture_source())
    stub = render_stub(kata, source)
    assert "Forbidden" not in stub.split('"""', 1)[0]


def test_marker_text_inside_a_string_is_not_a_marker():
    source = textwrap.dedent('''\
        def f():
            """Mark bodies with # BEGIN SOLUTION and # END SOLUTION."""
            # BEGIN SOLUTION
            return 1
            # END SOLUTION
    ''')
    kata = Kata(id="01_fixture/strings", title="t", chapter_title="c")
    stub = render_stub(kata, source)
    assert "Mark bodies with # BEGIN SOLUTION and # END SOLUTION." in stub
    assert "return 1" not in stub


def test_code_after_the_region_is_kept_and_still_compiles():
    source = textwrap.dedent('''\
        def f(p):
            if p < 0:
                raise ValueError("p must be >= 0")
            # BEGIN SOLUTION
            result = p * 2
            # END SOLUTION
            return result
    ''')
    kata = Kata(id="01_fixture/around", title="t", chapter_title="c")
    module = load_module(render_stub(kata, source))
    with pytest.raises(ValueError):
        module.f(-1)
    with pytest.raises(NotImplementedError):
        module.f(1)


BROKEN_REFERENCES = {
    "begin-never-closed": ("""
        def f():
            # BEGIN SOLUTION
            return 1
        """, r"never closed"),
    "end-without-begin": ("""
        def f():
            return 1
            # END SOLUTION
        """, r"without a `# BEGIN SOLUTION`"),
    "nested": ("""
        def f():
            # BEGIN SOLUTION
            x = 1
            # BEGIN SOLUTION
            return x
            # END SOLUTION
            # END SOLUTION
        """, r"regions cannot nest"),
    "end-indented-differently": ("""
        def f():
            # BEGIN SOLUTION
            return 1
        # END SOLUTION
        """, r"indented differently"),
    "marker-indented-unlike-its-code": ("""
        def f():
        # BEGIN SOLUTION
            return 1
        # END SOLUTION
        """, r"indented like the code it wraps"),
    "malformed-marker": ("""
        def f():
            # BEGIN SOLUTION: fast path
            return 1
            # END SOLUTION
        """, r"malformed solution marker"),
    "inline-marker": ("""
        def f():
            x = 1  # BEGIN SOLUTION
            return x
            # END SOLUTION
        """, r"malformed solution marker"),
    "empty-region": ("""
        def f():
            x = 1
            # BEGIN SOLUTION
            # nothing here
            # END SOLUTION
            return x
        """, r"holds no code"),
    "module-level-region": ("""
        # BEGIN SOLUTION
        CONSTANT = 3
        # END SOLUTION
        def f():
            # BEGIN SOLUTION
            return CONSTANT
            # END SOLUTION
        """, r"module level"),
    "class-body-region": ("""
        class f:
            # BEGIN SOLUTION
            size = 3
            # END SOLUTION
        """, r"directly in the body of class f"),
    "region-cuts-a-statement": ("""
        def f(x):
            if x:
                # BEGIN SOLUTION
                y = 1
            else:
                y = 2
                # END SOLUTION
            return y
        """, r"cuts the statement"),
    "no-graded-name": ("""
        def f():
            return 1
        """, r"no graded name"),
    "syntax-error": ("""
        def f(:
            pass
        """, r"cannot parse"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_REFERENCES))
def test_broken_references_are_rejected_with_a_clear_message(case):
    source, message = BROKEN_REFERENCES[case]
    kata = Kata(id="01_fixture/broken", title="t", chapter_title="c")
    with pytest.raises(BuildError, match=message):
        render_stub(kata, textwrap.dedent(source).lstrip("\n"))
    with pytest.raises(BuildError, match=message):
        render_notebook(kata, textwrap.dedent(source).lstrip("\n"))


def test_errors_point_at_the_reference_file_and_line():
    source = "def f():\n    return 1\n    # END SOLUTION\n"
    kata = Kata(id="01_fixture/broken", title="t", chapter_title="c")
    with pytest.raises(BuildError, match=r"^solutions/01_fixture/broken\.py:3: "):
        render_stub(kata, source)


# ---------------------------------------------------------------------------------------------
# render_notebook


def test_notebook_is_valid_nbformat_with_tagged_graded_cells():
    text = render_notebook(FIXTURE_KATA, fixture_source())
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    assert (notebook.nbformat, notebook.nbformat_minor) >= (4, 5)
    cells = notebook.cells
    assert [c.id for c in cells] == [f"cell-{i}" for i in range(1, len(cells) + 1)]

    title = cells[0]
    assert title.cell_type == "markdown"
    assert title.source.startswith(f"# {FIXTURE_KATA.title}\n")
    assert "running totals" in title.source

    graded = {c.metadata["tags"][1]: c for c in cells if "graded" in c.metadata.get("tags", [])}
    assert list(graded) == ["running_total", "Scaler", "Outer"]
    for name, cell in graded.items():
        assert cell.cell_type == "code"
        assert cell.metadata["tags"] == ["graded", name]
        assert "raise NotImplementedError" in cell.source
        assert "solution_only_marker" not in cell.source
    assert cells[1].source == "import math\nfrom itertools import accumulate"
    note, check = cells[-2:]
    assert note.cell_type == "markdown"
    assert "kata check notebooks/01_fixture/basic.ipynb" in note.source
    assert "kata hint 01_fixture/basic NAME" in note.source
    # The last cell grades the notebook itself.
    assert check.cell_type == "code" and check.metadata["tags"] == [authoring.CHECK_TAG]
    assert check.source == "from checker.notebook import check\n\ncheck('01_fixture/basic')"
    assert notebook.metadata["torchkata"]["kata"] == FIXTURE_KATA.id


def test_notebook_code_cells_run_in_order_and_raise_not_implemented():
    notebook = nbformat.reads(render_notebook(FIXTURE_KATA, fixture_source()), as_version=4)
    code = "\n\n".join(c.source for c in notebook.cells
                       if c.cell_type == "code" and authoring.CHECK_TAG not in c.metadata.get("tags", []))
    assert "__main__" not in code  # a demo block would run (and fail) inside the notebook
    module = load_module(code)
    assert module.SCALE == 2 and module.describe([]) == "0 values"
    with pytest.raises(NotImplementedError, match="01_fixture/basic: running_total"):
        module.running_total([1])


def test_lesson_markdown_keeps_literal_stars_and_underscores_but_not_in_code():
    lesson = nbformat.reads(render_notebook(FIXTURE_KATA, fixture_source()), as_version=4).cells[0].source
    assert r"x\*\*2 and snake\_case" in lesson
    assert "    totals = running_total([1, 2, 3])   # [1, 3, 6]" in lesson


def test_rendering_is_deterministic():
    source = fixture_source()
    assert render_stub(FIXTURE_KATA, source) == render_stub(FIXTURE_KATA, source)
    first = render_notebook(FIXTURE_KATA, source)
    assert first == render_notebook(FIXTURE_KATA, source)
    assert first.endswith("}\n")


# ---------------------------------------------------------------------------------------------
# build and reset


def build_roots(tmp_path):
    return dict(
        solutions_root=FIXTURE_SOLUTIONS,
        exercises_root=tmp_path / "exercises",
        notebooks_root=tmp_path / "notebooks",
    )


def test_build_check_reports_missing_then_stale_files_and_passes_after_build(tmp_path):
    roots = build_roots(tmp_path)
    exercise = roots["exercises_root"] / "01_fixture" / "basic.py"
    notebook = roots["notebooks_root"] / "01_fixture" / "basic.ipynb"

    assert authoring.build([FIXTURE_KATA], check=True, **roots) == [exercise, notebook]
    assert not exercise.exists() and not notebook.exists()  # check writes nothing

    assert authoring.build([FIXTURE_KATA], **roots) == [exercise, notebook]
    assert exercise.read_text() == render_stub(FIXTURE_KATA, fixture_source())
    assert notebook.read_text() == render_notebook(FIXTURE_KATA, fixture_source())
    assert authoring.build([FIXTURE_KATA], check=True, **roots) == []
    assert list(roots["exercises_root"].rglob("__init__.py")) == []

    exercise.write_text(exercise.read_text() + "# a learner's edit\n")
    assert authoring.build([FIXTURE_KATA], check=True, **roots) == [exercise]
    assert authoring.build([FIXTURE_KATA], **roots) == [exercise]
    assert authoring.build([FIXTURE_KATA], check=True, **roots) == []


def test_build_leaves_unchanged_files_untouched(tmp_path):
    roots = build_roots(tmp_path)
    written = authoring.build([FIXTURE_KATA], **roots)
    an_hour_ago = 1_700_000_000_000_000_000
    for path in written:
        os.utime(path, ns=(an_hour_ago, an_hour_ago))
    assert authoring.build([FIXTURE_KATA], **roots) == []
    assert [p.stat().st_mtime_ns for p in written] == [an_hour_ago] * len(written)


def test_build_with_a_broken_reference_writes_nothing(tmp_path):
    solutions = tmp_path / "solutions"
    (solutions / "01_fixture").mkdir(parents=True)
    (solutions / "01_fixture" / "basic.py").write_text(fixture_source())
    (solutions / "01_fixture" / "broken.py").write_text("def f():\n    # BEGIN SOLUTION\n    return 1\n")
    broken = Kata(id="01_fixture/broken", title="t", chapter_title="c")
    roots = dict(build_roots(tmp_path), solutions_root=solutions)
    with pytest.raises(BuildError, match=r"broken\.py:2: .*never closed"):
        authoring.build([FIXTURE_KATA, broken], **roots)
    assert not roots["exercises_root"].exists()


def test_build_reports_a_kata_without_reference(tmp_path):
    missing = Kata(id="01_fixture/absent", title="t", chapter_title="c")
    with pytest.raises(BuildError, match="no reference solution"):
        authoring.build([missing], check=True, **build_roots(tmp_path))


def test_build_defaults_to_the_manifest_katas_that_have_a_reference(tmp_path):
    kata = manifest.load()[0]
    solutions = tmp_path / "solutions"
    if not kata.solution_path.is_file():
        pytest.skip(f"{kata.id} has no reference yet")
    (solutions / kata.chapter).mkdir(parents=True)
    (solutions / kata.relpath).write_text(kata.solution_path.read_text())
    roots = dict(build_roots(tmp_path), solutions_root=solutions)
    assert authoring.build(check=True, **roots) == [
        roots["exercises_root"] / kata.relpath, roots["notebooks_root"] / f"{kata.id}.ipynb",
    ]


def test_reset_backs_up_edits_and_restores_the_stub(tmp_path):
    dest = tmp_path / "exercises" / "01_fixture" / "basic.py"
    backups = tmp_path / "backup"
    options = dict(solutions_root=FIXTURE_SOLUTIONS, backup_root=backups)
    stub = render_stub(FIXTURE_KATA, fixture_source())

    assert authoring.reset(FIXTURE_KATA, dest, **options) is None  # nothing there to keep
    assert dest.read_text() == stub
    assert authoring.reset(FIXTURE_KATA, dest, **options) is None  # untouched stub: no backup
    assert not backups.exists()

    learner_work = stub.replace("raise NotImplementedError", "return None  #", 1)
    dest.write_text(learner_work)
    first = authoring.reset(FIXTURE_KATA, dest, **options)
    assert first.parent == backups / "01_fixture"
    assert first.name.startswith("basic-") and first.suffix == ".py"
    assert first.read_text() == learner_work
    assert dest.read_text() == stub

    dest.write_text(learner_work + "# more\n")
    second = authoring.reset(FIXTURE_KATA, dest, **options)  # same second: a distinct name
    assert second != first and second.read_text() == learner_work + "# more\n"


def test_reset_defaults_to_a_backup_in_the_learners_workspace(tmp_path):
    from checker import course_root
    (tmp_path / course_root.WORKSPACE_MARKER).write_text('[workspace]\ncourse = ""\n')
    dest = tmp_path / "basic.py"
    dest.write_text("# my attempt\n")
    with course_root.using(course_root.find_upward(tmp_path)):
        backup = authoring.reset(FIXTURE_KATA, dest, solutions_root=FIXTURE_SOLUTIONS)
    assert backup.is_relative_to(tmp_path / ".torchkata" / "backup")
    assert backup.read_text() == "# my attempt\n"


# ---------------------------------------------------------------------------------------------
# The real katas


REAL_KATAS = [k for k in manifest.load() if k.solution_path.is_file()]


@pytest.mark.parametrize("kata", REAL_KATAS, ids=[k.id for k in REAL_KATAS])
def test_every_real_kata_renders_and_its_stub_raises_not_implemented(kata):
    source = kata.solution_path.read_text(encoding="utf-8")
    stub = render_stub(kata, source)
    assert_every_region_is_stubbed(kata, source, stub)
    stubbed = {r.qualname.split(".")[0] for r in authoring.solution_regions(source)}
    assert set(kata.graded) <= stubbed

    notebook = nbformat.reads(render_notebook(kata, source), as_version=4)
    nbformat.validate(notebook)
    tagged = [c.metadata["tags"][1] for c in notebook.cells if "graded" in c.metadata.get("tags", [])]
    assert tagged == [name for name in _definition_order(source) if name in kata.graded]


def _definition_order(source: str) -> list[str]:
    return [n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
