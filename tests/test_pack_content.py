"""The bundled data-scientist pack: what issue 2 asks of its content, and that its
text is our own (no sentence lifted from the source documents)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockinterview.domain.pack import CANONICAL_MISTAKE_IDS
from mockinterview.packs.loader import load_pack

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def pack():
    return load_pack("data-scientist")


def test_rounds_have_the_promised_questions(pack):
    by_kind = {}
    for q in pack.questions:
        by_kind.setdefault((q.round, q.kind), []).append(q.id)
    concept = {r: len(by_kind.get((r, "concept"), [])) for r in ("basic", "technical", "advanced")}
    assert concept["basic"] >= 8
    assert concept["technical"] >= 8
    assert concept["advanced"] >= 6
    cases = sum(1 for q in pack.questions if q.kind == "case")
    assert cases >= 6
    assert len(pack.questions_for("behavioral")) >= 8


def test_common_mistakes_are_complete(pack):
    ids = {m.id for m in pack.mistakes}
    assert set(CANONICAL_MISTAKE_IDS) <= ids
    for m in pack.mistakes:
        assert m.definition and m.why_it_costs and m.how_to_fix
        assert m.positive_examples and m.negative_examples


def test_every_question_is_complete(pack):
    for q in pack.questions:
        assert len(q.follow_ups) >= 2, q.id
        assert len(q.key_points) >= 2, q.id
        assert len(q.reference_answer.split()) >= 60, q.id
        for kp in q.key_points:
            assert kp.expressions, (q.id, kp.id)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _shingles(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source documents (shared/seeds) not available")
def test_rubric_text_is_written_in_our_own_words(pack):
    """Facts carry over from the seeds, sentences do not: no run of 9 words is shared."""
    n = 9
    seed_shingles: set[tuple[str, ...]] = set()
    for path in SEEDS.glob("*.txt"):
        seed_shingles |= _shingles(_words(path.read_text(encoding="utf-8", errors="replace")), n)
    texts = []
    for q in pack.questions:
        texts += [(q.id, q.text), (q.id, q.context), (q.id, q.reference_answer)]
    for m in pack.mistakes:
        texts += [(m.id, m.definition), (m.id, m.why_it_costs), (m.id, m.how_to_fix)]
    copied = []
    for owner, text in texts:
        shared = _shingles(_words(text), n) & seed_shingles
        if shared:
            copied.append((owner, " ".join(sorted(shared)[0])))
    assert not copied, f"text copied from the seeds: {copied[:5]}"
