"""The footer every screen shows: its keys, from the active bindings.

A module of its own, with nothing but Textual: the home screen imports it before its first
paint, when Rich's Markdown and the domain models are not loaded yet.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's footer, drawn with the screen and redrawn only when the keys it shows change.

    Textual's footer is empty in the first frame and recomposed after it, and again for every
    change of the active bindings; at start-up (keymap, focus, buttons enabled) that was a
    dozen recomposes queued after the first paint, ~150 ms before the home screen went idle
    (bench/tui_startup.py). This one shows the keys in the first frame, redraws at most once
    per burst of changes, and not at all when the keys it would draw are the ones it shows
    (focus moving to a button changes the bindings, not the footer).
    """

    _recompose_queued = False
    _shown: Hashable = None  # what the drawn keys show (see _keys_shown)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The screen's and the app's bindings are known when the screen composes.
        self.set_reactive(Footer._bindings_ready, True)

    def _keys_shown(self) -> Hashable:
        """Everything of the active bindings the footer draws."""
        app = self.app
        keys = tuple(
            (key, b.key, app.get_key_display(b), b.description, b.action, enabled, tooltip, b.group)
            for key, (_, b, enabled, tooltip) in self.screen.active_bindings.items()
            if b.show or key == app.COMMAND_PALETTE_BINDING
        )
        return (keys, self.compact, self.show_command_palette, self.combine_groups)

    def compose(self) -> ComposeResult:
        self._shown = self._keys_shown()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._recompose_queued:
            self._bindings_ready = True
            return
        self._recompose_queued = True
        super().bindings_changed(screen)
        if not (self.is_attached and screen is self.screen and screen.app.app_focus):
            self._recompose_queued = False

    async def recompose(self) -> None:
        self._recompose_queued = False
        if self.is_attached and self._keys_shown() == self._shown:
            return  # the keys drawn are the keys active
        await super().recompose()
