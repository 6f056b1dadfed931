"""Sampling through a constraint plan, with bounded rejection as the last resort.

Most constraints hold by construction (:mod:`.plan`), so one draw of ``num_rows`` usually
passes every check and is returned as is. Rows that fail a check (a unique value drawn
twice, a constraint kept as a check only) and conditions the plan cannot map onto the
model's table (a formula's result, an inequality's ``high`` alone, a value shared by
several fixed combinations) are handled by drawing more rows and keeping those that pass,
within a budget of drawn rows; a :class:`ConstraintError` says when it runs out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from synthgen_core.constraints.axis import to_axis
from synthgen_core.constraints.plan import ConstraintPlan
from synthgen_core.constraints.rule import BoolArray, Conditions
from synthgen_core.errors import ConstraintError
from synthgen_core.metadata import ColumnKind, Metadata
from synthgen_core.metadata.datetimes import unit_ns
from synthgen_core.ranges import Range as RangeCondition
from synthgen_core.sampling.conditions import condition_number, range_numbers, set_exact_values

#: the model's own sampler: (rows, rng, conditions on the model's table) -> frame
DrawModel = Callable[[int, np.random.Generator, Conditions], pd.DataFrame]
_FIRST_BATCH = 64
#: a numerical condition left to rejection accepts rows this share of the range away
TOLERANCE = 0.01


def sample_constrained(
    plan: ConstraintPlan,
    draw_model: DrawModel,
    num_rows: int,
    conditions: Conditions,
    rng: np.random.Generator,
    *,
    max_draw_rows: int | None = None,
) -> pd.DataFrame:
    """``num_rows`` user-shaped rows that keep every constraint and meet ``conditions``."""
    mapped, residual = plan.map_conditions(conditions)

    def draw(rows: int) -> pd.DataFrame:
        return plan.inverse(draw_model(rows, rng, mapped), rng)

    if num_rows == 0:
        return draw(0)
    if not residual and not plan.checked:  # every rule is exact: one draw is the answer
        return draw(num_rows)
    budget = max_draw_rows if max_draw_rows is not None else max(200 * num_rows, 100_000)
    kept = pd.DataFrame()
    drawn = batch = 0
    while len(kept) < num_rows and drawn < budget:
        batch = _next_batch(num_rows - len(kept), len(kept), drawn, budget - drawn, batch)
        frame = draw(batch)
        drawn += batch
        frame = _accepted(frame, plan, residual)
        kept = frame if kept.empty else pd.concat([kept, frame], ignore_index=True)
        kept = kept[plan.holds(kept, residual)].reset_index(drop=True)
    if len(kept) >= num_rows:
        return kept.iloc[:num_rows].reset_index(drop=True)
    raise ConstraintError(_too_rare(len(kept), drawn, num_rows, budget, residual))


def _accepted(frame: pd.DataFrame, plan: ConstraintPlan, residual: Conditions) -> pd.DataFrame:
    """The rows of ``frame`` that meet the residual conditions, with their exact values."""
    if not residual:
        return frame
    metadata = plan.table_metadata
    match = np.ones(len(frame), dtype=bool)
    for name, value in residual.items():
        match &= _matches(metadata, frame, name, value)
    return set_exact_values(frame[match].reset_index(drop=True), metadata, residual)


def _matches(metadata: Metadata, frame: pd.DataFrame, name: str, value: Any) -> BoolArray:
    spec = metadata.column(name)
    if spec.kind not in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
        return np.asarray(frame[name].to_numpy(dtype=object) == value, dtype=bool)
    # On the condition's own axis: datetimes in their precision unit, not nanoseconds.
    unit = unit_ns(spec.precision or "ns") if spec.kind == ColumnKind.DATETIME else 1
    numbers = to_axis(spec, frame[name], unit)
    if isinstance(value, RangeCondition):
        low, high = range_numbers(spec, value)
        with np.errstate(invalid="ignore"):
            return np.asarray((numbers >= low) & (numbers <= high))
    span = (spec.max_value or 0.0) - (spec.min_value or 0.0)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.abs(numbers - condition_number(spec, value)) <= TOLERANCE * span)


def _next_batch(missing: int, accepted: int, drawn: int, left: int, previous: int) -> int:
    """Enough rows for the missing ones at the observed rate (+20%), growing by <= 2x."""
    rate = 1.0 if drawn == 0 else (accepted + 1) / (drawn + 2)
    wanted = max(int(1.2 * missing / rate) if drawn else missing, _FIRST_BATCH)
    if previous:
        wanted = min(wanted, 2 * previous)
    return max(1, min(left, wanted))


def _too_rare(kept: int, drawn: int, num_rows: int, budget: int, residual: Conditions) -> str:
    asked = f" and the conditions {dict(residual)!r}" if residual else ""
    return (
        f"only {kept:,} of {drawn:,} generated rows kept the model's constraints{asked}, "
        f"short of the {num_rows:,} asked for within the budget of {budget:,} drawn rows; "
        "relax the constraints or conditions (a unique constraint needs at least as many "
        "distinct values as rows), or ask for fewer rows"
    )
