"""Every kata proves its suite: the reference passes, the stub fails cleanly, every catalogued
mistake is rejected (with its pinned status), every alternative is accepted, and the authoring
checks find nothing. This is `kata validate`, one test per kata, so a broken kata names itself."""
import pytest

from checker import lint, manifest, validate


@pytest.mark.parametrize("kata", manifest.load(), ids=lambda k: k.id)
def test_kata_validates(kata):
    report = validate.validate_kata(kata, reseeds=3)
    missed = [label for label, caught, _ in report.mistakes if not caught]
    rejected = [label for label, accepted, _ in report.alternatives if not accepted]
    assert report.problems == []
    assert report.reference_ok and report.stub_fails
    assert missed == [], f"mistakes the suite lets through: {missed}"
    assert rejected == [], f"correct alternatives the suite rejects: {rejected}"
    assert len(report.mistakes) >= len(kata.graded) and report.alternatives


def test_no_orphan_kata_files():
    assert lint.orphans() == []
