"""The grading checklist a model fills in, and the guards its answers must pass.

A model grader never scores: it fills a checklist - one verdict per key point, per
mistake (and per behavioral check), each "yes" with a quote from the answer - and the
score is computed in code by ``scoring.compute_score``, exactly as for the offline
grader.

The checklist's JSON schema is built per question and is *bounded*, so constrained
decoding on small local models terminates: the key point, mistake and behavioral ids
are fixed, required property names (no free-form ids to repeat), verdicts are enums,
quotes are short strings and the reply gets a tight token cap.

The guards (``guarded_grade``) hold whatever graded the answer:

- the code-side checks - hostile input, too short, off-topic, keyword list ... - come
  from the offline grader's verdict (``grading.grade_answer``) and their caps apply;
- a quote counts only if it is verbatim, of meaningful length, and shares a content
  word with the claim it supports (a key point's text or its expressions);
- the model can raise credit (a point covered, with a quote that holds) or lower it
  (a point stated wrongly, a mistake found - again with a quote that holds) only where
  its quotes hold; everywhere else the offline verdict stands. For an answer flagged
  as an injection, template syntax, empty or off topic it can only lower: that text may
  be what fooled it;
- the agreement between the model's raw verdicts and the offline grader's is recorded
  on the grade (and between several model samples when configured); below
  ``MIN_AGREEMENT`` the outcome is "insufficient-evidence".
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mockinterview.domain.detectors import STORY_CHECKS
from mockinterview.domain.grade import BehavioralCheck, Grade, KeyPointCoverage, MistakeFinding
from mockinterview.domain.pack import Mistake, Question, RolePack
from mockinterview.grading import grade_answer
from mockinterview.grading.scoring import FLAG_CAPS, compute_score
from mockinterview.models.base import ChatMessage, ChatRequest, InvalidOutput, ModelError
from mockinterview.models.structured import fenced_body
from mockinterview.models.stub import register_task
from mockinterview.packs.loader import PackLoadError, load_pack
from mockinterview.prompting import delimit, render, template_hash

GRADE_TEMPLATE = "grade_answer.j2"
KEY_POINT_VERDICTS = ("covered", "missing", "wrong")
PRESENCE_VERDICTS = ("present", "absent")
QUOTE_MAX_CHARS = 150
MIN_QUOTE_CHARS = 12  # "e", "ML", "yes" prove nothing
MIN_QUOTE_WORDS = 3
MIN_AGREEMENT = 0.6  # below this, the outcome is "insufficient-evidence"
FEEDBACK_MAX_CHARS = 300


# ---------------------------------------------------------------------------------
# The request


def mistakes_for(question: Question, pack: RolePack) -> list[Mistake]:
    """The question's own mistakes first, then the pack's others that apply to its round."""
    ids = list(question.mistakes)
    ids += [m.id for m in pack.mistakes if pack.applies(m, question.round) and m.id not in ids]
    known = {m.id for m in pack.mistakes}
    return [pack.mistake(i) for i in ids if i in known]


def is_behavioral(question: Question) -> bool:
    return question.kind == "behavioral" or question.round == "behavioral"


def _item(verdicts: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": list(verdicts)},
            "quote": {"type": "string", "maxLength": QUOTE_MAX_CHARS},
        },
        "required": ["verdict", "quote"],
        "additionalProperties": False,
    }


def _group(ids: list[str], verdicts: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {i: _item(verdicts) for i in ids},
        "required": list(ids),
        "additionalProperties": False,
    }


def checklist_schema(question: Question, pack: RolePack) -> dict[str, Any]:
    """The bounded JSON schema of this question's checklist."""
    properties: dict[str, Any] = {
        "key_points": _group([kp.id for kp in question.key_points], KEY_POINT_VERDICTS),
        "mistakes": _group([m.id for m in mistakes_for(question, pack)], PRESENCE_VERDICTS),
    }
    if is_behavioral(question):
        properties["behavioral"] = _group(list(STORY_CHECKS), PRESENCE_VERDICTS)
    properties["feedback"] = {"type": "string", "maxLength": FEEDBACK_MAX_CHARS}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def grade_max_tokens(question: Question, pack: RolePack) -> int:
    """Room for every verdict, a quote per key point and a short feedback - no more, so a
    model that loops stops soon (a quote is at most ~40 tokens)."""
    mistakes = len(mistakes_for(question, pack))
    behavioral = len(STORY_CHECKS) if is_behavioral(question) else 0
    return 60 + 45 * len(question.key_points) + 16 * (mistakes + behavioral) + 80


