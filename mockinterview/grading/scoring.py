"""The one score formula. The heuristic grader and the model grader both call
``compute_score`` with what they found, so a score always means the same thing.

Score formula (1-5, one decimal)::

    credit(k)   = k.credit if set (partial credit, 0..1), else 1 if k.covered else 0
    C           = sum(w_k * credit(k)) / sum(w_k)       over the key points, w_k = weights.get(k.id, 1.0)
                  (C = 0 when there are no key points)
    B           = share of behavioral checks present     (STAR parts, quantified impact,
                                                          ownership, business framing)
    Q           = C                          for concept and case questions
                = 0.4 * C + 0.6 * B          for behavioral questions (B alone if no key points,
                                             C alone if no checks were run): a story is judged
                                             on its shape and figures more than on the words
                                             of the rubric's points
    base        = 1 + 4 * min(1, Q / 0.8)    (80% of the rubric earns full base marks: a strong
                                             answer need not say everything)
    cap         the lowest cap of the answer's flags, else 5:
                "empty" -> 1.0; "injection", "template-syntax" -> 1.5;
                "off-topic", "keyword-list", "unexplained", "contradiction" -> 2.0;
                "too-short" -> 2.5
    mistakes    each distinct mistake found has the pack's severity. Expert labellers score
                an answer that makes one major mistake (metrics with no outcome, leakage
                unchecked, ...) below the bar whatever else it covers, so mistakes cap:
                major: 1 -> 3.0, 2 -> 2.5, 3 or more -> 2.0;
                minor (behavioral gaps): 1 -> 3.5, 2 -> 3.0, 3 or more -> 2.5
    raw         = min(base, cap, mistake cap)  (caps bound what coverage can earn ...)
                  - 0.25 per distinct mistake found       (... and mistakes cost on top of it;
                                                           at most 0.75 in total)
                  - 0.5 per key point stated wrongly      (a misconception; at most 1.0)
                  - 0.5 if the answer is flagged "repetitive"
    score       = clamp(round(raw, 1), 1.0, 5.0)

Length never enters the formula: only what the answer covers, what it gets wrong, and
answer-level flags do.
"""

from __future__ import annotations

from mockinterview.domain.grade import BehavioralCheck, KeyPointCoverage, MistakeFinding

FULL_MARKS_AT = 0.8
STORY_WEIGHT = 0.6  # share of a story's quality that comes from its STAR parts
MISTAKE_PENALTY = 0.25
MAX_MISTAKE_PENALTY = 0.75
# Caps by the number of distinct mistakes of each severity (the last entry for more).
MISTAKE_CAPS: dict[str, tuple[float, ...]] = {"major": (3.0, 2.5, 2.0), "minor": (3.5, 3.0, 2.5)}
MISCONCEPTION_PENALTY = 0.5
MAX_MISCONCEPTION_PENALTY = 1.0
REPETITION_PENALTY = 0.5

# Answer-level flags that cap the score, whatever else the answer contains.
FLAG_CAPS: dict[str, float] = {
    "empty": 1.0,
    "injection": 1.5,
    "template-syntax": 1.5,
    "off-topic": 2.0,
    "keyword-list": 2.0,
    "unexplained": 2.0,
    "contradiction": 2.0,
    "too-short": 2.5,
}


def key_point_credit(kp: KeyPointCoverage) -> float:
    if kp.credit is not None:
        return kp.credit
    return 1.0 if kp.covered else 0.0


def coverage(key_points: list[KeyPointCoverage], weights: dict[str, float]) -> float:
    total = sum(weights.get(k.id, 1.0) for k in key_points)
    if total <= 0:
        return 0.0
    return sum(weights.get(k.id, 1.0) * key_point_credit(k) for k in key_points) / total


def compute_score(
    key_points: list[KeyPointCoverage],
    weights: dict[str, float],
    mistakes: list[MistakeFinding],
    behavioral: list[BehavioralCheck],
    flags: list[str],
    kind: str,
) -> float:
    """Score 1-5 (one decimal) from the checks; see the module docstring for the formula."""
    c = coverage(key_points, weights)
    if kind == "behavioral" and behavioral:
        b = sum(1 for chk in behavioral if chk.present) / len(behavioral)
        quality = (1 - STORY_WEIGHT) * c + STORY_WEIGHT * b if key_points else b
    else:
        quality = c

    base = 1.0 + 4.0 * min(1.0, quality / FULL_MARKS_AT)
    # Caps bound what coverage can earn; what the answer gets wrong costs on top of that.
    cap = min((FLAG_CAPS[f] for f in flags if f in FLAG_CAPS), default=5.0)
    for severity, caps in MISTAKE_CAPS.items():
        n = len({m.id for m in mistakes if m.severity == severity})
        if n:
            cap = min(cap, caps[min(n, len(caps)) - 1])
    raw = min(base, cap)
    raw -= min(MAX_MISTAKE_PENALTY, MISTAKE_PENALTY * len({m.id for m in mistakes}))
    misconceptions = sum(1 for k in key_points if k.misconception)
    raw -= min(MAX_MISCONCEPTION_PENALTY, MISCONCEPTION_PENALTY * misconceptions)
    if "repetitive" in flags:
        raw -= REPETITION_PENALTY
    return max(1.0, min(5.0, round(raw, 1)))
