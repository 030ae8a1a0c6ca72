"""Helpers shared by the tests/test_reference_*.py files, built on the engine's own functions.

The kata folders start with digits, so references and catalogues are loaded from their file
paths (checker.runner.load_path); the manifest is read through checker.manifest, and forbidden
calls are caught with the same guard the suites use (checker.guards.Forbid).
"""
from __future__ import annotations

import itertools
import types

from checker import manifest, runner
from checker.guards import Forbid, ForbiddenCall

_fresh_names = itertools.count()


def _load_fresh(path, role: str, kata_id: str) -> types.ModuleType:
    """A new module object for the file on every call, so tests can change it in isolation."""
    name = f"_tk_test_{role}_{kata_id.replace('/', '_')}_{next(_fresh_names)}"
    return runner.load_path(path, name)


def load_reference(kata_id: str) -> types.ModuleType:
    """A fresh copy of the kata's reference module (solutions/<id>.py)."""
    return _load_fresh(manifest.get(kata_id).solution_path, "reference", kata_id)


def load_catalogue(kata_id: str):
    """The `catalogue` object of a fresh copy of checker/suites/<id>_catalogue.py."""
    return _load_fresh(manifest.get(kata_id).catalogue_path, "catalogue", kata_id).catalogue


def reference_with(kata_id: str, replaces: dict) -> types.ModuleType:
    """A fresh copy of the reference with some graded names swapped, as `kata validate` builds it.

    The names are set on the module itself, so the reference's other functions see them too."""
    module = load_reference(kata_id)
    for name, obj in replaces.items():
        setattr(module, name, obj)
    return module


def graded_names(kata_id: str) -> tuple[str, ...]:
    return manifest.get(kata_id).graded


def forbidden_names(kata_id: str, graded_name: str | None = None) -> tuple[str, ...]:
    """The manifest's forbidden calls for one graded name ("*" included), or, with None,
    those of every graded name together."""
    kata = manifest.get(kata_id)
    if graded_name is not None:
        return kata.forbidden_for(graded_name)
    return tuple(dict.fromkeys(n for name in kata.graded for n in kata.forbidden_for(name)))


def forbidden_calls_made(kata_id: str, graded_name: str | None, fn, *args) -> list[str]:
    """The forbidden calls `fn(*args)` makes, by name ([] when none).

    Forbid stops the call at the first forbidden one, which is enough to know whether any was
    made; other exceptions from fn propagate as they would without the guard."""
    guard = Forbid(forbidden_names(kata_id, graded_name))
    try:
        with guard:
            fn(*args)
    except ForbiddenCall:
        pass
    return list(guard.hits)


def variant_module(kata_id: str, variant) -> types.ModuleType:
    """A fresh reference copy with one catalogue entry applied, exactly as `kata validate` grades it."""
    from checker import catalogue
    return catalogue.apply(manifest.get(kata_id).solution_path, variant,
                           f"_tk_test_variant_{kata_id.replace('/', '_')}_{next(_fresh_names)}")


def replaced(kata_id: str, variant):
    """(graded name, the object a variant puts there) for a catalogue entry."""
    return variant.owner, getattr(variant_module(kata_id, variant), variant.owner)
