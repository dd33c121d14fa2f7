"""Every bundled pack's examples run through the offline grader and come out right, and the
pack checks `rubrics lint` reports behave."""

from __future__ import annotations

import pytest

from mockinterview.grading.pack_check import pack_warnings, run_examples
from mockinterview.packs.loader import load_pack_dir, pack_dirs


@pytest.mark.parametrize("pack_dir", pack_dirs(), ids=lambda p: p.name)
def test_every_example_of_every_bundled_pack_is_graded_right(pack_dir):
    pack = load_pack_dir(pack_dir)
    outcomes = run_examples(pack)
    assert outcomes, "a pack has at least one example per mistake"
    assert sum(o.expected for o in outcomes) >= len(pack.mistakes)
    wrong = [o for o in outcomes if not o.ok]
    assert not wrong, wrong


def test_a_pack_without_the_canonical_ids_gets_a_warning_not_an_error():
    # The data-scientist pack by name: it keeps every canonical id (other bundled packs need not).
    pack = load_pack_dir(next(d for d in pack_dirs() if d.name == "data-scientist"))
    kept = [m for m in pack.mistakes if m.id != "leakage-unchecked"]
    questions = [q.model_copy(update={"mistakes": [m for m in q.mistakes if m != "leakage-unchecked"]}) for q in pack.questions]
    other = pack.model_copy(update={"mistakes": kept, "questions": questions})
    messages = [w.message for w in pack_warnings(other)]
    assert any("lacks canonical id(s) leakage-unchecked" in m for m in messages)
    assert not any("canonical" in w.message for w in pack_warnings(pack))
