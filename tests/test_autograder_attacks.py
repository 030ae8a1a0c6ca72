"""The standing attacks, graded the way Gradescope grades: through the exported run_autograder.

tests/test_adversarial.py grades the hostile submissions of tests/threats.py with `kata grade`.
Here each attack class meets the grader as a course on Gradescope would run it: the zip that
`kata export gradescope` writes (once per test session), unpacked into an /autograder-like tree per
submission, and that tree's own run_autograder, simulated as tests/test_export.py does it
(nothing installed: TORCHKATA_PYTHON is this interpreter and the script puts the bundled tree
first on PYTHONPATH). Every submission is graded at every isolation level this machine gives;
run_autograder passes TORCHKATA_SANDBOX_LEVEL on to the grader, which caps the level with it.

A submission holds the reference of every graded kata except those it attacks, so the score it
deserves is the honest submission's less all the points of the attacked katas: wrong values
never earn points, and an attack costs the katas beside it nothing. What a student reads on
Gradescope (the results' `output`, each test's name and output) must hold no reference code, no
seed and nothing of a classmate's submission, whatever the attack found. Where a level cannot
contain a class, the test says so in its skip, as the README does.
"""
from __future__ import annotations

import concurrent.futures
import json
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from checker import ROOT, export, manifest
from checker.sandbox import detect_isolation
from test_export import load_gradescope, make_autograder, run_autograder    # the simulated /autograder
from threats import ATTACKED, BYSTANDER, FORGES_INPLACE_REPLIES, FORGES_REPLIES, GD_STEP, HOARDS_MEMORY, \
    HOLDS_DESCRIPTORS, LEVELS, MARKER, POISON_GUARDS, REFERENCE, SEED, THREATS, WATCHED, fingerprint, \
    marked_processes, plant_dirs, plant_paths, poisons_site, steals

# Some 24 gradings, two at a time: over a minute, all of it in the first test that asks.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

GRADED = (ATTACKED, BYSTANDER, GD_STEP)
GRADE_ARGS = " ".join(f"--kata {k}" for k in GRADED) + " --timeout 20 --memory-mb 1536"
# What grading at each capped level must report.
LEVEL_NAMES = {"auto": ("namespaces+uid", "namespaces", "uid", "rlimits-only"), "uid": ("uid",),
               "rlimits": ("rlimits-only",)}
# Fixed, not the session's marker: pytest-xdist workers draw markers of their own, and the
# worker that checks a result need not be the one that graded it.
CLASSMATE_SECRET = "classmate-secret-6c1d0f2a"
# Lines of the reference that no stub, guide or message shows: a student who sees one has seen
# the answer.
REFERENCE_TELLS = ("# BEGIN SOLUTION", "shifted_sum = torch.exp(x - m).sum(dim=dim)")
# Files that are not kata code, each malformed in its own way: the student gets one "rejected"
# line per file and the grade of the rest.
MALFORMED = {
    "upload.zip": b"PK\x03\x04" + bytes(range(256)) * 4,
    "truncated.ipynb": b'{"cells": [{"cell_type": "code", "source": "import tor',
    "nested.ipynb": b"[" * 100_000 + b"]" * 100_000,
    "binary.ipynb": b"\xff\xfe\x00\x01 not json \x80",
    "no_cells.ipynb": b'{"nbformat": 4, "cells": 7}',
    "unparsable.ipynb": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "(" * 5000 + "\ndef pick_per_row(data, cols):\n    return 1\n"}]}).encode(),
}
PLANTED = ("sitecustomize.py", "zz_planted.pth", "conftest.py")


# ---------------------------------------------------------------------------------------------
# The submissions
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attack:
    files: Callable[[dict], dict]     # where -> {submission-relative path: text or bytes}, beside the references
    attacked: tuple = ()              # the katas that must earn nothing
    needs: frozenset | None = None    # a level lets it loose only with one of these protections


def planted_files(where: dict) -> dict:
    return {f"{ATTACKED}.py": poisons_site(plant_dirs(where["bundle"])), **{n: f"# {MARKER}\n" for n in PLANTED}}


