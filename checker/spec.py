"""What a reference module says about its graded names, read from its source without running it.

The reference is the single source of a kata's per-name facts, so nothing is spelled twice:

  * a graded name is a top-level def or class whose body (or a method's body) holds a
    `# BEGIN SOLUTION` ... `# END SOLUTION` region;
  * its docstring is the learner's spec, and two of its lines are also read by the engine:

        Loops: not allowed (whole-tensor operations only).
        Forbidden: torch.gather, torch.Tensor.gather.

    `Loops: not allowed` makes the suite's op-count probe mandatory; `Forbidden:` lists the
    calls refused at run time (`nothing` for none; `Tensor.x`, `F.x` and `nn.X` are short for
    `torch.Tensor.x`, `torch.nn.functional.x` and `torch.nn.X`). A line `Dtype: same as ...`
    promises that the output keeps the input's floating dtype, so float16 and bfloat16 are
    probed too;
  * its hint ladder is the `# hint:` comments inside its solution regions, gentlest first,
    which the stub never shows (a comment line starting `#   ` continues the hint above).

Only the standard library is imported here: `kata list` and `kata hint` stay instant.
"""
from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

BEGIN_MARKER = "# BEGIN SOLUTION"
END_MARKER = "# END SOLUTION"
HINT_PREFIX = "# hint:"

_SHORT_PREFIXES = (("Tensor.", "torch.Tensor."), ("F.", "torch.nn.functional."), ("nn.", "torch.nn."))
_NOTHING = {"nothing", "none", "nothing is forbidden", "none of note"}


class SpecError(ValueError):
    """A reference whose spec lines cannot be read; the message names the file and the fix."""


@dataclass(frozen=True)
class NameSpec:
    name: str
    kind: str                          # "function" or "class"
    line: int
    docstring: str
    loops_allowed: bool | None         # None: the docstring has no `Loops:` line
    forbidden: tuple[str, ...] | None  # None: the docstring has no `Forbidden:` line
    keeps_dtype: bool
    hints: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceSpec:
    path: str
    names: dict = field(default_factory=dict)    # graded name -> NameSpec, in file order

    @property
    def graded(self) -> tuple[str, ...]:
        return tuple(self.names)


def _spec_line(docstring: str, label: str) -> str | None:
    """The text after `label:` up to the end of its paragraph, or None when absent."""
    lines = docstring.split("\n")
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.lower().startswith(label.lower() + ":"):
            text = [stripped[len(label) + 1:].strip()]
            for more in lines[number + 1:]:
                more = more.strip()
                if not more or re.match(r"^[A-Z][A-Za-z ]*:", more):
                    break
                text.append(more)
            return " ".join(t for t in text if t)
    return None


def expand_call_name(name: str) -> str:
    name = name.strip().strip("`").rstrip("()")
    for short, full in _SHORT_PREFIXES:
        if name.startswith(short):
            return full + name[len(short):]
    return name


def parse_forbidden(text: str) -> tuple[str, ...]:
    text = text.strip().rstrip(".")
    if text.lower() in _NOTHING:
        return ()
    # "a, b and c (why)": drop the parenthesised reasons, then split on commas and "and".
    while re.search(r"\([^()]*\)", text):   # innermost first, so "(x.backward() too)" goes whole
        text = re.sub(r"\([^()]*\)", "", text)
    parts = re.split(r",|\band\b", text)
    return tuple(expand_call_name(p) for p in parts if p.strip())


def parse_loops(text: str, where: str) -> bool:
    lowered = text.lower()
    if lowered.startswith("not allowed") or lowered.startswith("no "):
        return False
    if lowered.startswith("allowed"):
        return True
    raise SpecError(f"{where}: the `Loops:` line must start with 'allowed' or 'not allowed', not {text!r}")


def _region_pairs(source: str) -> list[tuple[int, int]]:
    pairs, start = [], None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        text = token.string.strip()
        if text == BEGIN_MARKER:
            start = token.start[0]
        elif text == END_MARKER and start is not None:
            pairs.append((start, token.start[0]))
            start = None
    return pairs


def _continuations(source: str, begin: int, end: int) -> list[str]:
    """Hints from `# hint:` lines; following lines that start `#   ` (three spaces) continue it."""
    hints: list[str] = []
    open_hint = False
    for line in source.split("\n")[begin:end - 1]:
        stripped = line.strip()
        if stripped.lower().startswith(HINT_PREFIX):
            hints.append(stripped[len(HINT_PREFIX):].strip())
            open_hint = True
        elif open_hint and line.lstrip().startswith("#   "):
            hints[-1] += " " + stripped.lstrip("#").strip()
        else:
            open_hint = False
    return hints


def read_reference(source: str, path: str = "<reference>") -> ReferenceSpec:
    """Every graded name of a reference module, with its spec lines and hints."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        raise SpecError(f"{path}:{error.lineno}: cannot parse the reference: {error.msg}") from None
    pairs = _region_pairs(source)
    names = {}
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        inside = [(b, e) for b, e in pairs if node.lineno <= b <= node.end_lineno]
        if not inside:
            continue
        docstring = ast.get_docstring(node, clean=True) or ""
        where = f"{path}:{node.lineno} ({node.name})"
        loops = _spec_line(docstring, "Loops")
        forbidden = _spec_line(docstring, "Forbidden")
        dtype = _spec_line(docstring, "Dtype")
        hints = [h for b, e in inside for h in _continuations(source, b, e)]
        names[node.name] = NameSpec(
            name=node.name, kind="class" if isinstance(node, ast.ClassDef) else "function",
            line=node.lineno, docstring=docstring,
            loops_allowed=None if loops is None else parse_loops(loops, where),
            forbidden=None if forbidden is None else parse_forbidden(forbidden),
            keeps_dtype=bool(dtype and "same as" in dtype.lower()),
            hints=tuple(hints),
        )
    return ReferenceSpec(path, names)


@functools.lru_cache(maxsize=256)
def _cached(path: str, stamp: tuple) -> ReferenceSpec:
    return read_reference(Path(path).read_text(encoding="utf-8"), path)


def reference_spec(path: Path) -> ReferenceSpec:
    """The parsed reference at `path`, re-read when the file changes; empty when it is missing."""
    try:
        stat = Path(path).stat()
    except OSError:
        return ReferenceSpec(str(path))
    return _cached(str(path), (stat.st_mtime_ns, stat.st_size))
