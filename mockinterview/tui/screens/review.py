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
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from mockinterview.domain.transcript import Transcript
from mockinterview.engine.review import ReviewError, add_comment, override_grade, save_review
from mockinterview.engine.sessions import TranscriptError, open_session
from mockinterview.reports import save_report
from mockinterview.reports.view import ReportView, TurnView, build_view
from mockinterview.tui.footer import KeysFooter
from mockinterview.tui.screens.dialogs import OverrideScreen, TextPromptScreen
from mockinterview.tui.widgets import (
    SPEAKER_LABEL,
    answer_feedback,
    clean,
    comment_line,
    fmt_score,
    message_renderable,
    score_style,
)

SPEAKER_STYLE = {"interviewer": "bold blue", "candidate": "bold green", "system": "bold yellow"}


def turn_renderable(tv: TurnView) -> RenderableType:
    turn = tv.turn
    head = Text(
        f"#{turn.id} {SPEAKER_LABEL.get(turn.speaker, turn.speaker)}", style=SPEAKER_STYLE.get(turn.speaker)
    )
    head.append(f" · {turn.kind}" + (f" · {turn.round}" if turn.round else ""), style="dim")
    parts: list[RenderableType] = [head, message_renderable(turn)]
    if tv.answer is not None:
        parts.append(Text(""))
        parts.append(answer_feedback(tv.answer, show_prompt=False))
    else:
        for c in tv.comments:
            parts.append(comment_line(c))
    return Group(*parts)


