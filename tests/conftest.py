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


@pytest.fixture(scope="session")
def once(tmp_path_factory):
    """once(key, produce): call produce(workdir) a single time per test session, even when
    pytest-xdist spreads a module's tests over several workers (each would otherwise run the
    module's fixtures again). The result must be JSON data; workers share it through a file
    under a lock. Used for the end-to-end `kata grade` runs, which cost seconds each."""
    import fcntl
    import json
    import os

    def run(key: str, produce):
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            return produce(tmp_path_factory.mktemp(key))
        shared = tmp_path_factory.getbasetemp().parent     # the same for every worker of this session
        result = shared / f"{key}.json"
        with open(shared / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not result.exists():
                workdir = shared / key
                workdir.mkdir(exist_ok=True)
                result.write_text(json.dumps(produce(workdir)))
        return json.loads(result.read_text())
    return run
