"""Lexicon entries matched on an answer's words: the matching half of "knowledge as data".

An entry is a word or a phrase. Its words are stemmed like the answer's (grading/text.py),
so "monitored" meets "monitor", and must appear in order, next to each other, within one
sentence; "..." in an entry allows up to ``GAP`` other words there ("train ... on all the
data"); a word written "=word" must appear exactly, unstemmed ("=transformer" does not
match "transforms"). Matching is a scan of the sentence's tokens from the entries that start with each
token's stem: linear in the answer's length, whatever the entries are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mockinterview.grading.text import Sentence, Token, tokenize

GAP = 4  # words an entry's "..." may skip
_GAP_MARK = "\0gap"


@dataclass(frozen=True, slots=True)
class Span:
    sentence: Sentence
    start: int  # token index within the sentence
    end: int  # exclusive

    @property
    def positions(self) -> range:
        return range(self.start, self.end)


_EXACT = "="  # prefix of an exact (unstemmed) word, in compiled entries too


def _compile(entry: str) -> tuple[str, ...]:
    parts: list[str] = []
    for i, piece in enumerate(entry.split("...")):
        if i:
            parts.append(_GAP_MARK)
        for word in piece.split():
            exact = word.startswith(_EXACT)
            tokens = tokenize(word[1:] if exact else word)
            parts.extend(_EXACT + t.text if exact else t.stem for t in tokens)
    while parts and parts[0] == _GAP_MARK:
        parts.pop(0)
    while parts and parts[-1] == _GAP_MARK:
        parts.pop()
    return tuple(parts)


class TermSet:
    """A compiled word list."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = tuple(entries)
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for entry in self.entries:
            seq = _compile(entry)
            if seq:
                self._by_first.setdefault(seq[0], []).append(seq)
        for seqs in self._by_first.values():
            seqs.sort(key=len, reverse=True)
        self._stemmed_firsts = frozenset(k for k in self._by_first if not k.startswith(_EXACT))
        self._exact_firsts = frozenset(k for k in self._by_first if k.startswith(_EXACT))

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def _match_at(self, tokens: list[Token], i: int) -> int:
        """End (exclusive) of the longest entry starting at token ``i``, or 0."""
        for key in (tokens[i].stem, _EXACT + tokens[i].text):
            for seq in self._by_first.get(key, ()):
                end = _match_seq(tokens, i, seq)
                if end:
                    return end
        return 0

    def spans(self, sentence: Sentence) -> Iterator[Span]:
        """Every place an entry matches in the sentence (longest first at each start)."""
        if self._stemmed_firsts and sentence.all_stems.isdisjoint(self._stemmed_firsts) and not self._exact_firsts:
            return
        tokens = sentence.tokens
        by_first = self._by_first
        for i, t in enumerate(tokens):
            if t.stem in by_first or _EXACT + t.text in by_first:
                end = self._match_at(tokens, i)
                if end:
                    yield Span(sentence, i, end)

    def in_sentence(self, sentence: Sentence) -> bool:
        return next(self.spans(sentence), None) is not None


def _match_seq(tokens: list[Token], i: int, seq: tuple[str, ...]) -> int:
    k = i
    j = 0
    n = len(tokens)
    while j < len(seq):
        part = seq[j]
        if part == _GAP_MARK:
            want = seq[j + 1]
            for skip in range(GAP + 1):
                if k + skip < n and _is(tokens[k + skip], want):
                    k += skip
                    break
            else:
                return 0
            j += 1
            continue
        if k >= n or not _is(tokens[k], part):
            return 0
        k += 1
        j += 1
    return k


def _is(token: Token, part: str) -> bool:
    return token.text == part[1:] if part.startswith(_EXACT) else token.stem == part
