"""The options of a new interview, from what a caller was given and the user's settings:
the service behind ``mockinterview interview``'s flags.

One precedence: a value given here (a command-line flag) > the settings' ``[interview]``
table (config.toml and the environment, read by ``storage.config.load_settings``) > the
built-in defaults defined there. The rounds are the pack's: given ones are checked against
it; the configured ones apply to the configured pack; another pack runs all its rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mockinterview.engine.config import InterviewConfig
from mockinterview.errors import OneLineError
from mockinterview.packs.loader import PackLoadError, load_pack
from mockinterview.storage.config import load_settings
from mockinterview.storage.transcripts import TranscriptError, find_session, latest_session

QUESTIONS_RANGE = (1, 50)
FOLLOW_UPS_RANGE = (0, 5)


class OptionError(OneLineError):
    """A given option is unusable. ``option`` names it (``model``, ``grader``, ``rounds``,
    ``questions``, ``max_follow_ups``; None for the pack's own problem); ``str(exc)`` is the
    reason."""

    def __init__(self, option: str | None, reason: str) -> None:
        super().__init__(reason)
        self.option = option


@dataclass(frozen=True)
class InterviewOptions:
    pack: str
    rounds: list[str]
    questions_per_round: int | None  # None: each round's default
    max_follow_ups: int
    interviewer_model: str
    grader_model: str
    time_limit_s: int | None  # from the settings only

    def config(self, *, seed: int | None = None, track_time: bool = True) -> InterviewConfig:
        return InterviewConfig(
            pack=self.pack,
            rounds=list(self.rounds),  # type: ignore[arg-type]
            questions_per_round=self.questions_per_round,
            time_limit_s=self.time_limit_s,
            interviewer_model=self.interviewer_model,
            grader_model=self.grader_model,
            max_follow_ups=self.max_follow_ups,
            seed=seed,
            track_time=track_time,
        )


def _model_spec(spec: str, option: str) -> str:
    if spec == "stub" or (spec.startswith("openai:") and spec.removeprefix("openai:").strip()):
        return spec
    raise OptionError(option, f"unknown model {spec!r} (expected stub or openai:NAME)")


def _pack_rounds(pack: str) -> list[str]:
    """The rounds the pack declares, in its order (rounds are the pack's, not the code's)."""
    try:
        return [r.id for r in load_pack(pack).meta.rounds]
    except PackLoadError as exc:
        raise OptionError(None, exc.one_line()) from None


def _given_rounds(rounds: list[str], declared: list[str], text: str) -> list[str]:
    unknown = [r for r in rounds if r not in declared]
    if unknown or not rounds:
        raise OptionError(
            "rounds", f"unknown round {unknown[0] if unknown else text!r} (choose from {', '.join(declared)})"
        )
    if len(set(rounds)) != len(rounds):
        raise OptionError("rounds", "a round is listed twice")
    return rounds


def _in_range(value: int, bounds: tuple[int, int], option: str) -> int:
    low, high = bounds
    if not low <= value <= high:
        raise OptionError(option, f"must be between {low} and {high}")
    return value


def interview_options(
    *,
    model: str | None = None,
    grader: str | None = None,
    pack: str | None = None,
    rounds: list[str] | None = None,
    rounds_text: str = "",
    questions: int | None = None,
    max_follow_ups: int | None = None,
) -> InterviewOptions:
    """The options given (None: not given) completed from the settings, each checked;
    OptionError naming the first unusable one. ``rounds_text`` is how the rounds were
    written, for the message when none could be read from it. ConfigError when the
    settings cannot be read."""
    defaults = load_settings().interview
    model = _model_spec(model or defaults.interviewer_model, "model")
    grader = _model_spec(grader or defaults.grader_model, "grader")
    pack = pack or defaults.pack
    declared = _pack_rounds(pack)
    if rounds is not None:
        chosen = _given_rounds(rounds, declared, rounds_text)
    elif pack == defaults.pack:
        chosen = [r for r in defaults.rounds if r in declared] or declared
    else:
        chosen = declared  # another pack than the configured one: all of its rounds
    questions = questions if questions is not None else defaults.questions_per_round
    if questions is not None:
        _in_range(questions, QUESTIONS_RANGE, "questions")
    follow_ups = _in_range(
        max_follow_ups if max_follow_ups is not None else defaults.max_follow_ups, FOLLOW_UPS_RANGE, "max_follow_ups"
    )
    return InterviewOptions(
        pack=pack,
        rounds=chosen,
        questions_per_round=questions,
        max_follow_ups=follow_ups,
        interviewer_model=model,
        grader_model=grader,
        time_limit_s=defaults.time_limit_s,
    )


def resume_target(ref: str) -> Path:
    """The transcript of the session to resume: ``ref`` (a path, an id or its prefix), or
    with ``""`` the most recently updated interrupted one. TranscriptError: one line."""
    target = ref or latest_session(status="in-progress")
    if not target:
        raise TranscriptError("no interrupted session to resume")
    return find_session(target)
