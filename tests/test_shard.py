"""Grading that scales out: `kata grade --batch --shard K/N` and `kata merge`.

The partition must be complete (every submission in exactly one shard), disjoint, and stable
when submissions are added; the merge must give what one unsharded run gives, and say which
submissions are missing or were graded twice."""
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker import ROOT, cli, insight, shard

GATHER = "04_indexing/gather"


def kata(*args, env=None):
    return subprocess.run([sys.executable, "-m", "checker", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=env)


# ---------------------------------------------------------------------------------------------
# The partition
# ---------------------------------------------------------------------------------------------

NAMES = [f"student{i:05d}" for i in range(2000)] + ["ünïcødé", "with space", "UPPER", "a.b", "-dash"]


@pytest.mark.parametrize("count", [1, 2, 3, 8, 50])
def test_the_shards_cover_every_submission_exactly_once(count):
    shards = {k: {n for n in NAMES if shard.shard_of(n, count) == k} for k in range(1, count + 1)}
    assert set().union(*shards.values()) == set(NAMES)
    assert sum(len(s) for s in shards.values()) == len(NAMES)          # disjoint
    assert all(shards.values())                                         # none left idle here
    # A hash spreads them evenly enough for a scheduler: no shard gets twice its share.
    assert max(len(s) for s in shards.values()) <= 2 * len(NAMES) / count


def test_a_name_always_lands_in_the_same_shard():
    """A fixed hash of the name, not Python's salted hash(): every machine computes the same."""
    code = "from checker import shard; print([shard.shard_of(n, 7) for n in ['alice', 'bob', 'ünïcødé']])"
    runs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}).stdout
            for seed in ("1", "2")}
    assert runs == {f"{[shard.shard_of(n, 7) for n in ['alice', 'bob', 'ünïcødé']]}\n"}


def make_root(root: Path, names) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name.endswith(".zip"):
            (root / name).write_bytes(b"")
        else:
            (root / name).mkdir(parents=True, exist_ok=True)
    return root


def test_adding_submissions_moves_none_of_the_others(tmp_path):
    root = make_root(tmp_path / "root", [f"s{i:03d}" for i in range(300)])
    before = {k: {e.name for e in shard.assigned(shard.submissions(root), (k, 4))} for k in range(1, 5)}
    make_root(root, [f"late{i:03d}" for i in range(100)] + ["a-first", "zz-last"])
    after = {k: {e.name for e in shard.assigned(shard.submissions(root), (k, 4))} for k in range(1, 5)}
    for k in range(1, 5):
        assert before[k] <= after[k]                          # nobody moved to another shard
    assert set().union(*after.values()) == {e.name for e in shard.submissions(root)}
    assert sum(map(len, after.values())) == 402


def test_the_shard_follows_the_name_results_use(tmp_path):
    """alice.zip is graded (and merged) as `alice`: that name, not the file name, picks the shard."""
    root = make_root(tmp_path / "root", ["alice.zip", "bob"])
    for count in (2, 3, 5):
        [k] = [k for k in range(1, count + 1)
               if "alice.zip" in {e.name for e in shard.assigned(shard.submissions(root), (k, count))}]
        assert k == shard.shard_of("alice", count)
    assert shard.name_clashes(shard.submissions(make_root(root, ["alice"]))) == {"alice": ["alice", "alice.zip"]}


@pytest.mark.parametrize("text, parsed", [("1/1", (1, 1)), ("3/8", (3, 8)), ("8/8", (8, 8))])
def test_shard_parses_k_of_n(text, parsed):
    assert shard.parse(text) == parsed


@pytest.mark.parametrize("text", ["0/4", "5/4", "4", "a/b", "1/0", "-1/3", ""])
def test_shard_rejects_what_is_not_k_of_n(text):
    with pytest.raises(ValueError, match="--shard"):
        shard.parse(text)


@pytest.mark.parametrize("args, words", [
    (["--batch", ".", "--out-dir", "o", "--shard", "0/4", "--seed", "1"], "K must be between 1 and N"),
    (["--batch", ".", "--out-dir", "o", "--shard", "2", "--seed", "1"], "K/N"),
    ([".", "--shard", "1/2", "--seed", "1"], "--shard needs --batch"),
    (["--batch", ".", "--out-dir", "o", "--shard", "1/2"], "--shard needs --seed"),
])
def test_kata_grade_refuses_a_bad_shard_before_grading(args, words, capsys, monkeypatch):
    monkeypatch.delenv("TORCHKATA_SEED", raising=False)
    try:
        status = cli.main(["grade", *args])
    except SystemExit as exc:       # argparse's own refusal
        status = exc.code
    assert status == 2 and words in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The merge, on batches written by hand (fast), then on real shards
