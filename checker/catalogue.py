"""Mistake catalogues: plausible wrong implementations a suite must reject, and correct
alternatives it must accept. A catalogue lives beside its suite
(checker/suites/<chapter>/<module>_catalogue.py), knows its kata from that place, and holds
*deltas*: each entry replaces one thing in a fresh copy of the reference and leaves the rest.

    from checker.catalogue import Catalogue
    catalogue = Catalogue()
    ref = catalogue.reference          # the pristine reference module, to wrap or reuse

    @catalogue.mistake("unbiased variance (divides by n - 1)")
    def layer_norm(x, gamma, beta, eps=1e-5):          # replaces a graded function
        ...

    class LayerNorm:                                   # only a namespace: replaces one method
        @catalogue.mistake("forgets super().__init__()")
        def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
            ...

    @catalogue.mistake("returns float32 for half inputs")
    def masked_mean(x, mask, dim):                     # a wrapper around the reference
        return ref.masked_mean(x, mask, dim).float()

What an entry replaces is its qualified name: `layer_norm`, `LayerNorm.__init__`, or a helper
such as `_stable_exp`. The graded name that owns it (or, for a helper, any graded name) must fail;
`expect=` can also pin the status (e.g. "forbidden-op"). An alternative must pass everything.
`kata validate` grades every entry; `checker.diagnose` also uses the mistakes to name what a
failing learner most likely did.
"""
from __future__ import annotations

import functools
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from checker.suite import kata_id_of


@dataclass
class Variant:
    label: str
    target: str                 # qualified name replaced: "layer_norm" or "LayerNorm.forward"
    replacement: Any
    expect: str | None = None   # for mistakes: the status the suite must report
    hint: str = ""              # for mistakes: what to do about it, shown with a diagnosis

    @property
    def owner(self) -> str:
        """The top-level name the replacement belongs to."""
        return self.target.split(".")[0]


class Catalogue:
    def __init__(self):
        caller = sys._getframe(1).f_globals.get("__file__", "<catalogue>")
        self.path = str(caller)
        self.kata_id = kata_id_of(caller)
        self.mistakes: list[Variant] = []
        self.alternatives: list[Variant] = []

    @functools.cached_property
    def reference(self) -> types.ModuleType:
        from checker import manifest, runner
        return runner.reference_for(manifest.get(self.kata_id))

    def _register(self, into: list, label: str, expect=None, hint="") -> Callable:
        def register(obj):
            qualname = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
            into.append(Variant(label, qualname.replace(".<locals>", ""), obj, expect, hint))
            return obj
        return register

    def mistake(self, label: str, *, expect: str | None = None, hint: str = "") -> Callable:
        return self._register(self.mistakes, label, expect, hint)

    def alternative(self, label: str) -> Callable:
        return self._register(self.alternatives, label)


def apply(reference_path: Path, variant: Variant, module_name: str) -> types.ModuleType:
    """A fresh copy of the reference module with the variant's one replacement made.

    The reference is executed anew, so graded code that calls a replaced helper (through its
    module's globals) or a replaced method sees the change, and nothing leaks between variants.
    Inside the replacement, `ref` means this copy as it was before the change (so a delta can call
    the method it replaces, and zero-argument super() finds the copy's class)."""
    from checker.runner import load_path
    module = load_path(reference_path, module_name)
    owner_name, _, attribute = variant.target.partition(".")
    if not hasattr(module, owner_name):
        raise AttributeError(f"the reference defines no {owner_name!r} for the entry {variant.label!r} to replace")
    originals = types.SimpleNamespace(**vars(module))
    if attribute:
        owner = getattr(module, owner_name)
        if "." in attribute or not isinstance(owner, type):
            raise AttributeError(f"{variant.target!r}: a delta replaces a method of a top-level class only")
        setattr(originals, owner_name, _Before(owner, attribute, owner.__dict__.get(attribute)))
        setattr(owner, attribute, _rebind(variant.replacement, owner, originals))
    else:
        setattr(module, owner_name, _rebind(variant.replacement, None, originals))
    return module


class _Before(types.SimpleNamespace):
    """A class as it was before one of its methods was replaced: that method comes from the
    instance dict (which wins over the namespace type's own __init__ and friends), the rest from
    the class."""

    def __init__(self, cls: type, attribute: str, original):
        super().__init__(**({attribute: original} if original is not None else {}))
        self.__dict__["_cls"] = cls

    def __getattr__(self, name):
        return getattr(self.__dict__["_cls"], name)

    def __call__(self, *args, **kwargs):
        return self.__dict__["_cls"](*args, **kwargs)


def _rebind(fn, owner: type | None, originals):
    """The function with `ref` bound to `originals` and, for a method written inside a catalogue's
    namespace class, its `__class__` cell pointed at the reference's class (for super())."""
    if not isinstance(fn, types.FunctionType):
        return fn
    cells = fn.__closure__
    if owner is not None and "__class__" in fn.__code__.co_freevars:
        cells = tuple(types.CellType(owner) if name == "__class__" else cell
                      for name, cell in zip(fn.__code__.co_freevars, fn.__closure__))
    scope = dict(fn.__globals__, ref=originals)
    rebound = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, cells)
    rebound.__kwdefaults__, rebound.__qualname__ = fn.__kwdefaults__, fn.__qualname__
    return rebound