def grading_instructions(question: Question, pack: RolePack) -> str:
    """The system message of a grading request: the task, the rubric and the rules."""
    return render(
        GRADE_TEMPLATE,
        kind=question.kind,
        round=question.round,
        question_text=question.text,
        key_points=[{"id": kp.id, "text": kp.text} for kp in question.key_points],
        mistakes=[
            {"id": m.id, "title": m.title, "definition": m.definition} for m in mistakes_for(question, pack)
        ],
        # The ids come from the domain's StoryCheck, the same list the schema requires.
        behavioral_checks=list(STORY_CHECKS) if is_behavioral(question) else [],
        quote_words=25,
    )


def grading_request(
    question: Question, answer: str, pack: RolePack, *, sample: int = 0, temperature: float = 0.0
) -> ChatRequest:
    """Instructions and the rubric in the system message; the candidate's answer alone,
    delimited, as the user message - data, never mixed with instructions."""
    instructions = grading_instructions(question, pack)
    task: dict[str, Any] = {
        "step": "grade",
        "pack_id": pack.id,
        "pack_version": pack.version,
        "pack_hash": pack.content_hash,
        "question_id": question.id,
        "answer": answer,
    }
    if sample:
        task["sample"] = sample  # several samples are distinct requests (and recordings)
    return ChatRequest(
        purpose="grade",
        messages=[
            ChatMessage(role="system", content=instructions),
            ChatMessage(role="user", content=delimit(answer, "candidate_answer")),
        ],
        task=task,
        temperature=temperature,
        max_tokens=grade_max_tokens(question, pack),
        response_schema=checklist_schema(question, pack),
        prompt_name=GRADE_TEMPLATE,
        prompt_hash=template_hash(GRADE_TEMPLATE),
        rubric_version=pack.version,
    )


# ---------------------------------------------------------------------------------
# Reading a reply


@dataclass(frozen=True)
class Verdict:
    verdict: str
    quote: str = ""


@dataclass
class Checklist:
    key_points: dict[str, Verdict] = field(default_factory=dict)
    mistakes: dict[str, Verdict] = field(default_factory=dict)
    behavioral: dict[str, Verdict] = field(default_factory=dict)
    feedback: str = ""

    def to_json(self) -> str:
        def group(items: dict[str, Verdict]) -> dict[str, Any]:
            return {k: {"verdict": v.verdict, "quote": v.quote} for k, v in items.items()}

        data: dict[str, Any] = {"key_points": group(self.key_points), "mistakes": group(self.mistakes)}
        if self.behavioral:
            data["behavioral"] = group(self.behavioral)
        data["feedback"] = self.feedback
        return json.dumps(data, ensure_ascii=False)




