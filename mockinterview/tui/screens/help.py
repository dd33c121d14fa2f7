"""``?`` / F1: the keys of the screen underneath, with their binding ids for remapping."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

TIPS = (
    "Submit an answer with ctrl+s, ctrl+j or alt+enter (Shift+Enter reaches most terminals as plain Enter).\n"
    "ctrl+p opens the command palette: every action is there, and 'Change theme' switches themes.\n"
    'Remap a key in config.toml under [keymap]: "interview.submit" = "ctrl+s,f5" (ids below).\n'
    "Copy actions use OSC 52: your terminal must allow clipboard writes (tmux: set -g set-clipboard on)."
)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(key, action, binding id) for each described binding active under the help."""
        rows, seen = [], set()
        for active in self.under.active_bindings.values():
            b = active.binding
            if not b.description or (b.id or b.action) in seen:
                continue
            seen.add(b.id or b.action)
            rows.append((b.key_display or self.app.get_key_display(b), b.description, b.id or ""))
        return rows

    def _keys_table(self) -> Table:
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold")
        table.add_column("key", no_wrap=True)
        table.add_column("action")
        table.add_column("binding id", style="dim", no_wrap=True)
        for key, action, binding_id in self.key_rows():
            table.add_row(Text(key, style="bold"), action, binding_id)
        return table

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(
                f"Keys: {self.under.__class__.__name__.removesuffix('Screen')}", classes="section-title"
            )
            with VerticalScroll():
                yield Static(self._keys_table(), id="help-keys")
                yield Static(TIPS, id="help-tips", markup=False)
            yield Static("esc closes", classes="muted")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
