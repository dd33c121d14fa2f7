"""``score-at-face-value``: a result too good for the problem, reported without doubt.

A score is a number written as one: "0.98", ".98", "98.7%", "99 percent", "1.0". The
detector reports a sentence that

* names a metric (``metrics``) next to a score of at least ``threshold``, or
* names a metric and a jump "from X to Y" of at least ``jump`` that ends at ``jump_to``
  or more ("AUC went from 0.71 to 0.93"), or
* calls a result near perfect (``near_perfect``) next to a metric or ``results`` word, or
* states a top score with no metric at all but with approval (``approval``: "0.99, we
  were thrilled"),

unless the sentence doubts it (``doubt`` words, or a negation in the score's clause: "I
wouldn't trust 0.99") or speaks of a training score (``training``). A remedy asserted
anywhere in the answer (``cleared_by``: "I'd check for leakage") clears it.
"""

from __future__ import annotations

from mockinterview.domain.detectors import ScoreSpec
from mockinterview.grading.detectors.base import Context, Detector
from mockinterview.grading.text import Sentence, Token


class ScoreDetector(Detector):
    spec: ScoreSpec

    def find(self, ctx: Context) -> Sentence | None:
        cleared = self.resolved("cleared_by")
        if cleared is not None and not self.spec.remedy_after_only and ctx.remedied(cleared):
            return None
        found = self._trigger(ctx)
        if found is not None and cleared is not None and self.spec.remedy_after_only and ctx.remedied(cleared, after=found):
            return None
        return found

    def _trigger(self, ctx: Context) -> Sentence | None:
        """The first sentence that reports a result too good for the problem without doubt."""
        metrics = self.resolved("metrics")
        near = self.resolved("near_perfect")
        results = self.resolved("results")
        approval = self.resolved("approval")
        # Every finding needs a metric, a near-perfect phrase or approval in its sentence.
        seen: set[int] = set()
        candidates = []
        for terms in (metrics, near, approval):
            for sentence in ctx.sentences_hit(terms) if terms is not None else ():
                if sentence.index not in seen:
                    seen.add(sentence.index)
                    candidates.append(sentence)
        for sentence in sorted(candidates, key=lambda s: s.index):
            if self._doubted(ctx, sentence):
                continue
            scores = _scores(ctx, sentence)
            named = metrics is not None and ctx.mentioned_in(metrics, sentence)
            if named and any(v >= self.spec.threshold for _, v in scores):
                return sentence
            if named and self._jump(ctx, sentence):
                return sentence
            near_perfect = near is not None and next(ctx.stated(near, sentence), None) is not None
            if near_perfect and (named or (results is not None and ctx.mentioned_in(results, sentence))):
                return sentence
            approved = approval is not None and ctx.mentioned_in(approval, sentence)
            if not named and approved and any(v >= self.spec.threshold for _, v in scores):
                return sentence
        return None

    def _doubted(self, ctx: Context, sentence: Sentence) -> bool:
        # Doubt counts when it is itself asserted: "I've never seen leakage" doubts nothing.
        doubt = self.resolved("doubt")
        if doubt is not None and ctx.asserted_in(doubt, sentence):
            return True
        training = self.resolved("training")
        return training is not None and ctx.mentioned_in(training, sentence)

    def _jump(self, ctx: Context, sentence: Sentence) -> bool:
        """"from X to Y" with Y - X >= jump and Y >= jump_to (numbers over 1 read as percent)."""
        tokens = sentence.tokens
        numbers = [(i, _plain_number(ctx.analysis.text, t)) for i, t in enumerate(tokens)]
        numbers = [(i, v) for i, v in numbers if v is not None]
        for (i, before), (j, after) in zip(numbers, numbers[1:], strict=False):
            if j - i > 4 or "to" not in {t.text for t in tokens[i + 1 : j]}:
                continue
            after_from = any(t.text == "from" for t in tokens[max(0, i - 3) : i])
            if after_from and after - before >= self.spec.jump and after >= self.spec.jump_to:
                return True
        return False


def _scores(ctx: Context, sentence: Sentence) -> list[tuple[int, float]]:
    """(token index, value in 0..1) of the numbers written as scores, asserted and with no
    negation in their clause."""
    text = ctx.analysis.text
    tokens = sentence.tokens
    out: list[tuple[int, float]] = []
    for i, t in enumerate(tokens):
        value = _score_value(text, t, tokens[i + 1] if i + 1 < len(tokens) else None)
        if value is None:
            continue
        if any(x.negation and x.clause == t.clause for x in tokens):
            continue  # "I wouldn't trust an AUC of 0.99"
        if ctx.claims.status(sentence, [i]) in ("asserted", "qualified"):
            out.append((i, value))
    return out


def _plain_number(text: str, t: Token) -> float | None:
    if not t.text[:1].isdigit():
        return None
    try:
        number = float(t.text)
    except ValueError:
        return None
    if t.start > 0 and text[t.start - 1] == "." and t.text.isdigit():
        return float("0." + t.text)
    if 0 <= number <= 1:
        return number
    return number / 100 if number <= 100 else None


def _score_value(text: str, t: Token, following: Token | None) -> float | None:
    word = t.text
    if not word[:1].isdigit():
        return None
    try:
        number = float(word)
    except ValueError:
        return None
    decimal_point = t.start > 0 and text[t.start - 1] == "." and not (t.start > 1 and text[t.start - 2].isdigit())
    if decimal_point:  # ".98"
        return float("0." + word) if word.isdigit() else None
    after = text[t.end : t.end + 2].lstrip()
    percent = after.startswith("%") or (following is not None and following.text in ("percent", "pct"))
    if percent:
        return number / 100 if 0 <= number <= 100 else None
    if "." in word and 0 <= number <= 1:
        return number  # "0.98", "1.0"
    return None