def _verdicts(raw: Any, where: str, allowed: tuple[str, ...], known: list[str]) -> dict[str, Verdict]:
    """One group of verdicts. Ids outside ``known`` are ignored; a missing id is simply
    not judged. Also read: a list of ``{"id", ...}`` items and the yes/no booleans
    ``covered`` / ``present`` that models write when they ignore the schema."""
    if raw is None:
        return {}
    if isinstance(raw, list):
        items = {}
        for entry in raw:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                items[entry["id"]] = entry
        raw = items
    if not isinstance(raw, dict):
        raise InvalidOutput(f"grader reply: {where} is not an object")
    out: dict[str, Verdict] = {}
    for key, value in raw.items():
        if key not in known:
            continue
        if not isinstance(value, dict):
            raise InvalidOutput(f"grader reply: {where}.{key} is not an object")
        verdict = value.get("verdict")
        if verdict is None:
            flag = value.get("covered", value.get("present"))
            if isinstance(flag, bool):
                verdict = allowed[0] if flag else allowed[1]
        if verdict not in allowed:
            raise InvalidOutput(f"grader reply: {where}.{key}.verdict must be one of {', '.join(allowed)}")
        quote = value.get("quote", value.get("evidence"))
        out[key] = Verdict(verdict, quote.strip() if isinstance(quote, str) else "")
    return out


def checklist_validator(question: Question, pack: RolePack):
    """``validate(text) -> Checklist`` for the ladder; InvalidOutput with a one-line reason."""
    kp_ids = [kp.id for kp in question.key_points]
    mistake_ids = [m.id for m in mistakes_for(question, pack)]

    def validate(text: str) -> Checklist:
        fenced = fenced_body(text, whole=True)
        if fenced is not None:
            text = fenced
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InvalidOutput(f"grader reply is not valid JSON ({exc})".splitlines()[0]) from None
        if not isinstance(data, dict):
            raise InvalidOutput("grader reply is JSON but not an object")
        if "key_points" not in data:
            raise InvalidOutput("grader reply lacks key_points")
        checklist = Checklist(
            key_points=_verdicts(data.get("key_points"), "key_points", KEY_POINT_VERDICTS, kp_ids),
            mistakes=_verdicts(data.get("mistakes"), "mistakes", PRESENCE_VERDICTS, mistake_ids),
            behavioral=_verdicts(
                data.get("behavioral"), "behavioral", PRESENCE_VERDICTS, list(STORY_CHECKS)
            ),
            feedback=fit_feedback(data["feedback"]) if isinstance(data.get("feedback"), str) else "",
        )
        if not checklist.key_points:
            raise InvalidOutput(f"grader reply judges none of the key points ({', '.join(kp_ids)})")
        return checklist

    return validate


# ---------------------------------------------------------------------------------
# Quotes

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "we",
        "you",
        "i",
        "they",
        "he",
        "she",
        "our",
        "your",
        "their",
        "not",
        "no",
        "yes",
        "so",
        "if",
        "then",
        "than",
        "there",
        "here",
        "what",
        "which",
        "who",
        "when",
        "where",
        "why",
        "how",
        "can",
        "could",
        "would",
        "should",
        "will",
        "may",
        "might",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "into",
        "about",
        "very",
        "more",
        "most",
        "some",
        "any",
        "all",
        "each",
        "also",
        "just",
        "only",
        "one",
        "two",
        "get",
        "got",
        "make",
        "made",
        "use",
        "used",
        "really",
    ]
)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer  # deferred: loads every language's stemmer (12-165 ms measured)

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}


_PHRASE_END = re.compile(r"[.;!?](?=\s)")


