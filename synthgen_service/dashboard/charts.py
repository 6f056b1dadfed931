"""Charts drawn on the server as inline SVG: geometry here, markup in the templates.

An SVG needs no script and no inline style (the Content-Security-Policy allows neither),
only presentation attributes. Each chart is labelled by the heading above it, and every
bar carries its column's name and score as text, which screen readers read too. The loss
curve is one image whose accessible name says each series' newest value.
"""

from __future__ import annotations

import math
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


#: The loss curve's plot area and the room for the axis labels, in SVG units.
PLOT_WIDTH, PLOT_HEIGHT = 420, 180
AXIS_LEFT, AXIS_BOTTOM, TOP = 64, 28, 10
#: Series colours, in the order the series first appear (distinct for colour-blind eyes).
COLOURS = ("#2456c7", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")


class Series(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    colour: str
    #: ``"x,y x,y ..."`` for each unbroken run of epochs (an epoch without a value breaks it).
    lines: list[str]
    #: The newest value and where it is drawn.
    last: float
    last_x: float
    last_y: float


class LineChart(msgspec.Struct, frozen=True, kw_only=True):
    series: list[Series]
    #: The accessible name: what the curve shows, in words.
    label: str
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    first_epoch: int
    last_epoch: int
    low: float
    high: float


def _range(values: list[float]) -> tuple[float, float]:
    """The y range, widened when flat so the line sits mid-plot."""
    low, high = min(values), max(values)
    if math.isclose(low, high):
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    return low, high


class _Scale(msgspec.Struct, frozen=True):
    first: int
    last: int
    low: float
    high: float

    def point(self, epoch: int, value: float) -> tuple[float, float]:
        x = AXIS_LEFT + PLOT_WIDTH * (epoch - self.first) / max(self.last - self.first, 1)
        y = TOP + PLOT_HEIGHT * (self.high - value) / (self.high - self.low)
        return round(x, 1), round(y, 1)


def _series(name: str, colour: str, epochs: list[int], values: list[Any], scale: _Scale) -> Series:
    lines: list[list[str]] = [[]]
    last = (0.0, 0.0, 0.0)
    for epoch, value in zip(epochs, values, strict=True):
        if value is None or not math.isfinite(value):
            lines.append([])
            continue
        x, y = scale.point(epoch, float(value))
        lines[-1].append(f"{x},{y}")
        last = (float(value), x, y)
    return Series(
        name=name,
        colour=colour,
        lines=[" ".join(line) for line in lines if len(line) > 1],
        last=last[0],
        last_x=last[1],
        last_y=last[2],
    )


def loss_curve(history: dict[str, Any] | None) -> LineChart | None:
    """Each loss series per epoch (None: no epochs, e.g. a Gaussian copula)."""
    epochs: list[int] = list((history or {}).get("epochs") or [])
    found = {
        name: values
        for name, values in ((history or {}).get("series") or {}).items()
        if len(values) == len(epochs) and any(v is not None for v in values)
    }
    if not epochs or not found:
        return None
    low, high = _range([float(v) for vs in found.values() for v in vs if v is not None])
    scale = _Scale(epochs[0], epochs[-1], low, high)
    series = [
        _series(name, COLOURS[i % len(COLOURS)], epochs, values, scale)
        for i, (name, values) in enumerate(found.items())
    ]
    newest = ", ".join(f"{s.name} {s.last:.4g}" for s in series)
    return LineChart(
        series=series,
        label=f"Loss per epoch, epochs {epochs[0]} to {epochs[-1]}; newest: {newest}",
        width=AXIS_LEFT + PLOT_WIDTH + 16,
        height=TOP + PLOT_HEIGHT + AXIS_BOTTOM,
        left=AXIS_LEFT,
        top=TOP,
        plot_width=PLOT_WIDTH,
        plot_height=PLOT_HEIGHT,
        first_epoch=epochs[0],
        last_epoch=epochs[-1],
        low=low,
        high=high,
    )


__all__ = ["Bar", "BarChart", "LineChart", "Series", "loss_curve", "score_bars"]
