"""Home: start an interview, resume an interrupted one, history, open a transcript to review."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList, Static

from mockinterview.domain.pack import ROUND_ORDER

ROUND_LABELS = {
    "basic": "Basic",
    "technical": "Technical",
    "advanced": "Advanced",
    "behavioral": "Behavioral",
}


def _pack_ids() -> list[str]:
    try:
        from mockinterview.packs.loader import pack_dirs

        return [p.name for p in pack_dirs()] or ["data-scientist"]
    except OSError:
        return ["data-scientist"]


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("ctrl+n", "start", "Start", id="home.start"),
        Binding("ctrl+r", "resume", "Resume", id="home.resume"),
        Binding("ctrl+t", "history", "History", id="home.history"),
        Binding("ctrl+o", "open_review", "Review file", id="home.review"),
    ]

    def compose(self) -> ComposeResult:
        from mockinterview.storage.config import ConfigError, load_settings

        try:
            self.settings_error = None
            defaults = load_settings().interview
        except ConfigError as exc:
            from mockinterview.storage.config import InterviewSettings

            self.settings_error = str(exc)
            defaults = InterviewSettings()
        model = self.app.model_spec if self.app.model_spec != "stub" else defaults.interviewer_model
        packs = _pack_ids()
        yield Header()
        with Vertical(id="home-body"):
            yield Static("New interview", classes="section-title")
            with Horizontal(id="home-form"):
                with Vertical(id="home-left"):
                    yield Label("Role pack")
                    yield Select(
                        [(p, p) for p in packs],
                        value=defaults.pack if defaults.pack in packs else packs[0],
                        allow_blank=False,
                        id="home-pack",
                    )
                    with Horizontal(classes="home-pair"):
                        with Vertical():
                            yield Label("Questions / round")
                            yield Input(
                                str(defaults.questions_per_round or ""),
                                placeholder="default",
                                id="home-questions",
                                type="integer",
                            )
                        with Vertical():
                            yield Label("Seconds / question")
                            yield Input(
                                str(defaults.time_limit_s or ""),
                                placeholder="default",
                                id="home-time",
                                type="integer",
                            )
                    yield Label("Model (stub or openai:NAME)")
                    yield Input(model, id="home-model")
                with Vertical(id="home-right"):
                    yield Label("Rounds")
                    yield SelectionList[str](
                        *[(ROUND_LABELS[r], r, r in defaults.rounds) for r in ROUND_ORDER], id="home-rounds"
                    )
            with Horizontal(id="home-buttons"):
                yield Button("Start interview", id="start", variant="primary")
                yield Button("Resume", id="resume")
                yield Button("History", id="history")
                yield Button("Review file…", id="review")
            yield Static("", id="home-resume-info", classes="muted")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "home"
        for widget in self.query(Input):
            widget.cursor_blink = self.app.blink
        if self.settings_error:
            self.notify(self.settings_error, severity="warning", timeout=10)
        self.refresh_resume()
        self.query_one("#start", Button).focus()

    def on_screen_resume(self) -> None:
        self.refresh_resume()

    def refresh_resume(self) -> None:
        from mockinterview.storage.transcripts import latest_session

        self.resumable = latest_session(status="in-progress")
        button = self.query_one("#resume", Button)
        button.disabled = self.resumable is None
        info = f"Interrupted session: {self.resumable.stem}" if self.resumable else ""
        self.query_one("#home-resume-info", Static).update(info)

    def _config(self) -> dict | None:
        """The interview settings from the form, or None after telling the user what is wrong."""
        rounds = list(self.query_one("#home-rounds", SelectionList).selected)
        if not rounds:
            self.notify("Pick at least one round.", severity="warning")
            return None
        config: dict = {
            "pack": str(self.query_one("#home-pack", Select).value),
            "rounds": [r for r in ROUND_ORDER if r in rounds],
        }
        for field, widget_id, low in (
            ("questions_per_round", "#home-questions", 1),
            ("time_limit_s", "#home-time", 10),
        ):
            raw = self.query_one(widget_id, Input).value.strip()
            if raw:
                if not raw.isdigit() or int(raw) < low:
                    self.notify(
                        f"{field.replace('_', ' ')} must be a whole number ≥ {low}", severity="warning"
                    )
                    return None
                config[field] = int(raw)
        model = self.query_one("#home-model", Input).value.strip() or "stub"
        if model != "stub" and not (model.startswith("openai:") and len(model) > len("openai:")):
            self.notify("Model must be 'stub' or 'openai:NAME'.", severity="warning")
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
        from mockinterview.tui.screens.interview import InterviewScreen

        config = self._config()
        if config is not None:
            self.app.push_screen(InterviewScreen(config=config))

    def action_resume(self) -> None:
        from mockinterview.tui.screens.interview import InterviewScreen

        if getattr(self, "resumable", None) is None:
            self.notify("No interrupted session to resume.")
            return
        self.app.push_screen(InterviewScreen(resume=self.resumable))

    def action_history(self) -> None:
        from mockinterview.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_open_review(self) -> None:
        from mockinterview.tui.screens.dialogs import TextPromptScreen

        def done(ref: str | None) -> None:
            from mockinterview.storage.transcripts import TranscriptError, find_session, load_transcript
            from mockinterview.tui.screens.review import ReviewScreen

            if not ref:
                return
            try:
                path = find_session(ref)
                load_transcript(path)
            except TranscriptError as exc:
                self.notify(str(exc), severity="error")
                return
            self.app.push_screen(ReviewScreen(path, author=self.app.author))

        self.app.push_screen(
            TextPromptScreen(
                "Transcript to review (file path or session id)", multiline=False, placeholder="path or id"
            ),
            done,
        )
