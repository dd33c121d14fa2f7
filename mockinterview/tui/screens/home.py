"""Home: start an interview, resume an interrupted one, history, open a transcript to review."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Button, Checkbox, Header, Input, Label, Select, SelectionList, Static
from textual.widgets.option_list import OptionDoesNotExist
from textual.worker import Worker, WorkerState

from mockinterview.domain.rounds import DEFAULT_PACK_ID, ROUND_ORDER, ROUND_SHORT
from mockinterview.terminal import terminal_safe

# The other screens and the engine's services are imported where they are first used: the
# home screen paints before pydantic and the domain models are imported (bench/tui_startup.py).
from mockinterview.tui.footer import KeysFooter

# Until the pack is read (after the first paint), rounds show under these labels.
ROUND_LABELS = {
    "basic": "Basic",
    "technical": "Technical",
    "advanced": "Advanced",
    "behavioral": "Behavioral",
}
DEFAULT_PACK = DEFAULT_PACK_ID


RECENT = 4  # sessions listed under the form


class RoundChecklist(SelectionList[str]):
    """The rounds to run: a checked round shows ✓, an unchecked one an empty box (Textual
    draws X in both, telling them apart by colour only)."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        if len(segments) < 2 or segments[1].text != Checkbox.BUTTON_INNER:
            return line
        mark = "✓" if selection.value in self._selected else " "
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, line.cell_length)


