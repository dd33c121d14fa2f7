"""An interviewer that listens: follow-ups chosen from what this answer got wrong or left
out, challenges that quote the candidate, clarifications answered from the pack's facts
(the stub interviewer with the real pack and real files; the LLM's prompt from the same inputs)."""

from __future__ import annotations

import pytest

from mockinterview.conversation import interviewer_request
from mockinterview.domain.grade import Grade, KeyPointCoverage
from mockinterview.engine.follow_ups import challenge_quote, choose_follow_up, choose_probe
from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.packs.loader import load_pack

CANT_SHARE = "I can't share that; assume what you'd need and say so."
AUC = "Our AUC was 0.99 on the test set so the model is great and we shipped it."


async def _session_on(question_id: str, tmp_path, **config) -> InterviewSession:
    pack = load_pack()
    round_id = pack.question(question_id).round
    session = await InterviewSession.create(
        InterviewConfig(rounds=[round_id], questions_per_round=1, track_time=False, **config),
        sessions_dir=tmp_path,
    )
    session.transcript.meta.question_plan[round_id] = [question_id]  # this question, whatever the draw
    await session.begin()
    return session


async def test_a_detected_mistake_draws_a_challenge_quoting_the_candidate(tmp_path):
    session = await _session_on("data-leakage", tmp_path, max_follow_ups=2)
    await session.submit_answer(AUC + " I would use deep learning since it is the best.")
    follow = session.transcript.turns[-1]
    assert follow.kind == "follow-up"
    assert '"Our AUC was 0.99 on the test set"' in follow.text  # the clause, not cut mid-phrase
    assert "what would you check before trusting it?" in follow.text  # the pack's challenge
    # The next follow-up quotes the answer it follows, never one given earlier.
    second = "I would compare with validation. Customers who used the feature churned less, which proves it causes retention."
    await session.submit_answer(second)
    follow = session.transcript.turns[-1]
    assert follow.kind == "follow-up"
    assert '"Customers who used the feature churned less, which proves it causes retention"' in follow.text
    assert "cause and not just a correlation" in follow.text
    assert "deep learning" not in follow.text and "AUC" not in follow.text


def test_a_long_quote_is_cut_at_a_clause_boundary():
    pack = load_pack()
    evidence = (
        "I would train XGBoost on all the features including the survey, our AUC was 0.99, so we shipped it."
    )
    assert challenge_quote(evidence, pack.mistake("leakage-unchecked")) == "our AUC was 0.99"
    assert challenge_quote("We shipped it at once.") == "We shipped it at once"


def _grade(question, covered: set[str], mistakes=()) -> Grade:
    from mockinterview.domain.grade import MistakeFinding

    return Grade(
        question_id=question.id,
        score=2.0,
        key_points=[
            KeyPointCoverage(
                id=k.id,
                text=k.text,
                covered=k.id in covered,
                evidence=f"in my words about {k.id}" if k.id in covered else None,
            )
            for k in question.key_points
        ],
        mistakes=[MistakeFinding(id=m, evidence=e) for m, e in mistakes],
        grader="stub",
        rubric_id="data-scientist",
        rubric_version="1",
    )


def test_never_a_probe_on_a_point_already_covered():
    pack = load_pack()
    for question in pack.questions:
        for probe_index, probe in enumerate(question.follow_ups):
            kp_targets = {t for t in probe.targets if t in {k.id for k in question.key_points}}
            if not kp_targets:
                continue
            grade = _grade(question, covered=kp_targets)
            chosen = choose_probe(question, grade, set())
            if chosen is not None:
                assert not set(question.follow_ups[chosen].targets) & kp_targets, (question.id, probe_index)
    # Every point covered: nothing left to probe, the interviewer moves on.
    question = pack.question("data-leakage")
    grade = _grade(question, covered={k.id for k in question.key_points})
    assert choose_follow_up(question, pack, grade, "a full answer", set()) is None


def test_a_mistake_from_an_earlier_answer_is_not_challenged_again():
    pack = load_pack()
    question = pack.question("data-leakage")
    grade = _grade(question, covered=set(), mistakes=[("leakage-unchecked", AUC)])
    first = choose_follow_up(question, pack, grade, AUC, set())
    assert first is not None and first.key == "mistake:leakage-unchecked" and first.quote
    later = choose_follow_up(question, pack, grade, "I would look at the features.", {first.key})
    assert later is None or later.mistake is None  # a probe on what is missing, not the old quote


async def test_clarifying_questions_are_answered_from_the_packs_facts(tmp_path):
    session = await _session_on("case-churn-early-intervention", tmp_path)
    await session.ask_clarification("Is the base rate known? What's the cost of a miss?")
    reply = session.transcript.turns[-1].text
    assert "4%" in reply and "$3" in reply and "$22" in reply  # both parts answered
    assert CANT_SHARE not in reply
    await session.ask_clarification("Who is the CEO?")
    assert session.transcript.turns[-1].text == CANT_SHARE
    await session.ask_clarification("Which data is there? And who is the CEO?")
    reply = session.transcript.turns[-1].text
    assert "Snowflake" in reply and "assume what you'd need and say so" in reply
    question = session.pack.question("case-churn-early-intervention")
    for kp in question.key_points:
        assert kp.text not in reply
    assert question.reference_answer[:60] not in reply


def test_every_case_question_of_the_pack_states_its_facts():
    pack = load_pack()
    cases = [q for q in pack.questions if q.kind == "case"]
    assert cases and all(len(q.facts) >= 4 for q in cases)


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def test_the_llm_prompt_gets_the_same_inputs(pack):
    question = pack.question("data-leakage")
    grade = _grade(question, covered={"definition"}, mistakes=[("leakage-unchecked", AUC)])
    choice = choose_follow_up(question, pack, grade, AUC, set())
    request = interviewer_request(
        "follow-up",
        pack=pack,
        question=question,
        history=[],
        round_id="basic",
        probe=choice.probe,
        follow_up=choice.prompt_data(),
        candidate_text=AUC,
        model_name="openai:gpt-4o-mini",
        budget_tokens=100_000,
    )
    system = request.messages[0].content
    assert "<candidate_text>\nOur AUC was 0.99 on the test set\n</candidate_text>" in system  # delimited data
    assert "what would you check before trusting it?" in system
    # What was covered goes as the candidate's words, never as the rubric's.
    assert "in my words about definition" in system
    assert question.key_point("definition").text not in system
    assert request.task["quote"] == choice.quote and request.task["covered"] == [
        "in my words about definition"
    ]
    case = pack.question("case-churn-early-intervention")
    clarify = interviewer_request(
        "clarification",
        pack=pack,
        question=case,
        history=[],
        round_id=case.round,
        candidate_text="Is the base rate known?",
        model_name="openai:gpt-4o-mini",
        budget_tokens=100_000,
    )
    assert all(f.text in clarify.messages[0].content for f in case.facts)
    assert CANT_SHARE in clarify.messages[0].content
