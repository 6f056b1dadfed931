"""The rejection sampler spends the budget it promises before giving up.

The stand-in model below has a known, deterministic acceptance pattern, so each test knows
how many rows the sampler must draw to reach its target, and whether the budget allows it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from synthgen_core.errors import ConditionError
from synthgen_core.metadata import Metadata
from synthgen_core.sampling.conditions import validate_conditions
from synthgen_core.sampling.rejection import sample_with_rejection


class Pattern:
    """Rows whose ``group`` is ``"rare"`` exactly at every ``every``-th row after ``dry`` rows."""

    def __init__(self, every: int, dry: int = 0) -> None:
        self.every, self.dry = every, dry
        self.requested: list[int] = []

    def __call__(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        start = sum(self.requested)
        self.requested.append(n)
        position = np.arange(start, start + n)
        rare = (position >= self.dry) & (position % self.every == 0)
        return pd.DataFrame(
            {"group": np.where(rare, "rare", "common"), "value": rng.normal(size=n)}
        )


@pytest.fixture(scope="module")
def metadata() -> Metadata:
    table = pd.DataFrame({"group": ["rare", "common"] * 50, "value": np.linspace(0, 1, 100)})
    return Metadata.detect(table)


def _sample(
    drawer: Pattern, rows: int, metadata: Metadata, max_draw_rows: int | None = None
) -> pd.DataFrame:
    conditions = validate_conditions(metadata, {"group": "rare"})
    return sample_with_rejection(
        drawer, rows, conditions, metadata, np.random.default_rng(0), max_draw_rows=max_draw_rows
    )


def test_a_poor_first_batch_does_not_end_sampling(metadata):
    # 1% acceptance, but none among the first 2,000 rows: 1,000 rows need ~102,000 draws,
    # well inside the promised max(200 x 1,000, 100,000) = 200,000.
    drawer = Pattern(every=100, dry=2_000)
    out = _sample(drawer, 1_000, metadata)
    assert len(out) == 1_000
    assert (out["group"] == "rare").all()
    assert sum(drawer.requested) <= 200_000


def test_batches_grow_at_most_twofold(metadata):
    drawer = Pattern(every=100, dry=2_000)
    _sample(drawer, 1_000, metadata)
    sizes = drawer.requested
    assert all(later <= 2 * earlier for earlier, later in itertools.pairwise(sizes))


def test_hopeless_conditions_fail_only_after_much_of_the_budget(metadata):
    # Nothing ever matches: the early exit may fire only once even the 99.9% upper bound
    # of the observed rate cannot find 10 rows in the rest (after ~49% of the budget).
    drawer = Pattern(every=10**12, dry=10**12)
    with pytest.raises(ConditionError) as error:
        _sample(drawer, 10, metadata, max_draw_rows=50_000)
    assert 0.45 * 50_000 <= sum(drawer.requested) <= 50_000
    assert "joint acceptance rate of 0.0000%" in str(error.value)
    assert "too rare for this model" in str(error.value)


def test_the_error_names_the_observed_joint_acceptance_rate(metadata):
    # 1% acceptance cannot give 1,000 rows from 50,000 draws (about 500 expected).
    drawer = Pattern(every=100)
    with pytest.raises(ConditionError, match=r"joint acceptance rate of 1\.0\d{3}%"):
        _sample(drawer, 1_000, metadata, max_draw_rows=50_000)
    assert sum(drawer.requested) <= 50_000
