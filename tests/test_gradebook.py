"""Class insight: a batch's per-kata summary, `kata report`, and the gradebook page, which is
checked in a real headless Chromium (the distribution's package, driven over the DevTools
protocol by tests/chromium.py): its matrix, a click into a student, the filters and sorting, no
network requests, learner text that stays text, and a screenshot."""
import csv
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import chromium
from checker import ROOT, gradebook, insight, manifest

LAYERNORM, GATHER = "08_layers/layernorm", "04_indexing/gather"
EPS_OUTSIDE = "eps added outside the square root"
SQUEEZED = "pick_per_row squeezes the result to (N,)"
HOSTILE_NAME = '<img src=x onerror="window.pwned=1">'
HOSTILE_TEXT = '</script><script>window.pwned=2</script><b id="injected">bold</b>'


def _source(kata_id: str, *edits: tuple[str, str]) -> str:
    text = manifest.get(kata_id).solution_path.read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


REFERENCE = {LAYERNORM: _source(LAYERNORM), GATHER: _source(GATHER)}
STUB = {k: (ROOT / "exercises" / f"{k}.py").read_text() for k in (LAYERNORM, GATHER)}
# As the catalogue writes it: a variant whose gradients round differently may go unnamed, and
# naming mistakes is not what this file tests.
EPS = _source(LAYERNORM, ("    centred = x - mean\n", ""),
              ("var = (centred ** 2).mean(dim=dims, keepdim=True)", "var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)"),
              ("return centred / torch.sqrt(var + eps) * gamma + beta", "return (x - mean) / (torch.sqrt(var) + eps) * gamma + beta"))
SQUEEZE = _source(GATHER, ("return torch.gather(data, 1, cols)\n", "return torch.gather(data, 1, cols).squeeze(1)\n"))
# Wrong, but like no catalogued mistake: it must fail without a diagnosis.
SCALED = _source(LAYERNORM, ("var = (centred ** 2).mean(dim=dims, keepdim=True)",
                             "var = (centred ** 2).mean(dim=dims, keepdim=True) * 1.01"))
RAISES = _source(LAYERNORM, ("    dims = tuple(range(-gamma.dim(), 0))  #",
                             f"    raise ValueError({HOSTILE_TEXT!r})\n    dims = tuple(range(-gamma.dim(), 0))  #"))

CLASS = {
    "alice": {LAYERNORM: REFERENCE[LAYERNORM], GATHER: REFERENCE[GATHER]},
    "bob": {LAYERNORM: EPS, GATHER: REFERENCE[GATHER]},
    "carol": {LAYERNORM: EPS, GATHER: SQUEEZE},
    "dan": {LAYERNORM: SCALED, GATHER: SQUEEZE},
    "erin": {LAYERNORM: EPS},                                   # no gather file at all
    "frank": dict(STUB),                                        # has not started
    HOSTILE_NAME: {LAYERNORM: RAISES, GATHER: REFERENCE[GATHER]},
}
# What each student's row must show, kata by kata: the page's colour class for the cell.
CELLS = {
    "alice": {LAYERNORM: "pass", GATHER: "pass"},
    "bob": {LAYERNORM: "fail", GATHER: "pass"},
    "carol": {LAYERNORM: "fail", GATHER: "partial"},
    "dan": {LAYERNORM: "fail", GATHER: "partial"},
    "erin": {LAYERNORM: "fail", GATHER: "broken"},
    "frank": {LAYERNORM: "todo", GATHER: "todo"},
    HOSTILE_NAME: {LAYERNORM: "fail", GATHER: "pass"},
}


