"""Claim-level reading: which statements of an answer the candidate actually makes.

Words are not claims. "I would never prioritise recall" contains the key phrase and
denies it; "scratch all of that, just maximise accuracy" withdraws everything before it;
"I'm not sure a baseline helps" doubts what it says. The grader credits a key point, a
misconception or a mistake cue only where the candidate asserts it. This module reads,
for any span of matched words:

* **retracted**: it lies before a retraction ("scratch that", "forget what I said" ...):
  the sentence before a marker that opens its own sentence, the clauses before one inside
  a sentence, everything before a global one ("scratch all of that");
* **doubted**: its sentence carries doubt ("not sure", "I doubt", "no idea whether");
* **negated**: an odd number of negations and reversals ("avoid", "skip", "rather than")
  reach it from the left within its clause, up to a scope break ("by", "because", "so"
  ...), or a negated stance verb opens the sentence ("I don't think, frankly, that ...");
  negation idioms ("no substitute for") deny nothing; a qualifier after the negation
  ("not always", "not necessarily") makes it **qualified**: partly true, not denied;
* **dismissed**: a dismissal follows it in its clause ("... is overrated", "... doesn't
  matter"), or the negation rejects it through a stance or phrasal verb ("I never think
  about X", "I don't believe X", "no need for X") — a rejection whatever X names;
* **worthless**: a predicate denying its worth follows ("... is useless"): a rejection of
  a practice, the point itself when said of a trap ("98% accurate and useless");
* otherwise **asserted**.

What a negation means depends on what it reaches: denying a practice ("never use a
baseline") rejects it, denying a hazard ("never let the future leak in") is the practice.
Callers decide that (see heuristic.py); this module only reads the words. Every lexicon is
data (rubrics/common/language.toml). All scans are linear in the answer's length.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from mockinterview.domain.lexicon import LanguageLexicon
from mockinterview.grading.text import Analysis, Sentence, Token, stem, tokenize
from mockinterview.packs.loader import load_common

Status = Literal["asserted", "negated", "qualified", "dismissed", "worthless", "doubted", "retracted"]

NEGATION_REACH = 8  # tokens a negation or reversal reaches to its right, within its clause
ANAPHORIC_SUBJECT_REACH = 5  # tokens from a clause's start within which its anaphoric subject stands
WITHDRAWAL_REACH = 6  # tokens between a reference to the answer and the word withdrawing it
DISMISSAL_REACH = 12  # tokens after the claim within which a dismissal applies to it
STANCE_REACH = 3  # tokens between a negation and the stance verb it negates
QUALIFIER_REACH = 2  # tokens between a negation and its qualifier ("not really always")
# Words that may stand before a retraction marker that still opens its clause ("oh wait, no").
_COPULAS = frozenset({"is", "are", "was", "were", "'s", "be"})
LIST_ITEM_MAX_WORDS = 5  # a list item longer than this is a clause of its own
_LEAD_INS = frozenset(
    {
        "actually",
        "so",
        "ok",
        "okay",
        "hmm",
        "um",
        "uh",
        "wait",
        "sorry",
        "no",
        "but",
        "oh",
        "well",
        "and",
        "honestly",
        "frankly",
        "personally",
        "really",
    }
)


_END = ""  # the trie key marking the end of an entry (no token's text is empty)


class PhraseIndex:
    """Word sequences, found in a token list in one pass (indexed by first word)."""

    def __init__(self, entries: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        # The entries as a trie of words: a lookup walks only as far as the text follows an
        # entry, instead of trying every entry that shares the first word (some lists have
        # dozens starting with "is" or "not").
        self._trie: dict[str, dict] = {}
        for entry in entries:
            words = tuple(t.text for t in tokenize(entry))
            if words:
                self._by_first.setdefault(words[0], []).append(words)
                node = self._trie
                for word in words:
                    node = node.setdefault(word, {})
                node[_END] = {}
        for seqs in self._by_first.values():
            seqs.sort(key=len, reverse=True)  # longest match first

    def match_at(self, tokens: list[Token], i: int) -> int:
        """Length of the longest entry starting at token ``i`` (0 if none)."""
        node = self._trie.get(tokens[i].text)
        if node is None:
            return 0
        longest = 1 if _END in node else 0
        k = i + 1
        n = len(tokens)
        while k < n:
            node = node.get(tokens[k].text)
            if node is None:
                break
            k += 1
            if _END in node:
                longest = k - i
        return longest

    def spans(self, tokens: list[Token], where: dict[str, list[int]] | None = None) -> list[tuple[int, int]]:
        """Every entry found in ``tokens`` as (start, end), in order. ``where`` (positions by
        word, see ClaimReading) lets only the entries' first words be tried."""
        by_first = self._by_first
        if where is not None:
            starts = sorted(i for w in by_first.keys() & where.keys() for i in where[w])
        else:
            starts = [i for i, t in enumerate(tokens) if t.text in by_first]
        out: list[tuple[int, int]] = []
        for i in starts:
            n = self.match_at(tokens, i)
            if n:
                out.append((i, i + n))
        return out

    def words(self) -> frozenset[str]:
        """The one-word entries."""
        return frozenset(seq[0] for seqs in self._by_first.values() for seq in seqs if len(seq) == 1)


