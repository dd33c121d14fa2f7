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
from mockinterview.engine.sessions import session_overview
from mockinterview.reports import export, save_report
from mockinterview.reports.view import ReportView, build_view
from mockinterview.tui.footer import KeysFooter
from mockinterview.tui.widgets import (
    answer_feedback,
    fmt_score,
    score_bars,
    score_style,
    trend_table,
)


class FeedbackScreen(Screen[None]):
    CSS_PATH = "feedback.tcss"
    BINDINGS = [
        Binding("escape,enter", "close", "Continue", id="feedback.close"),
        Binding("c", "copy_feedback", "Copy feedback", id="feedback.copy"),
        Binding("e", "export", "Export report", id="feedback.export"),
    ]

    def __init__(self, transcript: Transcript, round_id: str | None = None) -> None:
        super().__init__()
        self.transcript = transcript
        self.round_id = round_id  # None: the whole session
        self.view: ReportView = build_view(transcript)

    def _rounds(self):
        if self.round_id is None:
            return self.view.rounds
        return [r for r in self.view.rounds if r.id == self.round_id]

    def _scores_panel(self) -> Group:
        rows = [
            (r.title, r.score, r.original_score if r.score != r.original_score else None)
            for r in self.view.rounds
            if r.answers
        ]
        head = Text("Overall ", style="bold")
        head.append(f"{fmt_score(self.view.score)} / 5", style=f"bold {score_style(self.view.score)}")
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
            with VerticalScroll(id="feedback-top", can_focus=False):
                yield Static(self._scores_panel(), id="feedback-scores")
                yield Static(self._previous_panel(), id="feedback-previous")
            for rv in self._rounds():
                yield Static(
                    f"{rv.title}: {fmt_score(rv.score)} / 5",
                    classes="section-title round-title",
                    markup=False,
                )
                if not rv.answers:
                    yield Static("No graded answers in this round.", classes="muted")
                for i, answer in enumerate(rv.answers, 1):
                    yield Static(answer_feedback(answer, number=i), classes="answer-feedback")
                    if answer.reference_answer:
                        with Collapsible(title="Reference answer", collapsed=True):
                            yield Static(answer.reference_answer, markup=False, classes="reference")
        yield KeysFooter()

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
            self.notify(f"Export failed: {exc}", severity="error", markup=False)
            return
        self.notify(f"Report written: {target}", timeout=8, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
