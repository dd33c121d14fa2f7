"""The hostile lexicon is data (rubrics/common/hostile.toml), validated, shipped, and not a pack."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from mockinterview.domain.lexicon import HostileLexicon, HostilePhrases
from mockinterview.grading.injection import lexicon
from mockinterview.packs.loader import COMMON_DIR, load_common, pack_dirs
from mockinterview.resources import rubrics_dir

ROOT = Path(__file__).resolve().parents[1]
CORE = ("directive_verbs", "drop_targets", "award_verbs", "score_targets", "grader_nouns", "probe_verbs")


@pytest.fixture(scope="module")
def raw() -> dict:
    return tomllib.loads((rubrics_dir() / COMMON_DIR / "hostile.toml").read_text(encoding="utf-8"))


def test_the_bundled_lexicon_validates_and_covers_every_language_in_the_core_lists():
    lex = load_common("hostile", HostileLexicon)
    for name in CORE:
        assert set(getattr(lex.phrases, name)) == set(lex.languages), name
    assert {"en", "fr", "es", "de", "pt", "it", "nl"} <= set(lex.languages)
    assert any(not code.isascii() for w in lex.phrases.directive_verbs["ru"] for code in w)  # a non-Latin script


def test_every_entry_compiles_to_tokens():
    compiled = lexicon()
    for name in HostilePhrases.model_fields:
        assert compiled.sets[name].by_first, name


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["phrases"]["award_verbs"].update({"xx": ["geev"]}), "languages not declared"),
        (lambda d: d["homoglyphs"].update({"a": "a"}), "homoglyphs"),
        (lambda d: d["homoglyphs"].update({"ж": "zh"}), "at most 1 character"),
        (lambda d: d["leet"].update({"b": "8"}), "leet"),
        (lambda d: d["windows"].update({"award": 500}), "less than or equal to 20"),
        (lambda d: d["phrases"].update({"award_verb": {"en": ["give"]}}), "Extra inputs are not permitted"),
        (lambda d: d["phrases"]["claims"].update({"en": []}), "at least 1 item"),
    ],
)
def test_a_broken_lexicon_is_refused_with_the_reason(raw, edit, message):
    import copy

    data = copy.deepcopy(raw)
    edit(data)
    with pytest.raises(ValidationError) as err:
        HostileLexicon.model_validate(data)
    assert message in str(err.value)


def test_the_common_folder_is_not_a_pack():
    assert (rubrics_dir() / COMMON_DIR / "hostile.toml").is_file()
    assert not (rubrics_dir() / COMMON_DIR / "pack.toml").exists()
    assert COMMON_DIR not in {p.name for p in pack_dirs()}


def test_the_wheel_carries_the_rubrics_folder_with_the_lexicon():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    force = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force["rubrics"] == "mockinterview/_data/rubrics"
    assert (ROOT / "rubrics" / COMMON_DIR / "hostile.toml").is_file()
