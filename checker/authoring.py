"""Single-source authoring: the learner's stub and notebook are generated from the reference.

A reference module (solutions/<chapter>/<kata>.py) wraps every solution body in markers at the
body's indentation:

    def layer_norm(x, gamma, beta, eps=1e-5):
        \"\"\"The spec the learner reads.\"\"\"
        # BEGIN SOLUTION
        ...
        # END SOLUTION

`render_stub` swaps each marked region for one `raise NotImplementedError(...)` line that names
the kata and `kata hint <id>`, and puts a generated-file header (templates/stub.py.j2) on top.
Everything outside the markers (module docstring, imports, signatures, docstrings, helpers the
learner should see) is copied unchanged. `render_notebook` lays the same stub out as notebook
cells, `build` writes both for every kata (or, with check=True, reports which are stale), and
`reset` gives a learner a fresh stub after backing up their work. Neither overwrites a file in
which a graded body has been written (a learner's work) without a backup: build refuses unless
forced, and then backs it up first (checker.backups).

Only the standard library, jinja2 and nbformat are imported here, never torch, so `kata build`
is quick.
"""
from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import jinja2
import nbformat

from checker import backups, course_root, manifest
from checker.manifest import Kata
from checker.spec import SpecError, read_reference

BEGIN_MARKER = "# BEGIN SOLUTION"
END_MARKER = "# END SOLUTION"
TEMPLATES = Path(__file__).resolve().parent / "templates"
CHECK_TAG = "torchkata-check"   # the notebook's last cell, which grades the notebook itself

# Any comment that mentions a marker; a well-formed marker is exactly BEGIN_MARKER/END_MARKER
# alone on its line. Looser spellings are rejected rather than silently left in the stub,
# where they would leak the solution.
_MARKER_MENTION = re.compile(r"\b(BEGIN|END)\s+SOLUTION\b", re.IGNORECASE)


class BuildError(ValueError):
    """A reference module that cannot be turned into a stub; the message says where and why."""


@dataclass(frozen=True)
class Region:
    """One `# BEGIN SOLUTION` ... `# END SOLUTION` block (1-based line numbers of the markers)."""

    begin: int
    end: int
    indent: str
    qualname: str          # the function the block belongs to, e.g. "LayerNorm.__init__"


# --------------------------------------------------------------------------------------------
# Finding the marked regions


def _parse(source: str, filename: str) -> ast.Module:
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as error:
        raise BuildError(f"{filename}:{error.lineno}: cannot parse the module: {error.msg}") from None


def _marker_lines(source: str, filename: str) -> list[tuple[int, str, str]]:
    """(line, "BEGIN" | "END", indentation) for every marker comment, in order.

    tokenize (rather than a line scan) finds real comments only, so a docstring that talks
    about the markers is left alone.
    """
    lines = source.splitlines()
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        if token.type != tokenize.COMMENT or not _MARKER_MENTION.search(token.string):
            continue
        row, col = token.start
        text = token.string.rstrip()
        standalone = lines[row - 1][:col].strip() == ""
        if not standalone or text not in (BEGIN_MARKER, END_MARKER):
            raise BuildError(
                f"{filename}:{row}: malformed solution marker {token.string.strip()!r}; "
                f"write `{BEGIN_MARKER}` or `{END_MARKER}` alone on its own line"
            )
        found.append((row, text.split()[1], lines[row - 1][:col]))
    return found


def _pair_markers(markers, filename: str) -> list[tuple[int, int, str]]:
    pairs = []
    open_marker = None
    for row, kind, indent in markers:
        if kind == "BEGIN":
            if open_marker is not None:
                raise BuildError(
                    f"{filename}:{row}: `{BEGIN_MARKER}` inside the region opened on line "
                    f"{open_marker[0]}; regions cannot nest (close that one first)"
                )
            open_marker = (row, indent)
        else:
            if open_marker is None:
                raise BuildError(f"{filename}:{row}: `{END_MARKER}` without a `{BEGIN_MARKER}` before it")
            begin, begin_indent = open_marker
            if indent != begin_indent:
                raise BuildError(
                    f"{filename}:{row}: `{END_MARKER}` is indented differently from the "
                    f"`{BEGIN_MARKER}` on line {begin}; put both at the body's indentation"
                )
            pairs.append((begin, row, indent))
            open_marker = None
    if open_marker is not None:
        raise BuildError(f"{filename}:{open_marker[0]}: `{BEGIN_MARKER}` is never closed by `{END_MARKER}`")
    return pairs


