"""The one result model. Every runner produces it; every emitter (pytest, text, JSON,
Gradescope, Exercism, JUnit) reads it. Plain dataclasses, so it serialises trivially."""
from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"                  # ran, but values/shapes/grads are wrong
    ERROR = "error"                    # the learner's code raised
    FORBIDDEN = "forbidden-op"         # called an operation the kata forbids
    NOT_VECTORISED = "not-vectorised"  # op count grows with input size
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASHED = "crashed"                # killed by a signal (segfault, ...) or exited early
    IMPORT_ERROR = "import-error"      # file missing, syntax error, or raised at import
    NOT_IMPLEMENTED = "not-implemented"

    @property
    def passed(self) -> bool:
        return self is Status.PASSED


@dataclass
class TestResult:
    """One graded name of one kata (e.g. `04_indexing/gather::gather_2d`)."""

    kata_id: str
    name: str
    status: Status
    message: str = ""
    score: float = 0.0
    max_score: float = 1.0
    diagnosis: str = ""               # the catalogued mistake this failure behaves like, if one

    @property
    def test_id(self) -> str:
        return f"{self.kata_id}::{self.name}"


@dataclass
class KataResult:
    kata_id: str
    title: str
    tests: list[TestResult] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        return bool(self.tests) and all(t.status.passed for t in self.tests)

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)


@dataclass
class GradeReport:
    katas: list[KataResult] = field(default_factory=list)
    execution_time_s: float = 0.0
    #: device, isolation level, warnings, torchkata version, submission name...
    metadata: dict = field(default_factory=dict)

    @property
    def tests(self) -> list[TestResult]:
        return [t for k in self.katas for t in k.tests]

    @property
    def passed(self) -> bool:
        return bool(self.katas) and all(k.passed for k in self.katas)

    @property
    def score(self) -> float:
        return sum(k.score for k in self.katas)

    @property
    def max_score(self) -> float:
        return sum(k.max_score for k in self.katas)

    def to_dict(self) -> dict:
        data = asdict(self)
        for kata in data["katas"]:
            for test in kata["tests"]:
                test["status"] = Status(test["status"]).value
        return data
