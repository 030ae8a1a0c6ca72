"""Where a line of code lifted from a notebook came from, so tracebacks can name the cell.

Code lifted out of notebook cells (checker.notebook) is graded as one module. Before each
lifted piece goes one marker comment naming its cell and the cell line it starts on:

    #@cell 3 gather.ipynb, cell 5
    def gather_2d(data, dim, index):

`relocate` turns a line of that module back into the cell's name and the line within the cell.
Only the standard library is used: the probe runtime in the sandboxed child imports this.
"""
from __future__ import annotations

import re

_MARKER = re.compile(r"#@cell (\d+) (.+)")


def marker(label: str, first_line: int) -> str:
    """The comment line that goes before a piece lifted from `label`, starting at first_line."""
    return f"#@cell {first_line} {label}"


def relocate(filename: str, lineno: int, lines: list[str]) -> tuple[str, int]:
    """(cell label, line in the cell) for line `lineno` of a lifted module whose text is
    `lines`, or (filename, lineno) unchanged when no marker stands above that line."""
    for index in range(min(lineno, len(lines)) - 1, -1, -1):
        found = _MARKER.fullmatch(lines[index].rstrip("\r\n"))
        if found:
            return found.group(2), int(found.group(1)) + (lineno - 1 - index) - 1
    return filename, lineno
