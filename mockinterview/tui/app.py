"""The Textual app: home, interview, feedback, history, review and help screens.

``run_app`` is what the CLI calls; ``create_app`` builds the app for tests and
benchmarks (fixed clock, no cursor blink). The app holds no business logic: it
calls the engine, storage and reports and renders what they return.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from mockinterview.terminal import terminal_safe
from mockinterview.tui.screens.home import HomeScreen

DEFAULT_THEME = "textual-dark"


def load_keymap() -> dict[str, str]:
    """The ``keymap`` setting (config.toml ``[keymap]``, or the older keymap.toml): binding
    id -> keys. ConfigError when the settings cannot be read."""
    # Imported here, in a thread after the first paint: the settings need pydantic.
    from mockinterview.storage.config import load_settings

    return load_settings().keymap


class MockInterviewApp(App[int]):
    TITLE = "mockinterview"
    SUB_TITLE = "data-science interview coach"
    # The first screen (home, or review when opening a file) is the default screen, whose
    # own CSS_PATH Textual does not load: its stylesheet is the app's, and only the one
    # screen's (every rule parsed and matched before the first paint costs start-up time).
    CSS_PATH = ["app.tcss", "screens/home.tcss"]
    REVIEW_CSS_PATH = ["app.tcss", "screens/review.tcss"]
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("q", "quit", "Quit", id="app.quit_q", show=False),
        Binding("question_mark,f1", "help", "Help", id="app.help", key_display="?"),
    ]

    def apply_keymap_setting(self, keymap: dict[str, str]) -> None:
        """The settings' keymap, unless one was given to the app (tests, benchmarks)."""
        if self._given_keymap is None:
            self.set_keymap(keymap)

    def __init__(
        self,
        model: str | None = None,
        *,
        review_path: Path | None = None,
        author: str = "mentor",
        clock: Callable[[], float] = time.monotonic,
        blink: bool = True,
        keymap: dict[str, str] | None = None,
        start_config: dict | None = None,
        resume_path: Path | None = None,
        resume_models: dict[str, str] | None = None,
    ) -> None:
        super().__init__(css_path=self.REVIEW_CSS_PATH if review_path is not None else None)
        self.model_spec = model or "stub"
        self.review_path = review_path
        # `mockinterview interview [...]` (no --no-tui) opens straight into an interview.
        self.start_config = start_config
        self.resume_path = resume_path
        self.resume_models = resume_models or {}  # models named on the command line win on resume
        self.author = author
        self.clock = clock
        self.blink = blink
        self._given_keymap = keymap  # (Textual keeps its own in _keymap)
        self.theme = DEFAULT_THEME

    def get_default_screen(self) -> Screen:
        # The first screen is the bottom of the stack, not pushed over an empty default
        # one: that saved a compose and a layout pass before the first paint.
        if self.review_path is not None:
            # Imported here: the review screen needs pydantic and the domain models, which
            # the home screen's first paint does not wait for (bench/tui_startup.py).
            from mockinterview.tui.screens.review import ReviewScreen

            return ReviewScreen(self.review_path, author=self.author, standalone=True)
        return HomeScreen()

    def on_mount(self) -> None:
        if self._given_keymap is not None:
            self.set_keymap(self._given_keymap)
        elif self.review_path is not None:  # (home applies it with the form's defaults)
            # From the settings, read after the first paint; keys pressed before: the defaults.
            self.call_after_refresh(
                self.run_worker, load_keymap, name="keymap", group="app", thread=True, exit_on_error=False
            )
        if self.review_path is None and (self.start_config is not None or self.resume_path is not None):
            # Here: the interview screen imports the engine, which home's first paint does not wait for.
            from mockinterview.tui.screens.interview import InterviewScreen

            self.push_screen(
                InterviewScreen(
                    config=self.start_config, resume=self.resume_path, resume_models=self.resume_models
                )
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # (The app may be closing before the keymap is read: with no screen left there is
        # nothing to apply it to.)
        if event.worker.name != "keymap" or not self.screen_stack:
            return
        if event.state == WorkerState.SUCCESS:
            self.set_keymap(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.notify(terminal_safe(f"{event.worker.error}; the default keys apply"), severity="warning", markup=False)

    async def action_quit(self) -> None:
        """Quit, unless the screen has work open that it asks about first (an interview
        with an answer being typed asks, as its Leave does)."""
        ask = getattr(self.screen, "confirm_quit", None)
        if ask is not None and ask():
            return
        self.exit()

    def action_help(self) -> None:
        from mockinterview.tui.screens.help import HelpScreen  # only when asked for: not on the start path

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Every binding of the current screen is also a palette command, so no action
        # is reachable only by a key (mouse-only and keyboard-remapped users included).
        seen: set[str] = set()
        shown: set[str] = set()
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            # Only the app's own actions (every one has an id): not the widgets' internals
            # ("Cursor down select", "Scroll Up"), which a palette user never looks for.
            if not binding.id or not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            shown.add(binding.description)
            keys = binding.key_display or self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} ({keys})",
                _runner(node, binding.action),
            )
        for command in super().get_system_commands(screen):
            if command.title not in shown:  # Textual's own "Quit" would repeat ours
                yield command


def _runner(node, action: str) -> Callable[[], object]:
    async def run() -> None:
        await node.run_action(action)

    return run


def create_app(model: str | None = None, **kwargs) -> MockInterviewApp:
    """The app as tests and benchmarks build it (pass ``clock``/``blink`` for stable snapshots)."""
    return MockInterviewApp(model, **kwargs)


def run_app(
    model: str | None = None,
    *,
    review_path: Path | None = None,
    author: str = "mentor",
    start_config: dict | None = None,
    resume_path: Path | None = None,
    resume_models: dict[str, str] | None = None,
) -> int:
    app = create_app(
        model,
        review_path=review_path,
        author=author,
        start_config=start_config,
        resume_path=resume_path,
        resume_models=resume_models,
    )
    app.run()
    return app.return_code or 0