def grade_class(workdir: Path) -> dict:
    root, out = workdir / "class", workdir / "results"
    for student, files in CLASS.items():
        for kata_id, source in files.items():
            path = root / student / f"{kata_id}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source)
    proc = subprocess.run([sys.executable, "-m", "checker", "grade", "--batch", str(root), "--out-dir", str(out),
                           "--kata", LAYERNORM, "--kata", GATHER, "--seed", "0", "-j", "2", "--format", "exercism"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    return {"out": str(out), "returncode": proc.returncode, "stderr": proc.stderr}


@pytest.fixture(scope="module")
def graded(once) -> dict:
    result = once("gradebook-class", grade_class)
    assert result["returncode"] == 0, result["stderr"][-3000:]
    return result


@pytest.fixture(scope="module")
def results(graded) -> Path:
    return Path(graded["out"])


def kata_rows(results: Path) -> dict[str, dict]:
    return {row["kata"]: row for row in csv.DictReader(open(results / insight.KATA_SUMMARY, encoding="utf-8"))}


# ---------------------------------------------------------------------------------------------
# The batch's own summary
# ---------------------------------------------------------------------------------------------

def test_the_batch_writes_a_per_kata_summary(results):
    rows = kata_rows(results)
    assert list(rows) == [LAYERNORM, GATHER]
    layernorm, gather = rows[LAYERNORM], rows[GATHER]
    assert (layernorm["submissions"], layernorm["solved"], layernorm["pass_rate"]) == ("7", "1", "0.143")
    assert (gather["submissions"], gather["solved"], gather["pass_rate"]) == ("7", "3", "0.429")
    # Statuses count graded names: gather has 3 of them, so erin's missing file is 3 import errors.
    assert gather["import-error"] == "3" and gather["not-implemented"] == "3"
    assert int(layernorm["error"]) >= 1                        # the hostile student's ValueError
    assert sum(int(gather[s]) for s in insight.STATUSES) == 7 * 3
    # The most common mistakes come first, counted once per student and graded name.
    assert layernorm["common_mistakes"].startswith(f"layer_norm: {EPS_OUTSIDE}.")
    assert layernorm["common_mistakes"].split(";")[0].rstrip().endswith("(3)")
    assert gather["common_mistakes"].startswith(f"{SQUEEZED}.") and gather["common_mistakes"].split(";")[0].endswith("(2)")


def test_the_summary_counts_only_what_the_results_say(results):
    """Every diagnosis counted in katas.csv is one a student's own results file carries."""
    counted = {}
    for path in results.glob("*.json"):
        for test in json.loads(path.read_text())["tests"]:
            if test["message"] and "this looks like a known mistake: " in test["message"]:
                label = test["message"].split("this looks like a known mistake: ")[1].split(".")[0]
                counted[label] = counted.get(label, 0) + 1
    assert counted == {EPS_OUTSIDE: 3, SQUEEZED.split(".")[0]: 2}


def test_the_record_holds_every_assigned_submission(results):
    batch = insight.read(results)
    assert batch.complete and batch.shard is None and batch.seed == 0 and batch.format == "exercism"
    assert sorted(batch.assigned) == sorted(CLASS) == [r["submission"] for r in batch.records]
    dan = next(r for r in batch.records if r["submission"] == "dan")
    [layer_norm] = [t for k in dan["katas"] for t in k["tests"] if t["name"] == "layer_norm"]
    assert layer_norm["status"] == "failed" and layer_norm["diagnosis"] == ""     # not catalogued: unnamed
    summary = {r["submission"]: r for r in csv.DictReader(open(results / insight.SUMMARY, encoding="utf-8"))}
    assert set(summary) == set(CLASS)
    assert float(summary["alice"]["score"]) == float(summary["alice"]["max_score"]) == 5


def test_kata_report_prints_the_summary_and_writes_the_page(results, tmp_path):
    page = tmp_path / "gradebook.html"
    proc = subprocess.run([sys.executable, "-m", "checker", "report", str(results), "--html", str(page)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "14.3% solved (1/7)" in proc.stdout and f"3 × layer_norm: {EPS_OUTSIDE}" in proc.stdout
    assert "import torch" not in proc.stderr and page.is_file()


def test_kata_report_says_what_is_wrong_with_a_directory_that_is_not_a_batch(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "checker", "report", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "grades.jsonl cannot be read" in proc.stderr


def test_a_file_name_that_is_not_utf8_cannot_break_the_record(tmp_path):
    name = os.fsdecode(b"stud\xffent")               # how Python spells such a name: a lone surrogate
    batch = insight.Batch(katas=[GATHER], titles={GATHER: "gather"}, assigned=["stud\ufffdent"])
    writer = insight.RecordWriter(tmp_path, batch)
    writer.add(insight.error_record(name, "grader error: boom", 3))
    done = writer.finish()
    insight.write_tables(tmp_path, done)
    gradebook.write(tmp_path / "page.html", done)
    assert [r["submission"] for r in done.records] == done.assigned and done.complete
    assert "stud\ufffdent" in (tmp_path / insight.SUMMARY).read_text(encoding="utf-8")


def test_the_page_is_self_contained(results):
    html = gradebook.render(insight.read(results))
    assert "http://" not in html and "https://" not in html
    for needle in ("<link", "<img", "<iframe", "<script src", "@import", "url("):
        assert needle not in html, needle
    assert "default-src 'none'" in html
    # Learner text is data that cannot close the <script> element it sits in.
    assert "</script><script>window.pwned" not in html and "window.pwned=2" in html


# ---------------------------------------------------------------------------------------------
# The page in a real browser
# ---------------------------------------------------------------------------------------------

BROWSER = chromium.find()
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium to run the page in: install the distribution's package "
                            "(Debian: apt-get install chromium; .ci/run does) or set $TORCHKATA_CHROMIUM")

MATRIX = """[...document.querySelectorAll('#matrix tbody tr')].map(row => ({
    student: row.dataset.student,
    score: row.querySelector('td.total').textContent,
    cells: Object.fromEntries([...row.querySelectorAll('td.cell')].map(c => [c.dataset.kata, c.className]))}))"""
SHOWN = "[...document.querySelectorAll('#matrix tbody tr')].map(r => r.dataset.student)"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def page_file(results, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("page") / "gradebook.html"
    gradebook.write(path, insight.read(results), title="Week 3 · gradebook")
    return path


@pytest.fixture
def browser():
    with chromium.Chromium.launch(BROWSER) as b:
        yield b


@needs_browser
def test_the_page_shows_the_class_and_a_student_one_click_away(browser, page_file, results, tmp_path):
    page = browser.open(page_file.as_uri())
    page.wait_until("document.body.dataset.ready === 'true'")
    assert page.evaluate("document.title") == "Week 3 · gradebook"

    # The matrix, as rendered: one row per student, a coloured cell per kata, diagnosed ones marked.
    rows = page.evaluate(MATRIX)
    assert sorted(r["student"] for r in rows) == sorted(CLASS)
    for row in rows:
        for kata_id, expected in CELLS[row["student"]].items():
            assert expected in row["cells"][kata_id].split(), (row["student"], kata_id, row["cells"][kata_id])
    by_name = {r["student"]: r for r in rows}
    assert by_name["alice"]["score"] == "5 / 5" and by_name["frank"]["score"] == "0 / 5"
    assert "diagnosed" in by_name["bob"]["cells"][LAYERNORM] and "diagnosed" not in by_name["dan"]["cells"][LAYERNORM]
    assert "diagnosed" in by_name["dan"]["cells"][GATHER]

    # The per-kata table: pass rates and the most common mistakes with their counts.
    kata_table = page.evaluate("Object.fromEntries([...document.querySelectorAll('#katas tbody tr')]"
                               ".map(r => [r.dataset.kata, r.innerText]))")
    assert "14.3%" in kata_table[LAYERNORM] and "42.9%" in kata_table[GATHER]
    assert f"3×layer_norm: {EPS_OUTSIDE}" in kata_table[LAYERNORM].replace("\t", "").replace("\n", "")

    # One click on a student opens their messages, the diagnosis marked.
    page.click('#matrix tbody tr[data-student="carol"] td.name button')
    page.wait_until("!document.getElementById('student').hidden")
    assert page.evaluate("document.getElementById('student-name').textContent") == "carol"
    assert page.evaluate("location.hash") == "#student=carol"
    panel = page.evaluate("document.getElementById('student-body').innerText")
    assert f"this looks like a known mistake: {EPS_OUTSIDE}." in panel
    assert "smallest failing input" in panel and "pick_per_row" in panel
    assert page.evaluate("document.querySelectorAll('#student-body pre.message mark').length") >= 2
    shot = page.screenshot(tmp_path / "gradebook.png")
    assert png_size(shot) == (1360, 900)
    if os.environ.get("TORCHKATA_SCREENSHOT"):     # how docs/gradebook.png is made
        shutil.copy(shot, os.environ["TORCHKATA_SCREENSHOT"])

    # A click on a cell opens that student at that kata; Close (or Escape) hides the panel again.
    page.click('#close')
    assert page.evaluate("document.getElementById('student').hidden") and page.evaluate("location.hash") == ""
    page.click(f'#matrix tbody tr[data-student="erin"] td.cell[data-kata="{GATHER}"]')
    assert page.evaluate("document.querySelector('#student-body .focus').dataset.kata") == GATHER
    assert "was not found in the submission" in page.evaluate("document.querySelector('#student-body .focus').innerText")

    # Nothing but the page itself was ever requested.
    assert browser.requests() == [page_file.as_uri()]


@needs_browser
def test_the_page_filters_and_sorts(browser, page_file):
    page = browser.open(page_file.as_uri())
    page.wait_until("document.body.dataset.ready === 'true'")

    page.type("#search", "AR")                                   # case does not matter
    assert page.evaluate(SHOWN) == ["carol"]
    page.evaluate("(() => { const s = document.getElementById('search'); s.value = ''; "
                  "s.dispatchEvent(new Event('input')); })()")
    assert len(page.evaluate(SHOWN)) == len(CLASS)

    # Sorting: a click on "score" puts the best first, a second click the worst (ties by name).
    page.click('#matrix thead th[data-key="score"] button')
    assert page.evaluate(SHOWN)[0] == "alice"
    page.click('#matrix thead th[data-key="score"] button')
    assert page.evaluate(SHOWN)[:2] == ["erin", "frank"]
    page.click('#matrix thead th[data-key="1"] button')      # the second kata's column: gather
    assert sorted(page.evaluate(SHOWN)[:3]) == sorted(["alice", "bob", HOSTILE_NAME])

    # A common mistake, clicked in the kata table, keeps the students who made it.
    page.click(f'#katas tbody tr[data-kata="{LAYERNORM}"] .mistakes button')
    assert sorted(page.evaluate(SHOWN)) == ["bob", "carol", "erin"]
    assert EPS_OUTSIDE in page.evaluate("document.getElementById('mistake-filter').innerText")
    page.click("#mistake-filter button")
    assert len(page.evaluate(SHOWN)) == len(CLASS)

    # Which students, and which katas.
    choose = ("(v => { const s = document.getElementById('{id}'); s.value = v; "
              "s.dispatchEvent(new Event('change')); })({value})")
    page.evaluate(choose.replace("{id}", "state-filter").replace("{value}", "'broken'"))
    assert sorted(page.evaluate(SHOWN)) == ["erin"]
    page.evaluate(choose.replace("{id}", "state-filter").replace("{value}", "'solved'"))
    assert page.evaluate(SHOWN) == ["alice"]
    page.evaluate(choose.replace("{id}", "kata-filter").replace("{value}", json.dumps(GATHER)))
    assert sorted(page.evaluate(SHOWN)) == sorted(["alice", "bob", HOSTILE_NAME])
    assert page.evaluate("[...document.querySelectorAll('#matrix thead th')].length") == 3   # student, score, gather


@needs_browser
def test_learner_text_stays_text(browser, page_file):
    page = browser.open(page_file.as_uri() + "#student=" + "%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D1%22%3E")
    page.wait_until("document.body.dataset.ready === 'true'")
    assert page.evaluate("document.getElementById('student-name').textContent") == HOSTILE_NAME
    assert HOSTILE_TEXT in page.evaluate("document.getElementById('student-body').innerText")
    assert page.evaluate("window.pwned === undefined && !document.getElementById('injected')"
                         " && !document.querySelector('#matrix img, #student img')")
    assert browser.requests() == [page_file.as_uri()]
