"""The stub model grades through the same pipeline as an LLM grader:
ModelGrader -> checklist.grading_request -> the stub (the heuristic checklist as JSON)
-> the structured-output ladder -> checklist.guarded_grade -> compute_score. That
pipeline must give the same grade as calling grading.grade_answer directly, on every
labelled answer we have.

The guards only credit what quotes the answer verbatim, so any credit the heuristic
gives (partial credit included) must carry its evidence, and findings, flags and
behavioral checks must survive the JSON round trip.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from mockinterview.domain.grade import Grade
from mockinterview.grading import grade_answer
from mockinterview.grading.model_grader import ModelGrader
from mockinterview.models import get_model
from mockinterview.packs.loader import load_pack

DATA = Path(__file__).parent / "data"
DEV_SETS = sorted(DATA.glob("labelled_dev*.jsonl"))


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def _bank_rows() -> list[tuple[str, str, str]]:
    rows = []
    for path in DEV_SETS:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if "question_id" in row:
                rows.append((f"{path.name}:{n}:{row.get('id')}", row["question_id"], row["answer"]))
    return rows


def _summary(g: Grade) -> dict:
    return {
        "score": g.score,
        "covered": [k.id for k in g.covered],
        "credit": {k.id: k.credit for k in g.key_points if k.credit},
        "misconceptions": [k.id for k in g.key_points if k.misconception],
        "mistakes": [m.id for m in g.mistakes],
        "flags": list(g.flags),
        "behavioral": [(b.id, b.present) for b in g.behavioral],
    }


async def _through_pipeline(pack, question, answer: str) -> Grade:
    result = await ModelGrader(get_model("stub")).grade(question, answer, pack)
    assert result.ladder_step == "stub"
    return result.grade


def test_dev_sets_exist():
    assert DEV_SETS, "no labelled dev set under tests/data"
    assert len(_bank_rows()) >= 100


def test_pipeline_grade_equals_direct_grade_on_every_dev_row(pack):
    async def run() -> list[str]:
        diffs = []
        for label, question_id, answer in _bank_rows():
            question = pack.question(question_id)
            direct = _summary(grade_answer(answer, question, pack))
            piped = _summary(await _through_pipeline(pack, question, answer))
            if direct != piped:
                diffs.append(f"{label}: direct {direct} != pipeline {piped}")
        return diffs

    diffs = asyncio.run(run())
    assert not diffs, f"{len(diffs)} rows differ:\n" + "\n".join(diffs[:5])


def test_partial_credit_carries_verbatim_evidence(pack):
    # Every credit the heuristic gives points at the candidate's words.
    for _label, question_id, answer in _bank_rows():
        for k in grade_answer(answer, pack.question(question_id), pack).key_points:
            if k.covered or k.credit:
                assert k.evidence and k.evidence in answer, k
