"""The UI-agnostic interview engine. Never imports Textual or rich (a test checks)."""

from mockinterview.engine.session import EngineError, InterviewConfig, InterviewSession, Progress

__all__ = ["EngineError", "InterviewConfig", "InterviewSession", "Progress"]