# ---------------------------------------------------------------------------------------------

def record(name: str, passed: bool = True) -> dict:
    status = "passed" if passed else "failed"
    return {"submission": name, "results_file": f"{name}.json", "score": float(passed), "max_score": 1.0,
            "katas": [{"kata_id": GATHER, "title": "gather", "tests": [
                {"name": "pick_per_row", "status": status, "score": float(passed), "max_score": 1.0,
                 "message": "" if passed else "wrong", "diagnosis": ""}]}]}


def write_shard(path: Path, names, k: int, n: int, *, graded=None, seed=7, complete=True) -> Path:
    """A shard's results directory, as `kata grade --batch --shard k/n` leaves it."""
    path.mkdir(parents=True)
    graded = names if graded is None else graded
    batch = insight.Batch(katas=[GATHER], titles={GATHER: "gather"}, assigned=sorted(names), root="/course",
                          shard=(k, n), seed=seed, complete=complete, records=[record(x) for x in graded])
    (path / insight.RECORDS).write_text(insight.dump(batch))
    for x in graded:
        (path / f"{x}.json").write_text(json.dumps({"submission": x}))
    return path


def split(names, n):
    return {k: [x for x in names if shard.shard_of(x, n) == k] for k in range(1, n + 1)}


STUDENTS = [f"s{i:02d}" for i in range(30)]


def test_merging_every_shard_gives_one_complete_set(tmp_path):
    dirs = [write_shard(tmp_path / f"shard{k}", names, k, 3) for k, names in split(STUDENTS, 3).items()]
    report = shard.merge(dirs, tmp_path / "out")
    assert report.ok, report.lines()
    out = tmp_path / "out"
    merged = insight.read(out)
    assert [r["submission"] for r in merged.records] == sorted(STUDENTS) and merged.complete
    assert sorted(p.stem for p in out.glob("*.json")) == sorted(STUDENTS)
    rows = list(csv.reader(open(out / insight.SUMMARY)))
    assert rows[0] == ["submission", "results_file", "score", "max_score", GATHER, "note"] and len(rows) == 31
    assert (out / insight.KATA_SUMMARY).is_file()


def test_merge_names_the_submissions_a_killed_shard_did_not_grade(tmp_path):
    parts = split(STUDENTS, 3)
    dirs = [write_shard(tmp_path / f"shard{k}", names, k, 3, graded=names[:-2] if k == 2 else None,
                        complete=k != 2) for k, names in parts.items()]
    report = shard.merge(dirs, tmp_path / "out")
    assert not report.ok and set(report.missing) == set(parts[2][-2:])
    assert all("did not finish" in why for why in report.missing.values())
    assert not insight.read(tmp_path / "out").complete


def test_merge_says_which_shard_is_absent_and_with_the_root_which_submissions(tmp_path):
    parts = split(STUDENTS, 4)
    dirs = [write_shard(tmp_path / f"shard{k}", names, k, 4) for k, names in parts.items() if k != 3]
    report = shard.merge(dirs, tmp_path / "out")
    assert any("3/4 not merged" in p and "--submissions" in p for p in report.problems)
    assert report.missing == {}                       # nothing to name them by
    root = make_root(tmp_path / "root", STUDENTS)
    report = shard.merge(dirs, tmp_path / "out2", root=root)
    assert set(report.missing) == set(parts[3])
    assert all("3/4 was not merged" in why for why in report.missing.values())


def test_merge_reports_a_submission_graded_twice_and_keeps_one(tmp_path):
    parts = split(STUDENTS, 2)
    one = write_shard(tmp_path / "one", parts[1], 1, 2)
    two = write_shard(tmp_path / "two", parts[2], 2, 2)
    again = tmp_path / "one-again"
    shutil.copytree(one, again)
    report = shard.merge([one, two, again], tmp_path / "out")
    assert set(report.duplicates) == set(parts[1])
    assert all(where == [str(one), str(again)] for where in report.duplicates.values())
    merged = insight.read(tmp_path / "out")
    assert sorted(r["submission"] for r in merged.records) == sorted(STUDENTS)      # each once


def test_merge_refuses_to_mix_seeds_quietly(tmp_path):
    parts = split(STUDENTS, 2)
    dirs = [write_shard(tmp_path / f"shard{k}", names, k, 2, seed=k) for k, names in parts.items()]
    report = shard.merge(dirs, tmp_path / "out")
    assert any("different hidden inputs" in p for p in report.problems) and not report.ok


