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

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md_inline(text: str) -> str:
    """Text safe inside a Markdown line: no raw HTML, no accidental emphasis or tables."""
    escaped = html.escape(" ".join(terminal_safe(text).split()), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def md_quote(text: str) -> str:
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
            (f"Q{i}", a.score, a.original_score if a.override else None) for i, a in enumerate(rv.answers, 1)
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
    view = build_view(transcript, pack)
    template = _environment(fmt).get_template(f"report.{fmt}.j2")
    text = template.render(
        view=view,
        meta=transcript.meta,
        charts=_charts(view) if fmt == "html" else {},
        include_model_calls=include_model_calls,
        model_calls=transcript.model_calls if include_model_calls else [],
        version=__version__,
    )
    if fmt == "md":  # the template errs on the side of blank lines; keep at most one
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text
