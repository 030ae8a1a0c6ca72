import shutil
from pathlib import Path

import pytest
import torch  # noqa: F401 - imported once here, so pytester runs never re-import it

from checker import ROOT

pytest_plugins = ["pytester"]


@pytest.fixture
def kata_tree(tmp_path):
    """Copy kata files into tmp_path/<chapter>/<kata>.py: from solutions/ or given source text."""
    def make(kata_id: str, source: str | None = None, *, root: Path | None = None) -> Path:
        base = root or tmp_path
        dest = base / f"{kata_id}.py"
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            shutil.copy(ROOT / "solutions" / f"{kata_id}.py", dest)
        else:
            dest.write_text(source)
        return dest
    return make


@pytest.fixture(scope="session", autouse=True)
def warm_torch_imports():
    """pytester's in-process runs drop modules first imported inside them, and torch cannot be
    imported twice in one process. Grading one kata here imports every lazily loaded torch
    module up front, so nested runs only ever reuse them."""
    from checker import manifest, runner
    kata = manifest.get("04_indexing/gather")
    runner.grade_kata(kata, runner.Target.from_file(kata.solution_path), runner.InProcess())
