"""``mockinterview interview``: run an interview in the TUI, or headless from an answers file.

Answers file: blocks separated by a line ``---``. A block whose first line starts
with ``?`` is a clarifying question; ``/skip`` skips the question, ``/end-round``
ends the round, ``/end`` ends the session. ``--answers -`` reads the blocks from
stdin as they arrive, so a script can drive a session turn by turn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from mockinterview import files
from mockinterview.cli.errors import CliError
from mockinterview.domain.rounds import DEFAULT_PACK_ID
from mockinterview.domain.wording import to_candidate
from mockinterview.engine.actions import Action
from mockinterview.terminal import json_terminal_safe, terminal_safe

BLOCK_SEPARATOR = "---"
MAX_ANSWERS_BYTES = 5_000_000


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "interview",
        help="run a mock interview (TUI, or headless with --answers FILE --no-tui)",
        description="Run a mock interview. With --answers it runs headless: blocks separated by a line '---'; "
        "a block starting with '?' is a clarifying question, '/skip' skips, '/end-round' ends the round, "
        "'/end' ends the session. Prints the transcript path last.",
    )
    p.add_argument(
        "--rounds", default=None, help="comma-separated rounds of the pack (default: all its rounds, in order)"
    )
    # SUPPRESS keeps the top-level `mockinterview --model X interview` value when not given here.
    p.add_argument(
        "--model", default=argparse.SUPPRESS, help="interviewer model: stub (default) or openai:NAME"
    )
    p.add_argument("--grader", default=None, help="grader model: stub (default) or openai:NAME")
    p.add_argument("--questions", type=int, default=None, metavar="N", help="questions per round")
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="pin the question draw to this seed (default: a fresh seed each session, preferring questions "
        "not asked recently and topics you scored low on; the seed is recorded in the transcript)",
    )
    p.add_argument("--pack", default=None, help=f"rubric pack id or directory (default {DEFAULT_PACK_ID})")
    p.add_argument(
        "--max-follow-ups", type=int, default=None, metavar="N", help="follow-ups per question (default 1)"
    )
    p.add_argument(
        "--answers", default=None, metavar="FILE", help="answers file for a headless run ('-' = stdin)"
    )
    p.add_argument("--no-tui", action="store_true", help="run headless (needs --answers)")
    p.add_argument(
        "--resume", nargs="?", const="", default=None, metavar="ID", help="resume a session (default: latest)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="headless output format")
    p.set_defaults(func=run)


# ---------------------------------------------------------------------------------
# Answers file


def parse_block(block: str) -> Action | None:
    text = block.strip("\n").strip()
    if not text:
        return None
    first = text.splitlines()[0].strip()
    if text == "/skip":
        return Action("skip")
    if text == "/end":
        return Action("end")
    if text == "/end-round":
        return Action("end-round")
    if first.startswith("?"):
        return Action("clarify", text.lstrip()[1:].strip())
    return Action("answer", text)


def iter_actions(lines: Iterable[str]) -> Iterator[Action]:
    """Actions from lines, yielded as soon as each block's separator is read."""
    block: list[str] = []
    for line in lines:
        if line.rstrip("\r\n").strip() == BLOCK_SEPARATOR:
            action = parse_block("".join(block))
            block = []
            if action:
                yield action
        else:
            block.append(line)
    action = parse_block("".join(block))
    if action:
        yield action


def _answer_lines(spec: str) -> Iterable[str]:
    if spec == "-":
        return iter(sys.stdin.readline, "")
    path = Path(spec)
    try:
        # a regular file only (a FIFO, /dev/zero: refused, never read), at most the cap;
        # utf-8-sig tolerates a BOM from Windows editors
        text = files.read_text(path, MAX_ANSWERS_BYTES, encoding="utf-8-sig")
    except files.FileTooLarge as exc:
        raise CliError(f"answers file {spec} is too large ({exc.size:,} bytes; at most {exc.limit:,})") from None
    except files.NotARegularFile as exc:
        raise CliError(f"answers file {spec}: {exc.strerror}; use --answers - to read standard input") from None
    except FileNotFoundError:
        raise CliError(f"answers file {spec} does not exist") from None
    except IsADirectoryError:
        raise CliError(f"answers file {spec} is a directory") from None
    except UnicodeDecodeError:
        raise CliError(f"answers file {spec} is not UTF-8 text") from None
    except OSError as exc:
        raise CliError(f"cannot read answers file {spec}: {exc.strerror or exc}") from None
    return text.splitlines(keepends=True)