# Turns listed before the first paint; the rest follow a batch per frame. Listing a turn
# renders it to measure its height: all 300 turns of a long session took a second
# before the screen showed anything (bench/tui_review.py). The batches after the first
# double up to BATCH (15, 30, 60, 100 ...): right after the screen appears a batch keeps the
# keys waiting ~20 ms, not the 0.1-0.25 s of 100 long turns.
FIRST_BATCH = 15
BATCH = 100


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
        self._order: list[int] = []  # every turn id, in the order listed
        self._listed = 0  # how many of them are in the list (see FIRST_BATCH)
        self._views: dict[int, TurnView] = {}  # turn id -> its view, for the current view

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="review-summary", classes="status-bar")
        # An OptionList renders only the lines on screen, so a long transcript opens fast
        # and the cursor moves without re-laying out every turn (one widget per turn did).
        yield OptionList(id="review-turns")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = f"review {self.path.name}"
        try:
            _, self.transcript = open_session(self.path)
        except TranscriptError as exc:
            self.notify(clean(str(exc)), severity="error", timeout=10, markup=False)
            return
        self._set_view(build_view(self.transcript))
        self._order = list(self._views)
        self._list_more(FIRST_BATCH)
        turns = self.query_one(OptionList)
        turns.highlighted = 0 if turns.option_count else None
        self._update_summary()
        turns.focus()

    def _set_view(self, view: ReportView) -> None:
        self.view = view
        self._views = {tv.turn.id: tv for r in view.rounds for tv in r.turns}

    def _list_more(self, count: int | None = None) -> None:
        """List the next ``count`` turns (by default as many as are listed, at most BATCH),
        then the rest a batch at a time, a frame apart. Each batch costs its own size: no copy
        of the rest, no index rebuilt per batch (that made opening a 28 MB transcript quadratic)."""
        if self.view is None:
            return
        if count is None:
            count = min(BATCH, max(FIRST_BATCH, self._listed))
        batch = self._order[self._listed : self._listed + count]
        self._listed += len(batch)
        turns = self.query_one(OptionList)
        options: list[Option | None] = []
        last = len(self._order)
        for position, turn_id in enumerate(batch, self._listed - len(batch) + 1):
            options.append(Option(turn_renderable(self._views[turn_id]), id=str(turn_id)))
            if position < last:
                # The separator goes after a turn, never first in a batch: OptionList drops
                # its whole line cache when a batch starts with one, and measuring every turn
                # again per batch was quadratic.
                options.append(None)
        turns.add_options(options)
        if self._listed < len(self._order):
            self.set_timer(1 / 60, self._list_more)

    def _update_summary(self) -> None:
        if self.view is None or self.transcript is None:
            return
        meta = self.transcript.meta
        text = Text(f"{clean(meta.id)} · overall ")
        text.append(fmt_score(self.view.score), style=f"bold {score_style(self.view.score)}")
        if self.view.has_overrides:
            text.append(f" (grader {fmt_score(self.view.original_score)})", style="dim")
        n, m = len(self.transcript.review.comments), len(self.transcript.review.overrides)
        text.append(f" · {n} comment{'s' * (n != 1)} · {m} override{'s' * (m != 1)}")
        self.query_one("#review-summary", Static).update(text)

    def _current(self) -> TurnView | None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or self.view is None:
            return None
        return self._views.get(int(option.id))

    def _save_and_refresh(self, changed_turn: int) -> bool:
        """Save the review and redraw the turn it changed; False (and said) when the save
        failed - the change stays in this screen's memory only."""
        assert self.transcript is not None
        saved = True
        try:
            save_review(self.transcript, self.path)
        except Exception as exc:  # storage errors are one line; keep the review in memory
            saved = False
            self.notify(
                f"Not saved: {clean(str(exc))}. The change is kept on this screen only.",
                severity="error",
                timeout=10,
                markup=False,
            )
        self._set_view(build_view(self.transcript))
        listed = set(self._order[: self._listed])  # the others are drawn from the new view when listed
        if changed_turn in listed and changed_turn in self._views:
            self.query_one(OptionList).replace_option_prompt(
                str(changed_turn), turn_renderable(self._views[changed_turn])
            )
        self._update_summary()
        return saved

    def action_comment(self) -> None:
        current = self._current()
        if current is None or self.transcript is None:
            return
        turn_id = current.turn.id

        def done(text: str | None) -> None:
            if text is None or self.transcript is None:
                return
            try:
                add_comment(self.transcript, turn_id, text, self.author)
            except ReviewError as exc:
                self.notify(clean(str(exc)), severity="warning", markup=False)
                return
            if self._save_and_refresh(turn_id):
                self.notify(f"Comment saved on turn {turn_id}", markup=False)

        self.app.push_screen(TextPromptScreen(f"Comment on turn {turn_id}"), done)

    def action_override(self) -> None:
        current = self._current()
        if current is None or self.transcript is None:
            return
        answer = current.answer
        if answer is None:
            self.notify(
                "Only graded answers can be overridden; pick an answer turn.",
                severity="warning",
                markup=False,
            )
            return
        turn_id = answer.turn.id

        def done(result: tuple[float, str] | None) -> None:
            if result is None or self.transcript is None:
                return
            try:
                override_grade(self.transcript, turn_id, result[0], result[1], self.author)
            except ReviewError as exc:
                self.notify(clean(str(exc)), severity="warning", markup=False)
                return
            if self._save_and_refresh(turn_id):
                self.notify(f"Grade of turn {turn_id} set to {result[0]:.1f}", markup=False)

        # (A follow-up came after this answer: the question is scored on its last answer, so
        # an override here is kept in the transcript but moves no score - say so up front.)
        note = (
            ""
            if answer.final
            else "A follow-up came after this answer: the question is scored on its last answer, so this "
            "override is recorded but changes no score. Override the last answer to change it."
        )
        self.app.push_screen(OverrideScreen(answer.original_score, note=note), done)

    def action_export(self) -> None:
        if self.transcript is None:
            return
        try:
            written = [save_report(self.transcript, fmt) for fmt in ("html", "md")]
        except OSError as exc:
            self.notify(f"Export failed: {clean(str(exc))}", severity="error", markup=False)
            return
        self.notify("Report written:\n" + "\n".join(clean(str(p)) for p in written), timeout=8, markup=False)

    def action_copy_turn(self) -> None:
        current = self._current()
        if current is None:
            return
        self.app.copy_to_clipboard(current.turn.text)
        self.notify("Turn text copied (OSC 52)", markup=False)

    def action_back(self) -> None:
        if self.standalone:
            self.app.exit(0)
        else:
            self.dismiss(None)