def _definitions(tree: ast.Module) -> tuple[dict, dict, dict]:
    """Qualified names of every def/class, each node's parent, and for each statement the
    statement list that holds it, as (parent, field name): e.g. (an If node, "orelse")."""
    qualnames, parents, containers = {}, {}, {}

    def visit(node, prefix):
        for field_name, value in ast.iter_fields(node):
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.stmt):
                        containers[item] = (node, field_name)
        for child in ast.iter_child_nodes(node):
            parents[child] = node
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualnames[child] = prefix + child.name
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return qualnames, parents, containers


def solution_regions(source: str, filename: str = "<reference>") -> list[Region]:
    """Every marked region of a reference module, with the function it belongs to.

    Raises BuildError for unbalanced or nested markers, and for a region that is empty, sits
    outside a function body, is indented differently from its code, or cuts a statement in two.
    """
    tree = _parse(source, filename)
    pairs = _pair_markers(_marker_lines(source, filename), filename)
    qualnames, parents, containers = _definitions(tree)
    statements = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]

    regions = []
    for begin, end, indent in pairs:
        inside = [s for s in statements if begin < s.lineno < end]
        if not inside:
            raise BuildError(f"{filename}:{begin}: the solution region (lines {begin}-{end}) holds no code")
        last_code_line = max(s.end_lineno for s in inside)
        for statement in statements:
            # A statement that encloses the region (its def, an `if`) ends at or after the
            # region's last code line, since the END marker is a comment the AST does not see.
            starts_before_ends_inside = statement.lineno < begin < statement.end_lineno < last_code_line
            starts_inside_ends_after = begin < statement.lineno < end < statement.end_lineno
            if starts_before_ends_inside or starts_inside_ends_after:
                raise BuildError(
                    f"{filename}:{begin}: the solution region (lines {begin}-{end}) cuts the "
                    f"statement on line {statement.lineno} in two"
                )
        # The region must be a run of statements from one block; otherwise replacing it would
        # silently drop part of an enclosing `if`/`else` or `try`/`except`.
        outermost = [s for s in inside if parents[s] not in inside]
        blocks = {(id(containers[s][0]), containers[s][1]) for s in outermost}
        if len(blocks) > 1:
            enclosing = parents[outermost[0]]
            raise BuildError(
                f"{filename}:{begin}: the solution region (lines {begin}-{end}) cuts the "
                f"statement on line {enclosing.lineno} in two; wrap whole statements only"
            )
        first = min(inside, key=lambda s: (s.lineno, s.col_offset))
        if first.col_offset != len(indent):
            raise BuildError(
                f"{filename}:{begin}: `{BEGIN_MARKER}` must be indented like the code it wraps "
                f"(column {first.col_offset}, line {first.lineno})"
            )
        owner = parents[first]
        while not isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            owner = parents[owner]
        if isinstance(owner, ast.Module):
            raise BuildError(
                f"{filename}:{begin}: the solution region is at module level; markers belong "
                f"inside a function or method body"
            )
        if isinstance(owner, ast.ClassDef):
            raise BuildError(
                f"{filename}:{begin}: the solution region is directly in the body of class "
                f"{qualnames[owner]}; mark each method body (__init__, forward, ...) instead"
            )
        regions.append(Region(begin=begin, end=end, indent=indent, qualname=qualnames[owner]))
    return regions


# --------------------------------------------------------------------------------------------
# Stub


# In every stub's placeholder; graders recognise the placeholder by it (judge.is_stub_placeholder).
STUB_PHRASE = "is not implemented yet"


