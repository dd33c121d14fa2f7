"""How system notes read to the candidate. Notes are stored as the mentor reads them
("The candidate ended this round early."); the candidate's own views (the interview
screen, the headless run) address them as "you". Plain Python: the TUI uses it before
pydantic is imported."""

from __future__ import annotations

import re

_THIRD_PERSON = (
    (re.compile(r"\bThe candidate's\b"), "Your"),
    (re.compile(r"\bthe candidate's\b"), "your"),
    (re.compile(r"\bThe candidate\b"), "You"),
    (re.compile(r"\bthe candidate\b"), "you"),
)


def to_candidate(note: str) -> str:
    """A system note addressed to the candidate ("The candidate ended ..." -> "You ended ...")."""
    for pattern, replacement in _THIRD_PERSON:
        note = pattern.sub(replacement, note)
    return note