@dataclass(frozen=True)
class LanguageRules:
    """The language lexicon compiled for matching."""

    negations: frozenset[str]
    negation_idioms: PhraseIndex
    reversals: PhraseIndex
    scope_breaks: frozenset[str]
    qualifiers: PhraseIndex
    dismissals: PhraseIndex
    worthless: PhraseIndex
    negated_dismissals: frozenset[str]
    stance_verbs: PhraseIndex
    stance_breaks: frozenset[str]
    phrasal_verbs: PhraseIndex
    determiner_negations: frozenset[str]
    verbal_determiners: PhraseIndex
    prepositions: frozenset[str]
    conditionals: frozenset[str]
    described_openers: PhraseIndex
    doubts: PhraseIndex
    retract_all: PhraseIndex
    retract_last: PhraseIndex
    withdraw_verbs: PhraseIndex
    whole_references: PhraseIndex
    last_references: PhraseIndex
    answer_references: PhraseIndex
    back_references: PhraseIndex
    withdrawing: PhraseIndex
    withdrawing_around: frozenset[tuple[str, str]]
    answer_parts: frozenset[str]
    endorsements: PhraseIndex
    concessions: PhraseIndex
    overrides: frozenset[str]
    replacements: frozenset[str]
    remedial_reversals: PhraseIndex
    item_breakers: frozenset[str]
    tail_prepositions: frozenset[str]
    clause_subjects: frozenset[str]
    purpose_markers: frozenset[str]
    speaking_subjects: frozenset[str]
    speaking_aux: frozenset[str]
    rejections: PhraseIndex
    definitions: PhraseIndex
    refusal_verbs: frozenset[str]
    first_person: frozenset[str]
    anaphors: PhraseIndex
    anaphoric_subjects: PhraseIndex
    explanations: PhraseIndex
    fillers: frozenset[str]
    filler_stems: frozenset[str]

    @classmethod
    def build(cls, lex: LanguageLexicon) -> LanguageRules:
        return cls(
            negations=frozenset(lex.negations),
            negation_idioms=PhraseIndex(lex.negation_idioms),
            reversals=PhraseIndex(lex.reversals),
            scope_breaks=frozenset(lex.scope_breaks),
            qualifiers=PhraseIndex(lex.qualifiers),
            dismissals=PhraseIndex(lex.dismissals),
            worthless=PhraseIndex(lex.worthless),
            negated_dismissals=frozenset(lex.negated_dismissals),
            stance_verbs=PhraseIndex(lex.stance_verbs),
            stance_breaks=frozenset(lex.stance_breaks),
            phrasal_verbs=PhraseIndex(lex.phrasal_verbs),
            determiner_negations=frozenset(lex.determiner_negations),
            verbal_determiners=PhraseIndex(lex.verbal_determiners),
            prepositions=frozenset(lex.prepositions),
            conditionals=frozenset(lex.conditionals),
            described_openers=PhraseIndex(lex.described_openers),
            doubts=PhraseIndex(lex.doubts),
            retract_all=PhraseIndex(lex.retract_all),
            retract_last=PhraseIndex(lex.retract_last),
            withdraw_verbs=PhraseIndex(lex.withdraw_verbs),
            whole_references=PhraseIndex(lex.whole_references),
            last_references=PhraseIndex(lex.last_references),
            answer_references=PhraseIndex(lex.answer_references),
            back_references=PhraseIndex(lex.back_references),
            # Every reading that looks for a withdrawing word takes the bare verbs too.
            withdrawing=PhraseIndex([*lex.withdraw_verbs, *lex.withdrawing]),
            # Two-word entries also said around their object: "take all of that back".
            withdrawing_around=frozenset(
                (words[0], words[-1]) for words in (e.split() for e in lex.withdrawing) if len(words) == 2
            ),
            answer_parts=frozenset(lex.answer_parts),
            endorsements=PhraseIndex(lex.endorsements),
            concessions=PhraseIndex(lex.concessions),
            overrides=frozenset(lex.overrides),
            replacements=frozenset(lex.replacements),
            remedial_reversals=PhraseIndex(lex.remedial_reversals),
            item_breakers=_COPULAS | frozenset(lex.item_breakers),
            tail_prepositions=frozenset(lex.tail_prepositions),
            clause_subjects=frozenset(lex.clause_subjects),
            purpose_markers=frozenset(lex.purpose_markers),
            speaking_subjects=frozenset(lex.speaking_subjects),
            speaking_aux=frozenset(lex.speaking_aux),
            rejections=PhraseIndex(lex.rejections),
            definitions=PhraseIndex(lex.definitions),
            refusal_verbs=frozenset(lex.refusal_verbs),
            first_person=frozenset(lex.first_person),
            anaphors=PhraseIndex(lex.anaphors),
            anaphoric_subjects=PhraseIndex(lex.anaphoric_subjects),
            explanations=PhraseIndex(lex.explanations),
            fillers=frozenset(lex.fillers),
            filler_stems=frozenset(stem(w) for w in lex.fillers),
        )


_COMPILED: list[tuple[LanguageLexicon, LanguageRules]] = []