def not_implemented_message(kata: Kata, qualname: str) -> str:
    return f"{kata.id}: {qualname} {STUB_PHRASE}; stuck? run `kata hint {kata.id} {qualname.split('.')[0]}`"


def untouched_stubs(source: str, names) -> set[str]:
    """The graded names that `source` still leaves as the stub left them: the name is bound once
    at the top level, by an undecorated def whose body is only a docstring and the stub's
    `raise NotImplementedError("... is not implemented yet ...")`, or by an undecorated class
    whose every method is such a def. Running them could only say "not implemented yet", so
    graders may say it without running (or planning) anything. Unparsable source: none."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    bound: dict[str, list] = {}
    for node in tree.body:
        targets = [node.name] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else \
            [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)] + \
            [(a.asname or a.name).split(".")[0] for a in getattr(node, "names", []) if isinstance(a, ast.alias)]
        for target in targets:
            bound.setdefault(target, []).append(node)
    return {name for name in names if len(bound.get(name, [])) == 1 and _is_stub_definition(bound[name][0])}


def _is_stub_raise(function) -> bool:
    if not isinstance(function, ast.FunctionDef) or function.decorator_list:
        return False
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]                                   # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].cause is not None:
        return False
    raised = body[0].exc
    if isinstance(raised, ast.Name):
        return raised.id == "NotImplementedError"
    return (isinstance(raised, ast.Call) and isinstance(raised.func, ast.Name)
            and raised.func.id == "NotImplementedError" and not raised.keywords and len(raised.args) == 1
            and isinstance(raised.args[0], ast.Constant) and STUB_PHRASE in str(raised.args[0].value))


def _is_stub_definition(node) -> bool:
    if isinstance(node, ast.FunctionDef):
        return _is_stub_raise(node)
    if not isinstance(node, ast.ClassDef) or node.decorator_list or node.keywords:
        return False
    methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    others = [n for n in node.body if n not in methods and not (
        isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]     # only a docstring besides
    return bool(methods) and not others and all(_is_stub_raise(m) for m in methods)


def _python_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _top_level_definitions(tree: ast.Module) -> dict:
    return {
        node.name: node for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }


def _graded(source: str, filename: str) -> tuple[str, ...]:
    """The graded names of a reference: its top-level defs and classes with a solution region."""
    try:
        return read_reference(source, filename).graded
    except SpecError as error:
        raise BuildError(str(error)) from None


def _check_graded(graded, tree: ast.Module, regions: list[Region], filename: str) -> None:
    if not graded:
        raise BuildError(f"{filename}: no graded name: wrap the body of each graded function or method "
                         f"in `{BEGIN_MARKER}` ... `{END_MARKER}`")
    definitions = _top_level_definitions(tree)
    for name in graded:
        node = definitions.get(name)
        if node is None:
            raise BuildError(
                f"{filename}: graded name {name!r} (from katas.toml) is not defined by a "
                f"top-level def or class in the reference"
            )
        covered = [r for r in regions if r.qualname == name or r.qualname.startswith(name + ".")]
        if not covered:
            what = "none of its methods has" if isinstance(node, ast.ClassDef) else "its body has no"
            raise BuildError(
                f"{filename}:{node.lineno}: graded {name!r} would reach the learner solved: "
                f"{what} `{BEGIN_MARKER}` ... `{END_MARKER}` region"
            )


def _stub_module(kata: Kata, source: str, filename: str) -> str:
    """The reference module with every region replaced; no header. Validated and compiled."""
    source = source.replace("\r\n", "\n")
    regions = solution_regions(source, filename)
    graded = _graded(source, filename)
    _check_graded(graded, _parse(source, filename), regions, filename)

    lines = source.split("\n")
    # Replace from the bottom up so earlier line numbers stay valid.
    for region in sorted(regions, key=lambda r: r.begin, reverse=True):
        message = _python_string(not_implemented_message(kata, region.qualname))
        lines[region.begin - 1:region.end] = [f"{region.indent}raise NotImplementedError({message})"]
    stub = "\n".join(lines).rstrip("\n") + "\n"

    stub_name = f"exercises/{kata.relpath}"
    try:
        compile(stub, stub_name, "exec", dont_inherit=True)
    except SyntaxError as error:
        raise BuildError(
            f"{filename}: the generated stub does not compile ({stub_name}:{error.lineno}: {error.msg}); "
            f"check the markers around that line"
        ) from None
    missing = set(graded) - set(_top_level_definitions(ast.parse(stub)))
    if missing:  # cannot happen if the checks above hold; kept as a guard on the generator itself
        raise BuildError(f"{filename}: the generated stub lost {sorted(missing)}")
    return stub


def given_code(kata: Kata, source: str | None = None) -> str:
    """The code a stub hands the learner to leave as it is: its imports and its top-level defs and
    classes that are not graded (drivers, helpers). Graders run it again after the learner's file,
    so a learner who edits a given helper cannot change what it reports. It is public in the stub
    already, so sending it to a sandboxed child reveals nothing."""
    source = source if source is not None else read_solution(kata)
    filename = f"solutions/{kata.relpath}"
    stub = _stub_module(kata, source, filename)
    graded = set(_graded(source, filename))
    tree = ast.parse(stub)
    lines = stub.split("\n")
    kept = []
    for statement in tree.body:
        keep = isinstance(statement, (ast.Import, ast.ImportFrom)) or (
            isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and statement.name not in graded)
        if keep:
            start = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
            kept.append("\n".join(lines[start - 1:statement.end_lineno]))
    return "\n\n".join(kept) + "\n" if kept else ""


def _forbidden_groups(source: str, filename: str, width: int = 88) -> list[tuple[str, list[str]]]:
    """Graded names sharing the same forbidden list, with that list wrapped for comments."""
    groups: dict[tuple, list[str]] = {}
    for name, entry in read_reference(source, filename).names.items():
        calls = tuple(entry.forbidden or ())
        if calls:
            groups.setdefault(calls, []).append(name)
    return [
        (", ".join(names), textwrap.wrap(", ".join(calls), width=width, break_on_hyphens=False))
        for calls, names in groups.items()
    ]


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
)


def render_stub(kata: Kata, source: str) -> str:
    """The learner's exercises/<id>.py, generated from the reference module's source."""
    filename = f"solutions/{kata.relpath}"
    module = _stub_module(kata, source, filename)
    template = _environment.get_template("stub.py.j2")
    text = template.render(kata=kata, forbidden=_forbidden_groups(source, filename), source=module)
    return text.rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# Notebook


def _strip_blank_lines(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _top_level_chunks(tree: ast.Module, source: str) -> list[tuple[ast.stmt, str]]:
    """Each top-level statement with its own text, decorators and leading comments included.

    A comment at column 0 between two statements introduces the next one; indented comments
    and blank lines after a statement stay with it.
    """
    lines = source.split("\n")
    spans = []  # [first line, last line, statement], 1-based inclusive
    previous_end = 0
    for statement in tree.body:
        start = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        split = start
        for number in range(previous_end + 1, start):
            if lines[number - 1].startswith("#"):
                split = number
                break
        if spans:
            spans[-1][1] = split - 1
        spans.append([split, statement.end_lineno, statement])
        previous_end = statement.end_lineno
    if spans:
        spans[-1][1] = len(lines)
    return [(statement, "\n".join(_strip_blank_lines(lines[first - 1:last]))) for first, last, statement in spans]


_INLINE_CODE = re.compile(r"(`[^`]*`)")


def _lesson_markdown(docstring: str) -> str:
    """The module docstring as Markdown: indented snippets become code blocks, and prose keeps
    its literal `*` and `_` (as in `x**2` or `__init__`) instead of turning them into emphasis."""
    out: list[str] = []
    for line in docstring.split("\n"):
        is_code = line.startswith("    ")
        if is_code and out and out[-1].strip() and not out[-1].startswith("    "):
            out.append("")  # Markdown needs a blank line before an indented code block
        if not is_code:
            parts = _INLINE_CODE.split(line)
            line = "".join(
                part if part.startswith("`") else re.sub(r"([*_])", r"\\\1", part) for part in parts
            )
        out.append(line)
    return "\n".join(out)


def _is_main_guard(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.If)
        and isinstance(statement.test, ast.Compare)
        and isinstance(statement.test.left, ast.Name)
        and statement.test.left.id == "__name__"
    )


def render_notebook(kata: Kata, source: str) -> str:
    """The kata as a Jupyter notebook (nbformat 4.5 JSON text), byte-for-byte reproducible.

    Cells: the lesson (title and module docstring), the imports, then the module's code in
    order, each graded definition in a cell of its own tagged ["graded", "<name>"], a note on
    checking, and a last cell (tagged "torchkata-check") that grades the notebook itself with
    the same report as `kata check`. Graders find a graded cell by either tag.
    """
    filename = f"solutions/{kata.relpath}"
    stub = _stub_module(kata, source, filename)
    tree = ast.parse(stub)
    docstring = ast.get_docstring(tree, clean=True) or ""
    graded_names = _graded(source, filename)
    graded = set(graded_names)

    counter = 0

    def next_id() -> str:
        nonlocal counter
        counter += 1
        return f"cell-{counter}"

    lesson = f"# {kata.title}\n\n*{kata.chapter_title}*, kata `{kata.id}`"
    if docstring:
        lesson += "\n\n" + _lesson_markdown(docstring)
    cells = [nbformat.v4.new_markdown_cell(lesson, id=next_id())]

    imports: list[str] = []
    body_cells: list[tuple[str | None, str]] = []  # (graded name or None, code)
    for statement, text in _top_level_chunks(tree, stub):
        is_docstring = (
            statement is tree.body[0]
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        )
        if is_docstring or _is_main_guard(statement):
            continue  # the lesson cell shows the docstring; a __main__ demo would run in the notebook
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            imports.append(text)
        elif getattr(statement, "name", None) in graded:
            body_cells.append((statement.name, text))
        elif body_cells and body_cells[-1][0] is None:
            body_cells[-1] = (None, body_cells[-1][1] + "\n\n\n" + text)
        else:
            body_cells.append((None, text))

    if imports:
        cells.append(nbformat.v4.new_code_cell("\n".join(imports), id=next_id()))
    for name, code in body_cells:
        metadata = {"tags": ["graded", name]} if name else {}
        cells.append(nbformat.v4.new_code_cell(code, id=next_id(), metadata=metadata))

    graded_list = ", ".join(f"`{name}`" for name in graded_names)
    cells.append(nbformat.v4.new_markdown_cell(
        "## Checking your work\n\n"
        f"Replace each `raise NotImplementedError(...)` in the cells tagged `graded` ({graded_list}). "
        "Keep the names, signatures and docstrings: the hidden suite calls them as they are.\n\n"
        "Then run the cell below. It grades the code you have run in this notebook (only the graded "
        "definitions and the imports, helpers and constants they use; your scratch cells are left "
        "alone) and prints the same report as `kata check`. From a terminal, "
        f"`kata check notebooks/{kata.id}.ipynb` grades this notebook as saved.\n\n"
        f"Stuck? `kata hint {kata.id} NAME` shows one more hint for one graded name each time you run it.",
        id=next_id(),
    ))
    cells.append(nbformat.v4.new_code_cell(
        f"from checker.notebook import check\n\ncheck({kata.id!r})",
        id=next_id(), metadata={"tags": [CHECK_TAG]},
    ))

    notebook = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "torchkata": {"kata": kata.id, "graded": list(graded_names)},
        },
    )
    notebook.nbformat_minor = max(notebook.nbformat_minor, 5)  # cell ids need 4.5
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise BuildError(f"{filename}: the generated notebook is not valid nbformat: {error.message}") from None
    return nbformat.writes(notebook).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# The README's kata list


def readme_path() -> Path:
    """The course's README, whose kata list `kata build` keeps in step with the manifest."""
    return course_root.current().course.root / "README.md"