# `where` holds the exported zip, the classmates' folder and the submission's own bundled tree.
ATTACKS = {
    "honest": Attack(lambda where: {}),
    "forges_replies": Attack(
        lambda where: {f"{ATTACKED}.py": FORGES_REPLIES, f"{GD_STEP}.py": FORGES_INPLACE_REPLIES}, (ATTACKED, GD_STEP)),
    "steals": Attack(lambda where: {f"{ATTACKED}.py": steals([where["classmates"], where["zip"]])}, (ATTACKED,)),
    "malformed_intake": Attack(lambda where: dict(MALFORMED)),
    # Without a memory cgroup or a private /dev/shm it would fill the machine's own /dev/shm.
    "hoards_memory": Attack(lambda where: {f"{ATTACKED}.py": HOARDS_MEMORY}, (ATTACKED,),
                            frozenset({"memory-cgroup", "private-tmp"})),
    "huge_output": Attack(lambda where: {f"{ATTACKED}.py": THREATS["huge_output"][1]}, (ATTACKED,)),
    "holds_descriptors": Attack(lambda where: {f"{ATTACKED}.py": HOLDS_DESCRIPTORS}, (ATTACKED,)),
    # Without a guard it would write into this interpreter and the bundled tree.
    "poisons_site": Attack(planted_files, (ATTACKED,), frozenset(POISON_GUARDS)),
}


def make_tree(zip_path: Path, base: Path, files: dict[str, str | bytes]) -> Path:
    root = make_autograder(zip_path, base)
    submission = root / "submission"
    for kata_id in GRADED:
        (submission / kata_id).parent.mkdir(parents=True, exist_ok=True)
        (submission / f"{kata_id}.py").write_bytes((ROOT / "solutions" / f"{kata_id}.py").read_bytes())
    for relpath, content in files.items():
        (submission / relpath).parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        (submission / relpath).write_bytes(data)
    return root


