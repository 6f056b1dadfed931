"""Range conditions on the continuous axis: bounds rounded inwards, and empty ranges refused.

A continuous kind turns a range's bounds into numbers on its axis, then these helpers move
them onto values the column can hold and refuse a range no model could fill: no bounds,
``min`` above ``max``, nothing on the column's grid between them, or nothing the model
learned (models do not extrapolate).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from synthgen_core.errors import ConditionError
from synthgen_core.metadata.kinds import ColumnSpec
from synthgen_core.ranges import Range


def range_numbers(condition: Range, number: Callable[[Any], float]) -> tuple[float, float]:
    """A normalised range's bounds on the axis, through ``number``; an open side is infinite."""
    low = -math.inf if condition.min is None else number(condition.min)
    high = math.inf if condition.max is None else number(condition.max)
    return low, high


def inwards(number: float, step: float | None, *, upward: bool) -> float:
    """The nearest multiple of ``step`` on the inner side of ``number``; None: ``number``.

    Multiples are rounded to the step's decimals, as the column stores them, and compared
    as such: 0.07 / 0.01 is 7.000000000000001, yet 0.07 is its own lower bound.
    """
    if step is None or not math.isfinite(number / step):  # beyond any learned range anyway
        return number
    digits = max(0, round(-math.log10(step))) if step < 1 else 0
    middle = round(number / step)
    candidates = [round((middle + shift) * step, digits) for shift in (-1, 0, 1)]
    if upward:
        return min(c for c in candidates if c >= number)
    return max(c for c in candidates if c <= number)


def check_order(spec: ColumnSpec, low: float | None, high: float | None, given: Range) -> None:
    """Refuse a range without bounds, or with its min above its max."""
    if low is None and high is None:
        raise ConditionError(
            f"range condition on column {spec.name!r} has neither min nor max; give one or both"
        )
    if low is not None and high is not None and low > high:
        raise ConditionError(
            f"range {shown(given)} on column {spec.name!r} has its min above its max; swap them"
        )


def check_overlap(
    spec: ColumnSpec,
    low: float | None,
    high: float | None,
    given: Range,
    bound_text: Callable[[float], str],
) -> None:
    """Refuse a range with no overlap with the learned range: models do not extrapolate."""
    learned_low, learned_high = spec.min_value, spec.max_value
    if (high is not None and learned_low is not None and high < learned_low) or (
        low is not None and learned_high is not None and low > learned_high
    ):
        low_text = "unbounded" if learned_low is None else bound_text(learned_low)
        high_text = "unbounded" if learned_high is None else bound_text(learned_high)
        raise ConditionError(
            f"range {shown(given)} on column {spec.name!r} lies entirely outside the range "
            f"the model learned ({low_text} to {high_text}); models do not extrapolate, "
            "choose bounds that overlap it"
        )


def shown(given: Range) -> str:
    return f"{{'min': {given.min!r}, 'max': {given.max!r}}}"
