"""Geometry of the inline SVG bar charts in the HTML report (scores on 1-5).

Numbers only: the template draws them, so no user text reaches SVG markup unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass

SCALE_MAX = 5.0


@dataclass
class Bar:
    label: str
    score: float
    x: float
    y: float
    height: float
    original: float | None = None  # the grader's score when a mentor overrode it
    original_y: float | None = None


@dataclass
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    bar_width: float
    bars: list[Bar]
    gridlines: list[tuple[int, float]]  # (score, y)


def bar_chart(
    items: list[tuple[str, float, float | None]], *, height: int = 140, bar_width: int = 36
) -> Chart:
    """``items`` are (label, score, original score if overridden)."""
    top, bottom = 12, height - 22
    plot_h = bottom - top
    gap = 14
    left = 30
    width = max(left + len(items) * (bar_width + gap) + gap, 160)

    def y_of(score: float) -> float:
        return bottom - plot_h * max(0.0, min(score, SCALE_MAX)) / SCALE_MAX

    bars = []
    for i, (label, score, original) in enumerate(items):
        x = left + gap + i * (bar_width + gap)
        y = y_of(score)
        bars.append(
            Bar(
                label=label,
                score=score,
                x=x,
                y=round(y, 1),
                height=round(bottom - y, 1),
                original=original,
                original_y=round(y_of(original), 1) if original is not None else None,
            )
        )
    grid = [(s, round(y_of(s), 1)) for s in range(1, 6)]
    return Chart(
        width=width,
        height=height,
        plot_top=top,
        plot_bottom=bottom,
        bar_width=bar_width,
        bars=bars,
        gridlines=grid,
    )
