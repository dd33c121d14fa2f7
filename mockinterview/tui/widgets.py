"""Small widgets and renderables shared by the screens: score bars, chat messages,
the question timer. Rendering only; scores and groupings come from reports.view."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.markdown import CodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.markup import escape
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from mockinterview.domain.wording import to_candidate
from mockinterview.terminal import terminal_safe

if TYPE_CHECKING:  # annotations only: the home screen paints before pydantic is imported
    from mockinterview.domain.transcript import Turn
    from mockinterview.reports.view import AnswerView

# Control and bidi characters in text from a transcript would reach the terminal as escape
# sequences; ``terminal_safe`` shows them escaped instead.
def clean(text: str) -> str:
    """Text from a transcript made safe to draw (``terminal_safe``: no control or bidi characters)."""
    return terminal_safe(text)


def safe_text(text: str, style: str = "") -> Text:
    return Text(clean(text), style=style)


SPEAKER_LABEL = {"interviewer": "Interviewer", "candidate": "You", "system": "Note"}
BAR_CELLS = 20  # width of a full 5.0 score bar


def score_style(score: float | None) -> str:
    if score is None:
        return "dim"
    return "red" if score < 2.5 else ("yellow" if score < 3.5 else "green")


def fmt_score(score: float | None) -> str:
    return "–" if score is None else f"{score:.1f}"


def score_bars(rows: list[tuple[str, float | None, float | None]], *, width: int = BAR_CELLS) -> Table:
    """A bar per row: (label, score, grader's score if a mentor overrode it)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, justify="right")
    for label, score, original in rows:
        cells = 0 if score is None else round(width * score / 5)
        bar = Text("█" * cells, style=score_style(score)) + Text("░" * (width - cells), style="dim")
        value = Text(fmt_score(score), style=f"bold {score_style(score)}")
        if original is not None:
            value.append(f" (was {fmt_score(original)})", style="dim")
        table.add_row(Text(label), bar, value)
    return table


def message_renderable(turn: Turn) -> RenderableType:
    """A finished chat message. Candidate text is shown literally (never as markup); a
    system note speaks to the candidate ("You ended this round early")."""
    if turn.speaker == "interviewer":
        return RichMarkdown(clean(turn.text))
    if turn.speaker == "system":
        return safe_text(to_candidate(turn.text))
    return safe_text(turn.text)


def message_title(turn: Turn) -> str:
    """A chat message's title: "Interviewer · question", "You · clarifying question", "Note" (not "Note · note")."""
    label = SPEAKER_LABEL.get(turn.speaker, turn.speaker)
    kind = turn.kind.replace("-", " ")
    return label if kind.lower() == label.lower() else f"{label} · {kind}"


class ChatMessage(Static):
    """One finished message, rendered once (cheap to lay out, unlike a live Markdown widget)."""

    DEFAULT_CSS = """
    ChatMessage { height: auto; padding: 0 1; margin: 0 0 1 0; }
    """

    def __init__(self, turn: Turn, **kwargs) -> None:
        title = Text(message_title(turn), style="bold dim")
        super().__init__(Group(title, message_renderable(turn)), classes=f"msg {turn.speaker}", **kwargs)
        self.turn = turn


class _UnhighlightedCodeBlock(CodeBlock):
    @classmethod
    def create(cls, markdown: RichMarkdown, token) -> CodeBlock:
        return cls("text", markdown.code_theme)


class _StreamingMarkdown(RichMarkdown):
    """Markdown whose code blocks are drawn without a lexer. Pygments compiles a language's
    lexer the first time it is used (~200 ms on this machine, on the event loop), so
    while the reply streams that happens in a thread instead (``_warm_lexer``)."""

    elements = {
        **RichMarkdown.elements,
        "fence": _UnhighlightedCodeBlock,
        "code_block": _UnhighlightedCodeBlock,
    }


_FENCE_LANGUAGE = re.compile(r"^ {0,3}(?:```|~~~)[ \t]*([\w.+#-]+)[^\n]*\n", re.MULTILINE)
_warmed_lexers: set[str] = set()


def _warm_lexer(language: str) -> None:
    from pygments.lexers import get_lexer_by_name  # deferred: start-up time (bench/tui_startup.py)
    from pygments.util import ClassNotFound

    with contextlib.suppress(ClassNotFound):
        get_lexer_by_name(language)  # compiles the lexer's rules once per process


class _RenderedLines:
    """Lines already rendered by Rich, replayed as they are (drawing them costs nothing)."""

    def __init__(self, lines: list[list[Segment]]) -> None:
        self.lines = lines

    def __rich_console__(self, console, options):
        newline = Segment.line()
        for line in self.lines:
            yield from line
            yield newline


def settled_length(text: str) -> int:
    """How much of a Markdown text being streamed is made of finished blocks: up to the
    last blank line outside a code fence (what follows it can still change its look)."""
    settled, position, in_fence = 0, 0, False
    for line in text.splitlines(keepends=True):
        position += len(line)
        if not line.endswith("\n"):
            break  # the line being written
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not stripped and not in_fence:
            settled = position
    return settled


class StreamingReply(Static):
    """The interviewer's reply while it streams, as Markdown, redrawn at most every
    ``REDRAW_S`` seconds however fast the model sends tokens.

    Textual's live ``Markdown`` widget re-parses and re-lays out its blocks on every write;
    with a 150 tokens/s model it fell behind (the reply took 2x the model's time to show)
    and stalled the event loop for 200+ ms (bench/tui_streaming.py). Here finished blocks
    are rendered once and only the block being written is rendered again each frame, and
    the widget reserves a few lines ahead so most frames repaint it without a layout pass
    (which re-places every message of the chat).
    """

    REDRAW_S = 1 / 20
    RESERVE_LINES = 4

    DEFAULT_CSS = """
    StreamingReply { height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._parts: list[str] = []
        self._last_drawn = 0.0
        self._redraw_timer = None
        self._reserved_lines = 0
        self._settled = 0  # characters of text whose blocks are rendered in _settled_lines
        self._settled_lines: list[list[Segment]] = []
        self._width = 0

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def append(self, text: str) -> None:
        if not text:
            return
        self._parts.append(text)
        if self._redraw_timer is not None:
            return  # a redraw is already due; it will include this text
        wait = self._last_drawn + self.REDRAW_S - time.monotonic()
        if wait <= 0:
            self._redraw()
        else:
            self._redraw_timer = self.set_timer(wait, self._redraw)

    def _render_markdown(self, text: str, width: int) -> list[list[Segment]]:
        options = self.app.console_options.update_width(width).update(highlight=False)
        return self.app.console.render_lines(_StreamingMarkdown(text), options, pad=False)

    def _redraw(self) -> None:
        self._redraw_timer = None
        self._last_drawn = time.monotonic()
        text = clean(self.text)
        for language in _FENCE_LANGUAGE.findall(text):
            if language not in _warmed_lexers:  # ready by the time the finished reply is drawn
                _warmed_lexers.add(language)
                threading.Thread(target=_warm_lexer, args=(language,), daemon=True).start()
        width = self.content_region.width
        if not width:  # not laid out yet
            self.update(_StreamingMarkdown(text))
            return
        if width != self._width:  # first frame, or the terminal was resized
            self._width, self._settled, self._settled_lines = width, 0, []
        settled = settled_length(text)
        if settled > self._settled:
            if self._settled_lines:
                self._settled_lines.append([])  # the blank line between two blocks
            self._settled_lines += self._render_markdown(text[self._settled : settled], width)
            self._settled = settled
        lines = list(self._settled_lines)
        tail = text[self._settled :]
        if tail.strip():
            if lines:
                lines.append([])
            lines += self._render_markdown(tail, width)
        if len(lines) > self._reserved_lines:
            self._reserved_lines = len(lines) + self.RESERVE_LINES
            self.styles.min_height = self._reserved_lines
            self.update(_RenderedLines(lines))
        else:
            self.update(_RenderedLines(lines), layout=False)


def answer_feedback(
    answer: AnswerView, *, number: int | None = None, show_prompt: bool = True
) -> RenderableType:
    """Score, key points covered and missed, and each mistake with the candidate's words.

    Every string from the transcript goes through ``clean`` (see ``safe_text``).
    """
    parts: list[RenderableType] = []
    head = Text()
    if number is not None:
        head.append(f"Q{answer.number or number}  ", style="bold")
    head.append(f"{fmt_score(answer.score)} / 5", style=f"bold {score_style(answer.score)}")
    if answer.override:
        reason = clean(answer.override.reason)
        head.append(f"  (grader {fmt_score(answer.original_score)}; mentor: {reason})", style="dim")
    if not answer.final:
        head.append("  (this question's grade is the one after its last answer)", style="dim")
    if answer.first_score is not None and answer.exchange:
        after = "the follow-up" if _follow_ups(answer) == 1 else "the follow-ups"
        head.append(
            f"  {fmt_score(answer.first_score)} after the first answer, {fmt_score(answer.score)} after {after}",
            style="dim",
        )
    parts.append(head)
    if show_prompt and answer.question is not None and (answer.exchange or answer.open_follow_ups):
        # One question (the bank's words when the pack has it), its probes and answers, one grade.
        parts.append(safe_text(answer.question_text or answer.question.text, "italic"))
        count = 0
        for turn in answer.exchange:
            if turn.kind == "follow-up":
                count += 1
                parts.append(
                    Padding(
                        Text(f"Follow-up {count}: ", style="bold dim") + safe_text(turn.text, "italic"),
                        (0, 0, 0, 2),
                    )
                )
        for turn in answer.open_follow_ups:
            count += 1
            parts.append(
                Padding(
                    Text(f"Follow-up {count} (not answered): ", style="bold dim") + safe_text(turn.text, "italic"),
                    (0, 0, 0, 2),
                )
            )
        if answer.gained:
            parts.append(
                Padding(
                    safe_text("The follow-up answers added: " + "; ".join(answer.gained), "green"),
                    (0, 0, 0, 2),
                )
            )
        if answer.cleared:
            parts.append(
                Padding(safe_text("No longer counted: " + "; ".join(answer.cleared), "green"), (0, 0, 0, 2))
            )
        show_prompt = False
    certainty = answer.grade.certainty_line()
    if certainty:  # how far to trust the score: a fallback, insufficient evidence, agreement
        risky = answer.grade.status == "fallback" or answer.grade.insufficient_evidence
        parts.append(safe_text(certainty, "bold yellow" if risky else "dim"))
    if show_prompt:
        # Titled with the bank question itself, not with what the model said around it;
        # a follow-up answer also shows the follow-up it answers.
        prompt = answer.prompt
        if answer.question_text:
            parts.append(safe_text(answer.question_text, "italic"))
        if prompt is not None and prompt.kind == "follow-up":
            parts.append(safe_text(f"Follow-up: {prompt.text}", "dim italic"))
        elif prompt is not None and not answer.question_text:
            parts.append(safe_text(prompt.text, "italic"))
    if answer.grade.feedback:
        parts.append(safe_text(answer.grade.feedback))
    for kp in answer.covered:
        line = Text("✓ ", style="green") + safe_text(kp.text)
        if kp.evidence:
            line.append(f' "{clean(kp.evidence)}"', style="dim italic")
            where = answer.said_in(kp.evidence)
            if where:
                line.append(f" ({where})", style="dim")
        parts.append(Padding(line, (0, 0, 0, 2)))
    for kp in answer.missed:
        parts.append(Text("  ✗ ", style="red") + safe_text(kp.text))
    for m in answer.mistakes:
        where = answer.said_in(m.evidence)
        line = Text("  ! ", style="bold yellow") + safe_text(m.title, "bold") + Text(" — you said ")
        line.append(f'"{clean(m.evidence)}"', style="italic")
        if where:
            line.append(f" ({where})", style="dim")
        parts.append(line)
        if m.why:
            parts.append(Padding(Text("Why it matters: ", style="dim") + safe_text(m.why), (0, 0, 0, 4)))
        if m.fix:
            parts.append(Padding(Text("How to fix it: ", style="dim") + safe_text(m.fix), (0, 0, 0, 4)))
    if answer.grade.flags:
        parts.append(safe_text("  flags: " + ", ".join(answer.grade.flags), "dim"))
    for c in answer.comments:
        parts.append(comment_line(c))
    return Group(*parts)


def fixes_panel(fixes) -> RenderableType:
    """The session's three things to fix (``engine.practice.Fix``): each with the candidate's
    words beside the model answer's line, and how to fix it."""
    if not fixes:
        return Text("Nothing to fix stands out: every answer covered its key points.", style="green")
    parts: list[RenderableType] = []
    for n, fix in enumerate(fixes, 1):
        head = Text(f"{n}. ", style="bold")
        if fix.kind == "missed":
            head.append("Missed: ", style="bold red")
        head += safe_text(fix.title, "bold")
        if fix.score is not None:
            head.append(f"  ({fmt_score(fix.score)} / 5)", style=score_style(fix.score))
        parts.append(head)
        parts.append(Padding(safe_text(fix.question, "dim italic"), (0, 0, 0, 3)))
        said = Text("You said: ", style="dim")
        if fix.quote:
            said += safe_text(f'"{fix.quote}"', "italic")
        else:
            said += Text("(skipped)" if fix.kind == "skipped" else "nothing about this", style="italic")
        parts.append(Padding(said, (0, 0, 0, 3)))
        if fix.model_line:
            parts.append(
                Padding(
                    Text("Model answer: ", style="dim") + safe_text(f'"{fix.model_line}"', "green"),
                    (0, 0, 0, 3),
                )
            )
        if fix.how:
            parts.append(Padding(Text("How to fix it: ", style="dim") + safe_text(fix.how), (0, 0, 0, 3)))
    return Group(*parts)


def retry_lines(retries, first_score: float | None) -> RenderableType:
    """Each later attempt at a question, beside the first (``domain.transcript.RetryAttempt``)."""
    parts: list[RenderableType] = []
    for retry in retries:
        score = retry.grade.score
        line = Text("  ↻ Retry ", style="bold cyan") + Text(
            f"{fmt_score(score)} / 5", style=f"bold {score_style(score)}"
        )
        if first_score is not None:
            delta = score - first_score
            line.append(f"  (first attempt {fmt_score(first_score)}, {delta:+.1f})", style="dim")
        parts.append(line)
        parts.append(Padding(safe_text(retry.text, "italic"), (0, 0, 0, 4)))
        covered = ", ".join(k.text for k in retry.grade.covered)
        missed = ", ".join(k.text for k in retry.grade.missed)
        if covered:
            parts.append(Padding(Text("✓ ", style="green") + safe_text(covered), (0, 0, 0, 4)))
        if missed:
            parts.append(Padding(Text("✗ ", style="red") + safe_text(missed), (0, 0, 0, 4)))
        for m in retry.grade.mistakes:
            parts.append(
                Padding(
                    Text("! ", style="bold yellow") + safe_text(f'{m.id.replace("-", " ")}: "{m.evidence}"'),
                    (0, 0, 0, 4),
                )
            )
    return Group(*parts)


def _follow_ups(answer: AnswerView) -> int:
    return sum(1 for t in answer.exchange if t.kind == "follow-up")


def unanswered_feedback(item) -> RenderableType:
    """A question skipped or left unanswered, and what it costs (``reports.view.UnansweredView``)."""
    head = Text(f"Q{item.number}  ", style="bold")
    head.append(f"{fmt_score(item.score)} / 5", style=f"bold {score_style(item.score)}")
    why = "skipped" if item.how == "skipped" else "not answered before the round ended"
    head.append(f"  {why}: counts {fmt_score(item.score)} in the round score", style="dim")
    return Group(head, safe_text(item.question.text, "italic"))


def comment_line(comment) -> Text:
    return Text(f"  ✎ {clean(comment.author)}: ", style="bold cyan") + safe_text(comment.text)


class QuestionTimer(Static):
    """Time left for the current question (or elapsed when there is no limit).

    ``clock`` is injectable so snapshot tests can freeze it.
    """

    DEFAULT_CSS = "QuestionTimer { width: auto; }"
    remaining: reactive[float | None] = reactive(None)

    def __init__(self, clock: Callable[[], float] = time.monotonic, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._clock = clock
        self._started: float | None = None
        self._limit: int | None = None
        self._paused_at: float | None = None  # the clock while paused (another screen on top)

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def start(self, limit_s: int | None) -> None:
        now = self._clock()
        self._started, self._limit = now, limit_s
        if self._paused_at is not None:
            self._paused_at = now  # asked while paused: its clock starts on resume
        self._tick()

    def stop(self) -> None:
        self._started = None
        self.update("")

    def pause(self) -> None:
        """Stop counting (the feedback screen is open): the question's time is its own."""
        if self._paused_at is None:
            self._paused_at = self._clock()

    def resume(self) -> None:
        if self._paused_at is None:
            return
        if self._started is not None:
            self._started += self._clock() - self._paused_at
        self._paused_at = None
        self._tick()

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def _tick(self) -> None:
        if self._started is None:
            return
        now = self._paused_at if self._paused_at is not None else self._clock()
        elapsed = now - self._started
        if self._limit is None:
            self.update(f"{int(elapsed) // 60:02d}:{int(elapsed) % 60:02d} elapsed")
            return
        left = self._limit - elapsed
        self.set_class(left < 0, "overtime")
        label = "over" if left < 0 else "left"
        left = abs(int(left))
        self.update(f"{left // 60:02d}:{left % 60:02d} {label}")


def safe(text: str) -> str:
    """Escape text for Textual content markup (used in labels built from user data)."""
    return escape(terminal_safe(text))


SPARK_CHARS = "▁▂▃▄▅▆▇█"


def spark(values: list[float | None]) -> Text:
    """A one-line trend of 1-5 scores (gaps for sessions without that round)."""
    out = Text()
    for v in values:
        if v is None:
            out.append("·", style="dim")
            continue
        idx = min(len(SPARK_CHARS) - 1, max(0, round((v - 1) / 4 * (len(SPARK_CHARS) - 1))))
        out.append(SPARK_CHARS[idx], style=score_style(v))
    return out


def trend_table(series: dict[str, list[float | None]], titles: dict[str, str] | None = None) -> Table:
    """Per round: the trend over sessions (oldest first) and the latest score."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, justify="right")
    for round_id, values in series.items():
        latest = next((v for v in reversed(values) if v is not None), None)
        label = (titles or {}).get(round_id, round_id)
        table.add_row(
            Text(label), spark(values[-40:]), Text(fmt_score(latest), style=f"bold {score_style(latest)}")
        )
    return table
