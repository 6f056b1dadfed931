"""Charts drawn on the server as inline SVG: geometry here, markup in the templates.

An SVG needs no script and no inline style (the Content-Security-Policy allows neither),
only presentation attributes. Each chart is labelled by the heading above it, and every
bar carries its column's name and score as text, which screen readers read too.
"""

from __future__ import annotations

from typing import Any

import msgspec

#: Width of the longest bar (a score of 1), in SVG units.
BAR_WIDTH = 300
BAR_HEIGHT = 18
BAR_GAP = 6
#: Room for the column names on the left.
LABEL_WIDTH = 160


class Bar(msgspec.Struct, frozen=True, kw_only=True):
    label: str
    score: float
    y: int
    width: int


class BarChart(msgspec.Struct, frozen=True, kw_only=True):
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int


def score_bars(shapes: list[dict[str, Any]]) -> BarChart | None:
    """Horizontal bars of per-column scores in [0, 1], worst first (None: nothing scored)."""
    scored = sorted(
        (s for s in shapes if s.get("score") is not None), key=lambda s: float(s["score"])
    )
    bars = [
        Bar(
            label=str(shape["column"]),
            score=float(shape["score"]),
            y=i * (BAR_HEIGHT + BAR_GAP),
            width=round(BAR_WIDTH * min(max(float(shape["score"]), 0.0), 1.0)),
        )
        for i, shape in enumerate(scored)
    ]
    if not bars:
        return None
    height = len(bars) * (BAR_HEIGHT + BAR_GAP)
    return BarChart(
        bars=bars,
        width=LABEL_WIDTH + BAR_WIDTH + 50,
        height=height,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
    )


__all__ = ["Bar", "BarChart", "score_bars"]
