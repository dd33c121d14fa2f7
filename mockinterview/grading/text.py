"""Text analysis for the heuristic grader: tokens with character spans, sentences,
clauses, light stemming, stop words, negation scope and hedging.

Every token keeps its span in the ORIGINAL answer, so any evidence the grader quotes is
cut from the answer itself (a verbatim substring), never from a normalised copy.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import NamedTuple, TypeVar

from mockinterview.grading.normalise import Normalised

_R = TypeVar("_R")


def short_text_cache(maxsize: int, max_len: int) -> Callable[[Callable[[str], _R]], Callable[[str], _R]]:
    """An LRU cache for a one-string function that only keeps short keys: rubric phrases,
    words and questions repeat and are worth caching; a 100 kB reference answer in a
    batch row is not, and caching it would keep every row's text alive."""

    def decorate(fn: Callable[[str], _R]) -> Callable[[str], _R]:
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def wrapper(text: str) -> _R:
            return cached(text) if len(text) <= max_len else fn(text)

        wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return wrapper

    return decorate


# Words, numbers with decimals ("0.99"), "a/b", contractions ("don't"), "f1", "ndcg".
# Clause punctuation is matched too (group 2) so the tokenizer can count clauses in one pass.
# A dash between spaces (or an en/em dash) also ends a clause: "X - Y" are two statements.
_TOKEN_OR_BREAK_RE = re.compile(
    r"([A-Za-z0-9]+(?:['\u2019./][A-Za-z0-9]+)*)|([,;:()\u2013\u2014]|(?<=\s)-+(?=\s))"
)
# Sentence ends: . ! ? followed by space, or a line break; a bullet or number after it is skipped.
_SENTENCE_END_RE = re.compile(r"(?:(?<=[.!?])[\"')\]]*\s+|\n\s*)(?:[-*•]\s+|\d+[.)]\s+)?")
# Clause boundaries inside a sentence: punctuation and contrastive conjunctions.
_CLAUSE_WORDS = frozenset({"but", "however", "although", "though", "whereas", "yet", "instead"})

_STOP_WORDS_TEXT = """
a about above after again against all also although am an and any are as at be because been before
being below between both but by can could d did do does doing down during e e.g each eg etc few for
from further g get got had has have having he her here hers herself him himself his how however i
i.e ie if in instead into is it its itself just let like ll m made make many me more most much my
myself o of off on once one only or other our ours ourselves out over own re really s same she
should so some such t than that the their theirs them themselves then there these they thing things
this those though through to too under until up use used using ve very was way we well were what
when where whereas which while who whom why will with would yet you your yours yourself yourselves
i'd i'll i'm i've we'd we'll we're we've you'd you're it's that's there's let's they're they've he's she's
means happens happen occurs occur refers
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_NEGATIONS_TEXT = """
aren't arent can't cannot cant couldn't couldnt didn't didnt doesn't doesnt don't dont hadn't hadnt
hasn't hasnt haven't havent isn't isnt lack lacking lacks mustn't n't neither never no nobody none
nor not nothing shouldn't shouldnt wasn't wasnt weren't werent without won't wont wouldn't wouldnt
"""
NEGATIONS = frozenset(_NEGATIONS_TEXT.split())
# Words that put a statement at a distance: conditional, speculative, or describing a
# mistake rather than making it ("a common trap is to say X causes Y").
_HEDGES_TEXT = """
assuming avoid avoiding beware careful caution fallacy if may maybe might misleading mistake
mistaken naive naively perhaps pitfall possibly risk suppose supposing tempted tempting trap unless
whether wrong wrongly
"""
HEDGES = frozenset(_HEDGES_TEXT.split())
NEGATION_WINDOW = 6  # tokens a negation reaches forward, within its clause

# A few spellings and abbreviations folded together before stemming.
_SYNONYMS = {
    "ab": "a/b",
    "randomised": "randomized",
    "modelling": "modeling",
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "optimise": "optimize",
    "optimisation": "optimization",
    "analyse": "analyze",
    "colour": "color",
    "labelled": "labeled",
    "labelling": "labeling",
}


# Near-synonyms a candidate uses in place of the rubric's word, folded to one stem after
# stemming (both the rubric's phrases and the answer go through here, so they meet).
# Only words whose senses coincide in interview answers about data science: "share"
# (also "to share"), "target" (the label) or "log" (the logarithm) are not folded.
_SYNONYM_GROUPS = (
    "collected gathered recorded",
    "rate proportion percentage fraction ratio",
    "customers clients",
    "cost expense",
    "maintain maintenance upkeep",
    "decide decision",
    "limitation limit caveat weakness shortcoming",
    "uncertainty uncertain unsure",
    "independent independence autonomy autonomous",
    "example instance",
    "large big huge massive",
    "quick fast rapid",
    "prototype draft mvp",
    "hypothesis hypotheses assumption",
    "reliable trustworthy",
    "measure quantify",
    "goal objective aim",
    "churn cancel cancellation attrition quit",
    "find found catch catches caught identify",
)
_FOLD: dict[str, str] = {}


def _undouble(word: str) -> str:
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    if len(word) > 4 and word.endswith("ll"):
        return word[:-1]
    return word


_STEP2 = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("isation", "ize"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ousness", "ous"),
    ("ality", "al"),
    ("ivity", "ive"),
    ("bility", "ble"),
)
_STEP3 = ("ion", "ment", "ness", "er")


def _has_vowel(word: str) -> bool:
    return any(ch in "aeiouy" for ch in word)


@short_text_cache(maxsize=65536, max_len=40)
def stem(word: str) -> str:
    """The word's stem, with near-synonyms folded together (see _SYNONYM_GROUPS)."""
    s = _light_stem(word)
    return _FOLD.get(s, s)


