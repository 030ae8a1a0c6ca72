"""Authoring checks: the mistakes an instructor can make that the engine would otherwise accept.

Each problem is one line that names the file and the fix. `kata validate` runs them all (and
fails on any), the runner refuses a suite that names what its kata does not grade, and CI runs
validate, so none of these reaches a learner:

  * a graded name with no check (it would otherwise never be graded);
  * a check or catalogue entry for a name the kata does not grade (a file for another kata);
  * a graded docstring without its `Loops:` or `Forbidden:` line;
  * `Loops: not allowed` without an op-count probe, or an op-count probe that never grows some
    dim a loop could run over;
  * a forbidden name that is not a real torch callable or module;
  * a graded name without at least one catalogued mistake;
  * an orphan file (reference, stub, notebook, suite or catalogue) without a manifest entry.
"""
from __future__ import annotations

from pathlib import Path

from checker import manifest
from checker.manifest import Kata


def _resolves(dotted: str) -> bool:
    from checker.guards import _lookup
    obj = _lookup(dotted)
    return obj is not None and (callable(obj) or type(obj).__name__ == "module")


def _grow_problems(kata: Kata, name: str, grow) -> list[str]:
    """Every dim larger than 1 in the base probe must change when some size grows."""
    from checker.suite import grown_variants, grow_sizes
    sizes = grow_sizes(grow)
    where = f"{kata.suite_path}: {name}'s grow builder"
    if not sizes:
        return [f"{where} takes no int-default size parameter, so nothing grows; give it keyword sizes "
                f"such as `rows=3, cols=4`"]
    small = [s for s, v in sizes.items() if v < 2]
    if small:
        return [f"{where}: sizes {small} default below 2; start every size at 2 or more so size-1 "
                f"special cases do not hide a loop"]
    variants = grown_variants(grow, 0)
    shapes = [_shapes(case) for _, case in variants]
    problems = []
    for position, base in enumerate(shapes[0]):
        for dim, length in enumerate(base):
            grown = any(position < len(s) and dim < len(s[position]) and s[position][dim] != length
                        for s in shapes[1:])
            if length > 1 and not grown:
                problems.append(f"{where}: dim {dim} of tensor argument {position} (size {length}) never grows, so "
                                f"a loop over it would pass; make that size a keyword parameter of the builder")
    return problems


def _shapes(case) -> list[tuple]:
    from checker.argkinds import tensor_leaves
    values = getattr(case, "args", None)
    if values is None:
        values = tuple(case.inputs)
    return [tuple(t.shape) for _, t in tensor_leaves(values, "")]


def lint_kata(kata: Kata) -> list[str]:
    problems = []
    spec = kata.spec
    if not kata.solution_path.is_file():
        return [f"{kata.id}: no reference at {kata.solution_path}; `kata new {kata.id} NAME` scaffolds one"]
    if "TODO" in kata.title or "TODO" in kata.chapter_title:
        problems.append(f"{manifest.MANIFEST_PATH}: {kata.id}: the title or chapter title still says TODO")
    source = kata.solution_path.read_text(encoding="utf-8")
    if "TODO" in source:
        line = source[:source.index("TODO")].count("\n") + 1
        problems.append(f"{kata.solution_path}:{line}: still says TODO; write the lesson, the specs, the hints "
                        f"and the reference")
    if not spec.graded:
        problems.append(f"{kata.solution_path}: no graded name: wrap each graded body in "
                        f"`# BEGIN SOLUTION` ... `# END SOLUTION`")
    for name, entry in spec.names.items():
        where = f"{kata.solution_path}:{entry.line} ({name})"
        if entry.loops_allowed is None:
            problems.append(f"{where}: the docstring has no `Loops:` line; say `Loops: allowed.` or "
                            f"`Loops: not allowed.`")
        if entry.forbidden is None:
            problems.append(f"{where}: the docstring has no `Forbidden:` line; list the refused calls or "
                            f"write `Forbidden: nothing.`")
        for call in entry.forbidden or ():
            if not _resolves(call):
                problems.append(f"{where}: forbidden name {call!r} is not a torch callable or module in this "
                                f"torch; fix the spelling or drop it")
        if len(entry.hints) < 2:
            problems.append(f"{where}: a hint ladder needs at least 2 `# hint:` lines inside its solution region")
    problems += _lint_suite(kata)
    problems += _lint_catalogue(kata)
    return problems