def test_a_record_cut_short_by_a_killed_run_still_reads(tmp_path):
    path = write_shard(tmp_path / "shard", STUDENTS[:3], 1, 1, complete=False)
    records = path / insight.RECORDS
    records.write_text(records.read_text() + '{"submission": "s99", "kat')
    batch = insight.read(path)
    assert [r["submission"] for r in batch.records] == STUDENTS[:3] and not batch.complete


def test_kata_merge_command_exit_status_and_report(tmp_path):
    parts = split(STUDENTS, 2)
    one = write_shard(tmp_path / "one", parts[1], 1, 2)
    proc = kata("merge", str(one), "--out", str(tmp_path / "out"), "--submissions",
                str(make_root(tmp_path / "root", STUDENTS)))
    assert proc.returncode == 1, proc.stderr
    assert f"{len(parts[2])} missing" in proc.stdout and "shard(s) 2/2 not merged" in proc.stdout
    assert (tmp_path / "out" / "gradebook.html").is_file()
    assert kata("merge", str(one), "--out", str(one)).returncode == 2


# ---------------------------------------------------------------------------------------------
# Real shards: two `kata grade --shard` runs merge into what one run gives
# ---------------------------------------------------------------------------------------------

def grade_sharded(workdir: Path) -> dict:
    solution = (ROOT / "solutions" / f"{GATHER}.py").read_text()
    wrong = solution.replace("return torch.gather(data, 1, cols)\n", "return torch.gather(data, 1, cols).squeeze(1)\n")
    root = workdir / "root"
    for i in range(8):
        path = root / f"student{i}" / f"{GATHER}.py"
        path.parent.mkdir(parents=True)
        path.write_text(wrong if i % 3 == 0 else solution)
    common = ["--kata", GATHER, "--seed", "3", "--format", "gradescope"]
    commands = {
        "whole": ["grade", "--batch", str(root), "--out-dir", str(workdir / "whole"), *common],
        "shard1": ["grade", "--batch", str(root), "--out-dir", str(workdir / "shard1"), "--shard", "1/2", *common],
        "shard2": ["grade", "--batch", str(root), "--out-dir", str(workdir / "shard2"), "--shard", "2/2", *common],
    }
    procs = {name: subprocess.Popen([sys.executable, "-m", "checker", *cmd], cwd=ROOT, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for name, cmd in commands.items()}
    runs = {name: [p.wait(timeout=600), p.stderr.read()] for name, p in procs.items()}
    merge = kata("merge", str(workdir / "shard1"), str(workdir / "shard2"), "--out", str(workdir / "merged"),
                 "--submissions", str(root))
    runs["merge"] = [merge.returncode, merge.stdout + merge.stderr]
    return {"runs": runs, "dir": str(workdir)}


@pytest.fixture(scope="module")
def sharded(once):
    result = once("sharded-batch", grade_sharded)
    for name, (code, output) in result["runs"].items():
        assert code == 0, (name, output[-3000:])
    return Path(result["dir"])


def test_each_shard_grades_its_share_only(sharded):
    one, two = insight.read(sharded / "shard1"), insight.read(sharded / "shard2")
    assert one.shard == (1, 2) and two.shard == (2, 2)
    assert not set(one.assigned) & set(two.assigned)
    assert sorted(one.assigned + two.assigned) == [f"student{i}" for i in range(8)]
    for batch in (one, two):
        assert [r["submission"] for r in batch.records] == batch.assigned
        assert all(shard.shard_of(name, 2) == batch.shard[0] for name in batch.assigned)


def test_merged_shards_equal_one_unsharded_run(sharded):
    merged, whole = sharded / "merged", sharded / "whole"
    assert (merged / insight.SUMMARY).read_text() == (whole / insight.SUMMARY).read_text()
    assert (merged / insight.KATA_SUMMARY).read_text() == (whole / insight.KATA_SUMMARY).read_text()
    assert sorted(p.name for p in merged.glob("*.json")) == sorted(p.name for p in whole.glob("*.json"))
    for path in whole.glob("*.json"):
        ours, theirs = json.loads((merged / path.name).read_text()), json.loads(path.read_text())
        assert [(t["name"], t.get("score"), t.get("output")) for t in ours["tests"]] == \
            [(t["name"], t.get("score"), t.get("output")) for t in theirs["tests"]]
    assert "pick_per_row squeezes the result" in (merged / insight.KATA_SUMMARY).read_text()
    assert (merged / "gradebook.html").is_file()