_README_BLOCK = re.compile(r"(<!-- katas:begin[^\n]*-->\n)(.*?)(<!-- katas:end -->)", re.DOTALL)


def readme_kata_list() -> str:
    """The README's list of stubs and their graded names, in syllabus order."""
    rows = [(f"exercises/{k.relpath}", ", ".join(k.graded)) for k in manifest.load()]
    width = max((len(path) for path, _ in rows), default=0) + 2
    lines = [f"{path.ljust(width)}{names}" for path, names in rows]
    return "```text\n" + "\n".join(lines) + f"\n```\n{len(rows)} katas in {len({k.chapter for k in manifest.load()})} chapters.\n"


def render_readme(text: str) -> str:
    return _README_BLOCK.sub(lambda m: m.group(1) + readme_kata_list() + m.group(3), text)


# --------------------------------------------------------------------------------------------
# A learner's work: which graded bodies have been written


def _function_bodies(code: str, prefix: str = "") -> dict[str, list[ast.stmt]]:
    """Every def's body (docstring left out) by qualified name, methods included."""
    bodies: dict[str, list[ast.stmt]] = {}

    def visit(nodes, prefix):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                        and isinstance(body[0].value.value, str):
                    body = body[1:]
                bodies[prefix + node.name] = body
            if isinstance(node, ast.ClassDef):
                visit(node.body, prefix + node.name + ".")

    visit(ast.parse(code).body, prefix)
    return bodies


