"""``story-check``: a behavioral story missing one of its parts.

Settings: ``check``, the part whose absence is the mistake (one of the behavioral checks:
"result", "quantified-impact", "ownership", "business-framing", "situation", "task",
"action"); ``needs_words`` (optional): the story must use one of these for the check to
apply ("no-ownership" needs a "we" to hide behind); ``evidence_from`` (optional): words
whose sentence is quoted as the evidence ("it helped a lot" for unquantified impact).

The checks themselves are computed once per answer (grading/behavioral.py). The evidence
is where the story shows the gap: the last sentence for a missing result, the sentence of
a vague outcome for missing figures, the first "we" for missing ownership, the first
sentence for a missing business stake.
"""

from __future__ import annotations

from mockinterview.domain.detectors import StorySpec
from mockinterview.grading.detectors.base import Context, Detector
from mockinterview.grading.text import Sentence


class StoryDetector(Detector):
    spec: StorySpec

    def find(self, ctx: Context) -> Sentence | None:
        sentences = ctx.analysis.sentences
        if not sentences or not ctx.story:
            return None
        checks = ctx.story_checks()
        if checks.get(self.spec.check) is not None:
            return None
        needs = self.resolved("needs_words")
        if needs is not None:
            return next((s for s in sentences if needs.in_sentence(s)), None)
        evidence = self.resolved("evidence_from")
        if evidence is not None:
            hit = next((s for s in sentences if ctx.asserted_in(evidence, s)), None)
            if hit is not None:
                return hit
        if self.spec.check in ("result", "quantified-impact"):
            return checks.get("result") or sentences[-1]
        return sentences[0]

