"""What every detector kind shares: the answer read as claims, and the pack's word lists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from mockinterview.domain.detectors import ListRef
from mockinterview.grading.behavioral import found_checks
from mockinterview.grading.claims import ClaimReading
from mockinterview.grading.terms import Span, TermBank, TermSet
from mockinterview.grading.text import Analysis, Sentence


class ListResolver:
    """Resolves list settings against the pack's lexicon (compiled once per list)."""

    def __init__(self, lists: dict[str, list[str]]) -> None:
        self._lists = lists
        self._compiled: dict[str, TermSet] = {}
        self.bank = TermBank()  # every list the pack's detectors use, matched in one pass

    def __call__(self, ref: ListRef | None, setting: str) -> TermSet | None:
        if ref is None:
            return None
        if isinstance(ref, list):
            return self.bank.add(TermSet(ref))
        # (A pack checks on load that every list it names exists.)
        if ref not in self._compiled:
            self._compiled[ref] = self.bank.add(TermSet(self._lists[ref]))
        return self._compiled[ref]


@dataclass
class Context:
    """One answer, as the detectors see it."""

    analysis: Analysis  # the sentences the candidate stands by (not withdrawn, not doubted)
    claims: ClaimReading
    prone: bool  # the question lists this mistake as one it is prone to
    story: bool = False  # the question asks for a story (behavioral)
    question_text: str = ""
    bank: TermBank | None = None  # the pack's lists, matched together
    _cache: dict[Any, Any] = field(default_factory=dict)

    def for_question(self, *, prone: bool) -> Context:
        return replace(self, prone=prone, _cache=self._cache)

    def asserted(self, span: Span, *, strict: bool = False) -> bool:
        """The candidate says it: not denied, dismissed or withdrawn (a negation inside the
        matched words, "no human in the loop", is part of what is said). ``strict``: said
        outright, not as a contrast, a qualification ("not what drives churn") or a condition
        ("worth trying only if it clearly helps")."""
        status = self.claims.status(span.sentence, span.positions)
        if strict:
            return status == "asserted" and not self.claims.hypothetical(span.sentence, span.positions)
        return status in ("asserted", "qualified")

    def denied(self, span: Span) -> bool:
        """The candidate rejects it: negated, dismissed or called worthless."""
        status = self.claims.status(span.sentence, span.positions, reversals=False)
        return status in ("negated", "dismissed", "worthless")

    def hits(self, terms: TermSet) -> dict[int, list[Span]]:
        """Where the list matches, by sentence (Sentence.index); found once per answer."""
        if self.bank is not None and terms.bank_id is not None and terms.bank_id < len(self.bank.sets):
            all_hits = self._cache.get("bank")
            if all_hits is None:
                all_hits = self._cache["bank"] = self.bank.hits(self.analysis.sentences)
            if terms.bank_id < len(all_hits):
                return all_hits[terms.bank_id]
        key = ("hits", id(terms))
        found = self._cache.get(key)
        if found is None:
            found = {}
            for sentence in self.analysis.sentences_with(terms.anchors):
                spans = list(terms.spans(sentence))
                if spans:
                    found[sentence.index] = spans
            self._cache[key] = found
        return found

    def sentences_hit(self, terms: TermSet) -> list[Sentence]:
        """The sentences where the list matches, in order."""
        hits = self.hits(terms)
        return [s for s in self.analysis.sentences if s.index in hits] if hits else []

    def _spans_in(self, terms: TermSet, sentence: Sentence) -> list[Span]:
        return self.hits(terms).get(sentence.index, [])

    def denied_spans(self, terms: TermSet, sentence: Sentence) -> Iterator[Span]:
        return (s for s in self._spans_in(terms, sentence) if self.denied(s))

    def spans(self, terms: TermSet, sentence: Sentence, *, strict: bool = False) -> Iterator[Span]:
        return (s for s in self._spans_in(terms, sentence) if self.asserted(s, strict=strict))

    def stated(self, terms: TermSet, sentence: Sentence) -> Iterator[Span]:
        """What shows a mistake: said outright."""
        return self.spans(terms, sentence, strict=True)

    def asserted_in(self, terms: TermSet, sentence: Sentence) -> bool:
        return next(self.spans(terms, sentence), None) is not None

    def mentioned_in(self, terms: TermSet, sentence: Sentence) -> bool:
        """Said in any way at all (a doubt counts even when negated: "I wouldn't trust it")."""
        return bool(self._spans_in(terms, sentence))

    def asserted_anywhere(self, terms: TermSet) -> bool:
        key = ("anywhere", id(terms))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = any(self.asserted_in(terms, s) for s in self.sentences_hit(terms))
        return hit

    def remedied(
        self,
        remedies: TermSet,
        trigger: Span | None = None,
        contrast: TermSet | None = None,
        *,
        after: Sentence | None = None,
    ) -> bool:
        """A remedy asserted anywhere but inside the trigger itself ("drop the rows with
        missing values" names missing values to mistreat them) or a recited definition
        ("Selection bias is when the sample isn't representative"). ``after``: only a remedy
        in that sentence or a later one counts (a detector's ``remedy_after_only``)."""
        key = ("remedied", id(remedies))
        where = self._cache.get(key)
        if where is None:
            where = self._cache[key] = [
                (s.index, span.start, span.end)
                for s in self.sentences_hit(remedies)
                if not self.claims.defines(s)
                for span in self.spans(remedies, s)
            ]
        if after is not None:
            where = [w for w in where if w[0] >= after.index]
        if trigger is None:
            return bool(where)
        t = trigger
        # In the trigger's own sentence a remedy counts only as a contrast to it, when
        # ``contrast`` words are given ("a stacked ensemble of LightGBM and a neural net"
        # names the simple model as part of the heavy plan; "LightGBM first, a neural net
        # only if it falls short" does not).
        here_ok = contrast is None or contrast.in_sentence(t.sentence)
        return any(
            (i != t.sentence.index or here_ok) and (i != t.sentence.index or end <= t.start or start >= t.end)
            for i, start, end in where
        )

    def number_near(self, span: Span, reach: int = 5) -> bool:
        """A figure within ``reach`` words of the span ("an AUC of 0.91")."""
        tokens = span.sentence.tokens
        lo, hi = max(0, span.start - reach), min(len(tokens), span.end + reach)
        return any(_is_number(tokens[i].text) for i in range(lo, hi))

    def has_number(self, sentence: Sentence) -> bool:
        return any(_is_number(t.text) for t in sentence.tokens)

    def story_checks(self) -> dict[str, Sentence | None]:
        """The behavioral checks of the story (grading/behavioral.py), computed once."""
        hit = self._cache.get("story")
        if hit is None:
            hit = self._cache["story"] = found_checks(self.analysis)
        return hit

    def first_person(self, sentence: Sentence) -> bool:
        words = self.claims.rules.first_person
        return any(t.text in words for t in sentence.tokens)

    def plan(self, span: Span, reach: int = 5) -> bool:
        """The span is the candidate's own plan or report: a first-person subject shortly
        before it ("I'd deploy", "we then shipped") or an instruction opening the sentence
        ("Train a classifier on ...")."""
        if span.start == 0:
            return True
        words = self.claims.rules.first_person
        tokens = span.sentence.tokens
        return any(tokens[i].text in words for i in range(max(0, span.start - reach), span.start))


def _is_number(word: str) -> bool:
    return word[:1].isdigit()


class Detector:
    """A detector kind at work: built from its settings (``spec``, see domain/detectors.py)
    with the word lists resolved; ``find`` returns the sentence that shows the mistake."""

    def __init__(self, spec: Any, resolve: ListResolver) -> None:
        self.spec = spec
        self.prone_only = spec.prone_only
        self.secondary = spec.secondary
        self._lists = {name: resolve(ref, name) for name, ref in spec.list_settings().items()}

    def resolved(self, name: str) -> TermSet | None:
        return self._lists.get(name)

    def find(self, ctx: Context) -> Sentence | None:  # pragma: no cover - abstract
        raise NotImplementedError
