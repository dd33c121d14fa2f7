"""The smaller readability fixes, each on the real renderer: notes addressed to the
candidate, message titles, round checkboxes that differ by more than colour, one-round
intros, the report's override line and chart legend, chart labels all titles."""

from __future__ import annotations

import re

import pytest
from test_tui_flows import app_for_test, wait_for
from tui_sample import sample_transcript

from mockinterview.domain.transcript import Turn
from mockinterview.domain.wording import to_candidate
from mockinterview.engine.review import override_grade
from mockinterview.prompting import render
from mockinterview.reports import export
from mockinterview.tui.screens.home import HomeScreen
from mockinterview.tui.widgets import message_title


def test_notes_speak_to_the_candidate_in_their_own_view():
    assert to_candidate("The candidate ended this round early.") == "You ended this round early."
    assert to_candidate("Time is up; the candidate's answer was cut.") == "Time is up; your answer was cut."
    assert to_candidate("Time limit of 60 s exceeded by 3 s.") == "Time limit of 60 s exceeded by 3 s."


def test_message_titles_never_repeat_themselves():
    note = Turn(id=1, speaker="system", kind="note", text="x")
    asked = Turn(id=2, speaker="candidate", kind="clarifying-question", text="x")
    question = Turn(id=3, speaker="interviewer", kind="question", text="x")
    assert message_title(note) == "Note"
    assert message_title(asked) == "You · clarifying question"
    assert message_title(question) == "Interviewer · question"


async def test_round_checkboxes_show_a_tick_or_nothing():
    app = app_for_test()
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.loaded)
        rounds = app.screen.query_one("#home-rounds")
        rounds.deselect("advanced")
        await pilot.pause()
        lines = [rounds.render_line(y).text for y in range(4)]
        assert [line[:3] for line in lines] == ["▐✓▌", "▐✓▌", "▐ ▌", "▐✓▌"]


@pytest.mark.parametrize("total", [1, 3])
def test_a_one_round_session_is_not_the_first_of_one(total):
    every_variant = render(
        "stub/round_intro.j2",
        round_index=0,
        total_rounds=total,
        round_title="Fundamentals",
        round_description="Core ideas.",
        questions=2,
    )
    assert "of 1 round" not in every_variant and "round 1 of 1" not in every_variant
    assert "1 rounds" not in every_variant
    assert ("one round" in every_variant) == (total == 1)


def test_the_reports_override_line_legend_and_chart_labels():
    t = sample_transcript()
    override_grade(t, 5, 3.5, "saw the leak late")
    html = export(t, "html")
    assert "A mentor set 3.5 (the grader gave 2.1)" in html and "Mentor <b>mentor</b>" not in html
    assert html.count('class="legend') >= 1 and "where a mentor overrode it" in html
    overall = html[html.index('aria-label="Score per round"') :]
    overall = overall[: overall.index("</svg>")]
    labels = re.findall(r'class="axis" text-anchor="middle">([^<]+)<', overall)
    assert labels == ["Fundamentals", "Behavioral"]  # every bar by its title
    plain = export(sample_transcript(), "html")
    assert 'class="legend' not in plain  # no marker, no legend


def test_an_evidence_quote_is_never_cut_at_an_abbreviation():
    from mockinterview.grading import grade_answer
    from mockinterview.grading.text import split_sentences
    from mockinterview.packs.loader import load_pack

    text = "I report the spread, e.g. the standard deviation. Rules etc. Then more. I use vs. 3 models."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "I report the spread, e.g. the standard deviation.",
        "Rules etc.",  # a capital after it: the sentence did end there
        "Then more.",
        "I use vs. 3 models.",
    ]
    pack = load_pack("data-scientist")
    answer = (
        "I split the data into k folds, train on k-1 of them and score the held-out fold, rotating so every "
        "fold is held out once. I report the mean and the spread, e.g. the standard deviation across folds. "
        "With time series I use time-ordered folds, e.g. a rolling origin."
    )
    quotes = [k.evidence for k in grade_answer(answer, pack.question("cross-validation"), pack).key_points]
    assert "I report the mean and the spread, e.g. the standard deviation across folds." in quotes
    assert "With time series I use time-ordered folds, e.g. a rolling origin." in quotes
    assert not any(q and q.rstrip().endswith("e.g.") for q in quotes)


async def test_reports_show_a_retry_beside_its_first_attempt():
    from practice_sample import BETTER, weak_session

    from mockinterview.engine.practice import retry_question, retry_questions

    path, transcript = await weak_session()
    question_id, first, _ = next((q, t, s) for q, t, s in retry_questions(transcript) if "0.99" in t.text)
    hostile = BETTER + " <script>alert('x')</script>"
    outcome = await retry_question(path, question_id, hostile)
    from mockinterview.storage.transcripts import load_transcript

    saved = load_transcript(path)
    md, html = export(saved, "md"), export(saved, "html")
    score = f"{outcome.attempt.grade.score:.1f}"
    assert "**Retry 1**" in md and f"{score} / 5, first attempt" in md
    assert md.index(first.text) < md.index("**Retry 1**")  # beside (after) the first attempt
    assert "<b>Retry 1</b>" in html and "<script>alert" not in html  # candidate text escaped
