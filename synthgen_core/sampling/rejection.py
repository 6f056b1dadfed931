"""A bounded rejection sampler, for conditions a model cannot apply by construction.

The neural models draw rows and keep those that satisfy every condition, within a budget of
drawn rows that a user can rely on; a numerical or datetime condition accepts rows within a
tolerance of the value, which is then written exactly (:func:`set_exact_values`); a range
condition accepts rows within its bounds, kept as drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from synthgen_core.errors import ConditionError
from synthgen_core.kinds import DiscreteColumn, kind_of
from synthgen_core.metadata import ColumnSpec, Metadata
from synthgen_core.sampling.conditions import set_exact_values
from synthgen_core.transform.codec import TableCodec

Draw = Callable[[int, np.random.Generator], pd.DataFrame]

#: z of the one-sided 99.9% upper confidence bound behind the sampler's early exit.
_HOPELESS_Z = 3.09
_FIRST_BATCH = 64


def sample_with_rejection(
    draw: Draw,
    num_rows: int,
    conditions: Mapping[str, Any],
    metadata: Metadata,
    rng: np.random.Generator,
    *,
    tolerance: float = 0.01,
    max_draw_rows: int | None = None,
    codec: TableCodec | None = None,
) -> pd.DataFrame:
    """``num_rows`` rows of ``draw`` that satisfy validated ``conditions``, or ConditionError.

    Semantics: a categorical, boolean or constant condition accepts rows holding exactly
    that value; a numerical or datetime condition accepts rows within ``tolerance`` times
    the column's learned range of the value (a model draws an exact float with probability
    zero), and the accepted rows then get exactly the value. Up to ``max_draw_rows`` rows
    (default ``max(200 * num_rows, 100_000)``) are drawn, in batches sized by the observed
    joint acceptance rate and at most doubling from one batch to the next. Sampling stops
    before the budget is spent only when it is statistically hopeless (see
    :func:`_hopeless`); then, or when the budget is spent, the call fails instead of
    looping forever or returning fewer rows. Accepted rows keep ``draw``'s order; the
    index is reset. ``codec`` (the model's fitted codec) lets a kind whose codes stand for
    several values accept every row of the condition's code; its value is then written.
    """
    if not conditions or num_rows == 0:
        return draw(num_rows, rng)
    budget = max_draw_rows if max_draw_rows is not None else max(200 * num_rows, 100_000)
    specs = [metadata.column(name) for name in conditions]
    infos = _code_tables(codec, conditions)
    kept: list[pd.DataFrame] = []
    accepted = drawn = batch = 0
    while accepted < num_rows and drawn < budget:
        remaining, left = num_rows - accepted, budget - drawn
        if _hopeless(accepted, drawn, remaining, left):
            break
        batch = _next_batch(remaining, accepted, drawn, left, batch)
        frame = draw(batch, rng)
        drawn += batch
        matches = _all_match(frame, specs, conditions, infos, tolerance)
        kept.append(frame[matches])
        accepted += int(matches.sum())
    if accepted >= num_rows:
        return set_exact_values(pd.concat(kept).iloc[:num_rows], metadata, conditions)
    raise ConditionError(_too_rare(accepted, drawn, num_rows, budget, conditions))


def _rate_upper_bound(accepted: int, drawn: int) -> float:
    """Wilson score upper bound (one-sided 99.9%) of the acceptance rate seen so far."""
    if drawn == 0:
        return 1.0
    z2, rate = _HOPELESS_Z**2, accepted / drawn
    spread = _HOPELESS_Z * math.sqrt(rate * (1 - rate) / drawn + z2 / (4 * drawn**2))
    return min(1.0, (rate + z2 / (2 * drawn) + spread) / (1 + z2 / drawn))


def _hopeless(accepted: int, drawn: int, remaining: int, left: int) -> bool:
    """Whether even the optimistic rate would not find the missing rows in the rest.

    Optimistic means the 99.9% upper confidence bound of the observed acceptance rate:
    when that rate times the undrawn budget is below the rows still missing, the target
    is out of reach unless the model accepts far more often than it has so far.
    """
    return drawn > 0 and _rate_upper_bound(accepted, drawn) * left < remaining


def _next_batch(remaining: int, accepted: int, drawn: int, left: int, previous: int) -> int:
    """Enough rows to find the missing ones at the observed rate (+20%), growing by <= 2x."""
    rate = 1.0 if drawn == 0 else (accepted + 1) / (drawn + 2)
    wanted = max(int(1.2 * remaining / rate), _FIRST_BATCH)
    if previous:
        wanted = min(wanted, 2 * previous)
    return min(left, wanted)


def _code_tables(
    codec: TableCodec | None, conditions: Mapping[str, Any]
) -> dict[str, DiscreteColumn]:
    """The fitted code table of every conditioned discrete column ``codec`` knows."""
    if codec is None:
        return {}
    discrete = set(codec.discrete_columns)
    return {name: codec.discrete_info(name) for name in conditions if name in discrete}


def _all_match(
    frame: pd.DataFrame,
    specs: list[ColumnSpec],
    conditions: Mapping[str, Any],
    infos: Mapping[str, DiscreteColumn],
    tolerance: float,
) -> np.ndarray:
    """(N,) bool: rows that satisfy every condition, as each column's kind judges."""
    matches = np.ones(len(frame), dtype=bool)
    for spec in specs:
        series = frame[spec.name].reset_index(drop=True)
        info = infos.get(spec.name)
        matches &= kind_of(spec).matches(spec, info, series, conditions[spec.name], tolerance)
    return matches


def _too_rare(
    accepted: int, drawn: int, num_rows: int, budget: int, conditions: Mapping[str, Any]
) -> str:
    rate = accepted / drawn if drawn else 0.0
    return (
        f"only {accepted:,} of {drawn:,} generated rows met the conditions "
        f"{dict(conditions)!r} (a joint acceptance rate of {rate:.4%}), short of the "
        f"{num_rows:,} asked for within the budget of {budget:,} drawn rows: the conditions "
        "are too rare for this model; relax them, or use the gaussian_copula or "
        "autoregressive model, which apply conditions exactly"
    )


__all__ = ["Draw", "sample_with_rejection"]
