"""Grading threads share one process, so nothing a judge reads may be process-global state that
another thread can change. The `-j 2` misgrade came from torch's print options; the judge now
formats tensors itself. These tests fail on a judge that formats under torch's print options."""
import csv
import shutil
import subprocess
import sys
import threading

import torch

from checker import ROOT, judge, manifest

REDUCTIONS = manifest.get("03_reductions/reductions")
GATHER = manifest.get("04_indexing/gather")


def test_tensor_text_does_not_depend_on_torch_print_options():
    t = torch.linspace(-1, 1, 30).reshape(5, 6) / 3
    before = judge.show_tensor(t)
    torch.set_printoptions(precision=1, threshold=2, edgeitems=1, sci_mode=True)
    try:
        assert judge.show_tensor(t) == before
    finally:
        torch.set_printoptions(profile="default")


def test_tensor_text_is_stable_while_another_thread_changes_print_options():
    t = torch.randn(3, 4, generator=torch.Generator().manual_seed(0))
    wanted = judge.show_tensor(t)
    stop = threading.Event()

    def meddle():
        while not stop.is_set():
            torch.set_printoptions(precision=1)
            torch.set_printoptions(profile="default")

    thread = threading.Thread(target=meddle)
    thread.start()
    try:
        seen = {judge.show_tensor(t) for _ in range(2000)}
    finally:
        stop.set()
        thread.join()
        torch.set_printoptions(profile="default")
    assert seen == {wanted}


def test_a_correct_batch_graded_with_two_threads_is_at_full_marks_every_time(tmp_path):
    root = tmp_path / "submissions"
    for number in range(12):
        for kata in (REDUCTIONS, GATHER):
            folder = root / f"student{number:02d}" / kata.chapter
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(kata.solution_path, folder / f"{kata.module}.py")
    for attempt in range(3):
        out = tmp_path / f"results{attempt}"
        result = subprocess.run(
            [sys.executable, "-m", "checker", "grade", "--batch", str(root), "--out-dir", str(out), "-j", "2",
             "--kata", REDUCTIONS.id, "--kata", GATHER.id, "--seed", str(attempt)],
            capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        rows = list(csv.DictReader(open(out / "summary.csv")))
        assert len(rows) == 12
        assert all(float(r["score"]) == float(r["max_score"]) == 7 for r in rows), rows
