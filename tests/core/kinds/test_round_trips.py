"""Each kind, through the table alone: encode then decode gives the column back, codes lie in
the kind's code table, and a condition on a value the column holds finds exactly its rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings

from synthgen_core.kinds import complete, kind_of
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from synthgen_core.metadata.missing import missing_mask
from tests.strategies import ID_COLUMNS, frames, maker_of


def learned(df: pd.DataFrame) -> list[tuple[ColumnSpec, pd.Series, np.ndarray]]:
    """Every column's spec, learned by its kind, with the column and its missing mask."""
    out = []
    for spec in Metadata.detect(df).columns:
        series = df[spec.name]
        mask = missing_mask(series)
        bare = ColumnSpec(name=spec.name, kind=spec.kind, dtype=spec.dtype)
        out.append((complete(bare, series, mask), series, mask))
    return out


@settings(max_examples=60, deadline=None)
@given(frames())
def test_decode_of_encode_gives_every_column_back(df: pd.DataFrame) -> None:
    rng = np.random.default_rng(0)
    for spec, series, mask in learned(df):
        kind = kind_of(spec)
        info = kind.fit_codes(spec, series, mask) if kind.family == "discrete" else None
        values = None if kind.family == "unlearned" else kind.encode(spec, series, mask, info)
        out = kind.decode(spec, values, len(series), rng, info)
        if maker_of(spec.name) in ID_COLUMNS:
            assert spec.kind == ColumnKind.ID and out.is_unique
            continue
        pd.testing.assert_series_equal(out, series, check_exact=True, check_names=False)


@settings(max_examples=60, deadline=None)
@given(frames(kinds=("text", "category", "mixed", "codes", "bool", "object_bool")))
def test_discrete_codes_index_the_kinds_code_table(df: pd.DataFrame) -> None:
    for spec, series, mask in learned(df):
        kind = kind_of(spec)
        if kind.family != "discrete":
            continue
        info = kind.fit_codes(spec, series, mask)
        codes = np.asarray(kind.encode(spec, series, mask, info))
        assert codes.dtype == np.int64
        assert ((codes >= 0) & (codes < info.n_codes)).all()
        np.testing.assert_array_equal(codes == len(info.categories), mask)
        shares = np.bincount(codes, minlength=info.n_codes) / len(codes)
        np.testing.assert_allclose(info.frequencies, shares)


@settings(max_examples=60, deadline=None)
@given(frames(kinds=("text", "mixed", "codes", "bool", "int", "float", "datetime", "constant")))
def test_a_condition_on_a_held_value_matches_exactly_its_rows(df: pd.DataFrame) -> None:
    for spec, series, mask in learned(df):
        if mask.all() or spec.kind == ColumnKind.ID:
            continue
        kind = kind_of(spec)
        held = series[~mask].iloc[0]
        if spec.kind == ColumnKind.CONSTANT:  # stored as a plain scalar (a datetime as text)
            value, rows = kind.normalise(spec, spec.constant_value), ~mask
        else:
            value = kind.normalise(spec, held.item() if isinstance(held, np.generic) else held)
            rows = np.asarray(series == held)
        np.testing.assert_array_equal(kind.matches(spec, None, series, value, 0.0), rows)
        written = kind.write_exact(spec, series, value)
        if written is not None:  # written exactly: every row then matches
            assert kind.matches(spec, None, written, value, 0.0).all()
        if kind.family == "discrete":
            info = kind.fit_codes(spec, series, mask)
            code = kind.condition_code(spec, info, value)
            assert set(kind.encode(spec, series, mask, info)[rows]) == {code}


def test_every_kind_round_trips_a_small_real_frame() -> None:
    df = pd.DataFrame(
        {
            "age": [39, 50, 38, 53, 28, 37],
            "fare": [7.25, 71.28, np.nan, 53.1, 8.05, 8.46],
            "sex": [" Male", " Female", " Male", " ?", " Female", " Male"],
            "smoker": [True, False, False, True, False, True],
            "when": ["2024-01-31", "2024-02-01", "2024-02-03", np.nan, "2024-02-05", "2024-02-06"],
            "user_id": [101, 102, 103, 104, 105, 106],
            "source": ["web"] * 6,
        }
    )
    kinds = {spec.name: spec.kind for spec, _, _ in learned(df)}
    assert set(kinds.values()) == _EXISTING  # one column of every existing kind
    rng = np.random.default_rng(1)
    for spec, series, mask in learned(df):
        kind = kind_of(spec)
        info = kind.fit_codes(spec, series, mask) if kind.family == "discrete" else None
        values = None if kind.family == "unlearned" else kind.encode(spec, series, mask, info)
        out = kind.decode(spec, values, len(series), rng, info)
        if spec.kind == ColumnKind.ID:
            assert out.tolist() == [101, 102, 103, 104, 105, 106]  # counted from the minimum
        else:
            pd.testing.assert_series_equal(out, series, check_names=False)


_EXISTING = {
    ColumnKind.NUMERICAL,
    ColumnKind.CATEGORICAL,
    ColumnKind.BOOLEAN,
    ColumnKind.DATETIME,
    ColumnKind.ID,
    ColumnKind.CONSTANT,
}