def fit_feedback(text: str, limit: int = FEEDBACK_MAX_CHARS) -> str:
    """The feedback within ``limit`` characters, never cut mid-phrase: a longer one ends at
    the last sentence or "; " that fits (at a word, with "…", when none does)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _PHRASE_END.finditer(text[: limit + 1]) if m.end() <= limit]
    if ends and ends[-1] > limit // 3:
        cut = text[: ends[-1]].rstrip(";").rstrip()
        return cut if cut.endswith((".", "!", "?")) else cut + "."
    return text[: text.rfind(" ", 0, limit - 1)].rstrip(" ,;:") + "…"


def verbatim(quote: str | None, answer: str) -> str | None:
    """The quote if it occurs in the answer exactly (surrounding quotes/space ignored), else None."""
    if not quote:
        return None
    for candidate in (quote, quote.strip(), quote.strip().strip("\"'“”‘’").strip()):
        if candidate and candidate in answer:
            return candidate
    return None


@dataclass(frozen=True)
class Claim:
    """What a quote must talk about: the words of the claim (a key point's text and the
    ways a candidate may say it, a mistake's title, definition and cues) and its phrases."""

    words: frozenset[str]
    phrases: tuple[frozenset[str], ...]

    def held_by(self, quote: str) -> bool:
        """Two of the claim's words, or every word of one of its phrases."""
        said = _stems(quote)
        return len(said & self.words) >= 2 or any(p and p <= said for p in self.phrases)


def usable_quote(quote: str | None, answer: str, claim: Claim | None = None) -> str | None:
    """A quote that holds: verbatim, of meaningful length, and - given a claim - about it.
    None otherwise."""
    found = verbatim(quote, answer)
    if found is None:
        return None
    if len(found) < MIN_QUOTE_CHARS or len(_WORD.findall(found.lower())) < MIN_QUOTE_WORDS:
        return None
    if claim is not None and not claim.held_by(found):
        return None
    return found


@lru_cache(maxsize=4096)
def _claim(text: str, phrases: tuple[str, ...]) -> Claim:
    stems = [frozenset(_stems(p)) for p in phrases]
    words = frozenset(_stems(text)).union(*stems)
    return Claim(words, tuple(s for s in stems if s))


def _key_point_claim(question: Question, key_point_id: str) -> Claim:
    kp = question.key_point(key_point_id)
    return _claim(kp.text, tuple(kp.expressions))


def _mistake_claim(mistake: Mistake) -> Claim:
    return _claim(f"{mistake.title} {mistake.definition}", tuple(mistake.cues))


# ---------------------------------------------------------------------------------
# Feedback

MIN_FEEDBACK_WORDS = 4
# Answers the code-side checks found hostile or empty of content: the model raises no credit.
NO_MODEL_CREDIT_FLAGS = frozenset({"injection", "template-syntax", "empty", "off-topic"})
# Flags after which the model's words are not shown: the answer is hostile, empty, off
# topic or a keyword list, and a model it fooled would praise it ("Excellent, 5/5").
_NO_MODEL_FEEDBACK_FLAGS = frozenset(FLAG_CAPS) - {"no-reference"}
# "5/5", "4 out of 5", "score: 5", "grade of 4" - not "F1 score" or "validation scores".
_SCORE_CLAIM = re.compile(
    r"\b\d(?:\.\d)?\s*(?:/|out of)\s*(?:5|10|100)\b|\b(?:score|grade)\s*(?:of|is|:|=)?\s*\d", re.I
)


def _plain(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def usable_feedback(text: str, question: Question, pack: RolePack, offline: Grade, outcome: str) -> bool:
    """Whether the model's feedback may stand in for the offline grader's: only on a grade
    the checks agree with ("scored"), for an answer no code-side check capped, when it is
    a few words of its own - not the prompt echoed back (a base model copies "one or two
    sentences for the candidate"), and no score of its own (the score is computed here)."""
    if outcome != "scored" or _NO_MODEL_FEEDBACK_FLAGS.intersection(offline.flags):
        return False
    plain = _plain(text)
    if len(plain.split()) < MIN_FEEDBACK_WORDS or _SCORE_CLAIM.search(text):
        return False
    return plain not in _plain(grading_instructions(question, pack))


# ---------------------------------------------------------------------------------
# The guarded grade


def _majority(
    samples: list[Checklist], group: str, key: str, yes: str
) -> tuple[Verdict | None, float | None]:
    """The majority verdict for one item across samples (ties: not judged), and the
    share of samples that gave it."""
    votes = [getattr(s, group).get(key) for s in samples]
    votes = [v for v in votes if v is not None]
    if not votes:
        return None, None
    counts = Counter(v.verdict for v in votes)
    verdict, n = counts.most_common(1)[0]
    if len(counts) > 1 and counts.most_common(2)[1][1] == n:
        return None, n / len(votes)
    # Keep the quote of a sample that gave the winning verdict (the first one).
    chosen = next(v for v in votes if v.verdict == verdict)
    return chosen, n / len(votes)


def guarded_grade(
    samples: list[Checklist], question: Question, answer: str, pack: RolePack, *, grader: str, offline: Grade
) -> Grade:
    """The model's checklist(s) merged with the offline verdict under the guards above."""
    offline_kps = {k.id: k for k in offline.key_points}
    # An answer that tries to instruct its grader, or is no answer at all, gets no credit
    # from the model: the model may be exactly what the text fooled. It may still lower.
    may_raise = not NO_MODEL_CREDIT_FLAGS.intersection(offline.flags)
    offline_mistakes = {m.id: m for m in offline.mistakes}
    offline_behavioral = {b.id: b for b in offline.behavioral}
    agree = judged = 0
    sample_shares: list[float] = []

    key_points: list[KeyPointCoverage] = []
    for kp in question.key_points:
        verdict, share = _majority(samples, "key_points", kp.id, "covered")
        if share is not None:
            sample_shares.append(share)
        base = offline_kps.get(kp.id) or KeyPointCoverage(id=kp.id, text=kp.text, covered=False)
        entry = base
        if verdict is not None:
            judged += 1
            agree += (verdict.verdict == "covered") == base.covered
            raises = verdict.verdict == "covered" and not base.covered and may_raise
            lowers = verdict.verdict == "wrong" and not base.misconception
            quote = (
                usable_quote(verdict.quote, answer, _key_point_claim(question, kp.id))
                if raises or lowers
                else None
            )
            if quote and raises:
                entry = KeyPointCoverage(id=kp.id, text=kp.text, covered=True, evidence=quote)
            elif quote and lowers:
                entry = KeyPointCoverage(id=kp.id, text=kp.text, covered=False, misconception=quote)
        key_points.append(entry)

    mistakes = list(offline.mistakes)
    for mistake in mistakes_for(question, pack):
        verdict, share = _majority(samples, "mistakes", mistake.id, "present")
        if share is not None:
            sample_shares.append(share)
        if verdict is None:
            continue
        judged += 1
        agree += (verdict.verdict == "present") == (mistake.id in offline_mistakes)
        if verdict.verdict == "present" and mistake.id not in offline_mistakes:
            quote = usable_quote(verdict.quote, answer, _mistake_claim(mistake))
            if quote:
                mistakes.append(
                    MistakeFinding(
                        id=mistake.id, evidence=quote, note=f"found by {grader}", severity=mistake.severity
                    )
                )

    behavioral = list(offline.behavioral)
    # A behavioral check has no rubric words a quote could be matched against, so the
    # model may add one only to a story the code-side checks recognise as one (at least
    # one check or key point found offline): an off-topic text stays an off-topic text.
    # And each check it adds needs a quote of its own: one sentence is not the situation,
    # the result and the figures at once (a fooled model quotes the whole text for all).
    story = any(b.present for b in behavioral) or any(k.covered or k.credit for k in offline.key_points)
    if is_behavioral(question) and behavioral:
        merged: list[BehavioralCheck] = []
        quoted: set[str] = {b.evidence for b in behavioral if b.present and b.evidence}
        for check in behavioral:
            verdict, share = _majority(samples, "behavioral", check.id, "present")
            if share is not None:
                sample_shares.append(share)
            entry = offline_behavioral[check.id]
            if verdict is not None:
                judged += 1
                agree += (verdict.verdict == "present") == check.present
                if verdict.verdict == "present" and not check.present and story and may_raise:
                    quote = usable_quote(verdict.quote, answer)
                    if quote and quote not in quoted:
                        quoted.add(quote)
                        entry = BehavioralCheck(id=check.id, present=True, evidence=quote)
            merged.append(entry)
        behavioral = merged

    flags = list(offline.flags)  # the code-side checks, whatever graded the answer
    weights = {kp.id: kp.weight for kp in question.key_points}
    kind = "behavioral" if is_behavioral(question) and behavioral else question.kind
    unchanged = (
        key_points == offline.key_points and mistakes == offline.mistakes and behavioral == offline.behavioral
    )
    score = (
        offline.score if unchanged else compute_score(key_points, weights, mistakes, behavioral, flags, kind)
    )

    agreement = round(agree / judged, 3) if judged else None
    sample_agreement = (
        round(sum(sample_shares) / len(sample_shares), 3) if len(samples) > 1 and sample_shares else None
    )
    outcome, reason = "scored", None
    if agreement is not None and agreement < MIN_AGREEMENT:
        outcome = "insufficient-evidence"
        reason = f"the model and the offline grader agree on {agree} of {judged} checks"
    elif sample_agreement is not None and sample_agreement < MIN_AGREEMENT:
        outcome = "insufficient-evidence"
        reason = f"the model's {len(samples)} samples agree on {sample_agreement:.0%} of the checks"
    said = next((s.feedback for s in samples if s.feedback), "")
    feedback = said if usable_feedback(said, question, pack, offline, outcome) else offline.feedback
    return offline.model_copy(
        update={
            "score": score,
            "key_points": key_points,
            "mistakes": mistakes,
            "behavioral": behavioral,
            "flags": flags,
            "feedback": feedback,
            "grader": grader,
            "prompt_hash": template_hash(GRADE_TEMPLATE),
            "agreement": agreement,
            "sample_agreement": sample_agreement,
            "outcome": outcome,
            "outcome_reason": reason,
        }
    )


# ---------------------------------------------------------------------------------
# The stub's answer: the offline grader's checklist

# Packs the stub grader may be asked about, by content hash. The engine registers the
# pack it runs (which may come from a directory rather than the bundled ones).
_KNOWN_PACKS: dict[str, RolePack] = {}


def remember_pack(pack: RolePack) -> None:
    _KNOWN_PACKS[pack.content_hash] = pack


def _resolve_pack(task: dict[str, Any]) -> RolePack:
    wanted = str(task.get("pack_hash", ""))
    if wanted in _KNOWN_PACKS:
        return _KNOWN_PACKS[wanted]

    try:
        pack = load_pack(str(task.get("pack_id", "")))
    except PackLoadError as exc:
        raise ModelError(
            f"stub grader: cannot load rubric pack {task.get('pack_id')!r}: {exc}".splitlines()[0]
        ) from None
    if wanted and pack.content_hash != wanted:
        raise ModelError(
            f"stub grader: rubric pack {pack.id!r} on disk differs from the one this request was built for"
        )
    remember_pack(pack)
    return pack


def stub_checklist(task: dict[str, Any]) -> str:
    """What the stub model answers to a grading request: the offline grader's findings
    as a checklist, so the stub grades through the same pipeline as any model."""
    pack = _resolve_pack(task)
    try:
        question = pack.question(str(task.get("question_id")))
    except KeyError:
        raise ModelError(
            f"stub grader: question {task.get('question_id')!r} is not in pack {pack.id}"
        ) from None
    grade = grade_answer(str(task.get("answer", "")), question, pack)
    found = {m.id: m for m in grade.mistakes}
    checklist = Checklist(
        key_points={
            k.id: Verdict(
                "wrong" if k.misconception else "covered" if k.covered else "missing",
                k.misconception or k.evidence or "",
            )
            for k in grade.key_points
        },
        mistakes={
            m.id: Verdict("present", found[m.id].evidence) if m.id in found else Verdict("absent")
            for m in mistakes_for(question, pack)
        },
        behavioral={
            b.id: Verdict("present" if b.present else "absent", b.evidence or "") for b in grade.behavioral
        },
        feedback=grade.feedback,
    )
    return checklist.to_json()


# Whoever builds grading requests has this module loaded: the stub answers them from here.
register_task("grade", stub_checklist)
