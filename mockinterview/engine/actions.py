"""What a scripted candidate can do at a question: the input of ``engine.headless``.

A module of its own, importing nothing, so the CLI can build actions while it parses an
answers file without loading the session (every command module loads at start).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActionKind = Literal["answer", "clarify", "skip", "end-round", "end"]
# The actions that never need the model: they still apply after a failed step.
WITHOUT_MODEL: tuple[ActionKind, ...] = ("skip", "end-round", "end")


@dataclass(frozen=True)
class Action:
    """One scripted step: an answer, a clarifying question, or a command."""

    kind: ActionKind
    text: str = ""
