"""Normalised views of an answer, and the way back to the answer itself.

The grader reads a normalised copy of the answer: NFKC (fullwidth and mathematical letters,
ligatures, compatibility digits), invisible characters removed (zero-width spaces and
joiners, bidi controls, variation selectors, BOMs...), and letters of other scripts that look
like Latin ones folded to Latin inside words that are otherwise Latin or made only of such
letters ("ѕуѕtеm" reads "system"; a Russian word with letters of its own keeps them). So
"ｉｇｎｏｒｅ", "ig\u200bnore" and "іgnоrе" all read "ignore". The hostile checks also drop
accents and lower-case (``detection_view``).

Every character of a view remembers the span of the answer it came from, so anything quoted
as evidence is cut from what the candidate typed (``Normalised.source_span``). Plain ASCII is
its own normalised form: no copy, no map.

Linear: each character is normalised with at most ``MAX_CLUSTER - 1`` combining marks after
it (NFKC reorders a run of marks in quadratic time), and a view can be capped (``limit``):
NFKC expands some characters eighteenfold.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from mockinterview.domain.lexicon import HostileLexicon
from mockinterview.packs.loader import load_common

MAX_CLUSTER = 16  # a base character and at most 15 combining marks are normalised together
# NFKC turns some characters into many ("\ufdfa" into 18); a character that would grow beyond
# this is kept as it is ("ﬃ" -> "ffi" and "…" -> "..." still expand). A view is then at most
# this many times as long as the answer.
MAX_EXPANSION = 4

_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
_WORD_RE = re.compile(r"[^\W\d_]+")
_TAG_CHARS = range(0xE0020, 0xE007F)  # "ASCII smuggling": invisible copies of ASCII


@dataclass(frozen=True, slots=True)
class Normalised:
    """``text``, normalised from ``source``; ``starts[i]:ends[i]`` is the span of ``source``
    that ``text[i]`` came from (no map: the same offsets)."""

    text: str
    source: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    @property
    def identity(self) -> bool:
        return self.starts is None

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``source`` that ``text[start:end]`` came from: a verbatim substring of
        the answer that holds everything the normalised span shows."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else len(self.source)
            return at, at
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True)
class Tables:
    """What a view folds: lookalike letters, punctuation, and characters to drop."""

    homoglyphs: Mapping[str, str]
    symbols: Mapping[str, str]
    invisible: frozenset[str]

    @property
    def fold_table(self) -> dict[int, str]:
        return _translation(tuple(sorted(self.homoglyphs.items())))


@lru_cache(maxsize=8)
def _translation(items: tuple[tuple[str, str], ...]) -> dict[int, str]:
    return {ord(k): v for k, v in items}


def _invisible(ch: str, extra: frozenset[str]) -> bool:
    return ch in extra or unicodedata.category(ch) == "Cf"


def normalise(
    text: str,
    tables: Tables,
    *,
    strip_marks: bool = False,
    lower: bool = False,
    reveal_tags: bool = False,
    limit: int | None = None,
) -> Normalised:
    """The normalised view of ``text`` (see the module docstring).

    ``strip_marks`` drops accents, ``lower`` lower-cases, ``reveal_tags`` reads Unicode tag
    characters (invisible copies of ASCII) as the ASCII they copy instead of dropping them,
    ``limit`` caps the view's length."""
    if text.isascii():
        out = text.lower() if lower else text
        if limit is not None and len(out) > limit:
            out = out[:limit]
        return Normalised(out, text)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    symbols = tables.symbols
    invisible = tables.invisible
    pos = 0
    cap = limit if limit is not None else len(text) * MAX_EXPANSION

    def emit(piece: str, a: int, b: int) -> None:
        for ch in piece:
            chars.append(symbols.get(ch, ch))
            starts.append(a)
            ends.append(b)

    for run in _NON_ASCII_RE.finditer(text):
        if len(chars) >= cap:
            break
        a, b = run.span()
        if a > pos:  # the ASCII before this run, as it is
            chars.extend(text[pos:a])
            starts.extend(range(pos, a))
            ends.extend(range(pos + 1, a + 1))
        i = a
        if a > 0 and unicodedata.combining(text[a]) and starts and starts[-1] == a - 1:
            # Marks after an ASCII letter belong with it ("e" + U+0301 is "é").
            chars.pop()
            starts.pop()
            ends.pop()
            i = a - 1
        while i < b and len(chars) < cap:
            j = i + 1
            while j < b and j - i < MAX_CLUSTER and unicodedata.combining(text[j]):
                j += 1
            ch = text[i]
            if reveal_tags and ord(ch) in _TAG_CHARS:
                emit(chr(ord(ch) - 0xE0000), i, j)
            elif not _invisible(ch, invisible):
                piece = unicodedata.normalize("NFKC", text[i:j])
                if len(piece) > MAX_EXPANSION * (j - i):
                    piece = text[i:j]
                if strip_marks:
                    piece = "".join(
                        c for c in unicodedata.normalize("NFD", piece) if not unicodedata.combining(c)
                    )
                emit(piece, i, j)
            i = j
        pos = b
    if pos < len(text) and len(chars) < cap:
        chars.extend(text[pos:])
        starts.extend(range(pos, len(text)))
        ends.extend(range(pos + 1, len(text) + 1))
    out = "".join(chars)
    out = _fold_lookalikes(out, tables)
    if lower:
        out, starts, ends = _lower(out, starts, ends)
    if len(out) > cap:
        out, starts, ends = out[:cap], starts[:cap], ends[:cap]
    return Normalised(out, text, starts, ends)


