"""The real vs synthetic distribution charts, drawn from a stored report's marginals."""

from __future__ import annotations

import re

from synthgen_service.dashboard.marginals import (
    BAR_WIDTH,
    PLOT_HEIGHT,
    marginal_chart,
    marginal_charts,
)


def heights(path: str) -> list[int]:
    """Each bar's height, read back from its ``v-<height>`` step."""
    return [int(h) for h in re.findall(r"v-(\d+)h", path)]


def test_bars_scale_to_the_largest_share_of_either_table() -> None:
    chart = marginal_chart(
        {"column": "city", "labels": ["Oslo", "Paris"], "real": [0.5, 0.5], "synthetic": [0.8, 0.2]}
    )
    assert chart is not None
    assert heights(chart.real_path) == [round(PLOT_HEIGHT * 0.5 / 0.8)] * 2
    assert heights(chart.synthetic_path) == [PLOT_HEIGHT, round(PLOT_HEIGHT * 0.2 / 0.8)]
    assert [g.summary for g in chart.groups] == [
        "Oslo: real 50.0%, synthetic 80.0%",
        "Paris: real 50.0%, synthetic 20.0%",
    ]
    real_x = [int(x) for x in re.findall(r"M(\d+) ", chart.real_path)]
    synthetic_x = [int(x) for x in re.findall(r"M(\d+) ", chart.synthetic_path)]
    assert [s - r for r, s in zip(real_x, synthetic_x, strict=True)] == [BAR_WIDTH] * 2


def test_long_labels_are_shortened_under_the_bars_but_whole_in_the_title() -> None:
    label = "2019-03-23 20:21"
    chart = marginal_chart({"column": "pickup", "labels": [label], "real": [1], "synthetic": [0]})
    assert chart is not None
    assert chart.groups[0].short == "2019-03-23 …"
    assert chart.groups[0].summary.startswith(label + ":")
    assert heights(chart.synthetic_path) == []  # an empty bar has no height step


def test_a_marginal_that_does_not_add_up_is_not_drawn() -> None:
    report = {
        "marginals": [
            {"column": "a", "labels": ["x", "y"], "real": [1.0], "synthetic": [0.5, 0.5]},
            {"column": "b", "labels": [], "real": [], "synthetic": []},
            {"column": "c", "labels": ["x"], "real": [1.0], "synthetic": [1.0]},
        ]
    }
    assert [chart.column for chart in marginal_charts(report)] == ["c"]
    assert marginal_charts({}) == []