def _not_implemented(body: list[ast.stmt]) -> bool:
    """A body that is one `raise NotImplementedError(...)`: a stub nobody has written in yet."""
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _code_cells(text: str, suffix: str) -> list[str]:
    """The code of a stub, or of each code cell of a notebook (magics and escapes dropped)."""
    if suffix != ".ipynb":
        return [text]
    from checker import notebook
    return [notebook.python_code(cell.source) or "" for cell in notebook.file_cells(notebook.read(text), "")]


def written_bodies(path: Path, generated: bytes) -> list[str]:
    """The graded bodies someone has written in the stub or notebook at path: the functions
    that the freshly generated file leaves as `raise NotImplementedError` but the file on disk
    does not. A file that cannot be read as code counts as written in: it is mid-edit."""
    path = Path(path)
    stubbed: set[str] = set()
    for code in _code_cells(generated.decode("utf-8"), path.suffix):
        stubbed |= {name for name, body in _function_bodies(code).items() if _not_implemented(body)}
    current: dict[str, list[ast.stmt]] = {}
    try:
        for code in _code_cells(path.read_text(encoding="utf-8"), path.suffix):
            current.update(_function_bodies(code))
    except (SyntaxError, ValueError, OSError, UnicodeDecodeError):
        return ["(it does not parse, so it is taken as work in progress)"]
    return sorted(name for name in stubbed if name in current and not _not_implemented(current[name]))