def _fold_lookalikes(text: str, tables: Tables) -> str:
    """Lookalike letters folded to Latin inside words made only of Latin letters and
    lookalikes (one character for one: offsets do not move)."""
    homoglyphs = tables.homoglyphs
    if not any(ch in homoglyphs for ch in text if not ch.isascii()):
        return text
    table = tables.fold_table
    pieces: list[str] = []
    pos = 0
    for m in _WORD_RE.finditer(text):
        word = m.group()
        if word.isascii() or not any(ch in homoglyphs for ch in word):
            continue
        if all(ch.isascii() or ch in homoglyphs for ch in word):
            pieces.append(text[pos : m.start()])
            pieces.append(word.translate(table))
            pos = m.end()
    pieces.append(text[pos:])
    return "".join(pieces)


def _lower(text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered, starts, ends
    chars: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    for ch, a, b in zip(text, starts, ends, strict=True):
        for c in ch.lower():  # "İ" lower-cases to two characters
            chars.append(c)
            new_starts.append(a)
            new_ends.append(b)
    return "".join(chars), new_starts, new_ends


# --------------------------------------------------------------------------- bundled tables


_RECHECK_S = 1.0
_LEXICON: list = []  # [(monotonic time it was last checked, lexicon)]


def hostile_lexicon():
    """``rubrics/common/hostile.toml`` validated (``HostileLexicon``): loaded once, and looked
    at again (one stat) at most once a second, not once per answer."""
    now = time.monotonic()
    if not _LEXICON or now - _LEXICON[0][0] > _RECHECK_S:
        _LEXICON[:] = [(now, load_common("hostile", HostileLexicon))]
    return _LEXICON[0][1]


def bundled_tables() -> Tables:
    """The tables of ``rubrics/common/hostile.toml`` (cached until the file changes)."""
    lex = hostile_lexicon()
    if not _TABLES or _TABLES[0][0] is not lex:
        tables = Tables(
            homoglyphs=dict(lex.homoglyphs), symbols=dict(lex.symbols), invisible=frozenset(lex.invisible)
        )
        _TABLES[:] = [(lex, tables)]
    return _TABLES[0][1]


_TABLES: list[tuple[object, Tables]] = []


def answer_view(text: str, limit: int | None = None) -> Normalised:
    """What the grader reads: NFKC, invisibles removed, lookalikes folded; case and accents kept."""
    if text.isascii():
        return Normalised(text[:limit] if limit is not None else text, text)
    tables = bundled_tables()
    plain = Tables(tables.homoglyphs, {}, tables.invisible)
    return normalise(text, plain, limit=limit)


def detection_view(text: str, limit: int | None = None) -> Normalised:
    """What the hostile checks read: the answer view, lower-cased, without accents, with
    lookalike punctuation as ASCII and Unicode tag characters read as the ASCII they hide."""
    if text.isascii():
        lowered = text.lower()
        return Normalised(lowered[:limit] if limit is not None else lowered, text)
    return normalise(text, bundled_tables(), strip_marks=True, lower=True, reveal_tags=True, limit=limit)
