"""Small modal dialogs: confirm, one-line text prompt, grade override."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no: y confirms, n or escape cancels, Enter presses the focused button - Cancel at
    first, since a destructive choice needs a deliberate move. The buttons show the keys."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", danger: bool = False) -> None:
        super().__init__()
        self.question, self.yes, self.danger = question, yes, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, markup=False, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="error" if self.danger else "primary")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # destructive choices need a deliberate move

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TextPromptScreen(ModalScreen[str | None]):
    """Ask for some text (a comment, a file path). ctrl+s or the button saves."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("ctrl+s,ctrl+j,alt+enter", "save", "Save", id="prompt.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(
        self, title: str, *, multiline: bool = True, initial: str = "", placeholder: str = ""
    ) -> None:
        super().__init__()
        self.title_text, self.multiline, self.initial, self.placeholder = (
            title,
            multiline,
            initial,
            placeholder,
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.multiline:
                yield TextArea(self.initial, id="prompt-text", soft_wrap=True, show_line_numbers=False)
            else:
                yield Input(self.initial, placeholder=self.placeholder, id="prompt-text")
            yield Static("", id="prompt-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        widget = self.query_one("#prompt-text")
        if hasattr(widget, "cursor_blink"):
            widget.cursor_blink = self.app.blink
        widget.focus()

    def _value(self) -> str:
        widget = self.query_one("#prompt-text")
        return widget.text if isinstance(widget, TextArea) else widget.value

    def action_save(self) -> None:
        value = self._value().strip()
        if not value:
            self.query_one("#prompt-error", Static).update("Type something first, or press escape.")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)


class OverrideScreen(ModalScreen[tuple[float, str] | None]):
    """A mentor's score (1-5) and the reason for it."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="override.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="override.cancel"),
    ]

    def __init__(self, current: float, *, note: str = "") -> None:
        super().__init__()
        self.current = current
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Override the grade (grader: {self.current:.1f} / 5)", classes="dialog-title")
            if self.note:
                yield Static(self.note, markup=False, classes="dialog-text", id="override-note")
            yield Input(placeholder="score 1-5, e.g. 3.5", id="override-score", type="number")
            yield Input(placeholder="reason (required)", id="override-reason")
            yield Static("", id="override-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        for widget in self.query(Input):
            widget.cursor_blink = self.app.blink
        self.query_one("#override-score", Input).focus()

    def action_save(self) -> None:
        error = self.query_one("#override-error", Static)
        raw = self.query_one("#override-score", Input).value.strip()
        reason = self.query_one("#override-reason", Input).value.strip()
        try:
            score = float(raw)
        except ValueError:
            error.update("The score must be a number from 1 to 5.")
            return
        if not 1 <= score <= 5:
            error.update("The score must be from 1 to 5.")
            return
        if not reason:
            error.update("Give a reason: the candidate and other mentors will read it.")
            return
        self.dismiss((round(score, 1), reason))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "override-score":
            self.query_one("#override-reason", Input).focus()
        else:
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)
