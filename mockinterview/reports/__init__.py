"""Shareable reports of a transcript: GitHub-friendly Markdown and one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mockinterview.domain.pack import RolePack
from mockinterview.domain.transcript import Transcript
from mockinterview.files import write_private
from mockinterview.storage.paths import make_private_dirs, path_in, reports_dir

FORMATS = ("md", "html")
ReportFormat = Literal["md", "html"]


def export(
    transcript: Transcript, fmt: str, include_model_calls: bool = False, *, pack: RolePack | None = None
) -> str:
    """Render ``transcript`` as a report in ``fmt`` ("md" or "html")."""
    # deferred: Jinja and the templates only when a report is written
    from mockinterview.reports.render import render_report

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (use md or html)")
    return render_report(transcript, fmt, include_model_calls=include_model_calls, pack=pack)


__all__ = ["FORMATS", "export", "save_report"]


def save_report(transcript: Transcript, fmt: str, path=None, *, include_model_calls: bool = False):
    """Write a report file (0600: it quotes the candidate) and return its path.

    Without ``path`` it goes to ``<data dir>/reports/<session id>.<fmt>``.
    """
    if path is None:  # named from data: kept inside the reports folder
        path = path_in(reports_dir(), transcript.meta.id, f".{fmt}")
    text = export(transcript, fmt, include_model_calls)
    path = Path(path)
    make_private_dirs(path.parent)
    write_private(path, text.encode("utf-8"))  # 0600, no symlink followed, regular files only
    return path
