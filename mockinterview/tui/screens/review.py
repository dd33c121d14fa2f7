"""The mentor's review screen: the transcript turn by turn with its grades; comment on
any turn, override a grade with a reason, export a report. Reviews are saved as the
transcript's separate review layer (engine.review); turns and grades are never edited."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, ListItem, ListView, Static

from mockinterview.domain.transcript import Transcript
from mockinterview.reports.view import ReportView, TurnView, build_view
from mockinterview.tui.widgets import (
    SPEAKER_LABEL,
    answer_feedback,
    fmt_score,
    message_renderable,
    score_style,
)


def turn_renderable(tv: TurnView) -> RenderableType:
    turn = tv.turn
    head = Text(f"#{turn.id} {SPEAKER_LABEL.get(turn.speaker, turn.speaker)} · {turn.kind}", style="bold dim")
    if turn.round:
        head.append(f" · {turn.round}", style="dim")
    parts: list[RenderableType] = [head, message_renderable(turn)]
    if tv.answer is not None:
        parts.append(Text(""))
        parts.append(answer_feedback(tv.answer, show_prompt=False))
    else:
        for c in tv.comments:
            parts.append(Text(f"  ✎ {c.author}: ", style="bold cyan") + Text(c.text))
    return Group(*parts)


class TurnItem(ListItem):
    def __init__(self, tv: TurnView) -> None:
        super().__init__(Static(turn_renderable(tv), classes="turn-body"), classes=tv.turn.speaker)
        self.turn_view = tv

    def refresh_view(self, tv: TurnView) -> None:
        self.turn_view = tv
        self.query_one(".turn-body", Static).update(turn_renderable(tv))


class ReviewScreen(Screen[None]):
    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("c", "comment", "Comment", id="review.comment"),
        Binding("o", "override", "Override grade", id="review.override"),
        Binding("e", "export", "Export report", id="review.export"),
        Binding("y", "copy_turn", "Copy turn", id="review.copy"),
        Binding("escape", "back", "Back", id="review.back"),
    ]

    def __init__(self, path: Path, *, author: str = "mentor", standalone: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.author = author
        self.standalone = standalone
        self.transcript: Transcript | None = None
        self.view: ReportView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="review-summary", classes="status-bar")
        yield ListView(id="review-turns")
        yield Footer()

    def on_mount(self) -> None:
        from mockinterview.storage.transcripts import TranscriptError, load_transcript

        self.sub_title = f"review {self.path.name}"
        try:
            self.transcript = load_transcript(self.path)
        except TranscriptError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.view = build_view(self.transcript)
        items = [TurnItem(tv) for r in self.view.rounds for tv in r.turns]
        self.query_one(ListView).extend(items)
        self._update_summary()
        self.query_one(ListView).focus()

    def _update_summary(self) -> None:
        if self.view is None or self.transcript is None:
            return
        meta = self.transcript.meta
        text = Text(f"{meta.id} · overall ")
        text.append(fmt_score(self.view.score), style=f"bold {score_style(self.view.score)}")
        if self.view.has_overrides:
            text.append(f" (grader {fmt_score(self.view.original_score)})", style="dim")
        n, m = len(self.transcript.review.comments), len(self.transcript.review.overrides)
        text.append(f" · {n} comment{'s' * (n != 1)} · {m} override{'s' * (m != 1)}")
        self.query_one("#review-summary", Static).update(text)

    def _current(self) -> TurnItem | None:
        item = self.query_one(ListView).highlighted_child
        return item if isinstance(item, TurnItem) else None

    def _save_and_refresh(self) -> None:
        from mockinterview.engine.review import save_review

        assert self.transcript is not None
        try:
            save_review(self.transcript, self.path)
        except Exception as exc:  # storage errors are one line; keep the review in memory
            self.notify(f"Not saved: {exc}", severity="error", timeout=10)
        self.view = build_view(self.transcript)
        by_id = {tv.turn.id: tv for r in self.view.rounds for tv in r.turns}
        for item in self.query(TurnItem):
            item.refresh_view(by_id[item.turn_view.turn.id])
        self._update_summary()

    def action_comment(self) -> None:
        from mockinterview.tui.screens.dialogs import TextPromptScreen

        item = self._current()
        if item is None or self.transcript is None:
            return
        turn_id = item.turn_view.turn.id

        def done(text: str | None) -> None:
            from mockinterview.engine.review import ReviewError, add_comment

            if text is None or self.transcript is None:
                return
            try:
                add_comment(self.transcript, turn_id, text, self.author)
            except ReviewError as exc:
                self.notify(str(exc), severity="warning")
                return
            self._save_and_refresh()
            self.notify(f"Comment saved on turn {turn_id}")

        self.app.push_screen(TextPromptScreen(f"Comment on turn {turn_id}"), done)

    def action_override(self) -> None:
        from mockinterview.tui.screens.dialogs import OverrideScreen

        item = self._current()
        if item is None or self.transcript is None:
            return
        answer = item.turn_view.answer
        if answer is None:
            self.notify("Only graded answers can be overridden; pick an answer turn.", severity="warning")
            return
        turn_id = answer.turn.id

        def done(result: tuple[float, str] | None) -> None:
            from mockinterview.engine.review import ReviewError, override_grade

            if result is None or self.transcript is None:
                return
            try:
                override_grade(self.transcript, turn_id, result[0], result[1], self.author)
            except ReviewError as exc:
                self.notify(str(exc), severity="warning")
                return
            self._save_and_refresh()
            self.notify(f"Grade of turn {turn_id} set to {result[0]:.1f}")

        self.app.push_screen(OverrideScreen(answer.original_score), done)

    def action_export(self) -> None:
        from mockinterview.reports import save_report

        if self.transcript is None:
            return
        try:
            written = [save_report(self.transcript, fmt) for fmt in ("html", "md")]
        except OSError as exc:
            self.notify(f"Export failed: {exc}", severity="error")
            return
        self.notify("Report written:\n" + "\n".join(str(p) for p in written), timeout=8)

    def action_copy_turn(self) -> None:
        item = self._current()
        if item is None:
            return
        self.app.copy_to_clipboard(item.turn_view.turn.text)
        self.notify("Turn text copied (OSC 52)")

    def action_back(self) -> None:
        if self.standalone:
            self.app.exit(0)
        else:
            self.dismiss(None)