class OverwriteRefused(BuildError):
    """build would overwrite files that hold a learner's work; `force=True` backs them up first."""

    def __init__(self, written: dict[Path, list[str]]):
        self.written = written
        lines = [f"{path}: {', '.join(names)}" for path, names in written.items()]
        super().__init__("these files hold written graded bodies, which a build would overwrite:\n  "
                         + "\n  ".join(lines))


# --------------------------------------------------------------------------------------------
# build and reset


def _resolve(katas) -> list[Kata]:
    return [manifest.get(k) if isinstance(k, str) else k for k in katas]


def _targets(kata: Kata, exercises_root, notebooks_root) -> tuple[Path, Path]:
    exercise = Path(exercises_root) / kata.relpath if exercises_root else kata.exercise_path
    notebook = Path(notebooks_root) / f"{kata.id}.ipynb" if notebooks_root else kata.notebook_path
    return exercise, notebook


def _solution_path(kata: Kata, solutions_root) -> Path:
    return Path(solutions_root) / kata.relpath if solutions_root else kata.solution_path


def read_solution(kata: Kata, solutions_root: Path | None = None) -> str:
    path = _solution_path(kata, solutions_root)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{kata.id}: no reference solution at {path}") from None


def course_backups() -> Path:
    """Where build --force keeps what it replaces: the course folder's own .torchkata/backup/."""
    course = course_root.current().course
    return course_root.Workspace(course.root, course).backups


