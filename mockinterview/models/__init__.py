"""The model layer: providers behind one narrow API (``base.Provider``), one wrapper
around all of them (``model.Model``: retries, concurrency, recording, cost, the
structured-output ladder) and the factory ``get_model``.

The openai SDK is imported only when an ``openai:NAME`` model is asked for, so the
offline stub (and ``--help``) never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockinterview.domain.transcript import Transcript
from mockinterview.models.calls import CallLog, TranscriptLog
from mockinterview.models.model import Model

MODEL_SPEC_HELP = "stub, replay or openai:NAME"

__all__ = ["MODEL_SPEC_HELP", "CallLog", "Model", "ModelSpecError", "TranscriptLog", "get_model"]


class ModelSpecError(ValueError):
    """An unusable model spec; ``str(exc)`` is a one-line reason."""


def get_model(
    spec: str,
    *,
    source_transcript: Transcript | str | Path | None = None,
    settings: Any = None,
    log: CallLog | None = None,
    on_notice: Callable[[str], None] | None = None,
    sleep: Callable[[float], Any] | None = None,
) -> Model:
    """A ``Model`` for ``spec`` recording into ``log`` (a fresh one if None).
    ``settings`` (openai only) default to the user's config file and environment."""
    spec = (spec or "stub").strip()
    extra: dict[str, Any] = {"log": log, "on_notice": on_notice}
    if sleep is not None:
        extra["sleep"] = sleep
    if spec == "stub":
        from mockinterview.models.stub import StubProvider

        return Model(StubProvider(), **extra)
    if spec == "replay":
        from mockinterview.models.replay import ReplayProvider

        if source_transcript is None:
            raise ModelSpecError("the replay model needs a transcript to replay from")
        if not isinstance(source_transcript, Transcript):
            from mockinterview.storage.transcripts import load_transcript

            source_transcript = load_transcript(source_transcript)
        return Model(ReplayProvider.from_transcript(source_transcript), **extra)
    if spec.startswith("openai:"):
        name = spec.removeprefix("openai:").strip()
        if not name:
            raise ModelSpecError("openai model spec needs a model name, e.g. openai:gpt-4o-mini")
        from mockinterview.models.openai_provider import OpenAIProvider

        if settings is None:
            from mockinterview.storage.config import load_settings

            settings = load_settings()
        return Model(OpenAIProvider(name, settings), **extra)
    raise ModelSpecError(f"unknown model {spec!r} (expected {MODEL_SPEC_HELP})")
