"""The general rubric (rubrics/common/general.toml): what any good answer to a free question
does - explain, make it concrete, name its limits. For a free-text question with neither a
bank match nor a reference answer, these checks stand beside the question's own terms as
key points, each credited with the sentence that does it, so such an answer is graded rather
than capped for want of a yardstick."""

from __future__ import annotations

from mockinterview.domain.grade import KeyPointCoverage
from mockinterview.domain.lexicon import GeneralRubric
from mockinterview.grading.claims import ClaimReading, PhraseIndex
from mockinterview.grading.matching import EVIDENCE_LIMIT
from mockinterview.grading.text import Analysis
from mockinterview.packs.loader import load_common

_COMPILED: list[tuple[GeneralRubric, list[PhraseIndex]]] = []


def general_rubric() -> tuple[GeneralRubric, list[PhraseIndex]]:
    rubric = load_common("general", GeneralRubric)
    if not _COMPILED or _COMPILED[0][0] is not rubric:
        _COMPILED[:] = [(rubric, [PhraseIndex(c.terms) for c in rubric.checks])]
    return _COMPILED[0]


def general_points(
    said: Analysis, claims: ClaimReading, questions_weight: float
) -> tuple[list[KeyPointCoverage], dict[str, float]]:
    """The general checks as key points of ``said`` (what the candidate stands by), and their
    weights: together ``share`` of the grade next to ``questions_weight``."""
    rubric, indexes = general_rubric()
    tokens = claims.analysis.tokens  # sentence.first indexes the whole answer's tokens
    points: list[KeyPointCoverage] = []
    for check, index in zip(rubric.checks, indexes, strict=True):
        found = None
        for s in said.sentences:
            span = range(s.first, s.first + len(s.tokens))
            if (
                (check.explanations and claims.explains(s))
                or (check.figures and any(tokens[k].text[:1].isdigit() for k in span))
                or (check.terms and any(index.match_at(tokens, k) for k in span))
            ):
                found = s
                break
        evidence = said.quote(found.start, found.end, EVIDENCE_LIMIT) if found is not None else None
        points.append(KeyPointCoverage(id=check.id, text=check.text, covered=found is not None, evidence=evidence))
    each = questions_weight * rubric.share / (1 - rubric.share) / len(points) if questions_weight > 0 else 1.0
    return points, {p.id: each for p in points}
