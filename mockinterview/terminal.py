"""Text from data (answers, transcripts, packs, model replies, file names) made safe to print.

One function for every layer that shows data on a terminal (the CLI's lines and tables, the
TUI, Markdown reports, error messages): C0 controls other than tab and newline, DEL, C1
controls, bidi embedding/override/isolate marks and lone surrogates are shown escaped
(``\\x1b``, ``\\u202e``, ``\\ud800``), never sent. So ESC[2J cannot clear the screen, OSC 52
cannot write the clipboard, BEL cannot ring, CR cannot overwrite a line, a right-to-left
override cannot reorder what is shown ("Trojan Source"), and a lone surrogate cannot make the
encoder raise. The escaped form keeps what was there visible.

It lives at the bottom of the layers (.importlinter) so that anything printing may use it.
"""

from __future__ import annotations

import re

# Bidi controls: ALM, LRM, RLM, the embeddings and overrides (LRE RLE PDF LRO RLO) and the
# isolates (LRI RLI FSI PDI).
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_UNSAFE = (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *_BIDI)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {c: _escape(c) for c in _UNSAFE}
_ONE_LINE_TABLE = {**_TABLE, 0x09: "\\t", 0x0A: "\\n", 0x2028: "\\u2028", 0x2029: "\\u2029"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_UNSAFE = re.compile("[" + "".join(f"\\u{c:04x}" for c in (*range(0x7F, 0xA0), *_BIDI)) + "\u2028\u2029]")


def terminal_safe(text: object, *, one_line: bool = False) -> str:
    """``text`` with every character a terminal would obey shown escaped instead.

    ``one_line`` also escapes tab, newline and the Unicode line separators, for values
    that must stay on their line (ids, names, paths, error messages, table cells).
    """
    out = str(text)
    if out.isprintable():  # the usual case, one C scan: no control, separator or mark at all
        return out
    out = out.translate(_ONE_LINE_TABLE if one_line else _TABLE)
    if _SURROGATE.search(out):
        out = _SURROGATE.sub(lambda m: _escape(ord(m.group())), out)
    return out


def is_terminal_safe(text: str, *, one_line: bool = False) -> bool:
    """True when ``terminal_safe`` would leave ``text`` unchanged."""
    return terminal_safe(text, one_line=one_line) == text


def json_terminal_safe(dumped: str) -> str:
    """A JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters a
    terminal obeys that JSON leaves raw (DEL, C1, bidi marks, line separators) written as
    ``\\uXXXX`` escapes: the same JSON value, safe to print. (JSON escapes C0 itself.)"""
    if _JSON_UNSAFE.search(dumped):
        dumped = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
    if _SURROGATE.search(dumped):
        dumped = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
    return dumped
