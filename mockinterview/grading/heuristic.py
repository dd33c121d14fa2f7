"""The offline heuristic grader (the grading half of the stub model).

Deterministic: the same answer, question and pack always give the same Grade. Each
pack's phrases and similarity index are compiled once and cached by content hash, so
grading costs one pass over the answer.

Pipeline for one answer:

1. analyse the text (sentences, tokens with spans, stems, negation scope, hedging);
2. answer-level flags: empty, injection, template-syntax, keyword-list, too-short,
   repetitive, and off-topic (nothing covered and little in common with the question);
3. key points, with sentences that merely restate the question set aside: a point is
   covered when one of its expressions matches within one sentence and none of its
   misconceptions matches un-negated. In a "difference between X and Y" question, the
   words of a point about X said about Y count as a misconception. An unmatched point
   whose words (text and expressions) show up together in one sentence gets partial
   credit (0.15 for two words, 0.3 for three, 0.5 for four or more: a paraphrase the
   rubric did not foresee), with that sentence as its evidence: any credit points at
   the candidate's words, so the stub model's checklist round-trips through
   conversation.parse_grade to the same grade. Near-synonyms share a stem
   (grading/text.py). Against a free-text reference: partial credit per reference
   clause (grading/reference.py);
4. mistakes (grading/detectors/: detector kinds configured by the pack) and, for
   behavioral questions, STAR and impact checks;
5. the score from grading/scoring.py and a short feedback text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mockinterview.domain.grade import BehavioralCheck, Grade, KeyPointCoverage, MistakeFinding
from mockinterview.domain.lexicon import VocabularyLexicon
from mockinterview.domain.pack import KeyPoint, Question, RolePack
from mockinterview.grading import behavioral as behavioral_checks
from mockinterview.grading import hostile
from mockinterview.grading import reference as reference_grading
from mockinterview.grading.claims import ClaimReading, read_claims
from mockinterview.grading.detectors import CompiledMistakes, compile_mistakes, detect
from mockinterview.grading.feedback import build_feedback
from mockinterview.grading.general import general_points
from mockinterview.grading.matching import EVIDENCE_LIMIT, Match, Phrase, compile_all, find_matches
from mockinterview.grading.normalise import answer_view
from mockinterview.grading.question_match import candidates, find_question
from mockinterview.grading.scoring import compute_score, coverage
from mockinterview.grading.similarity import TfidfIndex
from mockinterview.grading.text import Analysis, analyze, content_stems, short_text_cache, stem
from mockinterview.packs.loader import load_common

GRADER_ID = "stub"
OFF_TOPIC_SIMILARITY = 0.04  # answer-to-question cosine under which an answer with no credit is off-topic
# Reference mode: mean credit under which a low-similarity answer is off-topic.
REFERENCE_OFF_TOPIC_CREDIT = 0.15
TOO_SHORT_WORDS = 5  # content words; only for bank questions, which expect an explanation
REPETITION_SHARE = 0.3
ECHO_MIN_WORDS = 3  # a sentence restating the question (see _without_echoes)
ECHO_SHARE = 0.7
MAX_ANSWER_CHARS = 20_000
# Partial credit for an unmatched key point by the number of its words found in one sentence.
PARAPHRASE_CREDIT = {2: 0.15, 3: 0.3, 4: 0.5}

_BEHAVIORAL_QUESTION_RE = re.compile(
    r"\b(?:tell me about (?:a|an|the|your) (?:time|project|situation|moment|decision|mistake|failure|conflict|"
    r"challenge|disagreement)|describe a (?:time|situation)|give (?:me )?an example of (?:a time|when)|"
    r"have you ever|walk me through a (?:time|situation|project)|a time when you)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CompiledKeyPoint:
    key_point: KeyPoint
    expressions: list[Phrase]
    misconceptions: list[Phrase]
    # Content words of the point's text and expressions, for partial credit (see _cover_key_point).
    vocabulary: frozenset[str] = frozenset()
    # Expressions naming a hazard (see PackLexicon.hazards): negating them is the practice.
    hazard_phrases: frozenset[str] = frozenset()
    # In a "difference between X and Y" question: the one of X, Y this point is about,
    # and the other one (see _swapped).
    subject: str | None = None
    rivals: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls, kp: KeyPoint, subjects: frozenset[str] = frozenset(), hazards: frozenset[str] = frozenset()
    ) -> CompiledKeyPoint:
        vocabulary = frozenset(content_stems(" ".join([kp.text, *kp.expressions])))
        own = subjects & set(content_stems(kp.text))
        subject = next(iter(own)) if len(own) == 1 else None
        rivals = subjects - own if subject else frozenset()
        expressions = compile_all(kp.expressions)
        return cls(
            kp,
            expressions,
            compile_all(kp.misconceptions),
            vocabulary=vocabulary,
            hazard_phrases=frozenset(p.source for p in expressions if _names_hazard(p, kp, hazards)),
            subject=subject,
            rivals=rivals,
        )


def _names_hazard(phrase: Phrase, kp: KeyPoint, hazards: frozenset[str]) -> bool:
    """A negation of the phrase agrees with the point: the phrase names one of the pack's
    hazards, or the point itself is stated with a negation ("Avoid jargon", "information
    that would not be available at prediction time"), so candidates say it that way too."""
    if phrase.stems & hazards:
        return True
    return read_claims(analyze(kp.text)).has_negation


def hazard_stems(pack: RolePack) -> frozenset[str]:
    return frozenset(st for h in pack.lexicon.hazards for st in content_stems(h))


# "difference between bagging and boosting", "precision over recall", "L1 vs L2".
_CONTRAST_RE = re.compile(
    r"\bbetween ([\w-]+) and ([\w-]+)|\b([\w-]+) (?:vs\.?|versus|over|compared (?:with|to)) ([\w-]+)"
)


def contrast_subjects(question_text: str) -> frozenset[str]:
    """The two things a question contrasts, as stems (empty if it contrasts nothing)."""
    for m in _CONTRAST_RE.finditer(question_text.lower()):
        words = [w for w in m.groups() if w]
        stems = [content_stems(w) for w in words]
        if len(stems) == 2 and all(len(st) == 1 for st in stems) and stems[0] != stems[1]:
            return frozenset(st[0] for st in stems)
    return frozenset()


@dataclass
class CompiledQuestion:
    question: Question
    key_points: list[CompiledKeyPoint]
    topic_stems: tuple[str, ...]  # question, topic, context, key points and reference: what "on topic" means
    topic_vector: dict[str, float] = field(default_factory=dict)  # unit TF-IDF vector of topic_stems


@dataclass
class CompiledPack:
    pack: RolePack
    questions: dict[str, CompiledQuestion]
    mistakes: CompiledMistakes
    topic_index: TfidfIndex
    # Stems an answer in the pack's world may use: general English, the pack's vocabulary
    # and every word of its texts (see _off_domain).
    known_stems: frozenset[str] = frozenset()


_CACHE: dict[str, CompiledPack] = {}
_CACHE_SIZE = 8


def _compile(pack: RolePack) -> CompiledPack:
    questions: dict[str, CompiledQuestion] = {}
    hazards = hazard_stems(pack)
    for q in pack.questions:
        subjects = contrast_subjects(q.text)
        kps = [CompiledKeyPoint.build(kp, subjects, hazards) for kp in q.key_points]
        topic_text = " ".join(
            [q.text, q.topic, q.context, q.reference_answer, *(kp.text for kp in q.key_points)]
            + [e for kp in q.key_points for e in kp.expressions]
        )
        questions[q.id] = CompiledQuestion(q, kps, content_stems(topic_text))
    topic_index = TfidfIndex([cq.topic_stems for cq in questions.values()])
    for cq in questions.values():
        cq.topic_vector = topic_index.unit_vector(cq.topic_stems)
    return CompiledPack(
        pack=pack,
        questions=questions,
        mistakes=compile_mistakes(pack),
        topic_index=topic_index,
        known_stems=_known_stems(pack),
    )


def _known_stems(pack: RolePack) -> frozenset[str]:
    texts: list[str] = [pack.meta.description, pack.meta.role_summary]
    for q in pack.questions:
        texts += [q.text, q.topic, q.context, q.reference_answer, *(f.text for f in q.follow_ups)]
        texts += [t for kp in q.key_points for t in (kp.text, *kp.expressions, *kp.misconceptions)]
    for m in pack.mistakes:
        texts += [m.title, m.definition, m.why_it_costs, m.how_to_fix]
        texts += [e.answer for e in (*m.positive_examples, *m.negative_examples)]
    texts += pack.lexicon.vocabulary + [e for entries in pack.lexicon.lists.values() for e in entries]
    return frozenset(content_stems(" ".join(texts))) | general_stems()


def general_stems() -> frozenset[str]:
    """Stems of the general English vocabulary (rubrics/common/vocabulary.toml)."""
    lex = load_common("vocabulary", VocabularyLexicon)
    if _GENERAL and _GENERAL[0][0] is lex:
        return _GENERAL[0][1]
    stems = frozenset(stem(w) for w in lex.general)
    _GENERAL[:] = [(lex, stems)]
    return stems


_GENERAL: list[tuple[VocabularyLexicon, frozenset[str]]] = []
# An answer whose own words - those beyond the question's rubric - lie this far outside the
# pack's world (its texts, its vocabulary, general English) is about something else,
# whatever rubric words it borrows. In the tuning sets no on-topic concept or case answer
# has five such words; a bread-baking story told in rubric words has six of sixteen.
OFF_DOMAIN_SHARE = 0.33
OFF_DOMAIN_MIN_WORDS = 5


def _off_domain(said: Analysis, known: frozenset[str], rubric: frozenset[str]) -> bool:
    own = [
        t.stem
        for t in said.tokens
        if t.content and len(t.text) > 2 and not t.text[:1].isdigit() and t.stem not in rubric
    ]
    foreign = sum(1 for st in own if st not in known)
    return foreign >= OFF_DOMAIN_MIN_WORDS and foreign >= OFF_DOMAIN_SHARE * len(own)


def cq_stems(cq: CompiledQuestion) -> frozenset[str]:
    return frozenset(cq.topic_stems)


IN_WORLD_SHARE = 0.1  # at most this share of a free question's words outside the pack's world


def _in_world(cp: CompiledPack, text: str) -> bool:
    stems = [st for st in content_stems(text) if len(st) > 2 and not st[:1].isdigit()]
    foreign = sum(1 for st in stems if st not in cp.known_stems)
    return foreign <= max(1, IN_WORLD_SHARE * len(stems))


STORY_MIN_CHECKS = 3  # behavioral checks present for an answer to count as a story


def _a_story(checks: list[BehavioralCheck]) -> bool:
    return sum(1 for c in checks if c.present) >= STORY_MIN_CHECKS


def _borrowed(key_points: list[KeyPointCoverage]) -> list[KeyPointCoverage]:
    """Key points of an off-topic answer earn nothing: their words were borrowed."""
    return [k.model_copy(update={"covered": False, "credit": None, "evidence": None}) for k in key_points]


def compiled(pack: RolePack) -> CompiledPack:
    """The pack's compiled matchers, built once per content hash (or per object if unhashed)."""
    key = pack.content_hash or f"object:{id(pack)}"
    hit = _CACHE.get(key)
    if hit is not None and (pack.content_hash or hit.pack is pack):
        return hit
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result = _compile(pack)
    return result


# ---------------------------------------------------------------------------------------------
# Pieces


def _answer_flags(
    text: str, analysis: Analysis, *, expects_explanation: bool, question_text: str
) -> list[str]:
    flags: list[str] = []
    if hostile.injection_span(text):
        flags.append("injection")
    if hostile.template_span(text):
        flags.append("template-syntax")
    # A list of terms is the natural answer to "Name four ...": not keyword stuffing there.
    if (
        hostile.is_keyword_list(analysis) or (expects_explanation and hostile.is_unpunctuated_run(analysis))
    ) and not hostile.asks_for_a_list(question_text):
        flags.append("keyword-list")
    if expects_explanation and len(analysis.content_stems) < TOO_SHORT_WORDS:
        flags.append("too-short")
    if hostile.repetition_share(analysis) >= REPETITION_SHARE:
        flags.append("repetitive")
    return flags


def _misconceptions(
    ckp: CompiledKeyPoint, analysis: Analysis, claims: ClaimReading
) -> tuple[list[Match], set[int]]:
    """The point's misconceptions the answer asserts (each within one clause, not in a clause
    that only describes it: "if you ...", "people often ..."), and the indexes of the
    sentences that deny one ("I never fit the scaler on the whole dataset")."""
    wrong: list[Match] = []
    refuted: set[int] = set()
    for phrase in ckp.misconceptions:
        for m in find_matches(phrase, analysis):
            if not m.within_one_clause(analysis):
                continue
            # Stated outright: "ML does not always beat rules" qualifies the misconception away.
            status = claims.status(m.sentence, m.positions, negative_phrase=phrase.negative, statement=True)
            if status == "asserted" and not claims.described(m.sentence, m.positions):
                wrong.append(m)
            elif status in ("negated", "qualified", "dismissed", "worthless"):
                refuted.add(m.sentence.index)
    return wrong, refuted


def _cover_key_point(
    ckp: CompiledKeyPoint,
    analysis: Analysis,
    claims: ClaimReading,
    misconceptions: list[Match],
    refuted: frozenset[int],
    wrong_sentences: frozenset[int] = frozenset(),
) -> tuple[KeyPointCoverage, Match | None]:
    """Coverage of one key point, read claim by claim (see grading/claims.py).
    ``wrong_sentences``: sentences that state a misconception of the question; they earn no
    paraphrase credit for any point.

    An expression counts where the candidate asserts it: not retracted, doubted, dismissed
    or denied (a negated hazard, "nothing leaks", is the practice, so it counts). A
    misconception counts where it is asserted within one clause (``misconceptions``: found
    by _misconceptions). In a sentence that denies a misconception of the question
    (``refuted``: "SMOTE is never run on the whole dataset", "ridge doesn't remove correlated
    features") the negation is aimed at the wrong claim: it denies no point's words. A point
    both asserted and denied (or stated wrongly) is a contradiction: not covered, the wrong
    claim quoted.
    """
    kp = ckp.key_point
    wrong: list[Match] = list(misconceptions)
    asserted: list[Match] = []
    swapped: list[Match] = []
    for phrase in ckp.expressions:
        hazard = phrase.source in ckp.hazard_phrases
        for m in find_matches(phrase, analysis):
            reading = _claim(claims, m, hazard=hazard)
            if reading == "unsaid":
                continue
            if reading == "denied":
                if m.sentence.index not in refuted:
                    wrong.append(m)
            elif ckp.subject and _swapped(m, ckp):
                # "Bagging trains models sequentially": the right words about the wrong thing.
                swapped.append(m)
            else:
                asserted.append(m)
    # The right words about the wrong thing are a wrong claim; beside a right one too when
    # the wrong thing is what its clause is about ("In bagging the trees are trained
    # sequentially ... XGBoost is the classic example"), not an object on the way ("I'd push
    # for recall and accept more false alarms").
    wrong += swapped if not asserted else [m for m in swapped if _rival_is_topic(m, ckp)]
    if asserted:
        # A denial beside an assertion of the same point in one sentence is a qualification
        # ("not just X but X done right"), not a contradiction.
        said = {m.sentence.index for m in asserted}
        wrong = [m for m in wrong if m.sentence.index not in said or m.phrase in ckp.misconceptions]
    if wrong:
        first_wrong = min(wrong, key=lambda m: m.sentence.start)
        contradiction = None
        if asserted:
            first_right = min(asserted, key=lambda m: m.sentence.start)
            contradiction = first_right.quote(analysis)
            last_wrong = max(wrong, key=lambda m: m.sentence.start)
            first_wrong = (
                last_wrong if last_wrong.sentence.start > first_right.sentence.start else first_wrong
            )
        return KeyPointCoverage(
            id=kp.id,
            text=kp.text,
            covered=False,
            misconception=first_wrong.quote(analysis),
            contradicts=contradiction,
        ), None
    if asserted:
        first = min(asserted, key=lambda m: m.sentence.start)
        return KeyPointCoverage(id=kp.id, text=kp.text, covered=True, evidence=first.quote(analysis)), first
    # No expression matched: a sentence that shares several words with the point may be a
    # paraphrase the rubric did not foresee. It earns partial credit, never the point.
    # Credit must point at the candidate's words: the best sentence is kept as the evidence.
    best, best_sentence = 0, None
    for s in analysis.sentences:
        shared = s.stems & ckp.vocabulary
        if len(shared) <= best or not claims.sentence_asserted(s) or s.index in wrong_sentences:
            continue
        positions = [i for i, t in enumerate(s.tokens) if t.content and t.stem in shared]
        said = sum(1 for i in positions if claims.status(s, [i]) in ("asserted", "qualified"))
        if 2 * said >= len(positions):
            best, best_sentence = len(shared), s
    credit = PARAPHRASE_CREDIT.get(min(best, max(PARAPHRASE_CREDIT)), 0.0)
    if not credit or best_sentence is None:
        return KeyPointCoverage(id=kp.id, text=kp.text, covered=False), None
    evidence = analysis.quote(best_sentence.start, best_sentence.end, EVIDENCE_LIMIT)
    return KeyPointCoverage(id=kp.id, text=kp.text, covered=False, evidence=evidence, credit=credit), None


UNEXPLAINED_MIN_POINTS = 3  # covered points before "no explanation at all" is judged
UNEXPLAINED_SHARE = 0.6  # share of them stated bare that makes the answer a string of key phrases
BARE_MAX_RESIDUE = 1  # content words beyond the key phrase, the question and filler that a bare claim has


NAMED_ONLY_CREDIT = 0.6  # a key point named bare, with nothing said about it, is partly earned


def _bare_matches(evidence: list[Match], claims: ClaimReading, question_stems: frozenset[str]) -> list[Match]:
    """The matches stated bare: in sentences that give no reason, mechanism, consequence,
    example or figure and say nothing beyond the key phrase, the question's words and filler
    ("In my experience, X is really important.")."""
    fillers = claims.filler_stems
    by_sentence: dict[int, set[str]] = {}
    for m in evidence:
        by_sentence.setdefault(m.sentence.index, set()).update(m.phrase.stems)
    bare = []
    for m in evidence:
        s = m.sentence
        said = s.stems - by_sentence[s.index]
        residue = said - question_stems - fillers
        has_figure = any(t.text[:1].isdigit() for t in s.tokens)
        # Filler around the phrase is what makes it a template; a dense sentence of several
        # key phrases ("class weights or resampling on the training folds only") has none.
        padded = bool(said & fillers)
        if padded and len(residue) <= BARE_MAX_RESIDUE and not has_figure and not claims.explains(s):
            bare.append(m)
    return bare


def _unexplained(evidence: list[Match], bare: list[Match]) -> bool:
    """Key phrases strung together: most covered points are stated bare. However fluent,
    such an answer explains nothing, so it earns at most partial credit."""
    if len(evidence) < UNEXPLAINED_MIN_POINTS:
        return False
    return len(bare) >= UNEXPLAINED_SHARE * len(evidence)


def _turnabout_quote(claims: ClaimReading) -> str | None:
    """The first sentence where the answer takes the other side, verbatim, for the feedback."""
    turns = claims.turnabouts
    if not turns:
        return None
    s = turns[0]
    return claims.analysis.quote(s.start, s.end, EVIDENCE_LIMIT)


def _claim_flags(claims: ClaimReading, key_points: list[KeyPointCoverage]) -> list[str]:
    """Answer-level notes of the claim reading, shown in the feedback."""
    flags = []
    if claims.retractions:
        flags.append("retracted")
    if any(k.contradicts for k in key_points) or claims.turnabouts:
        flags.append("contradiction")
    return flags


def _claim(claims: ClaimReading, m: Match, *, hazard: bool) -> str:
    """ "asserted", "denied" or "unsaid" (retracted or doubted) for a phrase match."""
    status = claims.status(m.sentence, m.positions, negative_phrase=m.phrase.negative)
    if status in ("retracted", "doubted"):
        return "unsaid"
    if status == "dismissed" or (status in ("negated", "worthless") and not hazard):
        return "denied"
    return "asserted"


def _without_echoes(analysis: Analysis, question_stems: frozenset[str]) -> Analysis:
    """The answer minus sentences that only restate the question.

    A sentence with three or more content words, at least 70% of them the question's own,
    says nothing the question did not: it cannot cover a key point ("Explain k-fold
    cross-validation" answered with "K-fold cross-validation is preferred to a single
    split" earns nothing).
    """
    return analysis.subset(
        [
            s
            for s in analysis.sentences
            if len(s.stems) < ECHO_MIN_WORDS or len(s.stems & question_stems) < ECHO_SHARE * len(s.stems)
        ]
    )


# Words before a rival that set it aside as the other term of a comparison ("boosting,
# unlike bagging, trains sequentially"): the rival is not what the sentence is about.
_COMPARED = frozenset({"unlike", "than", "vs", "versus", "compared", "to", "from", "not", "whereas", "over"})


TOPIC_REACH = 3  # tokens from a clause's start within which its topic stands ("In bagging the ...")


def _rival_is_topic(match: Match, ckp: CompiledKeyPoint) -> bool:
    """The point's rival opens the clause of the matched words."""
    tokens = match.sentence.tokens
    at = min(match.positions)
    clause = tokens[at].clause
    start = at
    while start > 0 and tokens[start - 1].clause == clause:
        start -= 1
    return any(tokens[i].stem in ckp.rivals for i in range(start, min(at, start + TOPIC_REACH)))


def _swapped(match: Match, ckp: CompiledKeyPoint) -> bool:
    """True when the subject nearest before the matched words is the point's rival."""
    tokens = match.sentence.tokens
    for i in range(max(match.positions), -1, -1):
        stem = tokens[i].stem
        if stem == ckp.subject:
            return False
        if stem in ckp.rivals and not (i > 0 and tokens[i - 1].text in _COMPARED):
            return True
    return False


def _verbatim(findings: list[MistakeFinding], text: str) -> list[MistakeFinding]:
    # The contract: evidence is a substring of the original answer; anything else is dropped.
    # One finding per mistake, as a model grader's checklist is read (conversation.parse_grade).
    seen: set[str] = set()
    out: list[MistakeFinding] = []
    for f in findings:
        if f.evidence and f.evidence in text and f.id not in seen:
            seen.add(f.id)
            out.append(f)
    return out


@short_text_cache(maxsize=1024, max_len=4000)
def _reference_is_a_list(reference: str) -> bool:
    return hostile.is_keyword_list(analyze(reference))


def _prepare(answer: str) -> tuple[str, Analysis, list[str]]:
    if not isinstance(answer, str):
        raise TypeError("answer must be a string")
    extra: list[str] = []
    if len(answer) > MAX_ANSWER_CHARS:
        answer = answer[:MAX_ANSWER_CHARS]
        extra.append("truncated")
    # Read through NFKC, without invisible characters and with lookalike letters folded;
    # quotes still come from the answer as typed (grading/normalise.py).
    return answer, analyze(answer_view(answer, MAX_ANSWER_CHARS)), extra


def _finish(
    *,
    cp: CompiledPack,
    question_id: str | None,
    kind: str,
    key_points: list[KeyPointCoverage],
    weights: dict[str, float],
    mistakes: list[MistakeFinding],
    checks: list[BehavioralCheck],
    flags: list[str],
    text: str,
    matched: tuple[str | None, float | None] = (None, None),
    turnabout: str | None = None,
) -> Grade:
    mistakes = _verbatim(mistakes, text)
    score = compute_score(key_points, weights, mistakes, checks, flags, kind)
    pack = cp.pack
    return Grade(
        question_id=question_id,
        score=score,
        key_points=key_points,
        mistakes=mistakes,
        behavioral=checks,
        flags=flags,
        feedback=build_feedback(score, key_points, mistakes, checks, flags, pack, turnabout=turnabout),
        grader=GRADER_ID,
        rubric_id=pack.id,
        rubric_version=pack.version,
        rubric_hash=pack.content_hash,
        matched_question_id=matched[0],
        match_similarity=matched[1],
    )


def _empty_grade(
    cp: CompiledPack, question_id: str | None, key_points, extra_flags, matched=(None, None)
) -> Grade:
    return _finish(
        cp=cp,
        question_id=question_id,
        kind="concept",
        key_points=key_points,
        weights={},
        mistakes=[],
        checks=[],
        flags=["empty", *extra_flags],
        text="",
        matched=matched,
    )


# Answers that are not a story at all: behavioral mistakes would only be noise on them.
_NOT_A_STORY = frozenset({"empty", "injection", "template-syntax"})


OMISSION_MAX_COVERAGE = 0.8  # rubric share from which an answer's omissions are not reported


def _mistakes(
    cp: CompiledPack,
    said: Analysis,
    claims: ClaimReading,
    round_id: str | None,
    prone: frozenset[str],
    *,
    story: bool,
    flags: list[str],
    covered: float = 0.0,
) -> list[MistakeFinding]:
    """``covered``: the share of the rubric the answer covers. An answer that covers nearly
    all of it is not judged on the one step it leaves out: omissions are not reported."""
    applicable = [cm for cm in cp.mistakes.values() if cp.pack.applies(cm.mistake, round_id)]
    story = story and not _NOT_A_STORY.intersection(flags)
    return detect(
        said, claims, applicable, prone, story=story, bank=cp.mistakes.bank, omissions=covered < OMISSION_MAX_COVERAGE
    )


# ---------------------------------------------------------------------------------------------
# Public API


def grade_answer(answer: str, question: Question, pack: RolePack, *, asked: str | None = None) -> Grade:
    """Grade one answer to a bank question (deterministic; grader ``stub``). ``asked``: the
    wording the candidate was asked, when it was not the bank's (a matched free-text question)."""
    cp = compiled(pack)
    cq = cp.questions.get(question.id)
    if cq is None or (cq.question is not question and cq.question != question):  # not from this pack
        cq = CompiledQuestion(
            question,
            [
                CompiledKeyPoint.build(kp, contrast_subjects(question.text), hazard_stems(pack))
                for kp in question.key_points
            ],
            content_stems(" ".join([question.text, question.topic, question.reference_answer])),
        )
    text, analysis, extra_flags = _prepare(answer)
    if not analysis.tokens:
        kps = [KeyPointCoverage(id=k.id, text=k.text, covered=False) for k in question.key_points]
        return _empty_grade(cp, question.id, kps, extra_flags)

    flags = _answer_flags(text, analysis, expects_explanation=True, question_text=asked or question.text)
    flags += extra_flags
    claims = read_claims(analysis)
    said = claims.said(analysis)
    question_stems = frozenset(content_stems(question.text))
    substance = _without_echoes(said, question_stems)
    if said.sentences and not substance.sentences:
        flags.append("restates-question")
    wrong_claims = [_misconceptions(ckp, substance, claims) for ckp in cq.key_points]
    refuted = frozenset(i for _, sentences in wrong_claims for i in sentences)
    wrong_sentences = frozenset(m.sentence.index for found, _ in wrong_claims for m in found)
    covered = [
        _cover_key_point(ckp, substance, claims, found, refuted, wrong_sentences)
        for ckp, (found, _) in zip(cq.key_points, wrong_claims, strict=True)
    ]
    evidence = [m for _, m in covered if m is not None]
    bare = _bare_matches(evidence, claims, question_stems)
    bare_ids = {id(m) for m in bare}
    key_points = [
        k.model_copy(update={"credit": NAMED_ONLY_CREDIT}) if m is not None and id(m) in bare_ids else k
        for k, m in covered
    ]
    flags += _claim_flags(claims, key_points)
    if _unexplained(evidence, bare):
        flags.append("unexplained")
    weights = {kp.id: kp.weight for kp in question.key_points}

    story = question.kind == "behavioral" or question.round == "behavioral"
    # (A story may be set anywhere - a warehouse, a stock ledger - so only answers that
    # explain a concept or a case are read for a world of their own.)
    if not story and _off_domain(said, cp.known_stems, cq_stems(cq)):
        flags.append("off-topic")
        key_points = _borrowed(key_points)
    checks = behavioral_checks.run_checks(said) if story else []
    if "off-topic" not in flags and not any(k.covered for k in key_points) and not _a_story(checks):
        # Little in common with the question's words - unless it tells a story, whose
        # words are its own world's.
        topic = cq.topic_vector or cp.topic_index.unit_vector(cq.topic_stems)
        sim = cp.topic_index.similarity(analysis.content_stems, topic)
        if sim < OFF_TOPIC_SIMILARITY:
            flags.append("off-topic")

    mistakes = _mistakes(
        cp,
        said,
        claims,
        question.round,
        frozenset(question.mistakes),
        story=story,
        flags=flags,
        covered=coverage(key_points, weights),
    )
    kind = "behavioral" if checks else question.kind
    return _finish(
        cp=cp,
        question_id=question.id,
        kind=kind,
        key_points=key_points,
        weights=weights,
        mistakes=mistakes,
        checks=checks,
        flags=flags,
        text=text,
        turnabout=_turnabout_quote(claims),
    )


def grade_free_text(
    answer: str,
    question_text: str,
    pack: RolePack,
    reference: str | None = None,
    *,
    matcher: str | None = None,
) -> Grade:
    """Grade an answer to a free-text question.

    The question is matched to the bank by grading/question_match.py (``matcher``: "tfidf",
    "semantic" or None for the default; the grade reports the match, its similarity, the
    runner-up and the matcher). Without a reference, a good match is graded as that bank
    question. With a reference, or with no good match, key points are derived from the
    reference (or, lacking one, from the question itself, flagged "no-reference") and
    graded with partial credit, plus the general mistake rubric.
    """
    found = find_question(question_text, pack, matcher)
    has_reference = bool(reference and reference.strip())
    grade = None
    if found.question is not None and not has_reference:
        grade = grade_answer(answer, found.question, pack, asked=question_text)
    # The answer is evidence of what was asked: when the question matched nothing, or
    # matched a question whose rubric the answer barely touches, the rubric it covers best
    # among the nearest candidates may be the one asked (see _match_by_answer).
    fit = _fit(grade, found.question) if grade is not None else 0.0
    if not has_reference and (found.question is None or fit < ANSWER_MATCH_COVERAGE):
        by_answer = _match_by_answer(answer, question_text, pack, matcher, at_least=ANSWER_SWITCH_RATIO * fit)
        if by_answer is not None and (grade is None or by_answer[0].id != found.question.id):
            question, better = by_answer
            fields = found.grade_fields() | {"matched_question_id": question.id, "matcher": f"{found.matcher}+answer"}
            return better.model_copy(update=fields)
    if grade is not None:
        return grade.model_copy(update=found.grade_fields())
    grade = _grade_free_text(answer, question_text, pack, reference, found.question, found.similarity)
    return grade.model_copy(update=found.grade_fields())


def _fit(grade: Grade, question: Question) -> float:
    return coverage(grade.key_points, {kp.id: kp.weight for kp in question.key_points})


# When the question's words alone match no bank question well enough, the answer is
# evidence of what was asked. The candidates are the nearest few bank questions by the
# question's words and by the answer's; the one whose rubric the answer covers best is
# taken if the answer covers at least ANSWER_MATCH_COVERAGE of it and the question shares
# at least a little with it (ANSWER_MATCH_FLOOR). A question from outside the bank has
# answers that cover no bank rubric that far, so it stays unmatched.
ANSWER_MATCH_CANDIDATES = 3
ANSWER_MATCH_FLOOR = 0.03
ANSWER_MATCH_COVERAGE = 0.4
# A matched question whose rubric the answer covers less than ANSWER_MATCH_COVERAGE gives
# way to a candidate the answer covers at least this many times as well.
ANSWER_SWITCH_RATIO = 2.0


def _match_by_answer(
    answer: str, question_text: str, pack: RolePack, matcher: str | None, *, at_least: float = 0.0
) -> tuple[Question, Grade] | None:
    by_question = candidates(question_text, pack, matcher, len(pack.questions))
    similarity = {q.id: sim for q, sim in by_question}
    cp = compiled(pack)
    answer_vector = cp.topic_index.unit_vector(content_stems(answer[:MAX_ANSWER_CHARS]))
    by_answer = sorted(
        cp.questions.values(), key=lambda cq: -cp.topic_index.similarity_to(answer_vector, cq.topic_vector)
    )
    pool = [q for q, _ in by_question[:ANSWER_MATCH_CANDIDATES]]
    pool += [cq.question for cq in by_answer[:ANSWER_MATCH_CANDIDATES] if cq.question not in pool]
    best: tuple[float, Question, Grade] | None = None
    for question in pool:
        if similarity.get(question.id, 0.0) < ANSWER_MATCH_FLOOR:
            continue
        grade = grade_answer(answer, question, pack, asked=question_text)
        fit = _fit(grade, question)
        if fit >= max(ANSWER_MATCH_COVERAGE, at_least) and (best is None or fit > best[0]):
            best = (fit, question, grade)
    return (best[1], best[2]) if best else None


def _grade_free_text(
    answer: str,
    question_text: str,
    pack: RolePack,
    reference: str | None,
    question: Question | None,
    sim: float,
) -> Grade:
    matched = (question.id if question else None, sim)
    if question is not None and not (reference and reference.strip()):
        grade = grade_answer(answer, question, pack, asked=question_text)
        return grade.model_copy(update={"matched_question_id": question.id, "match_similarity": sim})

    cp = compiled(pack)
    text, analysis, extra_flags = _prepare(answer)
    if reference and len(reference) > MAX_ANSWER_CHARS:
        reference = reference[:MAX_ANSWER_CHARS]  # bounded work, like answers
    has_reference = bool(reference and reference.strip())
    source = reference if has_reference else question_text
    points = reference_grading.derive_points(source or "")
    question_id = question.id if question else None
    if not analysis.tokens:
        kps = [KeyPointCoverage(id=p.id, text=p.text, covered=False, credit=0.0) for p in points]
        return _empty_grade(
            cp, question_id, kps, extra_flags + ([] if has_reference else ["no-reference"]), matched
        )

    question_stems = frozenset(content_stems(question_text or ""))
    flags = _answer_flags(text, analysis, expects_explanation=False, question_text=question_text)
    flags += extra_flags
    if "keyword-list" in flags and has_reference and _reference_is_a_list(reference):
        flags.remove("keyword-list")  # the expected answer is itself a list of terms
    claims = read_claims(analysis)
    said = claims.said(analysis)
    denied, contradicted = claims.denied_stems(said)
    weights = {p.id: float(len(p.stems)) for p in points}  # a longer clause carries more of the answer
    if not has_reference:
        flags.append("no-reference")
        # Without a reference the question's own words are one yardstick (at their full
        # weight), the general rubric the other: explain, make it concrete, name the limits.
        key_points = reference_grading.grade_points(points, said, frozenset(), denied, contradicted)
        general, general_weights = general_points(said, claims, sum(weights.values()))
        key_points += general
        weights |= general_weights
    else:
        key_points = reference_grading.grade_points(points, said, question_stems, denied, contradicted)
    flags += _claim_flags(claims, key_points)
    mean_credit = sum(k.credit or 0.0 for k in key_points) / len(key_points) if key_points else 0.0
    # (No vocabulary test here: a free question may be about anything, and its reference
    # alone is too thin a yardstick for what is on topic.)
    topic = cp.topic_index.unit_vector(content_stems(f"{question_text} {reference or ''}"))
    if (
        mean_credit < REFERENCE_OFF_TOPIC_CREDIT
        and cp.topic_index.similarity(analysis.content_stems, topic) < OFF_TOPIC_SIMILARITY
    ):
        flags.append("off-topic")

    # The general rubric: every mistake that applies to the round, with the question's
    # own prone list when it matched the bank.
    round_id = question.round if question else None
    prone = frozenset(question.mistakes) if question else frozenset()
    is_behavioral = (question is not None and question.kind == "behavioral") or bool(
        _BEHAVIORAL_QUESTION_RE.search(question_text or "")
    )
    # The pack's common-mistake list is about its world: a question from elsewhere (a
    # data-structures quiz graded against its reference) is not held to it.
    in_world = question is not None or _in_world(cp, f"{question_text} {reference or ''}")
    mistakes = (
        _mistakes(cp, said, claims, round_id, prone, story=is_behavioral, flags=flags) if in_world else []
    )
    checks = behavioral_checks.run_checks(said) if is_behavioral else []
    return _finish(
        cp=cp,
        question_id=question_id,
        kind="behavioral" if checks else "concept",
        key_points=key_points,
        weights=weights,
        mistakes=mistakes,
        checks=checks,
        flags=flags,
        text=text,
        matched=matched,
        turnabout=_turnabout_quote(claims),
    )
