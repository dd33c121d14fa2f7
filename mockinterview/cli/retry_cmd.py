"""``mockinterview retry SESSION --answer-file FILE``: answer a question of a saved session
again (headless). The attempt is graded with the session's grader and saved in the
transcript beside the first one (``engine.practice.retry_question``); the session's own
scores stay as the interview left them."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from mockinterview.cli.common import open_input
from mockinterview.cli.errors import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "retry",
        help="answer a question of a saved session again; graded and kept beside the first attempt",
        description="Answer a question of a saved session again. Without --question-id, the "
        "session's weakest question (a skipped one first). `mockinterview history --plan` lists "
        "the questions due for another try.",
    )
    p.add_argument("session", metavar="SESSION", help="session id, id prefix or transcript path")
    p.add_argument("--question-id", default=None, help="the question to retry (default: the weakest)")
    p.add_argument("--answer-file", required=True, type=Path, help="the new answer ('-' reads stdin)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def _read_answer(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    with open_input(path, "a text file with the answer") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None


def run(args: argparse.Namespace) -> int:
    # deferred: start-up time (every command module loads at start)
    from mockinterview.engine.practice import PracticeError, retry_question, retry_questions
    from mockinterview.engine.sessions import TranscriptError, open_session

    text = _read_answer(args.answer_file)
    try:
        _, transcript = open_session(args.session)
        question_id = args.question_id
        if question_id is None:
            choices = retry_questions(transcript)
            if not choices:
                raise CliError(f"session {transcript.meta.id} has no answered or skipped question to retry")
            question_id = choices[0][0]
        outcome = asyncio.run(retry_question(transcript.meta.id, question_id, text))
    except (TranscriptError, PracticeError) as exc:
        raise CliError(str(exc)) from None
    grade = outcome.attempt.grade
    if args.format == "json":
        payload = {
            "session": transcript.meta.id,
            "question_id": question_id,
            "first_score": outcome.first_score,
            "score": grade.score,
            "now_covered": outcome.now_covered,
            "still_missed": outcome.still_missed,
            "mistakes_gone": outcome.mistakes_gone,
            "mistakes": [m.id for m in grade.mistakes],
            "path": str(outcome.path),
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    first = "skipped" if outcome.first_score is None else f"{outcome.first_score:.1f}"
    delta = "" if outcome.first_score is None else f" ({grade.score - outcome.first_score:+.1f})"
    print(f"retry of {question_id}: {grade.score:.1f}/5{delta}, first attempt {first}")
    for point in outcome.now_covered:
        print(f"  now covered: {point}")
    for mistake in outcome.mistakes_gone:
        print(f"  no longer: {mistake}")
    for point in outcome.still_missed:
        print(f"  still missing: {point}")
    for m in grade.mistakes:
        print(f'  mistake: {m.id} - "{m.evidence}"')
    print(f"saved beside the first attempt in {outcome.path}")
    return 0
