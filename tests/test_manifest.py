"""The manifest is the single list every tool reads: it must be complete and consistent."""
import ast

import pytest

from checker import manifest


@pytest.mark.parametrize("kata", manifest.load(), ids=lambda k: k.id)
def test_every_kata_has_its_files_and_defines_its_graded_names(kata):
    for path in (kata.solution_path, kata.exercise_path, kata.notebook_path, kata.suite_path, kata.catalogue_path):
        assert path.exists(), path
    tree = ast.parse(kata.solution_path.read_text())
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    assert kata.graded and set(kata.graded) <= defined
    assert all(len(kata.hints_for(name)) >= 2 for name in kata.graded)


def test_ids_are_chapter_slash_module_and_in_chapter_order():
    katas = manifest.load()
    chapters = [k.chapter for k in katas]
    assert chapters == sorted(chapters)
    assert all(k.id.count("/") == 1 for k in katas)


def test_lookup_by_short_name_and_rejection_of_unknown_ids():
    assert manifest.get("gather").id == "04_indexing/gather"
    with pytest.raises(KeyError):
        manifest.get("nope")


def test_an_entry_that_repeats_what_the_reference_says_is_refused(tmp_path):
    bad = tmp_path / "katas.toml"
    bad.write_text('[chapters]\n"01_x" = "X"\n[[kata]]\nid = "01_x/y"\ntitle = "t"\ngraded = ["f"]\nhints = ["one"]\n')
    with pytest.raises(manifest.ManifestError, match="unknown keys \\['graded', 'hints'\\]"):
        manifest.load(bad)


@pytest.mark.parametrize("kata_id", ["04_gather", "04_indexing/Gather", "4_indexing/gather", "04_indexing/a/b"])
def test_a_malformed_id_is_refused_with_the_form_to_use(tmp_path, kata_id):
    bad = tmp_path / "katas.toml"
    bad.write_text(f'[chapters]\n"04_indexing" = "X"\n[[kata]]\nid = "{kata_id}"\ntitle = "t"\n')
    with pytest.raises(manifest.ManifestError, match="<NN_chapter>/<module>"):
        manifest.load(bad)


@pytest.mark.parametrize("kata", manifest.load(), ids=lambda k: k.id)
def test_each_suite_grades_exactly_the_names_the_manifest_lists(kata):
    from checker import runner
    assert set(runner.suite_for(kata).graded_names) == set(kata.graded)


def test_the_readme_lists_every_kata_of_the_manifest():
    from checker import authoring
    text = authoring.readme_path().read_text(encoding="utf-8")
    assert authoring.readme_kata_list() in text, "README's kata list is stale: run `kata build`"
    for kata in manifest.load():
        assert f"exercises/{kata.relpath}" in text
