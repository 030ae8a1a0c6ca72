"""Hostile submissions, graded end to end by the real `kata grade` CLI.

Each threat of issue 3 (built in tests/threats.py, which tests/test_autograder_attacks.py shares)
gets one submission folder: the attacked kata (03_reductions/reductions; 04_indexing/gather for
the hard-coded answer, 07_gradient_descent/gd_step for forged in-place replies) next to a
correct copy of another kata. All the folders are graded in one `kata grade --batch` run (one
CLI start-up and one fork server for all of them); a second, single-submission run with `--out`
is the target of the results-forging attacks. Every test then checks, for its own submission:

  * the grader finished and wrote a results file that is valid JSON and its own (not a forgery);
  * the attacked kata is not passed, with the status the attack should produce;
  * the other kata in the same submission passed.

The sandbox's unit tests (tests/test_sandbox.py) attack the fork server directly with synthetic
entries; these go through the whole grader: submission reading, the probe runtime, the judge and
the emitters. Protections that need OS support (namespaces, a uid drop) are checked against the
isolation level the grader recorded in the results, and skipped with the reason where absent.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import torch

from checker import ROOT
from threats import ATTACKED, BYSTANDER, GD_STEP, HARD_CODED, LEVEL_THREATS, LEVELS, MARKER, NEEDS_HIDDEN_PATHS, \
    POISON_GUARDS, REDUCTIONS, REFERENCE, SEED, THREATS, WATCHED, fingerprint, forges_results, make_submission, \
    marked_processes, plant_dirs, plant_paths, poisons_site

TIMEOUT_S = 3
MEMORY_MB = 1536
ECHOES = [f"echoes_{n}" for n in range(4)]


# Correct code that asks for compilation, in each way a learner might: graded like plain code.
# Probes run it eagerly; code that drives torch._dynamo itself runs eagerly in the sandbox.
COMPILED = f"""{REFERENCE}

_plain = dict(column_sums=column_sums, row_sums=row_sums, masked_mean=masked_mean, logsumexp=logsumexp)
column_sums = torch.compile(_plain["column_sums"])
row_sums = torch.compile(mode="reduce-overhead")(_plain["row_sums"])


@torch.compile
def masked_mean(x, mask, dim):
    return _plain["masked_mean"](x, mask, dim)


@torch.compile(fullgraph=True, dynamic=False)
def logsumexp(x, dim):
    return _plain["logsumexp"](x, dim)
"""

DRIVES_DYNAMO = f"""{REFERENCE}

import torch._dynamo

