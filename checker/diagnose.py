"""Name the mistake: match a failing submission against the kata's catalogue of known mistakes.

The catalogue is trusted code, so its mistakes run here, in the grading process, never in the
learner's: once per (kata, seed, devices), on exactly the probes the suite sends the learner, and
cached for the rest of a batch. A learner's failing graded name gets a diagnosis only when exactly
one catalogued mistake of that name behaves like it on every probe: it fails the same probes, and
on each of them it answers what the learner answered. Anything less says nothing, because a wrong
diagnosis misleads more than none. A diagnosis shows the mistake's label and hint only: no code
and no input beyond what the report already shows.
"""
from __future__ import annotations

import functools
import threading

from checker import judge as J
from checker.results import Status

DIAGNOSED = (Status.FAILED, Status.ERROR, Status.NOT_VECTORISED)
_lock = threading.Lock()   # mistakes run under process-wide guards: one kata's set at a time


def _error_kind(result: dict):
    for key in ("missing", "forbidden", "not_module"):
        if key in result:
            return key, result[key]
    for key in ("error", "grad_error"):
        err = result.get(key)
        if isinstance(err, dict):
            return key, err.get("type", err.get("forbidden"))
    return None


def _same_tensor_list(a, b) -> bool:
    if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
        return a == b
    for x, y in zip(a, b):
        if (x is None) != (y is None):
            return False
        if x is not None and J.compare_tensor(J.raw(x), J.raw(y), "") is not None:
            return False
    return True


_STATE_FLAGS = ("requires_grad", "is_leaf", "grad_fn")


def _same_states(a, b) -> bool:
    """In-place probes: each input's value, .grad and autograd flags after the call."""
    if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
        return False
    return all(isinstance(x, dict) and isinstance(y, dict)
               and all(x.get(f) == y.get(f) for f in _STATE_FLAGS)
               and _same_tensor_list([x.get("value"), x.get("grad")], [y.get("value"), y.get("grad")])
               for x, y in zip(a, b))


def _growth(result: dict) -> list[bool]:
    counts = result["counts"]
    return [c > counts[0] for c in counts[1:]]


def agree(a, b) -> bool:
    """Whether two probe results of the same spec say the same thing (a is taken as expected)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    try:
        if _error_kind(a) or _error_kind(b):
            return _error_kind(a) == _error_kind(b)
        if "counts" in a or "counts" in b:
            return _growth(a) == _growth(b)
        if "output" in a or "output" in b:
            if "output" not in a or "output" not in b or J.compare(a["output"], b["output"], "") is not None:
                return False
        if "state" in a and sorted(a["state"]) != sorted(b.get("state") or {}):
            return False
        if a.get("mutated", []) != b.get("mutated", []) or a.get("aliases", []) != b.get("aliases", []):
            return False
        if ("after" in a or "after" in b) and not _same_states(a.get("after"), b.get("after")):
            return False
        if ("disconnected" in a) != ("disconnected" in b):
            return False
        return _same_tensor_list(a.get("grads"), b.get("grads"))
    except (J.Malformed, KeyError, TypeError, ValueError, IndexError, AttributeError, RuntimeError):
        return False


@functools.lru_cache(maxsize=64)
def mistake_results(kata, seed: int, devices: tuple) -> tuple:
    """(mistake, {check index: results}) for every catalogued mistake, on the plan's probes."""
    from checker import catalogue as catalogues, lint, probe, runner
    if not kata.catalogue_path.is_file():
        return ()
    the_plan = runner.plan(kata, seed, devices)
    found = []
    with _lock:
        for number, mistake in enumerate(lint.load_catalogue(kata).mistakes):
            try:
                module = catalogues.apply(kata.solution_path, mistake,
                                          f"torchkata_diagnosis_{kata.id.replace('/', '_')}_{number}")
            except Exception:  # noqa: BLE001 - a broken entry is validate's to report, not a learner's
                continue
            per_check = {}
            for index, check in enumerate(the_plan.checks):
                if check.name != mistake.owner or check.stochastic:
                    continue
                specs = [dict(s, forbidden=kata.forbidden_for(check.name)) for s in check.specs]
                per_check[index] = probe.run_probes(module, specs, str(kata.catalogue_path))
            found.append((mistake, per_check))
    return tuple(found)


def _behaves_like(expected: list, got: list, mistaken: list) -> tuple[bool, int]:
    """(all probes agree, number of failing probes) for one check."""
    if not (len(expected) == len(got) == len(mistaken)):
        return False, 0
    failing = 0
    for exp, learner, wrong in zip(expected, got, mistaken):
        learner_ok, wrong_ok = agree(exp, learner), agree(exp, wrong)
        if learner_ok != wrong_ok:
            return False, 0
        if not learner_ok:
            failing += 1
            if not agree(wrong, learner):
                return False, 0
    return True, failing


def diagnose(kata, name: str, check_indices: list[int], expected: list, got: list, seed: int, devices) -> str:
    """The one catalogued mistake of `name` that the learner's results match, as a report line."""
    candidates = []
    for mistake, per_check in mistake_results(kata, seed, tuple(devices)):
        if mistake.owner != name or not per_check:
            continue
        total_failing, matches = 0, True
        for position, index in enumerate(check_indices):
            if index not in per_check:
                continue
            ok, failing = _behaves_like(expected[position], got[position], per_check[index])
            if not ok:
                matches = False
                break
            total_failing += failing
        if matches and total_failing:
            candidates.append(mistake)
    labels = {m.label for m in candidates}
    if len(labels) != 1:
        return ""
    mistake = candidates[0]
    return f"this looks like a known mistake: {mistake.label}." + (f" {mistake.hint}" if mistake.hint else "")