def make_classmates(shared: Path) -> Path:
    """A classmate's correct submission, world-readable, as a course's folders often are."""
    folder = shared / "classmates" / "alice"
    (folder / ATTACKED).parent.mkdir(parents=True)
    own_words = "".join(line for line in REFERENCE.splitlines(True) if "SOLUTION" not in line)
    (folder / f"{ATTACKED}.py").write_text(f"# {CLASSMATE_SECRET}\n{own_words}")
    for path in [folder.parent, folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder.parent


def grade(name: str, level: str, shared: Path, workdir: Path) -> dict:
    """One submission through run_autograder at `level`, in a tree under `shared`; its results
    are kept under `workdir`, with what the attack changed on disk."""
    bundle = shared / level / name / "autograder" / "source" / "torchkata"
    where = {"zip": str(shared / "autograder.zip"), "classmates": str(shared / "classmates"), "bundle": bundle}
    root = make_tree(shared / "autograder.zip", shared / level / name, ATTACKS[name].files(where))
    watched = [bundle / "checker" / p.name for p in WATCHED]
    before = {"code": fingerprint(watched), "plants": [str(p) for p in plant_paths(bundle) if p.exists()]}
    proc = run_autograder(root, TORCHKATA_GRADE_ARGS=GRADE_ARGS, TORCHKATA_SANDBOX_LEVEL=level,
                          TORCHKATA_SEED=str(SEED))
    after = {"code": fingerprint(watched), "plants": [str(p) for p in plant_paths(bundle) if p.exists()]}
    for path in set(after["plants"]) - set(before["plants"]):     # undo what a broken sandbox let in
        if MARKER in Path(path).read_text(errors="replace"):
            Path(path).unlink()
    results, kept = root / "results" / "results.json", workdir / level / name
    (kept / "results").mkdir(parents=True)
    if results.exists():
        shutil.copy(results, kept / "results" / "results.json")
    return {"returncode": proc.returncode, "stdout_bytes": len(proc.stdout), "log": proc.stdout[-3000:] +
            proc.stderr[-3000:], "results_bytes": results.stat().st_size if results.exists() else None,
            "root": str(kept), "before": before, "after": after}


def grade_everything(workdir: Path) -> dict:
    """Every submission each level lets loose, at every level this machine gives, two at a time,
    from one export. The trees live in a folder every user can enter, as /autograder is (pytest's
    own temporary folders are closed to the sandbox's uid); the results are kept in `workdir`."""
    shared = Path(tempfile.mkdtemp(prefix="tk-autograder-attacks-"))
    shared.chmod(0o755)
    try:
        export.export_gradescope(shared / "autograder.zip")
        make_classmates(shared)
        isolation = {level: detect_isolation([], isolation=level) for level in LEVELS}
        jobs = [(name, level) for level in LEVELS for name, attack in ATTACKS.items()
                if attack.needs is None or attack.needs & set(isolation[level]["protections"])]
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            done = list(pool.map(lambda job: grade(*job, shared, workdir), jobs))
        runs = {level: {} for level in LEVELS}
        for (name, level), run in zip(jobs, done):
            runs[level][name] = run
        return {"isolation": isolation, "runs": runs, "survivors": marked_processes()}
    finally:
        shutil.rmtree(shared, ignore_errors=True)


@pytest.fixture(scope="module")
def graded(once) -> dict:
    """Graded once per session, even when pytest-xdist spreads these tests over workers."""
    return once("autograder-attacks", grade_everything)


def level_params() -> list:
    reasons = {"uid": "the uid level needs root", "rlimits": "not root: auto already grades at rlimits-only"}
    return [level if level in LEVELS else pytest.param(level, marks=pytest.mark.skip(reason=reasons[level]))
            for level in ("auto", "uid", "rlimits")]


@pytest.fixture(params=level_params())
def at_level(request, graded) -> dict:
    level = request.param
    return {"level": level, "isolation": graded["isolation"][level], "runs": graded["runs"][level],
            "survivors": graded["survivors"]}


def run_of(at_level: dict, name: str) -> dict:
    if name not in at_level["runs"]:
        pytest.skip(f"{at_level['isolation']['level']}: has none of {sorted(ATTACKS[name].needs)}, so {name} "
                    f"is not let loose "
                    f"(the level warns so)")
    return at_level["runs"][name]


def results_of(at_level: dict, name: str) -> dict:
    return load_gradescope(Path(run_of(at_level, name)["root"]))


def points(data: dict) -> dict[str, float]:
    """Kata id -> points earned."""
    earned = dict.fromkeys(GRADED, 0.0)
    for test in data["tests"]:
        if "score" in test:
            earned[test["name"].split("::")[0]] += test["score"]
    return earned


def visible_text(data: dict) -> str:
    """Everything of the results a student reads."""
    return "\n".join([data["output"]] + [f"{t['name']}\n{t['output']}" for t in data["tests"]])


def protections(at_level: dict) -> set[str]:
    return set(at_level["isolation"]["protections"])


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_every_submission_gets_its_own_valid_results(at_level, name):
    """A valid Gradescope file, written by the grader (not run_autograder's fallback), graded at
    the level asked for, with every graded name of every kata in it."""
    run = run_of(at_level, name)
    assert run["returncode"] == 0, run["log"]
    data = results_of(at_level, name)
    assert "torchkata grader" not in [t["name"] for t in data["tests"]], data["output"]
    assert data["extra_data"]["isolation"]["level"] in LEVEL_NAMES[at_level["level"]]
    assert data["extra_data"]["isolation"]["level"] == at_level["isolation"]["level"]
    assert data["extra_data"]["seed"] == SEED
    scored = {t["name"] for t in data["tests"] if "score" in t}
    assert scored == {f"{k}::{n}" for k in GRADED for n in manifest.get(k).graded}


@pytest.mark.parametrize("name", sorted(set(ATTACKS) - {"honest"}))
def test_an_attack_earns_nothing_and_costs_the_other_katas_nothing(at_level, name):
    attacked = ATTACKS[name].attacked
    if name == "steals" and not {"hidden-paths", "uid-drop"} & protections(at_level):
        pytest.skip("rlimits-only: learner code runs as the grader's user and reads the references "
                    "(not a security boundary, as the README says)")
    honest, got = points(results_of(at_level, "honest")), points(results_of(at_level, name))
    assert honest == {k: float(len(manifest.get(k).graded)) for k in GRADED}
    expected = {k: 0.0 if k in attacked else honest[k] for k in GRADED}
    assert got == expected, results_of(at_level, name)["output"]
    data = results_of(at_level, name)
    assert data["score"] == pytest.approx(sum(expected.values()))
    for test in data["tests"]:
        if "score" in test and test["name"].split("::")[0] in attacked:
            assert test["status"] == "failed" and "the grader failed" not in test["output"], test


@pytest.mark.parametrize("secret", ["reference", "seed", "classmate"])
def test_nothing_hidden_reaches_the_student(at_level, secret):
    """The thief reads what it can (the bundled solutions and suites beside the probe runtime, the
    exported zip, a classmate's folder, every command line and environment it can see) and puts
    all it found into the error every graded call raises, which Gradescope shows the student.
    Every other submission's results are searched too."""
    needs = {"reference": ({"hidden-paths", "uid-drop"}, "learner code runs as the grader's user"),
             "seed": ({"pid-namespace", "uid-drop"}, "learner code runs as the grader's user and reads its "
                                                     "environment"),
             "classmate": ({"filesystem-allowlist"}, "world-readable files stay readable without an allowlist, "
                                                     "as the README says")}[secret]
    if not needs[0] & protections(at_level):
        pytest.skip(f"{at_level['isolation']['level']}: {needs[1]}")
    told = visible_text(results_of(at_level, "steals"))
    assert "LOOKED for secrets" in told, told[:3000]        # the thief ran, and said what it found
    tells = {"reference": REFERENCE_TELLS, "seed": (str(SEED),), "classmate": (CLASSMATE_SECRET,)}[secret]
    for name in at_level["runs"]:
        text = visible_text(results_of(at_level, name))
        assert not [t for t in tells if t in text], (name, text[:3000])


def test_the_exported_zip_is_readable_by_its_owner_only(tmp_path):
    """It holds every reference: at the uid level, where permissions are all that hide a file,
    a submission could otherwise read the answers out of it (the thief above did, until the
    export wrote it owner-only)."""
    (tmp_path / "autograder.zip").write_bytes(b"an older export, world-readable")
    (tmp_path / "autograder.zip").chmod(0o644)
    written = export.export_gradescope(tmp_path / "autograder.zip")
    assert stat.S_IMODE(written.stat().st_mode) & 0o077 == 0


def test_malformed_files_are_rejected_lines_not_tracebacks(at_level):
    data = results_of(at_level, "malformed_intake")
    for filename in MALFORMED:
        [line] = [line for line in data["output"].splitlines() if filename in line]
        assert line.startswith(f"rejected: {filename}: ") and len(line) > len(f"rejected: {filename}: "), line
    assert points(data) == points(results_of(at_level, "honest"))
    for text in (visible_text(data), run_of(at_level, "malformed_intake")["log"]):
        assert "Traceback" not in text, text[:3000]


def test_memory_held_in_shared_memory_and_memfd_is_counted(at_level):
    data = results_of(at_level, "hoards_memory")
    for test in data["tests"]:
        if test["name"].startswith(f"{ATTACKED}::"):
            assert "memory" in test["output"], test


def test_huge_output_leaves_small_results_and_a_small_log(at_level):
    run = run_of(at_level, "huge_output")
    assert run["results_bytes"] < 1 << 20
    assert run["stdout_bytes"] < 1 << 20


def test_descriptors_held_past_the_run_are_closed_with_it(at_level):
    """The grandchild did hold the pipes (its writes spoiled the run's answer: a crash, not a
    judgement of values); yet the katas graded after it are scored as if alone (see the points
    test), and it is gone once grading ends."""
    for test in results_of(at_level, "holds_descriptors")["tests"]:
        if test["name"].startswith(f"{ATTACKED}::"):
            assert test["output"].startswith("crashed:"), test
    assert at_level["survivors"] == [], at_level["survivors"]


def test_planted_files_are_refused_and_nothing_is_planted(at_level):
    run = run_of(at_level, "poisons_site")
    output = results_of(at_level, "poisons_site")["output"]
    for planted in PLANTED:
        assert planted in output, output
    assert run["after"] == run["before"], run["after"]
