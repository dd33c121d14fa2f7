"""The footer every screen shows: its keys, from the active bindings.

A module of its own, with nothing but Textual: the home screen imports it before its first
paint, when Rich's Markdown and the domain models are not loaded yet.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's footer, redrawn once per burst of binding changes instead of once per change.

    Textual recomposes the footer for every change of the active bindings; at start-up
    (keymap, focus, buttons enabled) that was a dozen recomposes queued after the first
    paint, ~150 ms before the home screen went idle (bench/tui_startup.py).
    """

    _recompose_queued = False

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
        await super().recompose()
