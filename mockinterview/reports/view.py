"""A render-ready view of a transcript, shared by the reports and the TUI screens.

It pairs each answer with the question it answers, its grade, the mentor's
override and comments, and (when the role pack is installed) the reference answer
and what each mistake costs and how to fix it. No formatting happens here.

A round lists one entry per question (``RoundView.answers``): the final grade, with the
follow-ups and answers that led to it and what they changed; the questions skipped or
left unanswered are listed too (``RoundView.unanswered``) and count in the scores as
``storage.transcripts.round_scores`` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean

from mockinterview.domain.grade import Grade, KeyPointCoverage
from mockinterview.domain.pack import ROUND_ORDER, RolePack
from mockinterview.domain.transcript import GradeOverride, RetryAttempt, ReviewComment, Transcript, Turn
from mockinterview.packs.loader import load_pack
from mockinterview.storage.transcripts import collection_paused, final_grades, question_outcomes


@dataclass
class MistakeView:
    id: str
    title: str
    evidence: str  # the candidate's own words
    note: str = ""
    why: str = ""
    fix: str = ""


@dataclass
class UnansweredView:
    """A question asked and left without an answer: it counts ``UNANSWERED_SCORE``."""

    question: Turn
    how: str  # "skipped" | "unanswered"
    number: int  # its place in the round, in the order asked
    score: float


@dataclass
class AnswerView:
    turn: Turn
    prompt: Turn | None  # the question / follow-up this answers
    grade: Grade
    override: GradeOverride | None
    comments: list[ReviewComment]
    mistakes: list[MistakeView]
    reference_answer: str | None
    # False when a later answer to the same question (a follow-up) regraded it; only
    # final grades count toward round scores, as in storage.transcripts.round_scores.
    final: bool = True
    # The bank question, verbatim (None when the pack is not installed): what the answer
    # is titled with, whatever the interviewer model said around it.
    question_text: str | None = None
    # Later attempts at this question, made from the feedback (never part of the scores).
    retries: list[RetryAttempt] = field(default_factory=list)
    # The question asked (prompt is the follow-up when this answers one), its place in the
    # round, and - for a final grade after follow-ups - the exchange after the first answer
    # (follow-ups and answers, in order), the first answer's score, the key points the
    # follow-up answers added and the mistakes they no longer show.
    question: Turn | None = None
    number: int = 0
    answer_turns: list[Turn] = field(default_factory=list)  # every answer to the question so far
    exchange: list[Turn] = field(default_factory=list)
    open_follow_ups: list[Turn] = field(default_factory=list)  # asked after the last answer
    first_score: float | None = None
    gained: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)

    def said_in(self, quote: str | None) -> str:
        """Which answer to the question ``quote`` comes from ("your first answer", "your
        answer to follow-up 1" ...); "" when the question had one answer."""
        if not quote or len(self.answer_turns) < 2:
            return ""
        needle = " ".join(quote.split())
        for i, turn in enumerate(self.answer_turns):
            if needle in " ".join(turn.text.split()):
                return "your first answer" if i == 0 else f"your answer to follow-up {i}"
        return ""

    @property
    def original_score(self) -> float:
        return self.grade.score

    @property
    def score(self) -> float:
        return self.override.score if self.override else self.grade.score

    @property
    def covered(self) -> list[KeyPointCoverage]:
        return self.grade.covered

    @property
    def missed(self) -> list[KeyPointCoverage]:
        return self.grade.missed


@dataclass
class TurnView:
    turn: Turn
    comments: list[ReviewComment]
    answer: AnswerView | None = None  # set when this turn is a graded answer


class _ScoredAnswers:
    """Mean scores over the graded answers: with mentor overrides, and as graded."""

    @property
    def answers(self) -> list[AnswerView]:
        raise NotImplementedError

    @property
    def unanswered(self) -> list[UnansweredView]:
        return []

    @property
    def score(self) -> float | None:
        """The mean over every question asked: its final score (mentor overrides win), a
        skipped or unanswered one ``UNANSWERED_SCORE`` (README, "Round and session scores")."""
        scores = [a.score for a in self.answers if a.final] + [u.score for u in self.unanswered]
        return round(mean(scores), 1) if scores else None

    @property
    def original_score(self) -> float | None:
        scores = [a.original_score for a in self.answers if a.final] + [u.score for u in self.unanswered]
        return round(mean(scores), 1) if scores else None


@dataclass
class RoundView(_ScoredAnswers):
    id: str
    title: str
    turns: list[TurnView] = field(default_factory=list)
    missing: list[UnansweredView] = field(default_factory=list)

    @property
    def answers(self) -> list[AnswerView]:
        """One per question, in the order asked: its final grade (the follow-ups inside)."""
        return [t.answer for t in self.turns if t.answer is not None and t.answer.final]

    @property
    def graded_turns(self) -> list[AnswerView]:
        """Every graded answer turn, follow-up answers included (a mentor reviews each)."""
        return [t.answer for t in self.turns if t.answer is not None]

    @property
    def unanswered(self) -> list[UnansweredView]:
        return self.missing


@dataclass
class ReportView(_ScoredAnswers):
    transcript: Transcript
    rounds: list[RoundView]
    pack_found: bool

    @property
    def answers(self) -> list[AnswerView]:
        return [a for r in self.rounds for a in r.answers]

    @property
    def unanswered(self) -> list[UnansweredView]:
        return [u for r in self.rounds for u in r.unanswered]

    @property
    def has_overrides(self) -> bool:
        return any(a.override for r in self.rounds for a in r.graded_turns)


def try_load_pack(pack_id: str) -> RolePack | None:
    """The transcript's role pack if it is installed and valid; reports degrade without it."""
    try:
        return load_pack(pack_id)
    except Exception:  # a missing or broken pack only hides reference answers
        return None


def _mistake_views(grade: Grade, pack: RolePack | None) -> list[MistakeView]:
    views = []
    for finding in grade.mistakes:
        view = MistakeView(id=finding.id, title=finding.id.replace("-", " "), evidence=finding.evidence)
        view.note = finding.note
        if pack is not None:
            try:
                m = pack.mistake(finding.id)
            except KeyError:
                pass
            else:
                view.title, view.why, view.fix = m.title, m.why_it_costs, m.how_to_fix
        if view.note.strip().rstrip(".") == view.title.rstrip("."):
            view.note = ""  # graders often repeat the title as the note
        views.append(view)
    return views


def _reference(question_id: str | None, pack: RolePack | None) -> str | None:
    if pack is None or not question_id:
        return None
    try:
        return pack.question(question_id).reference_answer
    except KeyError:
        return None


def _question_text(question_id: str | None, pack: RolePack | None) -> str | None:
    if pack is None or not question_id:
        return None
    try:
        return pack.question(question_id).text
    except KeyError:
        return None


def _round_title(round_id: str, pack: RolePack | None) -> str:
    if pack is not None:
        for spec in pack.meta.rounds:
            if spec.id == round_id:
                return spec.title
    return round_id.capitalize()


def _add_exchange(
    answer: AnswerView, transcript: Transcript, turns: list[Turn], pack: RolePack | None
) -> None:
    """The follow-ups and answers that led to ``answer``'s final grade, and what they changed."""
    upto = [t for t in turns if t.id <= answer.turn.id]
    answers = [t for t in upto if t.kind == "answer"]
    answer.answer_turns = answers
    # A follow-up asked after the last answer was left unanswered (the round ended).
    answer.open_follow_ups = [t for t in turns if t.id > answer.turn.id and t.kind == "follow-up"]
    if len(answers) < 2:
        return
    answer.exchange = [t for t in upto if t.id > answers[0].id]
    first = transcript.grade_for(answers[0].id)
    if first is None:
        return
    answer.first_score = transcript.effective_score(answers[0].id)
    before = {k.id for k in first.grade.key_points if k.covered}
    answer.gained = [k.text for k in answer.grade.key_points if k.covered and k.id not in before]
    now = {m.id for m in answer.grade.mistakes}
    answer.cleared = [v.title for v in _mistake_views(first.grade, pack) if v.id not in now]


def build_view(transcript: Transcript, pack: RolePack | None = None, *, load_pack: bool = True) -> ReportView:
    """Group the transcript by round and attach grades, reviews and pack details."""
    with collection_paused():  # a few objects per turn, none in a cycle
        return _build_view(transcript, pack, load_pack)


def _build_view(transcript: Transcript, pack: RolePack | None, load_pack: bool) -> ReportView:
    if pack is None and load_pack:
        pack = try_load_pack(transcript.meta.pack_id)

    turns_by_id = {t.id: t for t in transcript.turns}
    # Indexes built once: a lookup per turn by scanning every grade was quadratic (a 28 MB
    # transcript took 20 s to export and 99 s to open in review).
    grades = transcript.first_grades()
    overrides = transcript.latest_overrides()
    final_turns = {r.turn_id for r in final_grades(transcript)}
    unanswered = {o.question_id: o for o in question_outcomes(transcript) if o.unanswered}
    asked: dict[str, Turn] = {}  # question id -> its question turn
    numbers: dict[str, int] = {}  # question id -> place in its round, in the order asked
    per_round: dict[str, int] = {}
    by_question: dict[str, list[Turn]] = {}  # the question's turns after it was asked
    for turn in transcript.turns:
        if turn.kind == "question" and turn.question_id and turn.question_id not in asked:
            asked[turn.question_id] = turn
            per_round[turn.round or ""] = numbers[turn.question_id] = per_round.get(turn.round or "", 0) + 1
        elif turn.question_id in asked and turn.kind in ("follow-up", "answer"):
            by_question.setdefault(turn.question_id, []).append(turn)
    comments: dict[int, list[ReviewComment]] = {}
    for c in transcript.review.comments:
        comments.setdefault(c.turn_id, []).append(c)

    rounds: dict[str, RoundView] = {}
    order = list(transcript.meta.rounds) + [r for r in ROUND_ORDER if r not in transcript.meta.rounds]
    current = order[0] if order else "basic"
    for turn in transcript.turns:
        round_id = turn.round or current
        current = round_id
        rv = rounds.get(round_id)
        if rv is None:
            rv = rounds[round_id] = RoundView(id=round_id, title=_round_title(round_id, pack))
        tv = TurnView(turn=turn, comments=comments.get(turn.id, []))
        record = grades.get(turn.id)
        if record is not None:
            prompt = turns_by_id.get(turn.reply_to) if turn.reply_to is not None else None
            question_id = record.question_id or turn.question_id or (prompt.question_id if prompt else None)
            tv.answer = AnswerView(
                turn=turn,
                prompt=prompt,
                grade=record.grade,
                override=overrides.get(turn.id),
                comments=tv.comments,
                mistakes=_mistake_views(record.grade, pack),
                reference_answer=_reference(question_id, pack),
                final=turn.id in final_turns,
                question_text=_question_text(question_id, pack),
                retries=[r for r in transcript.retries if r.first_turn_id == turn.id],
                question=asked.get(question_id or ""),
                number=numbers.get(question_id or "", 0),
            )
            if tv.answer.final and question_id in by_question:
                _add_exchange(tv.answer, transcript, by_question[question_id], pack)
        rv.turns.append(tv)
        if turn.kind == "question" and turn.question_id in unanswered and turn is asked.get(turn.question_id):
            outcome = unanswered[turn.question_id]
            rv.missing.append(
                UnansweredView(
                    question=turn,
                    how=outcome.unanswered,
                    number=numbers[turn.question_id],
                    score=outcome.score,
                )
            )
    ordered = sorted(rounds.values(), key=lambda r: order.index(r.id) if r.id in order else len(order))
    return ReportView(transcript=transcript, rounds=ordered, pack_found=pack is not None)