# ---------------------------------------------------------------------------------
# Command


def _rounds(value: str | None) -> list[str] | None:
    """--rounds as a list (None: not given); the engine checks them against the pack."""
    return None if value is None else [r.strip() for r in value.split(",") if r.strip()]


def _options(args: argparse.Namespace):
    """The interview's options: the flags, completed from the settings (engine.interview_options)."""
    # deferred: start-up time (every command module loads at start)
    from mockinterview.engine.interview_options import OptionError, interview_options

    try:
        return interview_options(
            model=getattr(args, "model", None),
            grader=args.grader,
            pack=args.pack,
            rounds=_rounds(args.rounds),
            rounds_text=args.rounds or "",
            questions=args.questions,
            max_follow_ups=args.max_follow_ups,
        )
    except OptionError as exc:
        flag = f"--{exc.option.replace('_', '-')}: " if exc.option else ""
        raise CliError(f"{flag}{exc}") from None


def _run_tui(args: argparse.Namespace, options) -> int:
    """Open the TUI straight into the interview these flags describe (or the resumed one)."""
    # deferred: start-up time (every command module loads at start)
    from mockinterview.engine.interview_options import TranscriptError, resume_target
    from mockinterview.tui.app import run_app

    if args.resume is not None:
        try:
            path = resume_target(args.resume)
        except TranscriptError as exc:
            raise CliError(str(exc)) from None
        explicit = {"interviewer_model": getattr(args, "model", None), "grader_model": args.grader}
        return run_app(
            model=options.interviewer_model,
            resume_path=path,
            resume_models={k: v for k, v in explicit.items() if v},
        )
    config: dict = {
        "rounds": options.rounds,
        "interviewer_model": options.interviewer_model,
        "grader_model": options.grader_model,
        "max_follow_ups": options.max_follow_ups,
    }
    if args.seed is not None:
        config["seed"] = args.seed
    if args.pack:
        config["pack"] = args.pack
    if options.questions_per_round is not None:
        config["questions_per_round"] = options.questions_per_round
    return run_app(model=options.interviewer_model, start_config=config)


def run(args: argparse.Namespace) -> int:
    options = _options(args)
    if args.answers is None:
        if args.no_tui:
            raise CliError("--no-tui needs --answers FILE (or --answers - to read from stdin)")
        return _run_tui(args, options)
    actions = iter_actions(_answer_lines(args.answers))
    # On resume, a model named on the command line replaces the recorded one (a grader
    # whose server is gone can be swapped for the stub, and the session still finishes).
    overrides = {
        "interviewer_model": getattr(args, "model", None),
        "grader_model": args.grader,
    }
    return asyncio.run(
        run_headless(
            options.config(seed=args.seed, track_time=False),
            actions,
            resume=args.resume,
            fmt=args.format,
            pack=args.pack,
            overrides=overrides,
        )
    )