def workspace_backups() -> Path:
    """Where reset keeps what it replaces: the learner's workspace's .torchkata/backup/."""
    location = course_root.current()
    return location.workspace.backups if location.workspace else course_backups()


def build(
    katas: Iterable[Kata | str] | None = None,
    check: bool = False,
    *,
    solutions_root: Path | None = None,
    exercises_root: Path | None = None,
    notebooks_root: Path | None = None,
    force: bool = False,
    backup_root: Path | None = None,
    backed_up: list | None = None,
) -> list[Path]:
    """Render every kata's stub and notebook from its reference solution.

    katas defaults to every manifest kata that has a reference file. Everything is rendered
    before anything is written, so one broken reference stops the build with all problems
    listed (BuildError) and leaves the tree as it was.

    check=False: write the files whose content changed (unchanged files keep their mtime) and
    return those paths. check=True: write nothing and return the paths that are missing or
    stale; an empty list means the committed stubs are up to date.

    A stub or notebook on disk in which a graded body has been written (a learner's work, see
    `written_bodies`) is never overwritten silently: build raises OverwriteRefused, writing
    nothing, unless force=True; then each such file is first copied to backup_root (default:
    the course's .torchkata/backup/), and (file, backup) pairs are appended to backed_up.

    The *_root keywords replace solutions/, exercises/ and notebooks/ (tests use them).
    """
    if katas is None:
        selected = [k for k in manifest.load() if _solution_path(k, solutions_root).is_file()]
    else:
        selected = _resolve(katas)

    rendered: list[tuple[Path, bytes]] = []
    problems: list[str] = []
    for kata in selected:
        try:
            source = read_solution(kata, solutions_root)
            stub, notebook = render_stub(kata, source), render_notebook(kata, source)
        except BuildError as error:
            problems.append(str(error))
            continue
        exercise_path, notebook_path = _targets(kata, exercises_root, notebooks_root)
        rendered += [(exercise_path, stub.encode("utf-8")), (notebook_path, notebook.encode("utf-8"))]
    if problems:
        raise BuildError("\n".join(problems))

    readme = readme_path()
    if katas is None and exercises_root is None and readme.is_file():
        rendered.append((readme, render_readme(readme.read_text(encoding="utf-8")).encode("utf-8")))
    changed = [path for path, data in rendered if not path.is_file() or path.read_bytes() != data]
    if check:
        return changed
    kata_of = {path: kata for kata in selected for path in _targets(kata, exercises_root, notebooks_root)}
    written = {path: names for path, data in rendered
               if path in changed and path in kata_of and path.is_file()
               for names in [written_bodies(path, data)] if names}
    if written and not force:
        raise OverwriteRefused(written)
    for path in written:
        backup = backups.save(path, kata_of[path].id, Path(backup_root) if backup_root else course_backups())
        if backed_up is not None:
            backed_up.append((path, backup))
    for path, data in rendered:
        # exercises/<chapter>/ is a plain folder of kata files: no __init__.py, on purpose.
        path.parent.mkdir(parents=True, exist_ok=True)
        if path in changed:
            path.write_bytes(data)
    return changed


def reset(
    kata: Kata | str,
    dest: Path | None = None,
    *,
    solutions_root: Path | None = None,
    backup_root: Path | None = None,
) -> Path | None:
    """Put a fresh stub at dest (default: the kata's file in the learner's workspace).

    If dest holds anything other than the fresh stub, it is first copied to the backup folder
    (default: the workspace's .torchkata/backup/<chapter>/<module>-<timestamp>.py), and that
    path is returned; otherwise None.
    """
    (kata,) = _resolve([kata])
    if dest is None:
        workspace = course_root.current().workspace
        dest = (workspace.exercises / kata.relpath) if workspace else kata.exercise_path
    dest = Path(dest)
    stub = render_stub(kata, read_solution(kata, solutions_root)).encode("utf-8")

    backup = None
    if dest.is_file() and dest.read_bytes() != stub:
        backup = backups.save(dest, kata.id, Path(backup_root) if backup_root is not None else workspace_backups())
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(stub)
    return backup
