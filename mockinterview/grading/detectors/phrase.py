"""``phrase``: a term the candidate asserts, in the right company, with no remedy anywhere.

Settings (lists are names of the pack's lexicon lists, or inline lists):

* ``terms``: what shows the mistake ("deployed", "so we should give everyone");
* ``with`` / ``with_scope``: what must also be asserted, in the same sentence (default) or
  anywhere in the answer ("customers who..." for a causal conclusion);
  ``with_optional_when_prone``: on a question prone to the mistake, the question itself
  supplies that company (it presents the correlation), so it is not needed;
* ``cleared_by``: remedies; one asserted anywhere in the answer means no mistake
  (monitoring named anywhere clears "deployed");
* ``unless_in_sentence``: words that, anywhere in the sentence, take it out of the
  running ("labels" next to "chargebacks": the field is the label, not an input);
* ``contrast``: when given, a remedy in the trigger's own sentence clears it only next to
  one of these words ("LightGBM first, a neural net only if it falls short" vs "a stacked
  ensemble of LightGBM and a neural net");
* ``needs_number``: a figure stands next to the term ("an AUC of 0.91"); ``first_person``: it is
  the candidate's own plan or report ("I'd deploy", "we shipped", or an instruction that
  opens the sentence: "Train a classifier ...");
* ``polarity``: "asserted" (default) finds the terms said; "denied" finds them denied or
  dismissed — a remedy the candidate rejects ("no need to monitor it", "it won't drift",
  "cleaning is a waste of time") is the mistake itself;
* ``stories``: false keeps the detector off behavioral stories (a release told in passing
  is not a plan); ``min_words``: the answer must be at least this long — a remedy missing
  from a one-line choice ("I'd use gradient boosting") says little, missing from a whole
  plan it says a lot.
"""

from __future__ import annotations

from mockinterview.domain.detectors import PhraseSpec
from mockinterview.grading.detectors.base import Context, Detector
from mockinterview.grading.text import Sentence


class PhraseDetector(Detector):
    spec: PhraseSpec

    def find(self, ctx: Context) -> Sentence | None:
        if (ctx.story and not self.spec.stories) or len(ctx.analysis.tokens) < self.spec.min_words:
            return None
        terms = self.resolved("terms")
        cleared = self.resolved("cleared_by")
        if terms is None or not ctx.hits(terms):
            return None
        company = self.resolved("with_terms")
        if company is not None and self.spec.with_optional_when_prone and ctx.prone:
            company = None
        if company is not None and self.spec.with_scope == "answer" and not ctx.asserted_anywhere(company):
            return None
        unless = self.resolved("unless_in_sentence")
        found = ctx.denied_spans if self.spec.polarity == "denied" else ctx.stated
        for sentence in ctx.sentences_hit(terms):
            spans = list(found(terms, sentence))
            if self.spec.needs_number:
                spans = [s for s in spans if ctx.number_near(s)]
            if not spans:
                continue
            # The candidate's plan: said in the first person, or as an instruction that opens
            # the sentence ("Train a classifier on ...").
            if self.spec.first_person and not any(ctx.plan(span) for span in spans):
                continue
            if unless is not None and ctx.mentioned_in(unless, sentence):
                continue
            if company is not None and self.spec.with_scope == "sentence" and not ctx.asserted_in(company, sentence):
                continue
            after = sentence if self.spec.remedy_after_only else None
            if cleared is not None and ctx.remedied(cleared, spans[0], self.resolved("contrast"), after=after):
                return None
            return sentence
        return None