def language_rules() -> LanguageRules:
    """The bundled language lexicon (rubrics/common/language.toml), compiled once per
    loaded version of the file."""
    lex = load_common("language", LanguageLexicon)
    if not _COMPILED or _COMPILED[0][0] is not lex:
        _COMPILED[:] = [(lex, LanguageRules.build(lex))]
    return _COMPILED[0][1]


class ClaimReading:
    """What an answer asserts, denies, doubts and retracts (built once per answer)."""

    def __init__(self, analysis: Analysis, rules: LanguageRules) -> None:
        self.analysis = analysis
        self.rules = rules
        tokens = analysis.tokens
        self._tokens = tokens
        self._firsts = [s.first for s in analysis.sentences]
        where: dict[str, list[int]] = {}
        for i, t in enumerate(tokens):
            where.setdefault(t.text, []).append(i)
        self._where = where
        idioms: set[int] = set()
        for i, j in rules.negation_idioms.spans(tokens, where):
            idioms.update(range(i, j))
        self._negators = {
            i for i, t in enumerate(tokens) if (t.negation or t.text in rules.negations) and i not in idioms
        }
        self._verbal_determiners = {i for i, _ in rules.verbal_determiners.spans(tokens, where)}
        self._determiners = {
            i
            for i in self._negators
            if tokens[i].text in rules.determiner_negations and i not in self._verbal_determiners
        }
        self._phrasal_words = {k for i, j in rules.phrasal_verbs.spans(tokens, where) for k in range(i, j)}
        self._prepositions = rules.prepositions
        self._conditionals = rules.conditionals
        # A reversal counts once, at its last word (where a leftward walk meets it first).
        self._reversal_ends: dict[int, int] = {j - 1: i for i, j in rules.reversals.spans(tokens, where)}
        self._breaks = {i for i, t in enumerate(tokens) if t.text in rules.scope_breaks}
        self._qualified_negators = {
            n
            for n in self._negators
            if any(
                rules.qualifiers.match_at(tokens, k)
                for k in range(n + 1, min(len(tokens), n + 1 + QUALIFIER_REACH))
            )
        }
        self._stance_negators = {
            n
            for n in self._negators
            if any(
                rules.stance_verbs.match_at(tokens, k) and tokens[k].clause == tokens[n].clause
                for k in range(n + 1, min(len(tokens), n + 1 + STANCE_REACH))
            )
        }
        self._dismissal_starts = {i for i, _ in rules.dismissals.spans(tokens, where)}
        self._worthless_starts = {i for i, _ in rules.worthless.spans(tokens, where)}
        self._doubted = self._doubted_sentences()
        # Words that withdraw ("scrap", "I retract", "overthinking"), found once for the
        # built retractions, rejections and verdicts that read them.
        self._withdrawals = rules.withdrawing.spans(tokens, where)
        self._withdrawal_starts = {i for i, _ in self._withdrawals}
        self._items: dict[tuple[int, int], bool] = {}  # (sentence, clause) -> a bare list item
        self._retracted = self._retracted_spans()
        # Sentences with nothing that can deny, dismiss or qualify a claim: every claim in
        # them is asserted (most sentences of most answers).
        marked = self._negators | set(self._reversal_ends) | self._dismissal_starts | self._worthless_starts
        self._plain = {s.index for s in analysis.sentences} - self._sentences_holding(marked)

    # ------------------------------------------------------------------ sentences

    def _sentence_of(self, token_index: int) -> Sentence | None:
        sentences = self.analysis.sentences
        k = bisect_right(self._firsts, token_index) - 1
        return sentences[k] if k >= 0 else None

    def _sentences_holding(self, token_indexes: Iterable[int]) -> set[int]:
        """Indexes of the sentences holding these tokens (found from the few tokens, not by
        walking every sentence)."""
        out: set[int] = set()
        for i in token_indexes:
            s = self._sentence_of(i)
            if s is not None and i < s.first + len(s.tokens):
                out.add(s.index)
        return out

    def _doubted_sentences(self) -> frozenset[int]:
        out: set[int] = set()
        for i, _ in self.rules.doubts.spans(self._tokens, self._where):
            s = self._sentence_of(i)
            if s is not None:
                out.add(s.index)
        return frozenset(out)

    def _opens_clause(self, i: int) -> bool:
        tokens = self._tokens
        s = self._sentence_of(i)
        k = i - 1
        while s is not None and k >= s.first and tokens[k].text in _LEAD_INS:
            k -= 1
        return s is None or k < s.first or tokens[k].clause != tokens[k + 1].clause

    def _retracted_spans(self) -> list[tuple[int, int]]:
        """Character spans withdrawn by a later retraction."""
        tokens = self._tokens
        spans: list[tuple[int, int]] = []
        whole, last = self._built_retractions()
        whole += self._withdrawn_answer()
        for i in [i for i, _ in self.rules.retract_all.spans(tokens, self._where)] + whole:
            if self._opens_clause(i):
                spans.append((0, tokens[i].start))
        markers = [i for i, _ in self.rules.retract_last.spans(tokens, self._where) if self._opens_clause(i)]
        markers += last
        markers += [i for i, _ in self.rules.rejections.spans(tokens, self._where)]
        markers += self._built_rejections()
        for i in markers:
            s = self._sentence_of(i)
            if s is None:
                continue
            if s.index > 0 and self._replaced(i, s):
                # "It's overkill. I'd just train and ship": the whole plan is set aside for
                # a simpler one, not only the sentence before.
                spans.append((0, tokens[i].start))
                continue
            before_in_sentence = any(tokens[k].content for k in range(s.first, i))
            if before_in_sentence:
                spans.append((s.start, tokens[i].start))
            elif s.index > 0:
                prev = self.analysis.sentences[s.index - 1]
                spans.append((prev.start, prev.end))
        return spans

    def _built_retractions(self) -> tuple[list[int], list[int]]:
        """Retractions found by shape rather than listed (language.toml ``withdraw_verbs``):
        a clause that opens with a bare verb of withdrawing whose object refers back and
        ends the clause. Returns the token indexes of those that withdraw everything before
        them ("scrap all that", "bin everything above") and of those that withdraw the last
        statement ("drop that", "never mind.")."""
        tokens = self._tokens
        rules = self.rules
        whole: list[int] = []
        last: list[int] = []
        for i, j in rules.withdraw_verbs.spans(tokens, self._where):
            if not self._opens_clause(i):
                continue
            clause = tokens[i].clause
            end = j
            while end < len(tokens) and tokens[end].clause == clause and self._sentence_of(end) is self._sentence_of(i):
                end += 1
            n = rules.whole_references.match_at(tokens, j) if j < end else 0
            target = whole
            if not n:
                n = rules.last_references.match_at(tokens, j) if j < end else 0
                target = last
            # Nothing said after the reference in its clause: "drop that feature" names a thing.
            if any(tokens[k].content for k in range(j + n, end)):
                continue
            if n == 0 and j < end and any(tokens[k].text not in _LEAD_INS for k in range(j, end)):
                continue
            target.append(i)
        return whole, last

    def _replaced(self, i: int, sentence: Sentence) -> bool:
        """After the rejection at ``i``, in its sentence or the next, the candidate puts a
        simpler plan in its place ("I'd just train on everything", "just ship it")."""
        tokens = self._tokens
        sentences = self.analysis.sentences
        end = sentence.first + len(sentence.tokens)
        if sentence.index + 1 < len(sentences):
            nxt = sentences[sentence.index + 1]
            end = nxt.first + len(nxt.tokens)
        return any(tokens[k].text in self.rules.replacements for k in range(i + 1, end))

    def _withdrawn_answer(self) -> list[int]:
        """First tokens of sentences (after the first) that withdraw the answer before them
        (language.toml ``answer_references``, ``back_references``, ``withdrawing``,
        ``endorsements``): "I take all of the above back", "ignore my earlier points",
        "I don't stand by any of that", "none of this matters"."""
        tokens = self._tokens
        rules = self.rules
        where = self._where
        strong = rules.answer_references.spans(tokens, where)
        weak = rules.back_references.spans(tokens, where)
        if not strong and not weak:
            return []
        withdrawals = list(self._withdrawals)
        for i, j in weak + strong:  # "take all of that back"
            if i > 0 and j < len(tokens) and (tokens[i - 1].text, tokens[j].text) in rules.withdrawing_around:
                withdrawals.append((i - 1, i))
        endorsements = rules.endorsements.spans(tokens, where)
        out: list[int] = []
        for s in self.analysis.sentences[1:]:
            lo, hi = s.first, s.first + len(s.tokens)
            ws = [
                i
                for i, _ in withdrawals
                if lo <= i < hi and not self._conditional(i) and not self._negated_in_clause(i, lo)
            ]
            # (endorsement, its negation): "I don't stand by", "none of this matters",
            # "I wouldn't bother with" (refusal verbs)
            denied: list[tuple[int, int]] = []
            withdrawing_here = {i for i, _ in withdrawals if lo <= i < hi}
            for i in [i for i, _ in endorsements if lo <= i < hi] + [
                # (not "skip", "ignore": refusing to skip endorses)
                k
                for k in range(lo, hi)
                if tokens[k].text in rules.refusal_verbs and k not in withdrawing_here
            ]:
                if self._conditional(i):
                    continue
                negation = next(
                    (
                        k
                        for k in range(i - 1, lo - 1, -1)
                        if tokens[k].clause == tokens[i].clause
                        and k in self._negators
                        and k not in self._qualified_negators
                    ),
                    None,
                )
                if negation is not None:
                    denied.append((i, negation))
            if not ws and not denied:
                continue
            near = ws + [i for i, _ in denied]
            # A reference that can only mean the answer, with the withdrawal close by.
            if any(lo <= r < hi and any(abs(w - r) <= WITHDRAWAL_REACH for w in near) for r, _ in strong):
                out.append(lo)
                continue
            # A reference that could be a story's: the withdrawal must be the candidate's own, now.
            for r0, r1 in (span for span in weak if lo <= span[0] < hi):
                names_a_thing = (
                    r1 < hi
                    and tokens[r1].content
                    and tokens[r1].text not in rules.answer_parts
                    and r1 not in withdrawing_here  # "that's all wrong"
                    and (r0 == 0 or (tokens[r0 - 1].text, tokens[r1].text) not in rules.withdrawing_around)
                )
                if names_a_thing:
                    continue  # "none of those shortcuts": a thing named, not the answer
                clause = tokens[r0].clause
                said_by_me = any(
                    w < r0 and abs(w - r0) <= WITHDRAWAL_REACH and (self._opens_clause(w) or self._first_person_before(w))
                    for w in ws
                )
                refused_by_me = any(
                    abs(i - r0) <= WITHDRAWAL_REACH
                    and (tokens[n].text == "none" or self._first_person_before(n) or self._first_person_before(i))
                    for i, n in denied
                )
                subject = self._opens_clause(r0) and any(w > r0 and tokens[w].clause == clause for w in near)
                if said_by_me or refused_by_me or subject:
                    out.append(lo)
                    break
        return out

    def _negated_in_clause(self, i: int, lo: int) -> bool:
        """A negation stands before token ``i`` in its clause ("I wouldn't skip any of those")."""
        tokens = self._tokens
        return any(k in self._negators and tokens[k].clause == tokens[i].clause for k in range(lo, i))

    def _conditional(self, i: int) -> bool:
        """Token ``i`` lies in a clause with a condition ("if the labels are wrong", "none of
        this matters if nobody acts on it")."""
        tokens = self._tokens
        clause = tokens[i].clause
        s = self._sentence_of(i)
        if s is None:
            return False
        return any(
            tokens[k].clause == clause and tokens[k].text in self._conditionals
            for k in range(s.first, s.first + len(s.tokens))
        )

    def _first_person_before(self, i: int) -> bool:
        """The word before ``i`` (past adverbs and auxiliaries) is the candidate speaking now:
        "I retract", "I'd ignore", "let me correct myself", "I don't stand by"."""
        tokens = self._tokens
        k = i - 1
        while k >= 0 and (tokens[k].text in _LEAD_INS or tokens[k].text in self.rules.speaking_aux or k in self._negators):
            k -= 1
        return k >= 0 and tokens[k].text in self.rules.speaking_subjects

    def _clauses(self) -> list[tuple[int, int]]:
        """Token ranges [start, end) of every clause."""
        tokens = self._tokens
        out: list[tuple[int, int]] = []
        for s in self.analysis.sentences:
            start, end = s.first, s.first + len(s.tokens)
            for k in range(start + 1, end + 1):
                if k == end or tokens[k].clause != tokens[start].clause:
                    out.append((start, k))
                    start = k
        return out

    def _built_rejections(self) -> list[int]:
        """Clauses that refuse what was just said, found by shape rather than listed:

        * the candidate refuses it: a first-person clause with a negation or reversal whose
          object is a reference back ("I skip all that", "I've never found them worth it")
          or nothing at all ("I don't.", "We never do."), and "not for me";
        * or dismisses it by reference: "None of that is needed", "that's overkill",
          "they are a waste of time".
        Such a clause says almost nothing itself (at most three content words)."""
        tokens = self._tokens
        rules = self.rules
        out: list[int] = []
        # Only a clause with a negation, reversal, dismissal or withdrawing verb can refuse anything.
        marked = sorted(
            self._negators
            | set(self._reversal_ends)
            | self._dismissal_starts
            | self._worthless_starts
            | self._withdrawal_starts
        )
        if not marked:
            return out
        # A reversal in a purpose clause, or one that acts on a problem, handles a hazard ("I
        # use L2 to prevent it", "to avoid it", "I prevent it with ..."): it refuses nothing
        # that was said.
        remedial = {j - 1 for _, j in rules.remedial_reversals.spans(tokens, self._where)}
        reversals = {
            k
            for k, i in self._reversal_ends.items()
            if not (i > 0 and tokens[i - 1].text in rules.purpose_markers) and k not in remedial
        }
        for start, end in self._clauses():
            at = bisect_right(marked, start - 1)
            if at >= len(marked) or marked[at] >= end:
                continue
            # What the clause says, up to a prepositional tail ("not worth the hassle | for a
            # first version"): the tail sets the scene, it says nothing new.
            tail = next((k for k in range(start + 1, end) if tokens[k].text in rules.tail_prepositions), end)
            content = sum(1 for k in range(start, tail) if tokens[k].content)
            if content > 3:
                continue
            # The candidate's own negation: a verb's, not a determiner's ("I retrained without it"),
            # and not a double one ("we don't throw it over the wall and forget it").
            negations = sum(
                1
                for k in range(start, end)
                if (k in self._negators and k not in self._determiners) or k in reversals
            )
            negated = negations % 2 == 1
            dismissed = any(
                k in self._dismissal_starts or k in self._worthless_starts for k in range(start, end)
            )
            first_person = any(tokens[k].text in rules.first_person for k in range(start, end))
            if negated and first_person:
                # The reference is what the clause is about: little follows it ("we can't tell
                # from that who the discount changed" goes on to say something else).
                # And the verb is one of refusing ("I don't do that", "never found them worth
                # it"), not a told action ("so we didn't ship it").
                refusing = any(tokens[k].text in rules.refusal_verbs or k in reversals for k in range(start, end))
                refers = False
                for k in range(start, end) if refusing else ():
                    n = rules.anaphors.match_at(tokens, k)
                    if n and sum(1 for m in range(k + n, end) if tokens[m].content) <= 1:
                        refers = True
                        break
                if refers or content == 0:
                    out.append(start)
                    continue
            if first_person and not negated and self._own_verdict(start, end, dismissed):
                out.append(start)
                continue
            if self._elliptical_dismissal(start, end, negated):
                out.append(start)
                continue
            # The subject opens the clause, after lead-ins ("but in practice it's mostly noise").
            subject = next(
                (
                    k
                    for k in range(start, min(end, start + ANAPHORIC_SUBJECT_REACH))
                    if rules.anaphoric_subjects.match_at(tokens, k)
                ),
                None,
            )
            if subject is None:
                continue
            # "that's overkill", "it's academic"; "none of that is needed", "that isn't needed".
            denied = (negated or tokens[subject].text == "none") and any(
                tokens[k].text in rules.negated_dismissals for k in range(start, end)
            )
            if dismissed or (denied and tokens[subject].text != "it's" and tokens[subject].text != "it"):
                out.append(start)
        return out

    def _own_verdict(self, start: int, end: int, dismissed: bool) -> bool:
        """The candidate, in a clause of their own, sets aside what was just said: a verb of
        withdrawing or a dismissal with a reference back ("I'd leave them out", "I'd skip
        all that", "I'd file that under theoretical")."""
        tokens = self._tokens
        rules = self.rules
        if any(k in self._negators for k in range(start, end)):
            return False  # "I wouldn't skip any of it" endorses
        # the candidate's own verb, now ("I'd leave them out"), not a story's ("our lead wanted to scrap it")
        withdraws = any(
            k in self._withdrawal_starts and (self._opens_clause(k) or self._first_person_before(k))
            for k in range(start, end)
        )
        if not (withdraws or dismissed):
            return False
        return any(
            rules.anaphors.match_at(tokens, k) and tokens[k].text not in ("it's", "that's")
            for k in range(start, end)
        )

    def _elliptical_dismissal(self, start: int, end: int, negated: bool) -> bool:
        """A clause with no subject that dismisses what was just said: "Not needed here.",
        "Never necessary.", "Overkill.", "A waste of time, really." """
        tokens = self._tokens
        k = start
        while k < end and tokens[k].text in _LEAD_INS:
            k += 1
        if k >= end:
            return False
        if k in self._dismissal_starts or (tokens[k].text in ("a", "an") and k + 1 in self._dismissal_starts):
            return True
        return (
            negated
            and k in self._negators
            and k not in self._qualified_negators
            and tokens[k].text not in self.rules.determiner_negations
            and any(tokens[m].text in self.rules.negated_dismissals for m in range(k + 1, min(end, k + 3)))
        )

    def _turnabouts(self) -> list[Sentence]:
        """Sentences that concede what came before and take the other side (language.toml
        ``concessions``): after the concession the candidate, in the first person, denies
        ("I don't think ..."), overrides ("I actually think", "I'd just") or dismisses."""
        tokens = self._tokens
        rules = self.rules
        out: list[Sentence] = []
        for i, j in rules.concessions.spans(tokens, self._where):
            s = self._sentence_of(i)
            if s is None or s.index == 0 or not self._opens_clause(i):
                continue
            end = s.first + len(s.tokens)
            after = range(j, end)
            first_person = any(tokens[k].text in rules.first_person for k in after)
            denies = any(
                k in self._negators and k not in self._determiners and k not in self._qualified_negators
                for k in after
            )
            overrides = any(tokens[k].text in rules.overrides for k in after)
            dismisses = any(k in self._dismissal_starts or k in self._worthless_starts for k in after)
            if (first_person and (denies or overrides)) or dismisses:
                out.append(s)
        return out

    # ------------------------------------------------------------------ public

    @cached_property
    def turnabouts(self) -> list[Sentence]:
        """Sentences where the answer concedes what it said and takes the other side."""
        return self._turnabouts()

    @property
    def retractions(self) -> list[tuple[int, int]]:
        return list(self._retracted)

    def is_retracted(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self._retracted)

    def sentence_asserted(self, sentence: Sentence) -> bool:
        """Neither withdrawn whole by a retraction nor doubted."""
        return sentence.index not in self._doubted and not any(
            a <= sentence.start and sentence.end <= b for a, b in self._retracted
        )

    def said(self, analysis: Analysis) -> Analysis:
        """``analysis`` without the sentences the candidate withdrew or doubted."""
        return analysis.subset([s for s in analysis.sentences if self.sentence_asserted(s)])

    def is_doubted(self, sentence: Sentence) -> bool:
        return sentence.index in self._doubted

    def status(
        self,
        sentence: Sentence,
        positions: Iterable[int],
        *,
        negative_phrase: bool = False,
        statement: bool = False,
        reversals: bool = True,
    ) -> Status:
        """How the words at ``positions`` (token indexes within ``sentence``) are stated.

        ``negative_phrase``: the matched phrase itself states a negation ("not
        representative"), so one negation reaching it is expected, not a denial.
        ``statement``: the words form one statement (a misconception: "ML always beats
        rules"), so a negation between them denies it too ("ML does not always beat
        rules"); a key phrase's words may straddle a negation that belongs to it
        ("correlation is not causation").
        ``reversals``: False reads "rather than X" or "avoid X" as a preference, not a
        negation of X (for rejections: "diagnose rather than blindly retrain" rejects
        nothing).
        """
        positions = sorted(positions)
        if not positions:
            return "asserted"
        tokens = self._tokens
        g0 = sentence.first + positions[0]
        g1 = sentence.first + positions[-1]
        if self._retracted and self.is_retracted(tokens[g0].start):
            return "retracted"
        if sentence.index in self._doubted:
            return "doubted"
        if sentence.index in self._plain and not negative_phrase:
            return "asserted"
        own = {sentence.first + p for p in positions}
        verbal = 1 if negative_phrase else 0  # negations and reversals that reach the claim
        determiners = 0  # "no", "without": they only cancel a verbal negation
        qualified = hypothetical = False
        shielded = False  # a preposition stands between the claim and what is further left
        crossed = 0  # prepositions crossed: "no reason to use X", "no point in X" reach one
        phrasal = False  # a phrasal or stance verb stands between ("never think about X")
        rejecting = False  # a negation that rejects the claim itself, whatever it names
        clause = tokens[g0].clause
        k = g0 - 1
        reach_from = g0  # the reach is counted from the claim, or from its list item's start
        while k >= sentence.first and reach_from - k <= NEGATION_REACH:
            t = tokens[k]
            if t.clause != clause:
                # "I'd skip a holdout, calibration, or monitoring": a bare item of a list
                # is governed by what governs the list.
                if not self._list_item(sentence, clause):
                    break
                clause = t.clause
                reach_from = k + 1
            if k in self._breaks:
                hypothetical = t.text in self._conditionals
                break
            if t.text in self.rules.clause_subjects and verbal == (1 if negative_phrase else 0) and not determiners:
                # "To prevent it I use X": a new subject starts what is said of X; a
                # negation further left belongs to the clause before. ("If we couldn't
                # randomise": the negation is already counted and the walk goes on.)
                break
            if k in own or k in self._stance_negators:  # stance negations: counted below
                k -= 1
                continue
            if t.text in _COPULAS and not verbal:
                # "a model that says 'never converts' is 98% accurate": a negation before
                # the verb belongs to the subject, not to what is said of it.
                break
            if k in self._phrasal_words:
                shielded = False  # "don't care about X": the phrasal verb reaches X
                phrasal = True
            if shielded and k in self._negators and t.text not in self.rules.determiner_negations and (
                tokens[k + 1].text in self._prepositions
            ):
                shielded = False  # "not about what causes churn": the negation takes the phrase
            if k in self._negators:
                if k in self._determiners:
                    determiners += 1
                elif not shielded or (k in self._verbal_determiners and crossed <= 1):
                    verbal += 1
                    qualified = qualified or k in self._qualified_negators
                    # "I never think about X", "no need for X": the candidate rejects X
                    # itself, even when X is a hazard.
                    rejecting = phrasal or k in self._verbal_determiners
                    # "X, not Y": a contrast, not a denial of Y.
                    qualified = qualified or (
                        t.text == "not" and (k == sentence.first or tokens[k - 1].clause != clause)
                    )
            elif k in self._reversal_ends:
                if not shielded and reversals:
                    verbal += 1
                k = self._reversal_ends[k]  # skip the rest of a multi-word reversal
            elif t.text in self._prepositions and not (t.text == "to" and k + 1 in self._phrasal_words):
                # ("to" before a phrasal verb marks an infinitive: "no reason to bother with X")
                shielded = True
                crossed += 1
            k -= 1
        # A negation between the matched words ("recall is NEVER worth prioritising", "ML
        # does NOT always beat rules") denies them too, except a copular contrast that names
        # the point ("correlation is not causation") where the phrase is not a statement.
        for k in range(g0 + 1, g1) if tokens[g1].clause == clause else ():
            if k not in self._negators or k in own or k in self._determiners or k in self._stance_negators:
                continue
            names_point = k + 1 in own or (k + 2 in own and tokens[k + 1].text in ("a", "an", "the"))
            if not statement and tokens[k - 1].text in _COPULAS and names_point:
                continue
            verbal += 1
            qualified = qualified or k in self._qualified_negators
        if self._stance_reaches(sentence, g0):
            verbal += 1
            rejecting = True
        after = self._dismissed_after(sentence, g1, clause)
        if after:
            return after
        if verbal % 2 == 0 or determiners:
            return "asserted"
        if qualified or hypothetical:
            return "qualified"
        return "dismissed" if rejecting else "negated"

    def hypothetical(self, sentence: Sentence, positions: Iterable[int]) -> bool:
        """The words at ``positions`` are set under a condition in their clause ("worth
        trying only if it clearly helps", "unless the gain is real"): considered, not claimed."""
        first = min(positions, default=None)
        if first is None:
            return False
        g0 = sentence.first + first
        clause = self._tokens[g0].clause
        return any(
            self._tokens[k].text in self._conditionals
            for k in range(sentence.first, g0)
            if self._tokens[k].clause == clause
        )

    def described(self, sentence: Sentence, positions: Iterable[int]) -> bool:
        """True when the words at ``positions`` lie in one clause that opens with a condition
        or with what others do or say ("If you fit the scaler on all rows, the test rows
        leak", "People often judge a model on training accuracy"): a statement the candidate
        describes, not one they make. For misconceptions, which must be asserted."""
        positions = sorted(positions)
        if not positions:
            return False
        tokens = self._tokens
        g0 = sentence.first + positions[0]
        clause = tokens[g0].clause
        if tokens[sentence.first + positions[-1]].clause != clause:
            return False
        k = g0
        while k > sentence.first and tokens[k - 1].clause == clause:
            k -= 1
        while k < g0 and tokens[k].text in _LEAD_INS:
            k += 1
        return bool(self.rules.described_openers.match_at(tokens, k))

    def _stance_reaches(self, sentence: Sentence, g0: int) -> bool:
        """A negated stance verb earlier in the sentence ("I don't believe, frankly, that
        ...") reaches this far: no stance break stands between."""
        tokens = self._tokens
        for k in range(g0 - 1, sentence.first - 1, -1):
            if tokens[k].text in self.rules.stance_breaks:
                return False
            if k in self._stance_negators:
                return True
        return False

    def _list_item(self, sentence: Sentence, clause: int) -> bool:
        """The clause is a bare item of a list: a few words with no verb of its own, no
        subject, no negation ("calibration", "or a shadow period"). Read once per clause: the
        leftward and rightward walks of every claim near a comma ask."""
        key = (sentence.index, clause)
        known = self._items.get(key)
        if known is None:
            known = self._items[key] = self._bare_item(sentence, clause)
        return known

    def _bare_item(self, sentence: Sentence, clause: int) -> bool:
        tokens = self._tokens
        words = [k for k in range(sentence.first, sentence.first + len(sentence.tokens)) if tokens[k].clause == clause]
        if not words or len(words) > LIST_ITEM_MAX_WORDS:
            return False
        return not any(
            k in self._negators
            or k in self._breaks
            or k in self._reversal_ends
            or k in self._verbal_determiners
            or tokens[k].text in self.rules.item_breakers
            or tokens[k].text in self.rules.first_person
            for k in words
        )

    def _dismissed_after(self, sentence: Sentence, g1: int, clause: int) -> Status | None:
        """ "dismissed" or "worthless" when such a predicate follows the claim in its clause."""
        tokens = self._tokens
        end = min(sentence.first + len(sentence.tokens), g1 + 1 + DISMISSAL_REACH)
        for k in range(g1 + 1, end):
            if tokens[k].clause != clause:
                # "A holdout, calibration and monitoring are all overrated": the predicate
                # after a list is said of each item.
                if not self._list_item(sentence, clause):
                    return None
                clause = tokens[k].clause
            if k in self._breaks:
                return None
            if k in self._dismissal_starts or k in self._worthless_starts:
                # "X is never a waste of time", "X is not overrated": the dismissal is denied.
                if any(m in self._negators for m in range(g1 + 1, k)):
                    return None
                return "dismissed" if k in self._dismissal_starts else "worthless"
            if (
                k in self._negators
                and k + 2 < end
                and tokens[k + 1].text == "something"
                and tokens[k + 2].text in self.rules.first_person
            ):
                return "dismissed"  # "X isn't something I weigh / we track"
            if (
                k in self._negators
                and k not in self._qualified_negators  # "does not always help" is no dismissal
                and any(
                    tokens[m].text in self.rules.negated_dismissals for m in range(k + 1, min(end, k + 4))
                )
            ):
                return "dismissed"
        return None

    def denied_stems(self, analysis: Analysis) -> tuple[frozenset[str], frozenset[str]]:
        """(stems the answer only uses denied, stems it uses both denied and asserted):
        "I would never split by time" denies "split" and "time"."""
        denied: set[str] = set()
        said: set[str] = set()
        for s in analysis.sentences:
            if not any(
                s.first + i in self._negators or s.first + i in self._reversal_ends
                for i in range(len(s.tokens))
            ) and not any(
                s.first + i in self._dismissal_starts or s.first + i in self._worthless_starts
                for i in range(len(s.tokens))
            ):
                said.update(t.stem for t in s.tokens if t.content)
                continue
            for i, t in enumerate(s.tokens):
                if t.content:
                    status = self.status(s, [i])
                    (denied if status in ("negated", "dismissed", "worthless") else said).add(t.stem)
        return frozenset(denied - said), frozenset(denied & said)

    @property
    def has_negation(self) -> bool:
        """Any negation or reversal at all (idioms aside)."""
        return bool(self._negators or self._reversal_ends)

    @property
    def filler_stems(self) -> frozenset[str]:
        return self.rules.filler_stems

    def defines(self, sentence: Sentence) -> bool:
        """The sentence recites a definition ("Leakage is when ...")."""
        tokens = self._tokens
        end = sentence.first + len(sentence.tokens)
        return any(self.rules.definitions.match_at(tokens, k) for k in range(sentence.first, end))

    def explains(self, sentence: Sentence) -> bool:
        """The sentence gives a reason, mechanism, consequence or example."""
        tokens = self._tokens
        end = sentence.first + len(sentence.tokens)
        return any(self.rules.explanations.match_at(tokens, k) for k in range(sentence.first, end))


def read_claims(analysis: Analysis) -> ClaimReading:
    return ClaimReading(analysis, language_rules())