def _lint_suite(kata: Kata) -> list[str]:
    from checker import runner
    from checker.suite import AuthoringError
    try:
        suite = runner.suite_for(kata)
    except AuthoringError as error:
        return [str(error)]
    problems = []
    checked = set(suite.graded_names)
    for name, entry in kata.spec.names.items():
        if name not in checked:
            problems.append(f"{kata.suite_path}: graded name {name!r} has no check; add "
                            f"`@suite.function(...)`/`@suite.module(...)` on a generator named {name}")
            continue
        grow = suite.grow.get(name)
        if entry.loops_allowed is False and grow is None:
            problems.append(f"{kata.suite_path}: {name}'s spec says `Loops: not allowed` but its check has no "
                            f"`grow=` op-count builder")
        if grow is not None:
            problems += _grow_problems(kata, name, grow)
    try:
        checks = runner.plan(kata, 0, ("cpu",)).checks
    except Exception as error:  # noqa: BLE001 - a broken suite is an authoring problem to report
        return problems + [f"{kata.suite_path}: planning the suite failed: {error!r}"]
    for check in checks:
        if not check.specs:
            problems.append(f"{kata.suite_path}: a check of {check.name} yields no case; yield at least one")
    return problems


def load_catalogue(kata: Kata):
    from checker import runner
    return runner.load_course_file(kata, kata.catalogue_path, "catalogue").catalogue


def _lint_catalogue(kata: Kata) -> list[str]:
    if not kata.catalogue_path.is_file():
        return [f"{kata.id}: no mistake catalogue at {kata.catalogue_path}; `kata new` scaffolds one"]
    from checker import runner
    catalogue = load_catalogue(kata)
    problems = []
    reference = vars(runner.reference_for(kata))
    for variant in catalogue.mistakes + catalogue.alternatives:
        if variant.owner not in reference:
            problems.append(f"{kata.catalogue_path}: entry {variant.label!r} replaces {variant.target!r}, which "
                            f"{kata.solution_path.name} does not define (is this a catalogue for another kata?)")
    for name in kata.graded:
        if not any(m.owner == name for m in catalogue.mistakes):
            problems.append(f"{kata.catalogue_path}: graded name {name!r} has no catalogued mistake; add at least "
                            f"one `@catalogue.mistake(...)` for it")
    if not catalogue.alternatives:
        problems.append(f"{kata.catalogue_path}: no correct alternative; add at least one "
                        f"`@catalogue.alternative(...)` so the suite is shown not to be too strict")
    return problems


def orphans(root: Path | None = None) -> list[str]:
    """Kata files on disk that no manifest entry owns."""
    known = {k.id for k in manifest.load()}
    found = []
    places = ((manifest.SOLUTIONS, "*/*.py", ""), (manifest.EXERCISES, "*/*.py", ""),
              (manifest.NOTEBOOKS, "*/*.ipynb", ""), (manifest.SUITES, "*/*.py", "_catalogue"))
    for folder, pattern, suffix in places:
        for path in sorted(Path(folder).glob(pattern)):
            kata_id = f"{path.parent.name}/{path.stem.removesuffix(suffix) if suffix else path.stem}"
            if path.name.startswith("_"):
                continue
            if kata_id not in known:
                found.append(f"{path}: no manifest entry {kata_id!r} owns this file; add it to katas.toml "
                             f"(`kata new` does) or delete the file")
    return found
