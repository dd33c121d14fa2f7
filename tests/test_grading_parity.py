"""The stub model grades through the same pipeline as an LLM grader:
conversation.grading_request -> StubModel.complete (the heuristic checklist as JSON) ->
conversation.parse_grade -> compute_score. That pipeline must give the same grade as
calling grading.grade_answer directly, on every labelled answer we have.

parse_grade only credits what quotes the answer verbatim, so any credit the heuristic
gives (partial credit included) must carry its evidence, and findings, flags and
behavioral checks must survive the JSON round trip.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from mockinterview import conversation
from mockinterview.domain.grade import Grade
from mockinterview.grading import grade_answer
from mockinterview.models import get_model
from mockinterview.models.base import ChatResponse
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
    request = conversation.grading_request(question, answer, pack, model_name="stub")
    response = await get_model("stub").complete(request)
    return conversation.parse_grade(response, question, answer, pack, grader="stub")


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


def test_parse_grade_drops_partial_credit_without_verbatim_evidence(pack):
    question = pack.question("when-ml-is-justified")
    answer = "I would compare a model with the current rules before building anything."
    kp = question.key_points[0].id
    checklist = {
        "key_points": [
            {"id": kp, "covered": False, "credit": 0.5, "evidence": "words the candidate never wrote"}
        ],
        "flags": [],
    }
    response = ChatResponse(text=json.dumps(checklist), model="judge")
    graded = conversation.parse_grade(response, question, answer, pack, grader="judge")
    point = next(k for k in graded.key_points if k.id == kp)
    assert point.credit is None and point.evidence is None

    checklist["key_points"][0]["evidence"] = "compare a model with the current rules"
    response = ChatResponse(text=json.dumps(checklist), model="judge")
    graded = conversation.parse_grade(response, question, answer, pack, grader="judge")
    point = next(k for k in graded.key_points if k.id == kp)
    assert point.credit == 0.5 and point.evidence == "compare a model with the current rules"
    assert not point.covered


def test_parse_grade_drops_misconception_without_a_quote(pack):
    question = pack.question("when-ml-is-justified")
    answer = "Machine learning always beats rules."
    kp = question.key_points[0].id
    checklist = {"key_points": [{"id": kp, "covered": False, "misconception": "thinks ML always wins"}]}
    response = ChatResponse(text=json.dumps(checklist), model="judge")
    graded = conversation.parse_grade(response, question, answer, pack, grader="judge")
    assert all(k.misconception is None for k in graded.key_points)
