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
from typing import NamedTuple

from mockinterview.grading.text import Sentence, Token, stem, tokenize

GAP = 4  # words an entry's "..." may skip
_GAP_MARK = "\0gap"


class Span(NamedTuple):
    # A tuple, not a frozen dataclass: an answer yields dozens, built in the hot loop.
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
    """A compiled word list.

    Each entry is filed under its anchor, its longest word (the rarest, as a rule): a
    sentence is tried only for entries whose anchor and other words it contains, at the
    positions of their first word."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = tuple(entries)
        self._by_anchor: dict[str, list[tuple[tuple[str, ...], frozenset[str], frozenset[str]]]] = {}
        for entry in self.entries:
            seq = _compile(entry)
            if not seq:
                continue
            words = [part for part in seq if part != _GAP_MARK]
            stems = frozenset(w for w in words if not w.startswith(_EXACT))
            texts = frozenset(w[1:] for w in words if w.startswith(_EXACT))
            anchor = max(words, key=lambda w: (len(w.lstrip(_EXACT)), w))
            self._by_anchor.setdefault(anchor, []).append((seq, stems, texts))
        self._stem_anchors = frozenset(k for k in self._by_anchor if not k.startswith(_EXACT))
        self._text_anchors = frozenset(k[1:] for k in self._by_anchor if k.startswith(_EXACT))
        # What Analysis.sentences_with looks up: the anchors, exact ones as "=word".
        self.anchors = frozenset(self._by_anchor)
        self.bank_id: int | None = None  # set when a TermBank matches this list with others

    def __bool__(self) -> bool:
        return bool(self._by_anchor)

    def _viable(self, sentence: Sentence) -> list[tuple[str, ...]]:
        """Entries whose words all occur in the sentence."""
        keys = list(sentence.all_stems & self._stem_anchors)
        if self._text_anchors:
            texts = sentence.positions_by_text()
            keys += [_EXACT + t for t in self._text_anchors if t in texts]
        if not keys:
            return []
        stems = sentence.all_stems
        texts = sentence.positions_by_text() if any(k.startswith(_EXACT) for k in keys) or self._text_anchors else {}
        return [
            seq
            for key in keys
            for seq, needed, exact in self._by_anchor[key]
            if needed <= stems and all(t in texts for t in exact)
        ]

    def spans(self, sentence: Sentence) -> Iterator[Span]:
        """Every place an entry matches in the sentence (the longest at each start), in order."""
        viable = self._viable(sentence)
        if not viable:
            return
        by_start: dict[int, list[tuple[str, ...]]] = {}
        by_stem = sentence.positions_by_stem()
        by_text = sentence.positions_by_text()
        for seq in viable:
            first = seq[0]
            places = by_text.get(first[1:], ()) if first.startswith(_EXACT) else by_stem.get(first, ())
            for i in places:
                by_start.setdefault(i, []).append(seq)
        tokens = sentence.tokens
        for i in sorted(by_start):
            ends = [end for seq in by_start[i] if (end := _match_seq(tokens, i, seq))]
            if ends:
                yield Span(sentence, i, max(ends))

    def in_sentence(self, sentence: Sentence) -> bool:
        return next(self.spans(sentence), None) is not None


class TermBank:
    """Many word lists matched together: one pass over an answer finds every list's spans
    (the pack's detectors use some thirty lists, most of them absent from any one answer)."""

    def __init__(self) -> None:
        self.sets: list[TermSet] = []
        self._index: dict[str, list[tuple[int, tuple[str, ...], frozenset[str], frozenset[str]]]] = {}
        self._grouped: dict[str, _AnchorGroup] | None = None  # built from _index on first use
        self._stem_keys: frozenset[str] = frozenset()
        self._text_keys: frozenset[str] = frozenset()
        self._exact_stems: frozenset[str] = frozenset()

    def add(self, terms: TermSet) -> TermSet:
        if terms.bank_id is None:
            terms.bank_id = len(self.sets)
            self.sets.append(terms)
            for anchor, items in terms._by_anchor.items():
                self._index.setdefault(anchor, []).extend((terms.bank_id, *item) for item in items)
            self._stem_keys = frozenset(k for k in self._index if not k.startswith(_EXACT))
            self._text_keys = frozenset(k[1:] for k in self._index if k.startswith(_EXACT))
            self._grouped = None
        return terms

    def _groups(self) -> dict[str, _AnchorGroup]:
        """The index with each distinct entry once, and the lists holding it: an entry many
        lists share ("random split") is checked and matched once per sentence, not once
        per list."""
        if self._grouped is None:
            grouped: dict[str, _AnchorGroup] = {}
            exact_words: set[str] = set()
            for anchor, items in self._index.items():
                singles: list[int] = []
                multis: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str], list[int]]] = {}
                for bank_id, seq, needed, exact in items:
                    exact_words |= exact
                    if len(seq) == 1:
                        singles.append(bank_id)
                    else:
                        multis.setdefault(seq, (needed, exact, []))[2].append(bank_id)
                grouped[anchor] = _AnchorGroup(
                    tuple(dict.fromkeys(singles)),
                    tuple(
                        (seq, needed, exact, tuple(dict.fromkeys(ids)))
                        for seq, (needed, exact, ids) in multis.items()
                    ),
                )
            self._grouped = grouped
            # A token's stem is its text's stem: a sentence without these stems holds no exact word.
            self._exact_stems = frozenset(stem(w) for w in exact_words)
        return self._grouped

    def hits(self, sentences: list[Sentence]) -> list[dict[int, list[Span]]]:
        """For every list, its spans by sentence (Sentence.index), in one pass: at each place
        an entry of the list starts, the longest of its entries that match there."""
        found: list[dict[int, list[Span]]] = [{} for _ in self.sets]
        groups = self._groups()
        stem_keys, text_keys, exact_stems = self._stem_keys, self._text_keys, self._exact_stems
        for sentence in sentences:
            stems = sentence.all_stems
            keys = stems & stem_keys
            tokens = sentence.tokens
            # Entries with an exact word match only where that word is written; a sentence
            # without its stem cannot hold it (and needs no set of its words).
            texts: frozenset[str] = frozenset()
            exact_keys: list[str] = []
            if text_keys and not stems.isdisjoint(exact_stems):
                texts = frozenset([t.text for t in tokens])
                exact_keys = [_EXACT + t for t in text_keys & texts]
            if not keys and not exact_keys:
                continue
            singles: list[tuple[str, tuple[int, ...]]] = []  # one-word entries: their anchor is their word
            multis: list[tuple[tuple[str, ...], tuple[int, ...]]] = []
            for key in (*keys, *exact_keys):
                group = groups[key]
                if group.singles:
                    singles.append((key, group.singles))
                for seq, needed, exact, owners in group.multis:
                    if needed <= stems and (not exact or exact <= texts):
                        multis.append((seq, owners))
            if not singles and not multis:
                continue
            places = _places(tokens, {key for key, _ in singles} | {seq[0] for seq, _ in multis})
            ends: dict[tuple[int, int], int] = {}  # (list, start) -> end of its longest match
            for key, owners in singles:
                for i in places.get(key, ()):
                    for bank_id in owners:
                        ends.setdefault((bank_id, i), i + 1)  # (a longer match may follow)
            for seq, owners in multis:
                for i in places.get(seq[0], ()):
                    end = _match_seq(tokens, i, seq)
                    if end:
                        for bank_id in owners:
                            if ends.get((bank_id, i), 0) < end:
                                ends[bank_id, i] = end
            index = sentence.index
            for bank_id, i in sorted(ends):
                found[bank_id].setdefault(index, []).append(Span(sentence, i, ends[bank_id, i]))
        return found


class _AnchorGroup(NamedTuple):
    singles: tuple[int, ...]  # the lists holding the one-word entry that is the anchor itself
    multis: tuple[tuple[tuple[str, ...], frozenset[str], frozenset[str], tuple[int, ...]], ...]


def _places(tokens: list[Token], wanted: set[str]) -> dict[str, list[int]]:
    """Token positions of the wanted stems and exact words ("=word")."""
    places: dict[str, list[int]] = {}
    exact = any(w.startswith(_EXACT) for w in wanted)
    for i, t in enumerate(tokens):
        if t.stem in wanted:
            places.setdefault(t.stem, []).append(i)
        if exact and _EXACT + t.text in wanted:
            places.setdefault(_EXACT + t.text, []).append(i)
    return places


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