_plain = dict(column_sums=column_sums, row_sums=row_sums, masked_mean=masked_mean, logsumexp=logsumexp)
{", ".join(REDUCTIONS)} = (torch._dynamo.optimize("inductor")(_plain[name]) for name in {list(REDUCTIONS)!r})
"""
ACCEPTED = {"compiled": COMPILED, "drives_dynamo": DRIVES_DYNAMO}


# ---------------------------------------------------------------------------------------------
# Running the grader
# ---------------------------------------------------------------------------------------------

def grade_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "checker", "grade", *args]


def echo(name: str, kata_id: str) -> str:
    return f"import time\nprint('SECRET of {name} in {kata_id}')\ntime.sleep(0.3)\n"


def results_files(out: Path) -> dict[str, list]:
    files = [out] if out.is_file() else sorted(out.iterdir()) if out.is_dir() else []
    return {str(p): [p.stat().st_mtime_ns, p.read_text(errors="replace")] for p in files}


def grade_hostile_submissions(workdir: Path) -> dict:
    """Grade every threat in one batch and the --out forger alone, at the same time, and record
    all a test needs to know: the reports, and what the grader's tree, the interpreter and the
    process table looked like before and after. Anything a broken sandbox let the poisoner
    write is undone here, right after it is recorded."""
    from checker.course import HIDDEN_PATHS
    from checker.sandbox import detect_isolation
    isolation = detect_isolation(HIDDEN_PATHS)
    before = {"checker": fingerprint(WATCHED), "plants": {str(p): p.exists() for p in plant_paths()}}
    # Results outside /tmp, so that hiding the results path (not the sandbox's private /tmp) is
    # what keeps them from the learner; world-readable, like most directories.
    results_root = Path(tempfile.mkdtemp(prefix="tk-adversarial-",
                                         dir="/var/tmp" if os.path.isdir("/var/tmp") else None))
    results_root.chmod(0o755)
    try:
        root, out_dir, out = workdir / "hostile", results_root / "batch", results_root / "single" / "results.json"
        for name, (kata_id, source, _) in THREATS.items():
            make_submission(root / name, kata_id, source)
        # Sorted names: "a_poisons_site" is graded before "zz_after_poisoning", which must pass.
        # Without a read-only filesystem or a uid drop the learner's code runs as this user, so
        # the poisoner would really write into this interpreter and this checkout: it is not run.
        if POISON_GUARDS & set(isolation["protections"]):
            make_submission(root / "a_poisons_site", ATTACKED, poisons_site(plant_dirs()))
            for planted in ("sitecustomize.py", f"{MARKER}.pth", "conftest.py"):
                (root / "a_poisons_site" / planted).write_text(f"# {MARKER}\n")
        make_submission(root / "zz_after_poisoning", ATTACKED, REFERENCE)
        for name in ECHOES:     # both katas correct, but chatty and slow enough to overlap
            make_submission(root / name, ATTACKED, f"{REFERENCE}\n{echo(name, ATTACKED)}")
            bystander = root / name / f"{BYSTANDER}.py"
            bystander.write_text(f"{bystander.read_text()}\n{echo(name, BYSTANDER)}")
        make_submission(root / "forges_batch_results", ATTACKED,
                        forges_results([str(out_dir), str(out_dir / "forges_batch_results.json")]))
        # The learner is assumed to know the --out path of a single-submission run.
        make_submission(workdir / "forger" / "submission", ATTACKED, forges_results([str(out), str(out.parent)]))

        common = ["--format", "json", "--seed", "0", "--timeout", str(TIMEOUT_S), "--kata", ATTACKED,
                  "--kata", BYSTANDER, "--kata", GD_STEP]
        commands = {
            "batch": grade_command("--batch", str(root), "--out-dir", str(out_dir), "--memory-mb", str(MEMORY_MB),
                                   "-j", "2", *common),
            "single": grade_command(str(workdir / "forger" / "submission"), "--out", str(out), *common),
        }
        procs = {k: subprocess.Popen(c, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for k, c in commands.items()}
        runs = {}
        for key, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=300)
            runs[key] = {"returncode": proc.returncode, "stdout": stdout, "stderr": stderr}
        after_poison = {"checker": fingerprint(WATCHED), "plants": {str(p): p.exists() for p in plant_paths()}}
        for path in WATCHED:            # only the poisoner's own lines, should any have got in
            text = path.read_text()
            if MARKER in text:
                path.write_text("".join(line for line in text.splitlines(True) if MARKER not in line))
        for path, existed in before["plants"].items():
            if not existed and Path(path).exists() and MARKER in Path(path).read_text(errors="replace"):
                Path(path).unlink()
        # A daemon had ~2 s more to rewrite the results, had it survived.
        written = {key: results_files(where) for key, where in (("batch", out_dir), ("single", out))}
        time.sleep(2.5)
        return {
            "isolation": isolation, "marker": MARKER, "runs": runs, "written": written,
            "later": {key: results_files(where) for key, where in (("batch", out_dir), ("single", out))},
            "survivors": marked_processes(), "before": before, "after_poison": after_poison,
            "plants": len(plant_paths()),
        }
    finally:
        shutil.rmtree(results_root, ignore_errors=True)


@pytest.fixture(scope="module")
def graded(once) -> dict:
    return once("adversarial", grade_hostile_submissions)


class Run:
    """One finished `kata grade` run, as recorded: its exit, stderr and results file(s)."""

    def __init__(self, graded: dict, key: str):
        self.key = key
        self.returncode = graded["runs"][key]["returncode"]
        self.stderr = graded["runs"][key]["stderr"]
        self.files = {Path(p).name: text for p, (_, text) in graded["written"][key].items()}

    def report(self, name: str | None = None) -> dict:
        text = self.files[f"{name}.json" if name else "results.json"]
        report = json.loads(text)                      # valid JSON, or the test fails here
        assert set(report) == {"katas", "execution_time_s", "metadata"}, f"not the grader's report: {text[:200]}"
        assert report["metadata"]["submission"] == (name or "submission")
        assert report["metadata"]["isolation"]["level"]
        return report


@pytest.fixture(scope="module")
def batch(graded) -> Run:
    return Run(graded, "batch")


@pytest.fixture(scope="module")
def single(graded) -> Run:
    return Run(graded, "single")


def statuses(report: dict, kata_id: str) -> dict[str, str]:
    [kata] = [k for k in report["katas"] if k["kata_id"] == kata_id]
    return {t["name"]: t["status"] for t in kata["tests"]}


def messages(report: dict, kata_id: str) -> str:
    [kata] = [k for k in report["katas"] if k["kata_id"] == kata_id]
    return "\n".join(t["message"] for t in kata["tests"])


def output_of(report: dict, kata_id: str) -> str:
    """What the kata's code printed (the report repeats it under each of the kata's tests)."""
    captured = report["metadata"].get("captured_output", {})
    return next((text for test_id, text in captured.items() if test_id.startswith(kata_id + "::")), "")


def contained(run: Run, name: str | None, kata_id: str, status: str) -> dict:
    """The common assertions: grader finished, its report, attacked kata not passed with
    `status` on every graded name, the bystander kata passed."""
    assert run.returncode in (0, 1), run.stderr[-3000:]
    report = run.report(name)
    got = statuses(report, kata_id)
    assert got and set(got.values()) == {status}, (got, messages(report, kata_id)[:3000])
    other = BYSTANDER if kata_id == ATTACKED else ATTACKED
    assert set(statuses(report, other).values()) == {"passed"}, messages(report, other)[:3000]
    return report


def protections(report: dict) -> set[str]:
    return set(report["metadata"]["isolation"]["protections"])


def recorded_isolation(batch: Run, graded: dict) -> dict:
    """The isolation the grader recorded (the quick probe's guess where no report says)."""
    for filename, text in batch.files.items():
        if filename.endswith(".json"):
            return json.loads(text)["metadata"]["isolation"]
    return graded["isolation"]


def require_hidden_paths(report: dict) -> None:
    """Skip unless the solutions and suites are out of the learner's reach: covered up (mount
    namespace), or unreadable to the unprivileged uid the code runs as. With a uid drop alone,
    world-readable files stay readable, and the grader warns about each such path."""
    isolation = report["metadata"]["isolation"]
    if "hidden-paths" in isolation["protections"]:
        return
    exposed = [w for w in isolation["warnings"] if w.startswith("hidden path")]
    if "uid-drop" not in isolation["protections"] or exposed:
        pytest.skip(f"isolation level {isolation['level']!r} leaves the hidden paths readable: "
                    f"{exposed or 'no uid drop'}")


def require(report: dict, *needed: str, any_of: bool = False) -> None:
    have = protections(report)
    missing = [p for p in needed if p not in have]
    if (any_of and len(missing) == len(needed)) or (not any_of and missing):
        pytest.skip(f"isolation level {report['metadata']['isolation']['level']!r} lacks {', '.join(missing)}")


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------

def test_the_batch_finishes_and_every_submission_has_a_report(batch):
    assert batch.returncode == 0, batch.stderr[-3000:]
    names = {Path(f).stem for f in batch.files if f.endswith(".json")}
    assert names - {"a_poisons_site"} == set(THREATS) | set(ECHOES) | {"zz_after_poisoning", "forges_batch_results"}
    rows = batch.files["summary.csv"].splitlines()
    assert rows[0].startswith("submission,results_file,score,max_score") and len(rows) == len(names) + 1
    assert "grader failed" not in "\n".join(rows) and "not written" not in "\n".join(rows)


@pytest.mark.parametrize("name", sorted(THREATS))
def test_threat_is_contained(batch, name):
    kata_id, _, status = THREATS[name]
    if name in NEEDS_HIDDEN_PATHS:
        require_hidden_paths(batch.report(name))
    report = contained(batch, name, kata_id, status)
    text = messages(report, kata_id)
    assert "Traceback" not in text               # the grader's own frames never reach a learner


def test_printed_output_stays_with_its_own_submission(batch):
    """Submissions graded at the same time (-j 2) never see each other's output."""
    for filename, text in batch.files.items():
        submission = Path(filename).stem
        if not filename.endswith(".json"):
            continue
        captured = "\n".join(json.loads(text)["metadata"].get("captured_output", {}).values())
        if submission in ECHOES:
            for kata_id in (ATTACKED, BYSTANDER):
                assert f"SECRET of {submission} in {kata_id}" in captured, captured
        others = [name for name in ECHOES if name != submission and f"SECRET of {name}" in captured]
        assert others == [], f"{submission}'s report shows the output of {others}"


def test_exits_are_named_in_the_message(batch):
    assert "SystemExit" in messages(batch.report("sys_exit_at_import"), ATTACKED)
    assert "SystemExit" in messages(batch.report("sys_exit_in_call"), ATTACKED)
    for name in ("os_exit_at_import", "os_exit_in_call"):
        assert "exited with code 0 before returning a result" in messages(batch.report(name), ATTACKED)
    assert "KeyboardInterrupt" in messages(batch.report("keyboard_interrupt"), ATTACKED)


def test_limits_name_what_was_exceeded(batch):
    assert f"within {TIMEOUT_S} s" in messages(batch.report("endless_loop"), ATTACKED)
    assert f"within {TIMEOUT_S} s" in messages(batch.report("slow_import"), ATTACKED)
    assert "SIGSEGV" in messages(batch.report("segfault"), ATTACKED)
    assert "result was larger than" in messages(batch.report("huge_result"), ATTACKED)
    for name in ("torch_memory_bomb", "list_memory_bomb"):
        assert "memory" in messages(batch.report(name), ATTACKED)


def test_patched_comparisons_and_liars_are_judged_on_plain_values(batch):
    assert "wrong values" in messages(batch.report("monkeypatched_comparisons"), ATTACKED)
    text = messages(batch.report("claims_equality"), ATTACKED)
    assert "tensor subclass" in text and "Anything object" in text


def test_mutated_inputs_do_not_change_the_expected_values(batch):
    text = messages(batch.report("mutates_inputs"), ATTACKED)
    assert "wrong values" in text or "changed" in text or "modif" in text, text[:2000]


def test_the_reference_and_suites_cannot_be_read(batch):
    report = batch.report("reads_reference")
    require_hidden_paths(report)
    output = output_of(report, ATTACKED)
    assert "READ solutions" not in output and "READ checker/suites" not in output, output[:2000]
    assert "REFUSED solutions/" in output or "LISTED solutions []" in output, output[:2000]
    if "filesystem-allowlist" in protections(report):      # not there at all
        for where in ("solutions", "checker/suites", ".git"):
            assert f"REFUSED {where} FileNotFoundError" in output, output[:2000]
    elif "hidden-paths" in protections(report):
        assert "LISTED solutions []" in output and "LISTED checker/suites []" in output, output[:2000]


def test_expected_values_are_not_in_the_childs_memory(batch):
    output = output_of(batch.report("walks_memory"), ATTACKED)
    assert "FOUND" not in output, output[:2000]
    for name in REDUCTIONS:
        assert output.count(f"WALKED {name}") == 1, output[:2000]


def test_huge_output_is_cut_and_the_report_stays_small(batch):
    report = batch.report("huge_output")
    output = output_of(report, ATTACKED)
    assert output.count("x") < 1 << 20 and "bytes of output cut" in output
    assert len(batch.files["huge_output.json"].encode()) < 4 << 20


def test_a_hard_coded_guide_answer_is_right_on_the_guide_and_wrong_on_hidden_inputs(batch):
    namespace: dict = {}
    exec(HARD_CODED, namespace)              # our own hostile source: it is right on the guide's example
    data = torch.tensor([[10., 11., 12.], [13., 14., 15.], [16., 17., 18.]])
    cols = torch.tensor([[0], [2], [1]])
    torch.testing.assert_close(namespace["pick_per_row"](data, cols), torch.gather(data, 1, cols))
    torch.testing.assert_close(namespace["gather_2d"](data, 1, cols), torch.gather(data, 1, cols))
    assert "wrong values" in messages(batch.report("hard_coded_example"), BYSTANDER)


def test_planted_code_is_refused_and_later_gradings_are_unharmed(batch, graded):
    isolation = recorded_isolation(batch, graded)
    if not POISON_GUARDS & set(isolation["protections"]) or not POISON_GUARDS & set(graded["isolation"]["protections"]):
        pytest.skip(f"isolation level {isolation['level']!r} has no read-only filesystem or uid drop: planting "
                    f"would succeed here, so the poisoner does not try")
    report = contained(batch, "a_poisons_site", ATTACKED, "failed")
    rejected = "\n".join(report["metadata"].get("rejected", []))
    for planted in ("sitecustomize.py", f"{graded['marker']}.pth", "conftest.py"):
        assert planted in rejected
    output = output_of(report, ATTACKED)
    assert "UNGUARDED" not in output, output[:300]
    assert "PLANTED" not in output and "PATCHED" not in output, output[:3000]
    assert output.count("REFUSED") >= graded["plants"] + len(WATCHED), output[:3000]
    assert graded["after_poison"] == graded["before"]      # checker files, .pth and sitecustomize
    # The next submission, graded after the poisoner, is graded normally.
    after = batch.report("zz_after_poisoning")
    for kata_id in (ATTACKED, BYSTANDER):
        assert set(statuses(after, kata_id).values()) == {"passed"}, messages(after, kata_id)[:2000]


def forged_files_are_gone(graded: dict, key: str) -> None:
    """~2.5 s after the grader exited, its results are unchanged, and nothing the submission
    started is left to change them."""
    assert graded["written"][key], "the grader wrote no results"
    assert graded["later"][key] == graded["written"][key]
    text = "\n".join(content for _, content in graded["written"][key].values())
    assert '"forged"' not in text and '"daemon"' not in text
    assert graded["survivors"] == [], "a process of the submission survived grading"


def test_forging_the_batch_results_fails(batch, graded):
    report = contained(batch, "forges_batch_results", ATTACKED, "failed")
    output = output_of(report, ATTACKED)
    assert "DAEMON ALIVE" in output, output[:2000]      # the daemon really started...
    forged_files_are_gone(graded, "batch")              # ...and did not outlive grading
    require(report, "hidden-paths", "uid-drop", any_of=True)
    assert "WROTE" not in output, output[:2000]


def test_forging_the_out_file_fails(single, batch, graded):
    isolation = recorded_isolation(batch, graded)
    if not POISON_GUARDS & set(isolation["protections"]):
        pytest.skip(f"isolation level {isolation['level']!r}: learner code runs as the grader's user on a "
                    f"writable filesystem and may wreck the results directory itself")
    report = contained(single, None, ATTACKED, "failed")
    output = output_of(report, ATTACKED)
    assert "DAEMON ALIVE" in output, output[:2000]
    forged_files_are_gone(graded, "single")
    require(report, "pid-namespace")
    assert "CMDLINE" not in output, output[:2000]       # no grader's command line in sight
    assert "WROTE" not in output, output[:2000]


def grade_compiled_submissions(workdir: Path) -> dict:
    """The ACCEPTED submissions in a batch of their own: code that imports torch._dynamo pays
    that import (seconds) inside its run, so it gets a longer limit than the attacks."""
    root, out_dir = workdir / "compiled", workdir / "compiled-out"
    for name, source in ACCEPTED.items():
        make_submission(root / name, ATTACKED, source)
    proc = subprocess.run(grade_command("--batch", str(root), "--out-dir", str(out_dir), "--format", "json",
                                        "--seed", "0", "--timeout", "60", "--kata", ATTACKED, "--kata", BYSTANDER),
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    return {"runs": {"batch": {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}},
            "written": {"batch": results_files(out_dir)}}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_code_asking_for_compilation_is_graded_like_plain_code(once, name):
    """torch.compile in every spelling, and torch._dynamo driven by hand: full marks, no
    compiler in sight (no timeout, no C++ build error, no traceback)."""
    compiled = Run(once("compiled", grade_compiled_submissions), "batch")
    report = contained(compiled, name, ATTACKED, "passed")
    text = messages(report, ATTACKED) + output_of(report, ATTACKED)
    for sign in ("Traceback", "CppCompileError", "InductorError", "BackendCompilerFailed"):
        assert sign not in text, text[:2000]


def test_compiled_code_runs_eagerly_in_process_and_torch_compile_comes_back():
    """Self-study and `--isolation none` grade in this process: the probes' eager torch.compile
    must pass the compiled submission, and leave the real torch.compile in place afterwards."""
    from checker import manifest, runner
    real_compile, real_module_compile = torch.compile, torch.nn.Module.compile
    result = runner.grade_kata(manifest.get(ATTACKED), runner.Target("compiled.py", source=COMPILED),
                               runner.InProcess())
    assert {t.status.value for t in result.tests} == {"passed"}, [t.message for t in result.tests]
    assert torch.compile is real_compile and torch.nn.Module.compile is real_module_compile


def test_module_compile_is_a_no_op_for_probes():
    from checker import probe
    layer = torch.nn.Linear(2, 2)
    with probe.eager_compile():
        layer.compile()
        torch.testing.assert_close(layer(torch.ones(1, 2)), layer.forward(torch.ones(1, 2)))
    assert getattr(layer, "_compiled_call_impl", None) is None


# ---------------------------------------------------------------------------------------------
# The same grader at each isolation level this machine gives: what each level must contain
# ---------------------------------------------------------------------------------------------

def grade_at_level(workdir: Path, level: str) -> dict:
    """Grade LEVEL_THREATS and two honest submissions in one batch at `level` (-j 2, so the fd
    passer and its receiver run side by side), and record what was left in shared places."""
    from checker.course import HIDDEN_PATHS
    from checker.sandbox import detect_isolation
    isolation = detect_isolation(HIDDEN_PATHS, isolation=level)
    # Outside /tmp and world-readable, as a course's folders often are: only the sandbox keeps
    # the classmates and the other checkout out of reach.
    shared = Path(tempfile.mkdtemp(prefix="tk-level-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None))
    shared.chmod(0o755)
    root, out_dir, other = shared / "batch", workdir / "out", shared / "other-checkout"
    try:
        root.mkdir(mode=0o755)
        other.mkdir(mode=0o755)
        (other / "solutions").mkdir(mode=0o755)
        (other / "solutions" / "reductions.py").write_text(REFERENCE)
        (other / "solutions" / "reductions.py").chmod(0o644)
        for name, (make, _) in LEVEL_THREATS.items():
            if name == "hoards_memory" and not {"memory-cgroup", "private-tmp"} & set(isolation["protections"]):
                continue     # it would fill the machine's own /dev/shm: the level says it cannot stop that
            make_submission(root / name, ATTACKED, make(str(root), str(other)))
        for name in ("honest_1", "honest_2"):
            make_submission(root / name, ATTACKED, REFERENCE)
        env = dict(os.environ, TORCHKATA_SANDBOX_LEVEL=level)
        proc = subprocess.run(grade_command("--batch", str(root), "--out-dir", str(out_dir), "--format", "json",
                                            "--seed", str(SEED), "--timeout", "20", "--memory-mb", "1536", "-j", "2",
                                            "--kata", ATTACKED, "--kata", BYSTANDER),
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        leftovers = [str(p) for base in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock")
                     for p in Path(base).glob(f"*{MARKER}*") if Path(base).is_dir()]
        sysv = {kind: [line for line in Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
                       if any(f" {uid} " in f" {line} " for uid in range(2_000_000_000, 2_000_001_024))]
                for kind in ("shm", "msg")}
        for path in leftovers:                                   # leave the machine as we found it
            shutil.rmtree(path, ignore_errors=True) if Path(path).is_dir() else Path(path).unlink(missing_ok=True)
        return {"isolation": isolation, "returncode": proc.returncode, "stderr": proc.stderr,
                "files": {p.name: p.read_text(errors="replace") for p in sorted(out_dir.iterdir())} if out_dir.is_dir()
                else {}, "leftovers": leftovers, "sysv": sysv}
    finally:
        shutil.rmtree(shared, ignore_errors=True)


@pytest.fixture(scope="module", params=LEVELS)
def at_level(request, once) -> dict:
    return once(f"level-{request.param}", lambda workdir: grade_at_level(workdir, request.param))


def level_report(graded: dict, name: str) -> dict:
    report = json.loads(graded["files"][f"{name}.json"])
    assert report["metadata"]["isolation"]["level"] == graded["isolation"]["level"]
    return report


def test_every_level_grades_the_batch_and_says_how_memory_was_bounded(at_level):
    assert at_level["returncode"] == 0, at_level["stderr"][-3000:]
    assert level_report(at_level, "honest_1")["metadata"]["isolation"]["memory_bound"]


@pytest.mark.parametrize("name", sorted(LEVEL_THREATS))
def test_each_level_contains_the_threat(at_level, name):
    if f"{name}.json" not in at_level["files"] and name == "hoards_memory":
        pytest.skip(f"{at_level['isolation']['level']}: no memory cgroup and a shared /dev/shm (it warns so)")
    report = level_report(at_level, name)
    expected = LEVEL_THREATS[name][1]
    got = statuses(report, ATTACKED)
    if expected:
        assert set(got.values()) == {expected}, (got, messages(report, ATTACKED)[:2000])
    else:
        assert "passed" not in got.values(), got
    assert set(statuses(report, BYSTANDER).values()) == {"passed"}, messages(report, BYSTANDER)[:2000]
    assert "Traceback" not in messages(report, ATTACKED)


def test_honest_submissions_are_graded_as_if_alone(at_level):
    """Beside a run that hands its pipe ends to another, every other submission gets full marks."""
    for name in ("honest_1", "honest_2", "a_fd_receiver", "leaves_behind"):
        report = level_report(at_level, name)
        assert {t["status"] for k in report["katas"] for t in k["tests"]} == {"passed"}, name


def test_no_run_reaches_another_through_a_socket(at_level):
    passer = output_of(level_report(at_level, "a_fd_passer"), ATTACKED)
    receiver = output_of(level_report(at_level, "a_fd_receiver"), ATTACKED)
    assert "SENT" not in passer and "RECEIVED" not in receiver, (passer[:500], receiver[:500])


def test_the_seed_is_on_no_command_line_a_run_can_read(at_level):
    report = level_report(at_level, "reads_secrets")
    seen = [line for line in output_of(report, ATTACKED).splitlines() if line.startswith("SEEN SEED")]
    assert [line for line in seen if line.endswith("cmdline")] == [], seen
    if "uid-drop" in protections(report):
        assert seen == [], seen
    # At rlimits-only a run is the grader's own user and may read any of that user's processes'
    # environments (the README says so): here, tests beside this one that pass the same seed in
    # $TORCHKATA_SEED. Command lines stay clean at every level.
    assert report["metadata"]["seed"] == SEED


def test_classmates_and_other_checkouts_cannot_be_read(at_level):
    report = level_report(at_level, "reads_secrets")
    output = output_of(report, ATTACKED)
    if "uid-drop" not in protections(report):
        pytest.skip("rlimits-only: learner code runs as the grader's user and reads what the grader can")
    assert [line for line in output.splitlines() if line.startswith("READ") and "/batch/" in line] == [], output[:2000]
    if "filesystem-allowlist" not in protections(report):
        pytest.skip("uid level: another world-readable checkout stays readable (the level warns so)")
    assert "READ" not in output, output[:2000]


def test_nothing_is_left_in_shared_places(at_level):
    report = level_report(at_level, "leaves_behind")
    output = output_of(report, ATTACKED)
    assert "LEFT" in output or "REFUSED" in output, output[:2000]
    if "uid-drop" not in protections(report):
        pytest.skip("rlimits-only: what a run leaves is the grader's own user's and cannot be told apart")
    assert at_level["leftovers"] == []
    assert at_level["sysv"] == {"shm": [], "msg": []}


def test_a_huge_message_from_the_child_is_cut(at_level):
    report = level_report(at_level, "huge_message")
    assert len(at_level["files"]["huge_message.json"]) < 1 << 20
    assert "m" * 100 in messages(report, ATTACKED)          # what the child said, cut, still shown
