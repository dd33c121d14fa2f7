"""Feedback after a round and at the end: per answer the score, key points covered and
missed, each mistake with the candidate's words, why it matters and how to fix it, and
the reference answer (folded); round and overall scores next to previous sessions."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Collapsible, Header, Static

from mockinterview.domain.transcript import Transcript
from mockinterview.engine.practice import retries_for, top_fixes
from mockinterview.engine.sessions import TranscriptError, open_session, session_overview
from mockinterview.reports import export, save_report
from mockinterview.reports.view import ReportView, build_view, try_load_pack
from mockinterview.terminal import terminal_safe
from mockinterview.tui.footer import KeysFooter
from mockinterview.tui.screens.retry import RetryScreen
from mockinterview.tui.widgets import (
    answer_feedback,
    fixes_panel,
    fmt_score,
    retry_lines,
    safe_text,
    score_bars,
    score_style,
    trend_table,
    unanswered_feedback,
)


class FeedbackScreen(Screen[None]):
    CSS_PATH = "feedback.tcss"
    BINDINGS = [
        Binding("escape,enter", "close", "Continue", id="feedback.close"),
        Binding("c", "copy_feedback", "Copy feedback", id="feedback.copy"),
        Binding("e", "export", "Export report", id="feedback.export"),
        Binding(
            "t",
            "retry",
            "Retry a question",
            id="feedback.retry",
            tooltip="Answer a question again; graded and kept beside the first attempt",
        ),
    ]

    def __init__(
        self, transcript: Transcript, round_id: str | None = None, *, retry: bool | None = None
    ) -> None:
        super().__init__()
        self.round_id = round_id  # None: the whole session
        # Retrying writes the transcript: not from a round's feedback while the interview
        # itself still holds it (it is offered in the session's feedback at the end).
        self.retry_allowed = round_id is None if retry is None else retry
        self._load(transcript)

    def _load(self, transcript: Transcript) -> None:
        self.transcript = transcript
        pack = try_load_pack(transcript.meta.pack_id)
        self.view: ReportView = build_view(transcript, pack, load_pack=False)
        self.fixes = top_fixes(transcript, pack) if self.round_id is None else []

    def _rounds(self):
        if self.round_id is None:
            return self.view.rounds
        return [r for r in self.view.rounds if r.id == self.round_id]

    def _scores_panel(self) -> Group:
        rows = [
            (r.title, r.score, r.original_score if r.score != r.original_score else None)
            for r in self.view.rounds
            if r.answers or r.unanswered
        ]
        head = Text("Overall ", style="bold")
        head.append(f"{fmt_score(self.view.score)} / 5", style=f"bold {score_style(self.view.score)}")
        if self.transcript.meta.seed is not None:  # the same questions again: --seed / the home form
            head.append(f"   seed {self.transcript.meta.seed}", style="dim")
        width = 12 if self.app.size.width < 100 else 20  # keep the numbers visible at 80 columns
        return Group(head, score_bars(rows, width=width))

    def _previous_panel(self):
        summaries = session_overview().others(self.transcript.meta.id)
        if not summaries:
            return Text("No earlier sessions to compare with yet.", style="dim")
        rounds = [r.id for r in self.view.rounds if r.answers]
        series = {
            r: [s.round_scores.get(r) for s in summaries]
            + [next(x.score for x in self.view.rounds if x.id == r)]
            for r in rounds
        }
        titles = {r.id: r.title for r in self.view.rounds}
        return Group(
            Text(f"Trend over {len(summaries) + 1} sessions (this one last)", style="dim"),
            trend_table(series, titles),
        )

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="feedback-body"):
            if self.round_id is None:  # the session's summary leads with what to fix
                yield Static("Three things to fix", classes="section-title", id="feedback-fixes-title")
                yield Static(fixes_panel(self.fixes), id="feedback-fixes")
            with VerticalScroll(id="feedback-top", can_focus=False):
                yield Static(self._scores_panel(), id="feedback-scores")
                yield Static(self._previous_panel(), id="feedback-previous")
            for rv in self._rounds():
                yield Static(
                    f"{rv.title}: {fmt_score(rv.score)} / 5",
                    classes="section-title round-title",
                    markup=False,
                    id=f"round-{rv.id}",
                )
                if not rv.answers and not rv.unanswered:
                    yield Static("No graded answers in this round.", classes="muted")
                yield from self._skip_retries(rv)
                for i, answer in enumerate(rv.answers, 1):
                    yield Static(
                        answer_feedback(answer, number=i),
                        classes="answer-feedback",
                        id=f"answer-{answer.turn.id}",
                    )
                    retries = retries_for(self.transcript, answer.turn.id)
                    if retries:  # later attempts, beside the first
                        yield Static(
                            retry_lines(retries, answer.score),
                            classes="retries",
                            id=f"retries-{answer.turn.id}",
                        )
                    if answer.reference_answer:
                        with Collapsible(title="Reference answer", collapsed=True):
                            yield Static(answer.reference_answer, markup=False, classes="reference")
                for item in rv.unanswered:  # they count: the round score says how
                    yield Static(unanswered_feedback(item), classes="answer-feedback")
        yield KeysFooter()

    def _skip_retries(self, rv):
        """A skipped question retried later: the question and its attempts."""
        for tv in rv.turns:
            retries = retries_for(self.transcript, tv.turn.id) if tv.turn.kind == "skip" else []
            if retries:
                asked = next(
                    (t.text for t in self.transcript.turns if t.id == tv.turn.reply_to),
                    tv.turn.question_id or "",
                )
                yield Static(
                    Group(safe_text(f"Skipped: {asked}", "italic"), retry_lines(retries, None)),
                    classes="retries",
                    id=f"retries-{tv.turn.id}",
                )

    async def _show_retries(self) -> None:
        """After a retry: the fixes and every question's attempts, in place."""
        if self.round_id is None:
            self.query_one("#feedback-fixes", Static).update(fixes_panel(self.fixes))
        for rv in self._rounds():
            for widget in self._skip_retries(rv):
                existing = self.query(f"#{widget.id}")
                if existing:
                    await existing.remove()
                await self.query_one("#feedback-body").mount(widget, after=f"#round-{rv.id}")
            for answer in rv.answers:
                retries = retries_for(self.transcript, answer.turn.id)
                if not retries:
                    continue
                shown = retry_lines(retries, answer.score)
                existing = self.query(f"#retries-{answer.turn.id}")
                if existing:
                    existing.first(Static).update(shown)
                else:
                    await self.query_one("#feedback-body").mount(
                        Static(shown, classes="retries", id=f"retries-{answer.turn.id}"),
                        after=f"#answer-{answer.turn.id}",
                    )

    def on_mount(self) -> None:
        self.sub_title = "round feedback" if self.round_id else "session feedback"
        self.query_one("#feedback-body").focus()

    def _feedback_markdown(self) -> str:
        return export(self.transcript, "md")

    def action_copy_feedback(self) -> None:
        self.app.copy_to_clipboard(self._feedback_markdown())
        self.notify("Feedback copied as Markdown (OSC 52)", markup=False)

    def action_export(self) -> None:
        try:
            target = save_report(self.transcript, "html")
        except OSError as exc:
            self.notify(f"Export failed: {terminal_safe(str(exc))}", severity="error", markup=False)
            return
        self.notify(f"Report written: {target}", timeout=8, markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.retry_allowed
        return True

    def action_retry(self) -> None:
        if not self.retry_allowed:
            return
        first = self.fixes[0].question_id if self.fixes else None

        def done(saved: bool | None) -> None:
            if not saved:
                return
            try:
                _, transcript = open_session(self.transcript.meta.id)
            except TranscriptError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self._load(transcript)
            self.run_worker(self._show_retries(), exclusive=True, group="feedback")

        self.app.push_screen(RetryScreen(self.transcript, first), done)

    def action_close(self) -> None:
        self.dismiss(None)
