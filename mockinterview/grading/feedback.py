"""The short feedback text a candidate reads under the score."""

from __future__ import annotations

from mockinterview.domain.detectors import StoryCheck
from mockinterview.domain.grade import BehavioralCheck, KeyPointCoverage, MistakeFinding
from mockinterview.domain.pack import RolePack

FLAG_MESSAGES = {
    "empty": "No answer was given.",
    "injection": "The answer addresses the grader instead of the question; instructions to the grader are ignored.",
    "template-syntax": "The answer contains template syntax; it is graded as plain text and never rendered.",
    "keyword-list": "A list of terms is not an explanation: say how the ideas connect and why they matter.",
    "off-topic": "The answer does not address the question that was asked.",
    "too-short": "The answer is too short to show understanding; explain your reasoning.",
    "repetitive": "Repeating the same point does not add to it.",
    "restates-question": "Restating the question is not answering it.",
    "no-reference": (
        "No bank question or reference answer matched, so the answer was graded on the question's own terms and the "
        "general rubric: does it explain why, make it concrete and name its limits, and avoid the common mistakes."
    ),
    "retracted": "Part of the answer was taken back; only what you stood by was graded.",
    "contradiction": "The answer contradicts itself; a point said both ways earns nothing.",
    "unexplained": "Key phrases without a reason, an example or a consequence explain nothing: say why each matters.",
}

# One tip per behavioral check (domain.detectors.STORY_CHECKS).
_BEHAVIORAL_TIPS: dict[StoryCheck, str] = {
    "situation": "set the scene briefly (where, when, what was at stake)",
    "task": "say what you were responsible for",
    "action": "describe the concrete steps taken",
    "result": "end with the outcome",
    "quantified-impact": "put a number on the result",
    "ownership": "say what YOU did, not only the team",
    "business-framing": "tie the story to a business goal or customer",
}


def _clause(text: str) -> str:
    return text.strip().rstrip(".;:,")


def build_feedback(
    score: float,
    key_points: list[KeyPointCoverage],
    mistakes: list[MistakeFinding],
    behavioral: list[BehavioralCheck],
    flags: list[str],
    pack: RolePack | None,
    *,
    turnabout: str | None = None,
) -> str:
    """``turnabout``: the sentence where the answer took the other side, quoted."""
    parts: list[str] = [FLAG_MESSAGES[f] for f in flags if f in FLAG_MESSAGES]
    if "empty" in flags:
        return " ".join(parts)
    if turnabout:
        parts.append(f"You took the other side in \u201c{_clause(turnabout)}\u201d: say which you stand by.")
    if key_points:
        covered = sum(1 for k in key_points if k.covered)
        parts.append(f"You covered {covered} of {len(key_points)} key points.")
        wrong = [k for k in key_points if k.misconception]
        for k in wrong[:2]:
            # Quote the candidate: what was said, and (for a contradiction) what it contradicts.
            said = f"you said \u201c{_clause(k.misconception)}\u201d"
            if k.contradicts:
                said = f"you said \u201c{_clause(k.contradicts)}\u201d and then \u201c{_clause(k.misconception)}\u201d"
            parts.append(f"Stated wrongly ({said}): {_clause(k.text)}.")
        missed = [k for k in key_points if not k.covered and not k.misconception]
        if missed:
            parts.append("Add: " + "; ".join(_clause(k.text) for k in missed[:3]) + ".")
    if mistakes:
        titles = []
        for finding in mistakes[:3]:
            try:
                titles.append(pack.mistake(finding.id).title if pack is not None else finding.id)
            except KeyError:
                titles.append(finding.id)
        parts.append("Watch out: " + "; ".join(titles) + ".")
    tips = [_BEHAVIORAL_TIPS[c.id] for c in behavioral if not c.present]
    if tips:
        parts.append("For a stronger story: " + "; ".join(tips) + ".")
    # ("Strong answer" only where the rubric agrees: a fine story that covers none of the
    # question's points is not one.)
    covered_most = not key_points or 2 * sum(1 for k in key_points if k.covered) >= len(key_points)
    if score >= 4.0 and not mistakes and not flags and covered_most:
        parts.append("Strong answer.")
    return " ".join(parts)
