"""The mentor's review layer (engine.review): append-only comments and overrides."""

from __future__ import annotations

import pytest
from tui_sample import sample_transcript

from mockinterview.engine.review import ReviewError, add_comment, override_grade, save_review
from mockinterview.reports.view import build_view
from mockinterview.storage.transcripts import load_transcript


def test_comments_and_overrides_append_and_never_touch_turns_or_grades():
    t = sample_transcript()
    turns, grades = [x.model_copy(deep=True) for x in t.turns], [g.model_copy(deep=True) for g in t.grades]
    c1 = add_comment(t, 1, "  Nice intro  ", "ada")
    c2 = add_comment(t, 5, "Leakage!")
    o1 = override_grade(t, 5, 2.04, "Too generous")
    o2 = override_grade(t, 5, 1.5, "Second look", "bob")
    assert (c1.id, c1.text, c1.author, c2.author) == ("c1", "Nice intro", "ada", "mentor")
    assert (o1.id, o1.score, o2.id, o2.author) == ("o1", 2.0, "o2", "bob")
    assert t.turns == turns and t.grades == grades
    assert t.effective_score(5) == 1.5  # the latest override wins
    assert t.grade_for(5).grade.score == 2.1  # the grader's record stays


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: add_comment(t, 99, "x"), "turn 99 does not exist"),
        (lambda t: add_comment(t, 1, "   "), "needs some text"),
        (lambda t: override_grade(t, 1, 3, "r"), "turn 1 has no grade"),
        (lambda t: override_grade(t, 5, 5.5, "r"), "outside 1-5"),
        (lambda t: override_grade(t, 5, 0.4, "r"), "outside 1-5"),
        (lambda t: override_grade(t, 5, "abc", "r"), "not a number"),
        (lambda t: override_grade(t, 5, 3, " "), "needs a reason"),
    ],
)
def test_bad_review_actions_are_refused_with_a_reason(call, message):
    t = sample_transcript()
    with pytest.raises(ReviewError, match=message):
        call(t)
    assert t.review.comments == [] and t.review.overrides == []


def test_save_review_round_trips(tmp_path):
    t = sample_transcript()
    add_comment(t, 3, "Good")
    override_grade(t, 3, 4.0, "Covered early stopping elsewhere")
    path = save_review(t, tmp_path / "s.json")
    again = load_transcript(path)
    assert again == t
    assert path.stat().st_mode & 0o777 == 0o600


def test_view_scores_use_overrides_and_keep_the_original():
    t = sample_transcript()
    override_grade(t, 5, 4.0, "Fair")
    view = build_view(t)
    basic = view.rounds[0]
    assert [a.score for a in basic.answers] == [3.4, 4.0]
    assert [a.original_score for a in basic.answers] == [3.4, 2.1]
    assert basic.score == 3.7 and basic.original_score == 2.8
    assert view.has_overrides


def test_view_counts_only_the_final_grade_of_a_question():
    from mockinterview.domain.transcript import GradeRecord, Turn

    t = sample_transcript()
    # a follow-up answer to the overfitting question regrades it
    t.turns.insert(3, Turn(id=30, speaker="candidate", kind="answer", round="basic", question_id="overfitting",
                           reply_to=2, text="And early stopping."))  # fmt: skip
    regrade = t.grades[0].model_copy(deep=True, update={"turn_id": 30})
    regrade.grade.score = 4.4
    t.grades.insert(1, GradeRecord(**regrade.model_dump()))
    basic = build_view(t).rounds[0]
    # One entry per question: the final grade, with the answers that led to it ...
    assert [(a.turn.id, a.number) for a in basic.answers] == [(30, 1), (5, 2)]
    assert [(a.turn.id, a.final) for a in basic.graded_turns] == [(3, False), (30, True), (5, True)]
    overfitting = basic.answers[0]
    assert [x.id for x in overfitting.answer_turns] == [3, 30] and overfitting.first_score == 3.4
    assert overfitting.question is not None and overfitting.question.id == 2
    # ... and each quote says which of them it comes from.
    assert overfitting.said_in("And early stopping.") == "your answer to follow-up 1"
    assert overfitting.said_in("memorises noise") == "your first answer"
    assert basic.score == round((4.4 + 2.1) / 2, 1)


def test_transcript_text_is_drawn_without_terminal_control_characters():
    from rich.console import Console

    from mockinterview.reports.view import build_view
    from mockinterview.tui.screens.review import turn_renderable
    from mockinterview.tui.widgets import clean

    assert clean("a\x1b[31mb\x07c\n\td\x9b") == "a\\x1b[31mb\\x07c\n\td\\x9b"
    t = sample_transcript()
    t.turns[2].text = "answer \x1b]52;c;ZXZpbA==\x07 end"
    add_comment(t, 3, "mentor \x1b[2J")
    console = Console(width=100, color_system=None, force_terminal=False)
    with console.capture() as capture:
        for tv in build_view(t, load_pack=False).rounds[0].turns:
            console.print(turn_renderable(tv))
    drawn = capture.get()
    assert "\x1b" not in drawn and "\x07" not in drawn
    assert "\\x1b]52;c;ZXZpbA==" in drawn
