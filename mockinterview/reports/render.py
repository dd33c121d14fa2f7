"""Jinja2 rendering of the reports. HTML is autoescaped; Markdown escapes the
candidate's text explicitly, so nothing they typed becomes markup in either."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mockinterview import __version__
from mockinterview.domain.pack import RolePack
from mockinterview.domain.transcript import Transcript
from mockinterview.reports.chart import bar_chart
from mockinterview.reports.view import ReportView, build_view
from mockinterview.terminal import terminal_safe

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Characters Markdown may read as markup, each written after a backslash. The backslash
# goes first, so the ones added for the others are not escaped again.
_MD_SPECIAL = "\\`*_[]|#~!"
# What GFM turns into a link without any bracket: "https://", "www.", "user@host". A backslash
# before the ":" / "." / "@" keeps the text as typed and the renderer from linking it.
_MD_WWW = re.compile(r"(?i)\b(www)\.")
# Markup a line may start with: a list or a heading underline, an ordered item.
_MD_LINE_START = re.compile(r"^(?:([-+=])(?=[\s=-]|$)|(\d+)([.)])(?=\s|$))")
# Ids the product shows as code: nothing a Markdown or HTML renderer would read as markup.
_MD_CODE_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}")


def _one_line(text: str) -> str:
    """``text`` terminal-safe with its runs of whitespace made one space, no space at either end."""
    # Printable (no control, no separator but the space: str.isprintable), no double space
    # and no space at an end: already so. A report quotes ~15 MB this way at 28 MB.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(terminal_safe(text).split())


def md_inline(text: object) -> str:
    """Text safe inside a Markdown line: no raw HTML, no link or image, no accidental
    emphasis, table cell, list or heading; terminal escapes shown escaped (``terminal_safe``)."""
    escaped = html.escape(_one_line(str(text)), quote=False)
    # One str.replace per character (each a C scan) rather than one regex substitution:
    # this runs on every quoted line of a report.
    for char in _MD_SPECIAL:
        if char in escaped:
            escaped = escaped.replace(char, "\\" + char)
    escaped = escaped.replace("://", "\\://").replace("@", "\\@")
    if "www." in escaped.lower():  # the regex only where it can match (it scans slowly)
        escaped = _MD_WWW.sub(r"\1\\.", escaped)
    start = _MD_LINE_START.match(escaped)  # match, not sub: sub would try every position
    if start is None:
        return escaped
    marker = f"\\{start[1]}" if start[1] else f"{start[2]}\\{start[3]}"
    return marker + escaped[start.end() :]


def md_code(text: object) -> str:
    """An id from the data (session, mistake, model call) as a code span when it is a plain
    id, else as escaped text: a backtick or a pipe in it cannot end the span or the cell."""
    value = str(text)
    return f"`{value}`" if _MD_CODE_SAFE.fullmatch(value) else md_inline(value)


def md_quote(text: object) -> str:
    """A Markdown blockquote of multi-line text, escaped like ``md_inline`` line by line."""
    lines = str(text).strip().splitlines() or [""]
    return "\n".join(f"> {md_inline(line)}" if line.strip() else ">" for line in lines)


def fmt_score(score: float | None) -> str:
    return "–" if score is None else f"{score:.1f}"


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def score_class(score: float | None) -> str:
    if score is None:
        return "none"
    return "low" if score < 2.5 else ("mid" if score < 3.5 else "high")


@lru_cache(maxsize=2)
def _environment(fmt: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "html.j2"]) if fmt == "html" else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md_inline=md_inline,
        md_quote=md_quote,
        md_code=md_code,
        score=fmt_score,
        when=fmt_time,
        score_class=score_class,
        clean=terminal_safe,
        tojson_pretty=lambda v: json.dumps(v, indent=2, ensure_ascii=False, default=str),
    )
    return env


def _charts(view: ReportView) -> dict[str, object]:
    charts: dict[str, object] = {}
    for rv in view.rounds:
        items = [
            (f"Q{a.number or i}", a.score, a.original_score if a.override else None)
            for i, a in enumerate(rv.answers, 1)
        ]
        if items:
            charts[rv.id] = bar_chart(items)
    # Every bar is labelled by its round's title (not a title here and an id there); the
    # bars are as wide as the longest title needs (~6.5 px a character at 11 px).
    overall = [
        (rv.title, rv.score, rv.original_score if rv.score != rv.original_score else None)
        for rv in view.rounds
        if rv.score is not None
    ]
    widest = max((len(label) for label, *_ in overall), default=0)
    charts["__overall__"] = (
        bar_chart(overall, bar_width=max(84, round(widest * 6.5) + 8)) if overall else None
    )
    return charts


def render_report(
    transcript: Transcript, fmt: str, *, include_model_calls: bool = False, pack: RolePack | None = None
) -> str:
    from mockinterview.storage.config import redact_key
    from mockinterview.storage.transcripts import REDACTED_KEY, collection_paused, without_secret

    # An in-memory session may still hold the API key (a reply, a pasted answer): never exported.
    transcript = without_secret(transcript)
    template = _environment(fmt).get_template(f"report.{fmt}.j2")
    with collection_paused():  # a view object per turn and grade, none in a cycle
        view = build_view(transcript, pack)
        text = template.render(
            view=view,
            meta=transcript.meta,
            charts=_charts(view) if fmt == "html" else {},
            include_model_calls=include_model_calls,
            model_calls=transcript.model_calls if include_model_calls else [],
            version=__version__,
        )
    if fmt == "md":  # the template errs on the side of blank lines; keep at most one
        text = re.sub(r"\n\n\n+", "\n\n", text)  # (a literal start: a fast scan)
    return redact_key(text, REDACTED_KEY)
