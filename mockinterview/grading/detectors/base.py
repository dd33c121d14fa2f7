"""What every detector kind shares: the answer read as claims, and the pack's word lists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from mockinterview.domain.detectors import ListRef
from mockinterview.grading.claims import ClaimReading
from mockinterview.grading.terms import Span, TermSet
from mockinterview.grading.text import Analysis, Sentence


class ListResolver:
    """Resolves list settings against the pack's lexicon (compiled once per list)."""

    def __init__(self, lists: dict[str, list[str]]) -> None:
        self._lists = lists
        self._compiled: dict[str, TermSet] = {}

    def __call__(self, ref: ListRef | None, setting: str) -> TermSet | None:
        if ref is None:
            return None
        if isinstance(ref, list):
            return TermSet(ref)
        # (A pack checks on load that every list it names exists.)
        if ref not in self._compiled:
            self._compiled[ref] = TermSet(self._lists[ref])
        return self._compiled[ref]


@dataclass
class Context:
    """One answer, as the detectors see it."""

    analysis: Analysis  # the sentences the candidate stands by (not withdrawn, not doubted)
    claims: ClaimReading
    prone: bool  # the question lists this mistake as one it is prone to
    story: bool = False  # the question asks for a story (behavioral)
    question_text: str = ""
    _cache: dict[Any, Any] = field(default_factory=dict)

    def for_question(self, *, prone: bool) -> Context:
        return replace(self, prone=prone, _cache=self._cache)

    def asserted(self, span: Span, *, strict: bool = False) -> bool:
        """The candidate says it: not denied, dismissed or withdrawn (a negation inside the
        matched words, "no human in the loop", is part of what is said). ``strict``: said
        outright, not as a contrast or qualification ("not what drives churn")."""
        status = self.claims.status(span.sentence, span.positions)
        return status == "asserted" or (status == "qualified" and not strict)

    def denied(self, span: Span) -> bool:
        """The candidate rejects it: negated, dismissed or called worthless."""
        status = self.claims.status(span.sentence, span.positions, reversals=False)
        return status in ("negated", "dismissed", "worthless")

    def denied_spans(self, terms: TermSet, sentence: Sentence) -> Iterator[Span]:
        return (s for s in terms.spans(sentence) if self.denied(s))

    def spans(self, terms: TermSet, sentence: Sentence, *, strict: bool = False) -> Iterator[Span]:
        return (s for s in terms.spans(sentence) if self.asserted(s, strict=strict))

    def stated(self, terms: TermSet, sentence: Sentence) -> Iterator[Span]:
        """What shows a mistake: said outright."""
        return self.spans(terms, sentence, strict=True)

    def asserted_in(self, terms: TermSet, sentence: Sentence) -> bool:
        return next(self.spans(terms, sentence), None) is not None

    def mentioned_in(self, terms: TermSet, sentence: Sentence) -> bool:
        """Said in any way at all (a doubt counts even when negated: "I wouldn't trust it")."""
        return terms.in_sentence(sentence)

    def asserted_anywhere(self, terms: TermSet) -> bool:
        key = ("anywhere", id(terms))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = any(self.asserted_in(terms, s) for s in self.analysis.sentences)
        return hit

    def remedied(
        self, remedies: TermSet, trigger: Span | None = None, contrast: TermSet | None = None
    ) -> bool:
        """A remedy asserted anywhere but inside the trigger itself ("drop the rows with
        missing values" names missing values to mistreat them) or a recited definition
        ("Selection bias is when the sample isn't representative")."""
        key = ("remedied", id(remedies))
        where = self._cache.get(key)
        if where is None:
            where = self._cache[key] = [
                (s.index, span.start, span.end)
                for s in self.analysis.sentences
                if not self.claims.defines(s)
                for span in self.spans(remedies, s)
            ]
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
            from mockinterview.grading.behavioral import found_checks

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
        self._lists = {name: resolve(ref, name) for name, ref in spec.list_settings().items()}

    def resolved(self, name: str) -> TermSet | None:
        return self._lists.get(name)

    def find(self, ctx: Context) -> Sentence | None:  # pragma: no cover - abstract
        raise NotImplementedError
