"""Another try at a question, right from the feedback: pick the question (weakest first),
type the new answer, ctrl+s grades it with the session's grader. The attempt is saved in
the transcript beside the first one; the session's scores stay as the interview left them."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from mockinterview.domain.transcript import Transcript
from mockinterview.engine.practice import PracticeError, RetryOutcome, retry_question, retry_questions
from mockinterview.tui.footer import KeysFooter
from mockinterview.tui.screens.dialogs import ConfirmScreen
from mockinterview.tui.widgets import fmt_score, safe_text, score_style


class RetryScreen(Screen[bool]):
    """Dismissed with True when at least one new attempt was saved."""

    CSS_PATH = "retry.tcss"
    BINDINGS = [
        Binding(
            "ctrl+s,ctrl+j,alt+enter", "grade", "Grade", id="retry.grade", priority=True, key_display="^s"
        ),
        Binding("escape", "back", "Back", id="retry.back"),
    ]

    def __init__(self, transcript: Transcript, question_id: str | None = None) -> None:
        super().__init__()
        self.transcript = transcript
        self.choices = retry_questions(transcript)
        ids = [qid for qid, *_ in self.choices]
        self.question_id = question_id if question_id in ids else (ids[0] if ids else None)
        self.saved = 0
        self.outcome: RetryOutcome | None = None

    def _label(self, question_id: str, turn, score: float | None) -> str:
        asked = next(
            (t.text for t in self.transcript.turns if t.question_id == question_id and t.kind == "question"),
            question_id,
        )
        first_line = asked.strip().splitlines()[0] if asked.strip() else question_id
        shown = "skipped" if score is None else f"{score:.1f}"
        return f"{shown:>7}  {first_line}"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="retry-body"):
            yield Select(
                [(self._label(*choice), choice[0]) for choice in self.choices],
                value=self.question_id if self.question_id else Select.BLANK,
                allow_blank=self.question_id is None,
                id="retry-question",
                prompt="Question to retry",
            )
            yield Static("", id="retry-first")
            yield TextArea(id="retry-answer", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            yield Static("", id="retry-result")
        yield KeysFooter()

    def confirm_quit(self) -> bool:
        """Quit (q, ctrl+q) asks first while a new answer is typed and not yet graded: it is
        not saved anywhere until it is. True when it asked (the app waits for the answer)."""
        if not self.query_one("#retry-answer", TextArea).text.strip():
            return False

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.app.exit()

        self.app.push_screen(
            ConfirmScreen("Quit mockinterview? The new answer is not graded yet and will be lost.", yes="Quit"), done
        )
        return True

    def on_mount(self) -> None:
        self.sub_title = "retry a question"
        editor = self.query_one("#retry-answer", TextArea)
        editor.cursor_blink = self.app.blink
        editor.border_title = "Your new answer"
        editor.border_subtitle = "grade: ctrl+s"
        self._show_first()
        if self.question_id is None:
            self.query_one("#retry-result", Static).update("No answered or skipped question to retry.")
        editor.focus()

    def _show_first(self) -> None:
        choice = next((c for c in self.choices if c[0] == self.question_id), None)
        widget = self.query_one("#retry-first", Static)
        if choice is None:
            widget.update("")
            return
        _, turn, score = choice
        asked = next(
            (
                t.text
                for t in self.transcript.turns
                if t.question_id == turn.question_id and t.kind == "question"
            ),
            "",
        )
        first = Text("First attempt: ", style="dim")
        first.append(
            "skipped" if score is None else f"{fmt_score(score)} / 5", style=f"bold {score_style(score)}"
        )
        parts = [safe_text(asked, "italic"), first]
        if turn.kind == "answer":
            parts.append(safe_text(turn.text, "dim"))
        widget.update(Group(*parts))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK:
            return
        self.question_id = str(event.value)
        self.query_one("#retry-result", Static).update("")
        self._show_first()

    def action_grade(self) -> None:
        self.query_one("#retry-answer", TextArea).call_later(self._grade)  # after keys still queued

    def _grade(self) -> None:
        text = self.query_one("#retry-answer", TextArea).text
        if self.question_id is None:
            return
        if not text.strip():
            self.notify("Type your new answer first.", severity="warning", timeout=4, markup=False)
            return
        self.query_one("#retry-result", Static).update(Text("Grading…", style="dim"))
        self.run_worker(
            retry_question(self.transcript.meta.id, self.question_id, text),
            name="retry",
            group="retry",
            exit_on_error=False,
            exclusive=True,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "retry":
            return
        result = self.query_one("#retry-result", Static)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = (
                str(error)
                if isinstance(error, (PracticeError, OSError))
                else f"{type(error).__name__}: {error}"
            )
            result.update(Text(message.splitlines()[0] if message else "grading failed", style="red"))
            self.notify(message, title="Retry not saved", severity="error", markup=False)
        elif event.state == WorkerState.SUCCESS:
            self.saved += 1
            self.outcome = event.worker.result
            result.update(outcome_renderable(self.outcome))

    def action_back(self) -> None:
        self.dismiss(self.saved > 0)


def outcome_renderable(outcome: RetryOutcome) -> Group:
    """The retry's grade beside the first attempt's: the score change and what changed."""
    score = outcome.attempt.grade.score
    head = Text("This attempt: ", style="bold") + Text(
        f"{fmt_score(score)} / 5", style=f"bold {score_style(score)}"
    )
    if outcome.first_score is not None:
        delta = score - outcome.first_score
        arrow = "▲" if delta > 0 else "▼" if delta < 0 else "="
        head.append(f"   first attempt {fmt_score(outcome.first_score)}  {arrow} {delta:+.1f}", style="dim")
    else:
        head.append("   (first time: skipped)", style="dim")
    parts = [head]
    for text in outcome.now_covered:
        parts.append(Text("  ✓ now covered: ", style="green") + safe_text(text))
    for mistake in outcome.mistakes_gone:
        parts.append(Text("  ✓ no longer: ", style="green") + safe_text(mistake))
    for text in outcome.still_missed:
        parts.append(Text("  ✗ still missing: ", style="red") + safe_text(text))
    for m in outcome.attempt.grade.mistakes:
        parts.append(
            Text("  ! ", style="bold yellow") + safe_text(f'{m.id.replace("-", " ")}: "{m.evidence}"')
        )
    parts.append(
        Text("Saved beside the first attempt. Edit and ctrl+s to try again; esc goes back.", style="dim")
    )
    return Group(*parts)
