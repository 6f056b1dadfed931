"""Each column's real vs synthetic distribution as inline SVG: paired vertical bars.

The stored quality report keeps, per scored column, the shares of its non-missing values
in a few bins (numbers, dates) or its most frequent categories (``Report.marginals``), so
the job page redraws them from the report alone. Bars are scaled to the column's largest
share, so a flat distribution is as readable as a peaked one; every pair of bars carries
its bin and both shares in its label's ``<title>``, which screen readers and tooltips show.
"""

from __future__ import annotations

from typing import Any

import msgspec

BAR_WIDTH = 9
#: A bin: its real bar, its synthetic bar and a gap.
GROUP_WIDTH = 2 * BAR_WIDTH + 6
PLOT_HEIGHT = 120
#: Room under the bars for the bins' labels, written at a slant.
LABEL_HEIGHT = 64
#: Room left of the first bin for its slanted label.
LEFT = 48
RIGHT = 12
#: Characters of a bin's label shown under it (the title has all of it).
SHORT_LABEL = 12


class Group(msgspec.Struct, frozen=True, kw_only=True):
    """One bin: where its label goes, and what its tooltip says."""

    short: str
    x: int
    summary: str


class MarginalChart(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    groups: list[Group]
    #: Each series' bars as one SVG path (``M x y h w v h h -w z`` per bin).
    real_path: str
    synthetic_path: str
    width: int
    height: int
    plot_height: int


def _height(share: float, top: float) -> int:
    return round(PLOT_HEIGHT * min(max(share, 0.0), top) / top) if top > 0 else 0


def _bars(shares: list[float], top: float, offset: int) -> str:
    """The bars of one series, bottom-aligned on the axis, as one path."""
    return " ".join(
        f"M{LEFT + i * GROUP_WIDTH + offset} {PLOT_HEIGHT}v{-_height(share, top)}"
        f"h{BAR_WIDTH}v{_height(share, top)}z"
        for i, share in enumerate(shares)
    )


def _short(label: str) -> str:
    return label if len(label) <= SHORT_LABEL else label[: SHORT_LABEL - 1] + "…"


def marginal_chart(marginal: dict[str, Any]) -> MarginalChart | None:
    """The chart of one stored ``Marginal`` (None: nothing to draw)."""
    labels = [str(label) for label in marginal.get("labels") or []]
    real = [float(v) for v in marginal.get("real") or []]
    synthetic = [float(v) for v in marginal.get("synthetic") or []]
    if not labels or len(real) != len(labels) or len(synthetic) != len(labels):
        return None
    top = max(real + synthetic)
    groups = [
        Group(
            short=_short(label),
            x=LEFT + i * GROUP_WIDTH + BAR_WIDTH,
            summary=f"{label}: real {100 * r:.1f}%, synthetic {100 * s:.1f}%",
        )
        for i, (label, r, s) in enumerate(zip(labels, real, synthetic, strict=True))
    ]
    return MarginalChart(
        column=str(marginal.get("column", "")),
        groups=groups,
        real_path=_bars(real, top, 0),
        synthetic_path=_bars(synthetic, top, BAR_WIDTH),
        width=LEFT + len(groups) * GROUP_WIDTH + RIGHT,
        height=PLOT_HEIGHT + LABEL_HEIGHT,
        plot_height=PLOT_HEIGHT,
    )


def marginal_charts(report: dict[str, Any]) -> list[MarginalChart]:
    """A chart per column the report kept a distribution of, in the report's order."""
    charts = (marginal_chart(m) for m in report.get("marginals") or [] if isinstance(m, dict))
    return [chart for chart in charts if chart is not None]


__all__ = ["Group", "MarginalChart", "marginal_chart", "marginal_charts"]
