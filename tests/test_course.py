"""`kata grade` for course staff: batches, archives, notebooks and the summary CSV."""
import csv
import json
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from checker import ROOT, authoring, manifest

GATHER = manifest.get("04_indexing/gather")
KATA_ARGS = ["--kata", "04_indexing/gather", "--kata", "08_layers/layernorm", "--seed", "0"]


def kata(*args, check=False):
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True,
                          cwd=ROOT, check=check, timeout=300)


def test_batch_grades_dirs_zips_and_notebooks_into_one_summary(tmp_path):
    root = tmp_path / "submissions"
    good = root / "alice" / "04_indexing"
    good.mkdir(parents=True)
    shutil.copy(GATHER.solution_path, good / "gather.py")
    (root / "alice" / "08_layers").mkdir()
    shutil.copy(manifest.get("layernorm").solution_path, root / "alice" / "08_layers" / "layernorm.py")

    with zipfile.ZipFile(root / "bob.zip", "w") as zf:      # a broken kata and a crash
        zf.writestr("bob/04_indexing/gather.py", "import ctypes\nctypes.string_at(0)\n")
        zf.writestr("bob/08_layers/layernorm.py", "def layer_norm(x, gamma, beta, eps=1e-5)\n")

    nb = nbformat.reads(authoring.render_notebook(GATHER, GATHER.solution_path.read_text()), as_version=4)
    solution = GATHER.solution_path.read_text()
    for cell in nb.cells:       # fill the notebook's graded cells with the reference bodies
        if "graded" in cell.metadata.get("tags", []):
            name = cell.metadata["tags"][1]
            start = solution.index(f"def {name}(")
            end = solution.find("\ndef ", start + 1)
            cell.source = solution[start:end if end > 0 else None]
    (root / "carol.ipynb").write_text(nbformat.writes(nb))

    out = tmp_path / "results"
    result = kata("grade", "--batch", str(root), "--out-dir", str(out), "-j", "2", "--format", "gradescope",
                  *KATA_ARGS)
    assert result.returncode == 0, result.stderr
    assert "3/3" in result.stderr and "ETA" in result.stderr      # the progress line

    rows = {r["submission"]: r for r in csv.DictReader(open(out / "summary.csv"))}
    assert set(rows) == {"alice", "bob", "carol"}
    assert float(rows["alice"]["score"]) == float(rows["alice"]["max_score"]) == 5
    assert float(rows["bob"]["score"]) == 0
    assert float(rows["carol"]["04_indexing/gather"]) == 3 and float(rows["carol"]["08_layers/layernorm"]) == 0

    bob = json.loads((out / "bob.json").read_text())
    outputs = {t["name"]: t["output"] for t in bob["tests"]}
    assert "crashed" in outputs["04_indexing/gather::gather_2d"]
    assert "SyntaxError" in outputs["08_layers/layernorm::layer_norm"]
    assert "import-error" in outputs["08_layers/layernorm::layer_norm"]


def test_hidden_after_due_hides_details_but_not_the_score(tmp_path):
    sub = tmp_path / "sub" / "04_indexing"
    sub.mkdir(parents=True)
    shutil.copy(GATHER.solution_path, sub / "gather.py")
    out = tmp_path / "results.json"
    kata("grade", str(tmp_path / "sub"), "--kata", "04_indexing/gather", "--format", "gradescope",
         "--out", str(out), "--hidden-after-due", check=True)
    data = json.loads(out.read_text())
    assert data["score"] == 3
    graded = [t for t in data["tests"] if "::" in t["name"]]
    assert graded and all(t["visibility"] == "after_due_date" for t in graded)


def test_the_sandbox_reaches_the_level_this_machine_supports():
    """CI sets TORCHKATA_REQUIRE_ISOLATION where namespaces work, so a silent fall back to a
    weaker level (which the adversarial tests would only skip) fails loudly instead."""
    import os

    import pytest

    from checker import course, sandbox
    required = os.environ.get("TORCHKATA_REQUIRE_ISOLATION")
    if not required:
        pytest.skip("TORCHKATA_REQUIRE_ISOLATION is not set")
    report = sandbox.detect_isolation([str(p) for p in course.HIDDEN_PATHS])
    assert report["level"] == required, report["warnings"]


def test_results_record_seed_and_isolation(tmp_path):
    out = tmp_path / "r.json"
    kata("grade", str(ROOT / "exercises"), "--kata", "gather", "--format", "json", "--out", str(out))
    meta = json.loads(out.read_text())["metadata"]
    assert isinstance(meta["seed"], int) and meta["isolation"]["level"] in ("namespaces+uid", "uid", "rlimits-only")
    assert all(t["status"] == "not-implemented" for k in json.loads(out.read_text())["katas"] for t in k["tests"])


@pytest.mark.parametrize("fmt, status", [("exercism", 0), ("junit", 1), ("text", 1)])
def test_exit_status_follows_the_format(tmp_path, fmt, status):
    """Exercism's test-runner interface wants exit 0 whenever results were written, whatever
    they say; the other formats keep `1` for a submission that does not pass."""
    from checker import cli
    out = tmp_path / "results"
    args = ["grade", str(ROOT / "exercises"), "--kata", "gather", "--isolation", "none", "--device", "cpu",
            "--format", fmt, "--out", str(out)]
    assert cli.main(args) == status
    assert out.stat().st_size > 0
