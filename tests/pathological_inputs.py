"""Long answers built to make a grader slow, and the ordinary answer they are measured against.

Used by ``tests/test_grading_worst_case.py`` (which asserts a bound relative to the ordinary
answer) and ``bench/grade_throughput.py`` (which prints the ratio). Nothing here knows how
the grader is written: the hand-made families are shapes that make careless regexes and
per-match rescans of a long sentence take quadratic time (long runs of digits and
separators, runs of whitespace, unclosed template openers, one endless sentence...), and
the vocabulary families repeat every word the grader looks for — read from the pack's data
and from the patterns compiled in any module under ``mockinterview.grading`` — so a detector
added later is exercised without this file changing.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable

from mockinterview.domain.pack import RolePack

SIZE = 20_000


def fill(unit: str, size: int = SIZE) -> str:
    """``unit`` repeated to exactly ``size`` characters."""
    return (unit * (size // max(1, len(unit)) + 1))[:size]


def ordinary_answer(pack: RolePack, size: int = SIZE) -> str:
    """An ordinary long answer: the pack's reference answers, one after the other."""
    return fill(" ".join(q.reference_answer for q in pack.questions), size)


def _pattern_words(pattern: re.Pattern[str]) -> set[str]:
    return set(re.findall(r"[a-z][a-z'-]+", pattern.pattern))


def _patterns_in(value, depth: int = 0):
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _patterns_in(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from _patterns_in(item, depth + 1)


def grader_vocabulary(pack: RolePack) -> list[str]:
    """Every word the grader may look for: the pack's cues and expressions, and the literal
    words of every regex compiled at module level anywhere under ``mockinterview.grading``."""
    import mockinterview.grading as grading

    words: set[str] = set()
    for info in pkgutil.walk_packages(grading.__path__, grading.__name__ + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            for pattern in _patterns_in(value):
                words |= _pattern_words(pattern)
    texts: list[str] = []
    for m in pack.mistakes:
        texts += [*m.cues, *m.counter_cues]
    for q in pack.questions:
        for kp in q.key_points:
            texts += [*kp.expressions, *kp.misconceptions]
    for text in texts:
        words |= set(re.findall(r"[a-z][a-z'-]+", text.lower()))
    return sorted(w for w in words if len(w) >= 2)


def hand_made_families(size: int = SIZE) -> dict[str, str]:
    """Shapes that are slow for a careless pattern, each exactly ``size`` characters."""
    half = size // 2
    return {
        "digits and dots": fill("1.2.", size),
        "digits and commas": fill("1,", size),
        "a long decimal": fill("0." + "9" * size, size),
        "a/b/c": fill("a/b/", size),
        "long word": "a" * size,
        "hyphen chain": fill("a-", size),
        "apostrophes": fill("a'", size),
        "apostrophe runs": fill("'a", size),
        "many short sentences": fill("Ok. ", size),
        "one word per line": fill("on\n", size),
        "deep bullets": fill("\n" + "".join("  " * d + "- item\n" for d in range(12)), size),
        "blank lines, then a role word": fill("\n", size - 11) + "system says",
        "spaces, then a role word": fill(" \n", size - 11) + "system says",
        "whitespace run": fill(" ", size),
        "template openers": fill("{{", size),
        "shell openers": fill("${", size),
        "json openers": fill('{"score": ', size),
        "from ... to": fill("from 1 ", size),
        "numbers with units": fill("by 1.5 points, 5 out of 100, 12% ", size),
        "invisible and lookalike characters": fill("a\u200b\u0430\u202e\u0301 ", size),
        "combining marks": "a" + "\u0301" * (size - 1),
        "characters that expand under NFKC": fill("\ufdfa", size),
        "base64-looking runs": fill("aWdub3JlIHRoZSBydWJyaWM", half) + fill("=", size - half),
        "percent escapes": fill("%41", size),
    }


def vocabulary_families(pack: RolePack, size: int = SIZE) -> dict[str, str]:
    """The grader's whole vocabulary, repeated without punctuation (one endless sentence),
    as a list, with numbers between the words, and one word per line."""
    words = grader_vocabulary(pack)
    return {
        "vocabulary, no punctuation": fill(" ".join(words) + " ", size),
        "vocabulary as a list": fill(", ".join(words) + ", ", size),
        "vocabulary with numbers": fill(" 1.5 ".join(words) + " 0.99 ", size),
        "vocabulary, one per line": fill("\n".join(words) + "\n", size),
    }


def grading_workload(pack: RolePack) -> Callable[[str], None]:
    """Grades one text the ways a user can reach the grader: as an answer to bank questions
    that together are prone to every mistake of the pack (and a behavioral one), as a free-text
    answer matched to the bank, and against a reference answer."""
    from mockinterview.grading import grade_answer, grade_free_text

    chosen = []
    uncovered = {m.id for m in pack.mistakes}
    for q in sorted(pack.questions, key=lambda q: -len(set(q.mistakes) & uncovered)):
        if set(q.mistakes) & uncovered:
            chosen.append(q)
            uncovered -= set(q.mistakes)
    kinds = {q.kind for q in chosen}
    chosen += [q for q in pack.questions if q.kind not in kinds and not kinds.add(q.kind)]
    reference = pack.questions[0].reference_answer

    def grade(text: str) -> None:
        for q in chosen:
            grade_answer(text, q, pack)
        grade_free_text(text, "Tell me about a time you shipped something that failed.", pack)
        grade_free_text(text, "What would you check first?", pack, reference=reference)

    return grade


def cpu_seconds(work: Callable[[], object], repeats: int = 1) -> float:
    """The least CPU time of ``repeats`` runs of ``work`` (CPU time: steadier than wall time
    on a shared machine)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        work()
        best = min(best, time.process_time() - t0)
    return best
