"""Every stochastic check stays green on its reference under 200 fresh seeds.

A statistical bound that a correct implementation breaks now and then would fail learners at
random. `kata validate` reseeds each stochastic check a few times; this test does it 200 times
per kata, so a bound drawn too tight shows up here rather than in a learner's terminal. The
seeds are split into blocks so that `pytest -n auto` can spread them over the cores.
"""
import pytest
import torch

from checker import manifest, runner, validate

SEEDS = list(validate.stochastic_seeds(200, start=1))
BLOCK = 50


def stochastic_names(kata) -> list[str]:
    """Graded names with a stochastic check. Planning only builds specs: nothing runs yet."""
    checks = runner.suite_for(kata).plan(runner.reference_for(kata))
    return sorted({check.name for check in checks if check.stochastic})


def repeat_params():
    params = []
    for kata in manifest.load():
        names = stochastic_names(kata) if kata.suite_path.exists() else []
        for start in range(0, len(SEEDS), BLOCK) if names else ():
            seeds = SEEDS[start:start + BLOCK]
            params.append(pytest.param(kata, names, seeds, id=f"{kata.id}-seeds{seeds[0]}-{seeds[-1]}"))
    return params


@pytest.fixture
def one_thread():
    # The probes work on small tensors, where a second OpenMP thread only adds contention.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("kata, names, seeds", repeat_params())
def test_reference_passes_its_stochastic_checks_under_fresh_seeds(kata, names, seeds, one_thread):
    reference = runner.Target(str(kata.solution_path), namespace=runner.reference_for(kata))
    executor = runner.InProcess()
    failures = []
    for seed in seeds:
        result = runner.grade_kata(kata, reference, executor, seed=seed, names=names)
        failures += [f"seed {seed}, {t.name}: {t.message}" for t in result.tests if not t.status.passed]
    assert not failures, f"{len(failures)} reseeded runs failed:\n" + "\n".join(failures[:3])


def test_the_random_katas_are_repeated_200_times():
    """Guards the test above against covering nothing."""
    covered = {}
    for param in repeat_params():
        kata, names, seeds = param.values
        covered.setdefault(kata.id, set()).update(seeds)
        assert names
    assert {"08_layers/dropout", "10_llm_blocks/ffn"} <= set(covered)
    assert all(len(seeds) == 200 for seeds in covered.values())
    assert stochastic_names(manifest.get("08_layers/dropout")) == ["Dropout", "dropout"]
    assert stochastic_names(manifest.get("10_llm_blocks/ffn")) == ["FeedForwardNetwork"]


def test_reseeding_changes_the_statistical_inputs():
    """200 seeds are only worth running if each one draws new inputs and new masks."""
    kata = manifest.get("08_layers/dropout")
    suite, reference = runner.suite_for(kata), runner.reference_for(kata)
    first, second = (next(spec for check in suite.plan(reference, seed) if check.stochastic
                          for spec in check.specs if spec.get("seed") is not None) for seed in (1, 2))
    assert first["seed"] != second["seed"]
    assert not torch.equal(first["args"][0], second["args"][0])
