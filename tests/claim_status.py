"""How the claim reading states one word of a text: shared by the claim-level tests."""

from __future__ import annotations

from mockinterview.grading.claims import read_claims
from mockinterview.grading.text import analyze


def status_of(text: str, word: str) -> str:
    """The status (grading/claims.py) of the first token that is ``word``."""
    analysis = analyze(text)
    claims = read_claims(analysis)
    for s in analysis.sentences:
        for i, t in enumerate(s.tokens):
            if t.text == word:
                return claims.status(s, [i])
    raise AssertionError(f"{word!r} not in {text!r}")
