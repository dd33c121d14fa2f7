"""The default pack and its rounds: what commands and screens use where no pack is at hand
(the home screen before it has read the pack, ``--rounds`` defaults, history columns).

Each pack declares its own rounds (``pack.toml`` ``[[rounds]]``); these are the default
pack's, in its order. Plain Python, no pydantic: the home screen shows them before its
first paint.
"""

from __future__ import annotations

DEFAULT_PACK_ID = "data-scientist"
ROUND_ORDER: tuple[str, ...] = ("basic", "technical", "advanced", "behavioral")

# Column headings where a table has a column per round (TUI history, home's recent sessions).
ROUND_SHORT: dict[str, str] = {"basic": "Basic", "technical": "Tech", "advanced": "Adv", "behavioral": "Behav"}