async def run_headless(
    config,
    actions: Iterable[Action],
    *,
    resume: str | None = None,
    fmt: str = "text",
    pack: str | None = None,
    out: TextIO | None = None,
    overrides: dict[str, str | None] | None = None,
) -> int:
    """Run the scripted interview (engine.headless) and render it: events as they happen
    and a summary (text), or one JSON object at the end."""
    # deferred: start-up time (every command module loads at start)
    from mockinterview.engine.headless import HeadlessError, run_scripted_interview

    out = out or sys.stdout
    printer = _TextPrinter(out) if fmt == "text" else None
    try:
        result = await run_scripted_interview(
            config, actions, on_event=printer, resume=resume, pack=pack, overrides=overrides
        )
    except HeadlessError as exc:
        raise CliError(str(exc), exit_code=exc.exit_code) from None
    finally:
        if printer is not None:
            printer.stop_waiting()

    if fmt == "json":
        out.write(json_terminal_safe(json.dumps(_json_result(result), ensure_ascii=False, indent=2)))
        out.write("\n")
    elif printer is not None:
        printer.finish(result)
        print(str(result.path), file=out)
    out.flush()
    if result.needs_retry:
        print(
            f"mockinterview: error: {terminal_safe(result.fault or 'model call failed', one_line=True)}; "
            f"session saved, resume with: mockinterview interview --resume {result.session_id} --answers FILE --no-tui",
            file=sys.stderr,
        )
        return 1
    if result.resumable:
        print(
            f"mockinterview: answers ran out before the interview ended; session {result.session_id} saved "
            "as in-progress (continue with --resume)",
            file=sys.stderr,
        )
    return 0


def _json_result(result) -> dict:
    t = result.transcript
    return {
        "session_id": result.session_id,
        "path": str(result.path),
        "status": result.status,
        "seed": t.meta.seed,
        "resumable": result.resumable,
        "error": result.fault,
        "unused_answers": result.unused_answers,
        "turns": [
            {"id": x.id, "speaker": x.speaker, "kind": x.kind, "question_id": x.question_id, "text": x.text}
            for x in t.turns
        ],
        "grades": [
            {
                "turn_id": g.turn_id,
                "question_id": g.question_id,
                "round": g.round,
                "score": g.grade.score,
                "status": g.grade.status,
                "covered": [k.id for k in g.grade.covered],
                "missed": [k.id for k in g.grade.missed],
                "mistakes": [{"id": m.id, "evidence": m.evidence} for m in g.grade.mistakes],
                "flags": g.grade.flags,
                "outcome": g.grade.outcome,
                "agreement": g.grade.agreement,
                "fallback_reason": g.grade.fallback_reason,
            }
            for g in t.grades
        ],
        "round_scores": result.round_scores,
        "overall": result.overall,
        "tokens": t.tokens.model_dump(),
        "estimated_cost_usd": round(t.estimated_cost_usd, 6),
        "model_calls": len(t.model_calls),
    }


PROGRESS_TICK_S = 1.0  # how often the line is refreshed on a terminal
PROGRESS_FIRST_S = 5.0  # the first line in a log (then 3x, 6x, and every 12x after that)