def _light_stem(word: str) -> str:
    """A light, deterministic suffix stripper (a small subset of Porter's rules).

    It only needs to fold the common inflections together ("monitored", "monitoring",
    "monitors" -> "monitor"; "validation", "validate" -> "validat"), and to do so the same
    way for the rubric's phrases and the candidate's answer.
    """
    w = word.lower().replace("’", "'")
    w = _SYNONYMS.get(w, w)
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or not w.isalpha():
        return w
    # Step 1: plurals, then -ing / -ed / -ly inflections.
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly"):
        base = w[: -len(suffix)]
        if w.endswith(suffix) and len(base) >= 3 and _has_vowel(base):
            w = base if suffix == "ly" else _undouble(base)
            if suffix != "ly" and w.endswith("is") and len(w) > 5:
                w = w[:-2] + "iz"  # "prioritising" meets "prioritizing" and "prioritise"
            break
    # Step 2 and 3: derivational endings.
    for suffix, repl in _STEP2:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    for suffix in _STEP3:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if w.endswith("ise") and len(w) > 5:
        w = w[:-3] + "ize"
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("y") and len(w) > 4:
        w = w[:-1] + "i"
    return w


def _fold_map() -> dict[str, str]:
    folded: dict[str, str] = {}
    for group in _SYNONYM_GROUPS:
        first, *rest = (_light_stem(w) for w in group.split())
        for other in rest:
            if other != first:
                folded[other] = first
    return folded


_FOLD.update(_fold_map())


class Token(NamedTuple):
    # A tuple, not a dataclass: answers are tokenized thousands of times a second.
    text: str  # lower-cased surface form
    stem: str
    start: int
    end: int
    content: bool  # not a stop word and not a negation
    negation: bool
    hedge: bool
    clause: int  # clause index within the sentence


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    tokens: list[Token]
    stems: frozenset[str] = field(default_factory=frozenset)
    hedged: bool = False
    # Index of tokens that fall within a negation's scope.
    negated: frozenset[int] = field(default_factory=frozenset)
    # Every stem, function words included (a quick test for word-sequence phrases).
    all_stems: frozenset[str] = field(default_factory=frozenset)
    index: int = 0  # position among the answer's sentences
    first: int = 0  # index of its first token in Analysis.tokens
    # Token positions by stem and by word, built on first use (word lists look up the few
    # words they start with instead of scanning every token).
    _by_stem: dict[str, list[int]] | None = None
    _by_text: dict[str, list[int]] | None = None

    def positions_by_stem(self) -> dict[str, list[int]]:
        if self._by_stem is None:
            by_stem: dict[str, list[int]] = {}
            by_text: dict[str, list[int]] = {}
            for i, t in enumerate(self.tokens):
                by_stem.setdefault(t.stem, []).append(i)
                by_text.setdefault(t.text, []).append(i)
            self._by_stem, self._by_text = by_stem, by_text
        return self._by_stem

    def positions_by_text(self) -> dict[str, list[int]]:
        self.positions_by_stem()
        return self._by_text  # type: ignore[return-value]


