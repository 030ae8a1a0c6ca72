"""A child that patches the probe runtime can answer anything. The parent must still never pass a
wrong value: every structural fact of a reply is checked against the reference's before values
are compared, and anything missing, extra or malformed fails the submission.

Each case takes the honest replies of a catalogued mistake (wrong values), forges them in one of
the ways a patched runtime could, and judges them as untrusted results."""
import copy

import pytest

from kata_helpers import variant_module
from checker import lint, manifest, probe, runner
from checker.results import Status


def _forgeries(results):
    """(label, forged results) for one kata's list of per-check reply lists."""
    yield "no replies at all", []
    yield "one check's replies dropped", results[:-1]
    yield "every check answered with an empty list", [[] for _ in results]
    yield "replies reversed", [list(reversed(r)) for r in results]
    yield "last reply of each check dropped", [r[:-1] for r in results]
    yield "replies that are not dicts", [["ok"] * len(r) for r in results]

    def rewrite(transform):
        forged = copy.deepcopy(results)
        for replies in forged:
            for reply in replies:
                transform(reply)
        return forged

    def empty_sequences(reply):
        out = reply.get("output")
        if isinstance(out, dict) and "items" in out:
            out["items"] = []

    def lie_about_length(reply):
        out = reply.get("output")
        if isinstance(out, dict) and "items" in out and isinstance(out["items"], list):
            out["items"] = out["items"][:1]

    def drop(*keys):
        def transform(reply):
            for key in keys:
                reply.pop(key, None)
        return transform

    def flat_counts(reply):
        if "counts" in reply:
            reply["counts"] = []

    def empty_after(reply):
        if "after" in reply:
            reply["after"] = []

    def clean_state(reply):
        if "state" in reply:
            reply["state"] = {}

    yield "sequence outputs emptied", rewrite(empty_sequences)
    yield "sequence outputs shortened but length kept", rewrite(lie_about_length)
    yield "outputs dropped", rewrite(drop("output"))
    yield "mutation and gradient records dropped", rewrite(drop("mutated", "grads", "param_grads", "aliases"))
    yield "op counts emptied", rewrite(flat_counts)
    yield "in-place state emptied", rewrite(empty_after)
    yield "module state emptied", rewrite(clean_state)
    yield "a fake status", rewrite(lambda reply: reply.update(status="passed", ok=True))


def _wrong_submissions():
    for kata in manifest.load():
        for mistake in lint.load_catalogue(kata).mistakes[:3]:
            if mistake.expect in (None, "not-vectorised"):
                yield pytest.param(kata, mistake, id=f"{kata.id}:{mistake.label[:40]}")


@pytest.mark.parametrize("kata, mistake", list(_wrong_submissions()))
def test_no_forged_reply_turns_a_wrong_submission_into_a_pass(kata, mistake):
    the_plan = runner.plan(kata, 0, ("cpu",))
    module = variant_module(kata.id, mistake)
    honest = [probe.run_probes(module, [dict(s, forbidden=kata.forbidden_for(c.name)) for s in c.specs])
              for c in the_plan.checks]
    owner_checks = [i for i, c in enumerate(the_plan.checks) if c.name == mistake.owner]
    honest_verdicts = runner.judge_checks(kata, the_plan.checks, the_plan.expected, honest, trusted=False)
    if honest_verdicts.get(mistake.owner) is None:
        pytest.skip("this mistake is caught by a check outside the plain probes (e.g. statistics)")
    for label, forged in _forgeries(honest):
        verdicts = runner.judge_checks(kata, the_plan.checks, the_plan.expected, forged, trusted=False)
        verdict = verdicts.get(mistake.owner)
        assert verdict is not None and verdict.status is not Status.PASSED, \
            f"{label}: a wrong {mistake.owner} passed ({owner_checks})"
