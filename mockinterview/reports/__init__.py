"""Shareable reports of a transcript: GitHub-friendly Markdown and one self-contained HTML file."""

from __future__ import annotations

from typing import Literal

from mockinterview.domain.pack import RolePack
from mockinterview.domain.transcript import Transcript

FORMATS = ("md", "html")
ReportFormat = Literal["md", "html"]


def export(
    transcript: Transcript, fmt: str, include_model_calls: bool = False, *, pack: RolePack | None = None
) -> str:
    """Render ``transcript`` as a report in ``fmt`` ("md" or "html")."""
    from mockinterview.reports.render import render_report

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (use md or html)")
    return render_report(transcript, fmt, include_model_calls=include_model_calls, pack=pack)


__all__ = ["FORMATS", "export"]
