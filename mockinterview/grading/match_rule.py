"""What every question matcher shares: when its best candidate is accepted, and the error
when a matcher cannot run here. A module of its own so that the TF-IDF matcher
(``question_match``) and the optional semantic one (``semantic``) both import it, and
neither imports the other at module level."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    """Accept the best candidate when ``best >= threshold``, or when ``best >= floor`` and it
    leads the runner-up by at least ``margin``."""

    threshold: float
    floor: float
    margin: float

    def accepts(self, best: float, runner_up: float) -> bool:
        return best >= self.threshold or (best >= self.floor and best - runner_up >= self.margin)


class MatcherUnavailable(RuntimeError):
    """The matcher asked for cannot run in this installation (one-line reason)."""
