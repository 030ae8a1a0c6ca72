"""The accelerator path. These tests run where CUDA is present and skip cleanly elsewhere."""
import pytest
import torch

from checker import manifest, runner
from checker.results import Status

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")


def test_devices_for_cuda_also_runs_on_cpu():
    if torch.cuda.is_available():
        assert runner.devices_for("cuda") == ("cpu", "cuda")
    else:
        with pytest.raises(ValueError, match="CUDA is not available"):
            runner.devices_for("cuda")


@needs_cuda
def test_tf32_is_off_while_grading():
    from checker.guards import configure_determinism
    configure_determinism()
    assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32


@needs_cuda
@pytest.mark.parametrize("kata", manifest.load(), ids=lambda k: k.id)
def test_every_reference_passes_on_cpu_and_cuda(kata):
    result = runner.grade_kata(kata, runner.Target.from_file(kata.solution_path), runner.InProcess(),
                               devices=("cpu", "cuda"))
    assert result.passed, [t.message for t in result.tests if not t.status.passed]


@needs_cuda
def test_an_output_left_on_the_cpu_is_reported_as_a_device_error(tmp_path):
    kata = manifest.get("04_indexing/gather")
    source = kata.solution_path.read_text().replace(
        "return torch.gather(data, 1, cols)", "return torch.gather(data, 1, cols).cpu()")
    path = tmp_path / "gather.py"
    path.write_text(source)
    result = runner.grade_kata(kata, runner.Target.from_file(path), runner.InProcess(), devices=("cpu", "cuda"))
    [pick] = [t for t in result.tests if t.name == "pick_per_row"]
    assert pick.status is Status.FAILED and "device" in pick.message and "cuda" in pick.message