def recent_table(sessions) -> Table | str:
    if not sessions:
        return "No sessions yet: start one above. Your history and score trends will show here."
    table = Table(box=None, padding=(0, 2), show_header=True, header_style="dim", title_justify="left")
    table.add_column("recent sessions", no_wrap=True)
    table.add_column("rounds", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    for x in sessions:
        score = "–" if x.overall is None else f"{x.overall:.1f}"
        table.add_row(  # Text, not str: Rich would read "[...]" in a file's data as markup
            Text(x.created.strftime("%Y-%m-%d %H:%M") if x.created else x.id),
            Text(" ".join(ROUND_SHORT.get(r, r) for r in x.rounds)),
            Text({"in-progress": "unfinished", "ended-early": "ended early"}.get(x.status, x.status)),
            Text(score, style="bold"),
        )
    return table


def plan_panel(plan) -> Table | str:
    """The practice plan (``engine.practice.PracticePlan``) in a few lines: questions due for
    another try, mistakes that recur, key points most often missed."""
    if plan is None or plan.empty:
        return ""
    table = Table(box=None, padding=(0, 1), show_header=False, expand=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    if plan.due:
        due = Text()
        for i, d in enumerate(plan.due[:3]):
            due.append(" · " if i else "")
            due.append("skipped" if d.last_score is None else f"{d.last_score:.1f}", style="yellow")
            due.append(f" {d.question_id}")
        table.add_row("Due again", due)
    if plan.mistakes:
        recurring = Text()
        for i, m in enumerate(plan.mistakes[:2]):
            recurring.append(" · " if i else "")
            recurring.append(f"×{m.times} ", style="yellow")
            recurring.append(m.title)
        table.add_row("Mistakes", recurring)
    if plan.missed_points:
        p = plan.missed_points[0]
        table.add_row("Often missed", Text(f"{p.missed}/{p.asked} ", style="yellow") + Text(p.key_point))
    return table


def load_home_defaults():
    """The form's defaults and the sessions (``engine.sessions.InterviewDefaults``), and the
    practice plan, read in a thread after the first paint."""
    # Imported here, in that thread: it needs pydantic and the domain models, which the
    # first paint does not wait for (bench/tui_startup.py).
    from mockinterview.engine.sessions import interview_defaults

    defaults = interview_defaults()
    if not defaults.overview.readable:
        return defaults, None  # no session to plan from (nor the practice module to import)
    from mockinterview.engine.practice import practice_plan

    try:
        plan = practice_plan()
    except OSError:  # an unreadable sessions dir: the form still works
        plan = None
    return defaults, plan


def prepare_interview(pack: str, model: str) -> None:
    """What pressing Start needs - the interview screen and the engine (imports), the pack,
    the interviewer's tokenizer - loaded in a thread once the form is filled, so starting
    does not load them on the event loop (they held it ~0.3-0.5 s)."""
    # Imported here, in that thread, after the form is filled: the point of this function.
    from mockinterview.engine.session import prepare
    from mockinterview.tui.screens import interview  # noqa: F401

    prepare(pack, model)


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("ctrl+n", "start", "Start", id="home.start"),
        Binding("ctrl+r", "resume", "Resume", id="home.resume"),
        Binding("ctrl+t", "history", "History", id="home.history"),
        Binding("ctrl+o", "open_review", "Review file", id="home.review"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False  # True once the config defaults and sessions are read
        self._pending_action: str | None = None  # a key pressed before that: run it then
        self.resumable: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home-body"):
            yield Static("New interview", classes="section-title")
            with Horizontal(id="home-form"):
                with Vertical(id="home-left"):
                    yield Label("Role pack")
                    yield Select(
                        [(DEFAULT_PACK, DEFAULT_PACK)], value=DEFAULT_PACK, allow_blank=False, id="home-pack"
                    )
                    with Horizontal(classes="home-pair"):
                        with Vertical():
                            yield Label("Questions / round")
                            yield Input(placeholder="default", id="home-questions", type="integer")
                        with Vertical():
                            yield Label("Seconds / question")
                            yield Input(placeholder="default", id="home-time", type="integer")
                    with Horizontal(classes="home-pair"):
                        with Vertical():
                            yield Label("Model (stub or openai:NAME)")
                            yield Input(self.app.model_spec, id="home-model")
                        with Vertical(id="home-seed-box"):
                            yield Label("Seed")
                            # Blank: a fresh draw that remembers past sessions; a number
                            # pins the questions (shown in the feedback of every session).
                            yield Input(placeholder="new", id="home-seed", type="integer")
                with Vertical(id="home-right"):
                    yield Label("Rounds")
                    yield RoundChecklist(*[(ROUND_LABELS[r], r, True) for r in ROUND_ORDER], id="home-rounds")
            with Horizontal(id="home-buttons"):
                yield Button("Start interview", id="start", variant="primary")
                yield Button("Resume", id="resume", disabled=True)
                yield Button("History", id="history")
                yield Button("Review file…", id="review")
            # Below the buttons: the resumable session, the practice plan and the recent
            # sessions, mounted with what they show once it is read (_mount_panels). Empty
            # until then, they would only cost the first paint (every widget does); below the
            # form, their arrival moves nothing above them.
        yield KeysFooter()

    def _mount_panels(self) -> None:
        if self.query("#home-recent"):
            return
        self.query_one("#home-body", Vertical).mount(
            Static("", id="home-resume-info", classes="muted"),
            # The plan before the recent sessions: on a short terminal it is what stays in view.
            Static("", id="home-plan-title", classes="section-title hidden"),
            Static("", id="home-plan"),
            Static("", id="home-recent"),
        )

    def on_mount(self) -> None:
        self.sub_title = "home"
        for widget in self.query(Input):
            widget.cursor_blink = self.app.blink
        self.query_one("#start", Button).focus()
        # Reading the config, the packs and the sessions imports pydantic and the domain
        # models: that runs in a thread once the screen is painted and has gone idle (a
        # thread started sooner competes with the first frames for the interpreter). The
        # form starts with the defaults, so loading fills values and never moves it.
        self.call_after_refresh(self.call_after_refresh, self._load_defaults)

    def _load_defaults(self) -> None:
        self.run_worker(
            load_home_defaults,
            name="home-defaults",
            group="home",
            thread=True,
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "home-plan":
            if event.state == WorkerState.SUCCESS:
                self._show_plan(event.worker.result)
            return
        if event.worker.name != "home-defaults":
            return
        if event.state == WorkerState.SUCCESS:
            defaults, plan = event.worker.result
            self._apply_defaults(defaults)
            self._show_plan(plan)
        elif event.state == WorkerState.ERROR:
            self._mount_panels()
            self.loaded = True
            self.notify(
                terminal_safe(f"Could not read settings: {event.worker.error}"), severity="warning", timeout=10, markup=False
            )

    def _apply_defaults(self, d) -> None:  # engine.sessions.InterviewDefaults
        self._mount_panels()
        pack = self.query_one("#home-pack", Select)
        pack.set_options([(p, p) for p in d.packs])
        pack.value = d.pack
        self.query_one("#home-questions", Input).value = str(d.questions_per_round or "")
        self.query_one("#home-time", Input).value = str(d.time_limit_s or "")
        model = self.app.model_spec  # a model named on the command line wins
        self.query_one("#home-model", Input).value = model if model and model != "stub" else d.interviewer_model
        rounds = self.query_one("#home-rounds", SelectionList)
        for r in ROUND_ORDER:
            (rounds.select if r in d.rounds else rounds.deselect)(r)
        self.app.apply_keymap_setting(d.keymap)
        if d.settings_error:
            self.notify(terminal_safe(d.settings_error), severity="warning", timeout=10, markup=False)
        self._show_resumable(d.overview.resumable)
        self.query_one("#home-recent", Static).update(recent_table(d.overview.recent(RECENT)))
        self.loaded = True
        if self._pending_action:
            self.call_later(self.run_action, self._pending_action)
        else:
            pack, model = str(self.query_one("#home-pack", Select).value), self.query_one("#home-model", Input).value
            self.run_worker(
                partial(prepare_interview, pack, model.strip() or "stub"),
                name="home-prepare",
                group="home-prepare",
                thread=True,
                exit_on_error=False,
            )

    def _wait_for_defaults(self, action: str) -> bool:
        """True (and the action queued) if the form is not filled in yet."""
        if self.loaded:
            return False
        self._pending_action = action
        return True

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.refresh_sessions()

    def refresh_sessions(self) -> None:
        """Back from an interview or the history: the sessions and the plan may have changed."""
        # deferred: start-up time (bench/tui_startup.py)
        from mockinterview.engine.practice import practice_plan
        from mockinterview.engine.sessions import session_overview

        overview = session_overview()
        self._show_resumable(overview.resumable)
        self.query_one("#home-recent", Static).update(recent_table(overview.recent(RECENT)))
        # In a thread: a session that just changed is parsed again (~0.5 MB of JSON).
        self.run_worker(practice_plan, name="home-plan", group="home", thread=True, exit_on_error=False)

    def _show_plan(self, plan) -> None:
        panel = plan_panel(plan)
        title = self.query_one("#home-plan-title", Static)
        title.update(f"Practice plan · from {plan.sessions} session(s) · history --plan" if panel else "")
        title.set_class(not panel, "hidden")
        self.query_one("#home-plan", Static).update(panel)

    def _show_resumable(self, path: Path | None) -> None:
        self.resumable = path
        self.query_one("#resume", Button).disabled = path is None
        info = f"Interrupted session: {path.stem}" if path else ""
        widget = self.query_one("#home-resume-info", Static)
        widget.update(info)
        widget.set_class(not info, "hidden")

    def _config(self) -> dict | None:
        """The interview settings from the form, or None after telling the user what is wrong."""
        rounds = list(self.query_one("#home-rounds", SelectionList).selected)
        if not rounds:
            self.notify("Pick at least one round.", severity="warning", markup=False)
            return None
        config: dict = {
            "pack": str(self.query_one("#home-pack", Select).value),
            "rounds": [r for r in ROUND_ORDER if r in rounds],
        }
        for key, widget_id, low in (
            ("questions_per_round", "#home-questions", 1),
            ("time_limit_s", "#home-time", 10),
            ("seed", "#home-seed", 0),
        ):
            raw = self.query_one(widget_id, Input).value.strip()
            if raw:
                if not raw.isdigit() or int(raw) < low:
                    self.notify(
                        f"{key.replace('_', ' ')} must be a whole number ≥ {low}",
                        severity="warning",
                        markup=False,
                    )
                    return None
                config[key] = int(raw)
        model = self.query_one("#home-model", Input).value.strip() or "stub"
        if model != "stub" and not (model.startswith("openai:") and len(model) > len("openai:")):
            self.notify("Model must be 'stub' or 'openai:NAME'.", severity="warning", markup=False)
            return None
        config["interviewer_model"] = model
        return config

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "start": self.action_start,
            "resume": self.action_resume,
            "history": self.action_history,
            "review": self.action_open_review,
        }
        action = actions.get(event.button.id or "")
        if action:
            action()

    def action_start(self) -> None:
        # deferred: start-up time (bench/tui_startup.py)
        from mockinterview.tui.screens.interview import InterviewScreen

        if self._wait_for_defaults("start"):
            return
        config = self._config()
        if config is not None:
            self.app.push_screen(InterviewScreen(config=config))

    def action_resume(self) -> None:
        # deferred: start-up time (bench/tui_startup.py)
        from mockinterview.tui.screens.interview import InterviewScreen

        if self._wait_for_defaults("resume"):
            return
        if self.resumable is None:
            self.notify("No interrupted session to resume.", markup=False)
            return
        self.app.push_screen(InterviewScreen(resume=self.resumable))

    def action_history(self) -> None:
        # deferred: start-up time (bench/tui_startup.py)
        from mockinterview.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_open_review(self) -> None:
        # deferred: start-up time (bench/tui_startup.py)
        from mockinterview.tui.screens.dialogs import TextPromptScreen

        def done(ref: str | None) -> None:
            # deferred: start-up time (bench/tui_startup.py)
            from mockinterview.engine.sessions import TranscriptError, open_session
            from mockinterview.tui.screens.review import ReviewScreen

            if not ref:
                return
            try:
                path, _ = open_session(ref)
            except TranscriptError as exc:
                self.notify(terminal_safe(str(exc)), severity="error", markup=False)
                return
            self.app.push_screen(ReviewScreen(path, author=self.app.author))

        self.app.push_screen(
            TextPromptScreen(
                "Transcript to review (file path or session id)", multiline=False, placeholder="path or id"
            ),
            done,
        )