@dataclass(slots=True)
class Analysis:
    """One answer, analysed once and shared by every check."""

    text: str
    sentences: list[Sentence]
    tokens: list[Token]
    stems: frozenset[str]
    content_stems: list[str]  # in order, with repeats
    # Lower-cased copy with the same length (offsets stay valid) and straight apostrophes:
    # the grader's regexes run on it without IGNORECASE, which is several times faster.
    lowered: str = ""
    # When ``text`` is a normalised view of the answer (grading/normalise.py), the view with
    # its map back: quotes are cut from the answer as typed. None: ``text`` is the answer.
    source: Normalised | None = None
    _sentences_by_word: dict[str, list[int]] | None = None

    def sentences_with(self, words: frozenset[str]) -> list[Sentence]:
        """The sentences holding any of ``words`` (stems, or words written "=word"), in
        order: an index built once per answer, so a word list costs what it finds, not
        the answer's length."""
        index = self._sentences_by_word
        if index is None:
            index = {}
            for k, s in enumerate(self.sentences):
                for st in s.all_stems:
                    index.setdefault(st, []).append(k)
                for t in s.tokens:
                    where = index.setdefault("=" + t.text, [])
                    if not where or where[-1] != k:
                        where.append(k)
            self._sentences_by_word = index
        present = words & index.keys()
        if not present:
            return []
        if len(present) == 1:
            return [self.sentences[k] for k in index[next(iter(present))]]
        return [self.sentences[k] for k in sorted({k for w in present for k in index[w]})]

    def sentences_matching(self, pattern: re.Pattern[str]) -> Iterator[Sentence]:
        """Sentences holding a match of ``pattern`` (run on ``lowered``), in order, each once.

        One scan of the whole text instead of one search per sentence."""
        starts = [s.start for s in self.sentences]
        last = -1
        for m in pattern.finditer(self.lowered):
            k = bisect_right(starts, m.start()) - 1
            if k > last and k >= 0 and m.start() < self.sentences[k].end:
                last = k
                yield self.sentences[k]

    def subset(self, kept: list[Sentence]) -> Analysis:
        """The same answer seen through some of its sentences (offsets unchanged)."""
        if len(kept) == len(self.sentences):
            return self
        tokens = [t for s in kept for t in s.tokens]
        content = [t.stem for t in tokens if t.content]
        return Analysis(
            text=self.text,
            sentences=kept,
            tokens=tokens,
            stems=frozenset(content),
            content_stems=content,
            lowered=self.lowered,
            source=self.source,
        )

    def quote(self, start: int, end: int, limit: int = 220) -> str:
        """A verbatim quote of ``text[start:end]``, trimmed to ``limit`` characters on token
        bounds: cut from the answer as typed, also when ``text`` is a normalised view."""
        start, end = _trim_span(self.text, start, end)
        if end - start > limit:
            end = start + limit
            cut = self.text.rfind(" ", start, end)
            if cut > start + limit // 2:
                end = cut
            start, end = _trim_span(self.text, start, end)
        if self.source is not None and not self.source.identity:
            a, b = self.source.source_span(start, end)
            return self.source.source[a:b]
        return self.text[start:end]


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _word_info(word: str) -> tuple[str, str, bool, bool, bool, bool]:
    """(normalised text, stem, content, negation, hedge, clause word) of a lower-cased word."""
    word = word.replace("\u2019", "'")
    neg = word in NEGATIONS or word.endswith("n't")
    s = stem(word)
    content = not neg and word not in STOP_WORDS and s not in STOP_WORDS
    return word, s, content, neg, word in HEDGES, word in _CLAUSE_WORDS


# The facts of each word seen, by lower-cased word (short words only; cleared when full so
# memory stays bounded). A plain dict: this lookup runs once per token.
_WORD_CACHE: dict[str, tuple[str, str, bool, bool, bool, bool]] = {}
_WORD_CACHE_LIMIT = 100_000
_MAX_CACHED_WORD = 40


# Token's own __new__ is a Python function; tuple.__new__ builds the same tuple in C.
_new_token = tuple.__new__


def tokenize(text: str, offset: int = 0) -> list[Token]:
    # Lower-case once; the per-word facts are cached, so a token costs one dict lookup.
    lowered = text.lower()
    if len(lowered) != len(text):  # a few Unicode letters change length when lower-cased
        lowered = ""
    tokens: list[Token] = []
    append = tokens.append
    cache = _WORD_CACHE
    clause = 0
    for m in _TOKEN_OR_BREAK_RE.finditer(lowered or text):
        word = m[1]
        if word is None:  # clause punctuation
            clause += 1
            continue
        if not lowered:
            word = word.lower()
        info = cache.get(word)
        if info is None:
            info = _word_info(word)
            if len(word) <= _MAX_CACHED_WORD:
                if len(cache) >= _WORD_CACHE_LIMIT:
                    cache.clear()
                cache[word] = info
        norm, s, content, neg, hedge, clause_word = info
        if clause_word:
            clause += 1
        start, end = m.span()  # (a word is the whole match)
        append(_new_token(Token, (norm, s, start + offset, end + offset, content, neg, hedge, clause)))
    return tokens


def _negated_positions(tokens: list[Token]) -> frozenset[int]:
    out: set[int] = set()
    for i, tok in enumerate(tokens):
        if not tok.negation:
            continue
        for j in range(i + 1, min(len(tokens), i + 1 + NEGATION_WINDOW)):
            if tokens[j].clause != tok.clause:
                break
            out.add(j)
    return frozenset(out)


