"""Past sessions with date, rounds, model and scores; a trend per round; open, review, delete."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from mockinterview.domain.rounds import ROUND_ORDER, ROUND_SHORT
from mockinterview.engine.sessions import (
    TranscriptError,
    delete_session,
    discard_session,
    open_session,
    session_overview,
)
from mockinterview.terminal import terminal_safe
from mockinterview.tui.footer import KeysFooter
from mockinterview.tui.screens.dialogs import ConfirmScreen
from mockinterview.tui.screens.feedback import FeedbackScreen
from mockinterview.tui.screens.interview import InterviewScreen
from mockinterview.tui.screens.review import ReviewScreen
from mockinterview.tui.widgets import fmt_score, safe_text, score_style, trend_table

OVERRIDE_MARK = "*"
STATUS_LABEL = {"in-progress": "unfinished", "ended-early": "ended early"}


class HistoryScreen(Screen[None]):
    CSS_PATH = "history.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", id="history.open", show=True),
        Binding("r", "review", "Review", id="history.review"),
        Binding("d,delete", "delete", "Delete", id="history.delete"),
        Binding("ctrl+r", "resume", "Resume", id="history.resume", tooltip="Continue an unfinished session"),
        Binding(
            "x",
            "discard",
            "Discard",
            id="history.discard",
            tooltip="Close an unfinished session for good (its answers are kept)",
        ),
        Binding("escape", "back", "Back", id="history.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list = []
        self._status: dict[str, str] = {}  # path -> status, for the row-dependent actions

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Score trend per round (oldest → newest)", classes="section-title")
        yield Static("", id="history-trend")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-empty", classes="muted")
        yield Static("", id="history-notes", classes="muted")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "history"
        table = self.query_one(DataTable)
        # Date and scores first: at 80 columns the rest scrolls sideways.
        table.add_columns(
            "Date", "Score", *[ROUND_SHORT[r] for r in ROUND_ORDER], "Status", "Model", "Session"
        )
        self.reload()
        table.focus()

    def reload(self) -> None:
        overview = session_overview()
        self.summaries = overview.sessions
        self._status = {str(s.path): s.status for s in self.summaries if not s.error}
        table = self.query_one(DataTable)
        table.clear()
        for s in overview.newest_first:
            if s.error:
                blank = [""] * len(ROUND_ORDER)
                table.add_row(
                    Text("unreadable", style="red"),
                    "",
                    *blank,
                    safe_text(s.error[:60], "red"),
                    "",
                    safe_text(s.id),
                    key=str(s.path),
                )
                continue
            cells = [
                Text(
                    fmt_score(s.round_scores.get(r)) + (OVERRIDE_MARK if r in s.overridden_rounds else ""),
                    style=score_style(s.round_scores.get(r)),
                )
                for r in ROUND_ORDER
            ]
            overall = fmt_score(s.overall) + (OVERRIDE_MARK if s.overridden else "")
            table.add_row(
                s.created.strftime("%Y-%m-%d %H:%M") if s.created else "",
                Text(overall, style=f"bold {score_style(s.overall)}"),
                *cells,
                safe_text(STATUS_LABEL.get(s.status, s.status)),  # cells from files: never markup
                safe_text(s.model),
                safe_text(s.id),
                key=str(s.path),
            )
        series = {
            r: [s.round_scores.get(r) for s in self.summaries if not s.error]
            for r in ROUND_ORDER
            if any(r in s.round_scores for s in self.summaries)
        }
        self.query_one("#history-trend", Static).update(trend_table(series) if series else "")
        self.query_one("#history-empty", Static).update(
            "" if self.summaries else "No sessions yet. Start an interview from the home screen."
        )
        notes = []
        if any(s.overridden for s in overview.readable):
            notes.append(f"{OVERRIDE_MARK} includes a mentor's override (Enter shows the grader's score too)")
        if overview.unfinished:
            notes.append(
                f"{len(overview.unfinished)} unfinished: ctrl+r resumes the selected one, x discards it"
            )
        self.query_one("#history-notes", Static).update(Text("\n".join(notes)))
        self.refresh_bindings()

    def _selected_unfinished(self) -> Path | None:
        path = self._selected_path()
        return path if path is not None and self._status.get(str(path)) == "in-progress" else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Resume and Discard show (and work) only on an unfinished session's row.
        if action in ("resume", "discard"):
            return self._selected_unfinished() is not None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def action_resume(self) -> None:
        path = self._selected_unfinished()
        if path is not None:
            self.app.push_screen(InterviewScreen(resume=path), lambda _: self.reload())

    def action_discard(self) -> None:
        path = self._selected_unfinished()
        if path is not None:
            self._confirm_then(
                f"Discard unfinished session {path.stem}? It is marked ended early and no longer "
                "offered for resuming; its answers and scores stay in history.",
                yes="Discard",
                act=lambda: discard_session(path),
                done=f"Discarded {path.stem}: its answers are kept",
            )

    def _confirm_then(self, question: str, *, yes: str, act, done: str, danger: bool = False) -> None:
        """Ask ``question``; on yes run ``act`` (a session operation), say ``done`` and reload,
        or say why it failed."""

        def answered(confirmed: bool | None) -> None:
            if not confirmed:
                return
            try:
                act()
            except (TranscriptError, OSError) as exc:
                self.notify(terminal_safe(str(exc)), severity="error", markup=False)
                return
            self.notify(terminal_safe(done), markup=False)
            self.reload()

        self.app.push_screen(ConfirmScreen(question, yes=yes, danger=danger), answered)

    def _selected_path(self):
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return Path(key.value) if key.value else None

    def action_open(self) -> None:
        path = self._selected_path()
        if path is None:
            return
        try:
            _, transcript = open_session(path)
        except TranscriptError as exc:
            self.notify(terminal_safe(str(exc)), severity="error", markup=False)
            return
        self.app.push_screen(FeedbackScreen(transcript))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_review(self) -> None:
        path = self._selected_path()
        if path is not None:
            self.app.push_screen(
                ReviewScreen(path, author=getattr(self.app, "author", "mentor")), lambda _: self.reload()
            )

    def action_delete(self) -> None:
        path = self._selected_path()
        if path is not None:
            self._confirm_then(
                f"Delete session {path.stem}? This removes its transcript for good.",
                yes="Delete",
                act=lambda: delete_session(path),
                done=f"Deleted {path.stem}",
                danger=True,
            )

    def action_back(self) -> None:
        self.dismiss(None)
