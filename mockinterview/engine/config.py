"""What an interview session is started with, and the pack and models it runs on.

``InterviewConfig`` takes its defaults from config.toml's ``[interview]`` settings
(``storage.config.InterviewSettings``), defined there once; the helpers turn the
config's references (a pack id, model specs) into the objects a session uses, or an
``EngineError`` with a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockinterview.domain.pack import RolePack, RoundId
from mockinterview.domain.rounds import ROUND_ORDER
from mockinterview.models import Model, ModelSpecError, get_model
from mockinterview.models.base import ModelError
from mockinterview.packs.loader import PackLoadError, load_pack
from mockinterview.storage.config import InterviewSettings


class EngineError(Exception):
    """A request the session cannot honour now (wrong state, bad config). One line."""


def _setting_default(name: str) -> Any:
    return InterviewSettings.model_fields[name].default


@dataclass
class InterviewConfig:
    # The defaults are config.toml's [interview] defaults (storage/config.InterviewSettings),
    # defined there once.
    pack: str = _setting_default("pack")
    rounds: list[RoundId] = field(default_factory=lambda: list(ROUND_ORDER))
    questions_per_round: int | None = _setting_default("questions_per_round")  # None: each round's default
    time_limit_s: int | None = _setting_default("time_limit_s")  # per question; None: the question's own
    interviewer_model: str = _setting_default("interviewer_model")  # "stub" | "openai:NAME"
    grader_model: str = _setting_default("grader_model")
    max_follow_ups: int = _setting_default("max_follow_ups")
    # Question selection. None (the default): a fresh seed for every session, and the
    # draw prefers questions the candidate has not seen recently and topics where past
    # sessions scored low. A number pins the draw to that seed alone, so a seed names one
    # interview. Either way the seed and the plan are recorded in the transcript.
    seed: int | None = None
    # Record time-limit overruns as notes. Headless runs turn this off: scripted
    # answers arrive instantly or after arbitrary pauses, so wall time means nothing.
    track_time: bool = True
    # Prompt tokens sent to the interviewer model; None: the endpoint's budget
    # (config.toml context_budget_tokens, else its kind's default), always kept below a
    # context window the server has told.
    context_budget_tokens: int | None = None
    # Checklists per answer from a model grader (their agreement is recorded); None: the
    # grader endpoint's grading_samples setting (1 for the stub).
    grading_samples: int | None = None


def load_session_pack(ref: str | Path) -> RolePack:
    """The rubric pack, or an EngineError with a one-line reason."""
    try:
        return load_pack(ref)
    except PackLoadError as exc:
        head = str(exc).splitlines()[0]
        raise EngineError(f"{head}: {exc.problems[0]}" if exc.problems else head) from None


def session_model(spec: str) -> Model:
    """The model ``spec`` names, or an EngineError with a one-line reason."""
    try:
        return get_model(spec)
    except (ModelSpecError, ModelError) as exc:
        raise EngineError(str(exc)) from None


def grading_samples(config: InterviewConfig, grader: Model) -> int:
    """Checklists per answer: the config's, else the grader endpoint's setting (1 for the stub)."""
    if config.grading_samples is not None:
        return config.grading_samples
    settings = grader.settings
    return settings.endpoint().grading_samples if settings is not None else 1


def check_spec(spec: str) -> str:
    """A model spec a session may use: stub or openai:NAME (replay only answers replays)."""
    spec = (spec or "").strip()
    if spec == "stub" or (spec.startswith("openai:") and spec.removeprefix("openai:").strip()):
        return spec
    raise EngineError(f"unknown model {spec!r} (expected stub or openai:NAME)")