MIN_LINE_WORDS = 2  # a line of fewer words (one), not closed by . ! ?, joins the line after it


# A full stop after one of these, with the text going on in lower case ("e.g. a rolling
# origin"), ends no sentence: a quote cut there reads "... time-ordered folds, e.g."
_ABBREVIATION_END_RE = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|esp|resp|al)\.)\Z", re.IGNORECASE)


def _abbreviation_before(text: str, m: re.Match[str]) -> bool:
    """The break ``m`` follows an abbreviation and the sentence goes on in lower case."""
    if text[m.start() - 1 : m.start()] != "." or "\n" in m.group():
        return False
    following = text[m.end() : m.end() + 1]
    return (
        bool(following)
        and (following.islower() or following.isdigit())
        and bool(_ABBREVIATION_END_RE.search(text[max(0, m.start() - 8) : m.start()]))
    )


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END_RE.finditer(text):
        if _abbreviation_before(text, m):
            continue
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    spans = [(s, e) for s, e in spans if text[s:e].strip()]
    # A heading or a fragment on a line of its own ("Approach:", a single word per line) is
    # read with what follows it, not as a sentence of its own.
    out: list[tuple[int, int]] = []
    carry: int | None = None
    for k, (s, e) in enumerate(spans):
        start = s if carry is None else carry
        fragment = (
            k + 1 < len(spans)
            and text[e - 1] not in ".!?"
            and len(text[s:e].split(None, MIN_LINE_WORDS)) < MIN_LINE_WORDS
        )
        if fragment:
            carry = start
            continue
        out.append((start, e))
        carry = None
    return out


# The longest run of tokens read as one sentence. Every check that works per sentence may
# cost time proportional to the sentence for each match inside it; a bounded sentence keeps
# that linear in the answer (an unpunctuated 20 kB answer is read as ~100-token windows).
# Real sentences stay whole: the longest in the labelled sets and Mohler is 119 tokens.
MAX_SENTENCE_TOKENS = 120


def _windows(toks: list[Token]) -> Iterator[list[Token]]:
    """``toks`` in pieces of at most MAX_SENTENCE_TOKENS, cut at a clause boundary in the
    second half of a piece when there is one."""
    while len(toks) > MAX_SENTENCE_TOKENS:
        cut = MAX_SENTENCE_TOKENS
        for k in range(MAX_SENTENCE_TOKENS - 1, MAX_SENTENCE_TOKENS // 2, -1):
            if toks[k].clause != toks[k - 1].clause:
                cut = k
                break
        yield toks[:cut]
        toks = toks[cut:]
    yield toks


def analyze(text: str | Normalised) -> Analysis:
    """The analysis of an answer, or of its normalised view (offsets are the view's; quotes
    map back to the answer)."""
    source = text if isinstance(text, Normalised) else None
    if source is not None:
        text = source.text
    all_tokens = tokenize(text)
    starts = [t.start for t in all_tokens]
    sentences: list[Sentence] = []
    i = 0
    for start, end in split_sentences(text):
        j = bisect_left(starts, end, i)
        whole = all_tokens[i:j]
        first, i = i, j
        if not whole:
            continue
        for toks in _windows(whole) if len(whole) > MAX_SENTENCE_TOKENS else (whole,):
            sentences.append(
                Sentence(
                    start=start if toks[0] is whole[0] else toks[0].start,
                    end=end if toks[-1] is whole[-1] else toks[-1].end,
                    tokens=toks,
                    stems=frozenset([t.stem for t in toks if t.content]),
                    hedged=any([t.hedge for t in toks]),
                    negated=_negated_positions(toks) if any([t.negation for t in toks]) else frozenset(),
                    all_stems=frozenset([t.stem for t in toks]),
                    index=len(sentences),
                    first=first,
                )
            )
            first += len(toks)
    content = [t.stem for t in all_tokens if t.content]
    return Analysis(
        text=text,
        sentences=sentences,
        tokens=all_tokens,
        stems=frozenset(content),
        content_stems=content,
        lowered=lower_same_length(text),
        source=source if source is not None and not source.identity else None,
    )


def lower_same_length(text: str) -> str:
    """``text.lower()`` with straight apostrophes, keeping every character's offset."""
    lowered = text.lower()
    if len(lowered) != len(text):  # e.g. "İ" lower-cases to two characters: keep those as they are
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.replace("\u2019", "'")


@short_text_cache(maxsize=4096, max_len=2000)
def content_stems(text: str) -> tuple[str, ...]:
    """Stems of the content words of a text, in order (cached: rubric texts and batch
    questions repeat)."""
    return tuple(t.stem for t in tokenize(text) if t.content)
