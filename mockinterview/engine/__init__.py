"""The UI-agnostic interview engine. Never imports Textual or rich (a test checks).

The session's names are re-exported lazily: importing one service (``engine.grade``,
``engine.sessions``, ...) does not load the interview session and the model layer with it
(measured: ``import mockinterview.engine.grade`` went from ~430 modules to ~260).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockinterview.engine.session import EngineError, InterviewConfig, InterviewSession, Progress

__all__ = ["EngineError", "InterviewConfig", "InterviewSession", "Progress"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from mockinterview.engine import session  # deferred: see the module docstring

        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
