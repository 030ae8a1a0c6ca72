"""Mistake catalogues: plausible wrong implementations a suite must reject, and correct
alternatives it must accept. A catalogue lives beside its suite
(checker/suites/<id>_catalogue.py) and is written like this:

    from checker.catalogue import Catalogue
    catalogue = Catalogue()

    @catalogue.mistake("unbiased variance (divides by n - 1)")
    def layer_norm(x, gamma, beta, eps=1e-5):
        ...

    @catalogue.alternative("variance via torch.var(unbiased=False)")
    def layer_norm(x, gamma, beta, eps=1e-5):
        ...

Each entry replaces the graded name it is called after (the function's or class's __name__)
in a copy of the reference module; `kata validate` grades that copy. A mistake passes
validation when the suite fails the replaced name; `expect=` can also pin the status
(e.g. "forbidden-op"). An alternative passes when every test passes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Variant:
    label: str
    replaces: dict[str, Any]          # graded name -> function or class
    expect: str | None = None         # for mistakes: the status the suite must report


@dataclass
class Catalogue:
    mistakes: list[Variant] = field(default_factory=list)
    alternatives: list[Variant] = field(default_factory=list)

    def mistake(self, label: str, *, expect: str | None = None, name: str | None = None) -> Callable:
        def register(obj):
            self.mistakes.append(Variant(label, {name or obj.__name__: obj}, expect))
            return obj
        return register

    def alternative(self, label: str, *, name: str | None = None) -> Callable:
        def register(obj):
            self.alternatives.append(Variant(label, {name or obj.__name__: obj}))
            return obj
        return register
