"""`kata validate`: prove each suite against its own kata, rustlings `dev check` style.

For every kata: the authoring checks (`checker.lint`) find nothing, the reference passes, the
generated stub fails, every catalogued mistake is rejected (with the pinned status, when one is
given), every catalogued alternative is accepted, and stochastic checks stay green on the
reference under fresh seeds.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from checker import authoring, catalogue as catalogues, lint, manifest, runner
from checker.results import Status


@dataclass
class KataReport:
    kata_id: str
    reference_ok: bool = False
    stub_fails: bool = False
    mistakes: list[tuple[str, bool, str]] = field(default_factory=list)      # label, caught, detail
    alternatives: list[tuple[str, bool, str]] = field(default_factory=list)  # label, accepted, detail
    reseeded: list[tuple[int, bool, str]] = field(default_factory=list)      # seed, ok, detail
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.reference_ok and self.stub_fails and all(c for _, c, _ in self.mistakes)
                and all(a for _, a, _ in self.alternatives) and all(o for _, o, _ in self.reseeded)
                and not self.problems)


def _failures(result) -> str:
    return "; ".join(f"{t.name}: {t.status.value}: {t.message.splitlines()[0] if t.message else ''}"
                     for t in result.tests if not t.status.passed)


def stochastic_seeds(count: int, start: int = 1) -> range:
    return range(start, start + count)


def grade_variant(kata: manifest.Kata, variant, executor, devices=("cpu",), diagnose: bool = False):
    """The kata graded on a fresh reference copy with one catalogue entry applied."""
    module = catalogues.apply(kata.solution_path, variant, f"torchkata_variant_{kata.id.replace('/', '_')}")
    target = runner.Target(str(kata.catalogue_path), namespace=module)
    return runner.grade_kata(kata, target, executor, devices=devices, diagnose=diagnose)


def mistake_caught(variant, result) -> bool:
    """The owning graded name fails (any name, for a helper), with the pinned status if given."""
    tests = [t for t in result.tests if t.name == variant.owner] or result.tests
    failing = [t for t in tests if not t.status.passed]
    if variant.expect:
        return any(t.status.value == variant.expect for t in failing)
    return bool(failing)


def validate_kata(kata: manifest.Kata, *, reseeds: int = 20, devices=("cpu",)) -> KataReport:
    report = KataReport(kata.id)
    report.problems += lint.lint_kata(kata)
    if any("no reference" in p or "planning the suite failed" in p or "does not grade" in p
           for p in report.problems):
        return report
    executor = runner.InProcess()
    reference = runner.reference_for(kata)
    grade = lambda target, **kw: runner.grade_kata(kata, target, executor, devices=devices,  # noqa: E731
                                                   diagnose=False, **kw)

    result = grade(runner.Target(str(kata.solution_path), namespace=reference))
    report.reference_ok = result.passed
    if not result.passed:
        report.problems.append(f"reference fails: {_failures(result)}")

    stub = authoring.render_stub(kata, kata.solution_path.read_text(encoding="utf-8"))
    result = grade(runner.Target(f"exercises/{kata.relpath}", source=stub))
    report.stub_fails = all(t.status is Status.NOT_IMPLEMENTED for t in result.tests)
    if not report.stub_fails:
        report.problems.append(f"stub does not fail cleanly: {_failures(result) or 'it passes'}")

    if kata.catalogue_path.is_file():
        catalogue = lint.load_catalogue(kata)
        for mistake in catalogue.mistakes:
            try:
                result = grade_variant(kata, mistake, executor, devices)
            except AttributeError as error:   # an entry for a name the reference lacks: lint names it
                report.mistakes.append((mistake.label, False, str(error)))
                continue
            report.mistakes.append((mistake.label, mistake_caught(mistake, result),
                                    _failures(result) or "every test passed"))
        for alternative in catalogue.alternatives:
            try:
                result = grade_variant(kata, alternative, executor, devices)
            except AttributeError as error:
                report.alternatives.append((alternative.label, False, str(error)))
                continue
            report.alternatives.append((alternative.label, result.passed, _failures(result)))

    stochastic = [c.name for c in runner.plan(kata, 0, tuple(devices)).checks if c.stochastic]
    if stochastic:
        for seed in stochastic_seeds(reseeds):
            result = grade(runner.Target(str(kata.solution_path), namespace=reference), seed=seed,
                           names=sorted(set(stochastic)))
            report.reseeded.append((seed, result.passed, _failures(result)))
    return report


def summary_line(reports: list[KataReport]) -> str:
    mistakes = [c for r in reports for _, c, _ in r.mistakes]
    alternatives = [a for r in reports for _, a, _ in r.alternatives]
    reseeded = [o for r in reports for _, o, _ in r.reseeded]
    return (f"{len(reports)} katas · {sum(r.reference_ok for r in reports)} references pass · "
            f"{sum(r.stub_fails for r in reports)} stubs fail · {sum(mistakes)}/{len(mistakes)} mistakes caught · "
            f"{sum(alternatives)}/{len(alternatives)} alternatives accepted · "
            f"{sum(reseeded)}/{len(reseeded)} reseeded stochastic runs pass")