async def _progress_line(purpose: str, model: str, err: TextIO) -> None:
    """'thinking... 12 s' while a model works: rewritten each second on a terminal; in a
    log, one line at 5, 15 and 30 s and then every minute (logs stay short)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    tty = err.isatty()
    first = PROGRESS_FIRST_S
    next_mark = first
    try:
        while True:
            await asyncio.sleep(PROGRESS_TICK_S)
            elapsed = loop.time() - started
            line = f"thinking… {elapsed:.0f} s ({purpose}, {model})"
            if tty:
                err.write("\r" + line + " " * 8)
                err.flush()
            elif elapsed >= next_mark:
                err.write(line + "\n")
                err.flush()
                next_mark = {first: 3 * first, 3 * first: 6 * first}.get(next_mark, next_mark + 12 * first)
    except asyncio.CancelledError:
        if tty:
            err.write("\r" + " " * (len(purpose) + len(model) + 40) + "\r")
            err.flush()
        raise


class _TextPrinter:
    """Renders engine events as they happen (rich), for people reading a headless run."""

    def __init__(self, out: TextIO) -> None:
        from rich.console import Console  # deferred: start-up time (every command module loads at start)

        self.console = Console(
            file=out, highlight=False, soft_wrap=False, width=100 if not out.isatty() else None
        )
        self._waiting: asyncio.Task | None = None

    def __call__(self, event) -> None:
        # deferred: start-up time (every command module loads at start)
        from rich.markup import escape as _markup_escape

        from mockinterview.engine import events as ev

        def escape(text: str) -> str:
            return _markup_escape(terminal_safe(text))

        c = self.console
        if isinstance(event, ev.ModelCallStarted):
            self._start_waiting(event)
            return
        if isinstance(event, ev.ModelCallFinished):
            self._stop_waiting()
            return
        if isinstance(event, ev.RoundStarted):
            c.rule(f"Round {event.index + 1}/{event.total_rounds}: {escape(event.round)}")
        elif isinstance(event, ev.TurnAdded):
            turn = event.turn
            text = escape(turn.text)
            if turn.speaker == "interviewer":
                cut = " [dim](cut off at the token limit)[/]" if turn.cut_off else ""
                c.print(f"[bold cyan]Interviewer:[/] {text}{cut}")
            elif turn.speaker == "candidate":
                shown = text if len(text) <= 300 else text[:297] + "..."
                label = "You (clarifying)" if turn.kind == "clarifying-question" else "You"
                c.print(f"[bold]{label}:[/] {shown}")
            elif not turn.text.startswith("Model error during"):  # the ModelFault line says it
                c.print(f"[dim]note: {escape(to_candidate(turn.text))}[/]")
        elif isinstance(event, ev.GradeReady):
            g = event.record.grade
            tag = " (offline fallback)" if g.status == "fallback" else ""
            c.print(
                f"  [bold green]score {g.score:.1f}/5[/]{tag}  [dim]{escape(event.record.question_id or '')}[/]"
            )
            if g.covered:
                c.print("  covered: " + escape(", ".join(k.id for k in g.covered)))
            if g.missed:
                c.print("  [yellow]missed:[/] " + escape(", ".join(k.id for k in g.missed)))
            for m in g.mistakes:
                c.print(f'  [red]mistake {escape(m.id)}:[/] "{escape(m.evidence)}"')
            if g.flags:
                c.print("  [red]flags:[/] " + escape(", ".join(g.flags)))
            certainty = g.certainty_line()
            if certainty:
                risky = g.status == "fallback" or g.insufficient_evidence
                c.print(f"  [{'yellow' if risky else 'dim'}]{escape(certainty)}[/]")
        elif isinstance(event, ev.ModelFault):
            c.print(f"[bold red]model error:[/] {escape(event.message)}")

    # -- "thinking..." while a model works: a progress line on stderr -------------------
    def _start_waiting(self, event) -> None:
        self._stop_waiting()
        if event.model == "stub":
            return  # instant
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._waiting = loop.create_task(_progress_line(event.purpose, event.model, sys.stderr))

    def _stop_waiting(self) -> None:
        if self._waiting is not None:
            self._waiting.cancel()
            self._waiting = None

    def stop_waiting(self) -> None:
        self._stop_waiting()

    def finish(self, result) -> None:
        from rich.markup import escape as _markup_escape

        # deferred: start-up time (every command module loads at start)
        from mockinterview.engine.headless import UNANSWERED_SCORE

        self._stop_waiting()
        c = self.console
        c.rule("Summary")
        for r, score in result.round_scores.items():
            c.print(f"  {_markup_escape(terminal_safe(r))}: {score:.2f}/5")
        overall = result.overall
        c.print(f"  overall: {overall:.2f}/5" if overall is not None else "  overall: no graded answers")
        t = result.transcript
        if result.unanswered:
            n = result.unanswered
            c.print(
                f"  {n} question{'s' if n != 1 else ''} skipped or unanswered, "
                f"each counted as {UNANSWERED_SCORE:.1f}"
            )
        c.print(f"  status: {_markup_escape(terminal_safe(result.status))}")
        if t.meta.seed is not None:
            c.print(f"  seed: {t.meta.seed} (mockinterview interview --seed {t.meta.seed} asks the same questions)")
        calls = len(t.model_calls)
        c.print(
            f"  tokens: {t.tokens.total:,} ({t.tokens.prompt_tokens:,} prompt + {t.tokens.completion_tokens:,} "
            f"completion) · est. cost ${t.estimated_cost_usd:.4f} · {calls} model call{'s' if calls != 1 else ''}"
        )
        if result.unused_answers:
            why = "a model error stopped the run" if result.needs_retry else "the interview ended first"
            c.print(f"  [yellow]{result.unused_answers} answer block(s) left unused: {why}[/]")
