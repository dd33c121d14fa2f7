"""Model implementations behind one interface (see base.py) and the factory ``get_model``.

The openai SDK is imported only when an ``openai:NAME`` model is asked for, so the
offline stub (and ``--help``) never pays for it.
"""

from __future__ import annotations

from pathlib import Path

from mockinterview.domain.transcript import Transcript
from mockinterview.models.base import Model

MODEL_SPEC_HELP = "stub, replay or openai:NAME"


class ModelSpecError(ValueError):
    """An unusable model spec; ``str(exc)`` is a one-line reason."""


def get_model(spec: str, *, source_transcript: Transcript | str | Path | None = None) -> Model:
    spec = (spec or "stub").strip()
    if spec == "stub":
        from mockinterview.models.stub import StubModel

        return StubModel()
    if spec == "replay":
        from mockinterview.models.replay import ReplayModel

        if source_transcript is None:
            raise ModelSpecError("the replay model needs a transcript to replay from")
        if not isinstance(source_transcript, Transcript):
            from mockinterview.storage.transcripts import load_transcript

            source_transcript = load_transcript(source_transcript)
        return ReplayModel.from_transcript(source_transcript)
    if spec.startswith("openai:"):
        name = spec.removeprefix("openai:").strip()
        if not name:
            raise ModelSpecError("openai model spec needs a model name, e.g. openai:gpt-4o-mini")
        from mockinterview.models import openai_model

        return openai_model.OpenAIModel(name)
    raise ModelSpecError(f"unknown model {spec!r} (expected {MODEL_SPEC_HELP})")
