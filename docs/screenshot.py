"""Make docs/gradebook.png and docs/gradebook-student.png, the README's pictures of the gradebook.

    python docs/screenshot.py

It generates a class of 16 with benchmarks/batch_scale.py's mix (references, catalogued
mistakes, stubs, missing files, syntax errors), grades it with `kata grade --batch`, writes the
page with `kata report --html`, opens it in the distribution's headless Chromium (the tests'
driver, tests/chromium.py), saves the class at a glance, then clicks a student with a diagnosed mistake and saves that.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

import batch_scale  # noqa: E402
import chromium  # noqa: E402

KATAS = ["03_reductions/reductions", "04_indexing/gather", "06_backward/manual_backward", "08_layers/linear",
         "08_layers/layernorm", "08_layers/dropout"]


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="torchkata-screenshot-"))
    batch_scale.make_class(work / "class", 16, KATAS, seed=3)
    kata = [sys.executable, "-m", "checker"]
    subprocess.run(kata + ["grade", "--batch", str(work / "class"), "--out-dir", str(work / "results"),
                           "--seed", "3", "-j", "2"] + [a for k in KATAS for a in ("--kata", k)], cwd=ROOT, check=True)
    page_path = work / "gradebook.html"
    subprocess.run(kata + ["report", str(work / "results"), "--html", str(page_path), "--title",
                           "ML101 · week 4 · gradebook"], cwd=ROOT, check=True)
    with chromium.Chromium.launch() as browser:
        page = browser.open(page_path.as_uri(), width=1280, height=1000)
        page.wait_until("document.body.dataset.ready === 'true'")
        shots = [page.screenshot(ROOT / "docs" / "gradebook.png")]        # the class at a glance
        # Then a student one of whose katas was diagnosed, opened at that kata, beside the matrix.
        cell = page.evaluate("(() => { const c = document.querySelector('#matrix td.cell.diagnosed');"
                             " return c && [c.parentElement.dataset.student, c.dataset.kata]; })()")
        if cell:
            page.click(f'#matrix tr[data-student="{cell[0]}"] td.cell[data-kata="{cell[1]}"]')
            page.evaluate("document.querySelector('#class-heading').scrollIntoView({block: 'start'})")
            shots.append(page.screenshot(ROOT / "docs" / "gradebook-student.png"))
    for shot in shots:
        print(f"wrote {shot.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
