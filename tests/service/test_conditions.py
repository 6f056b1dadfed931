"""The API's condition check is the library's: both accept and refuse the same conditions.

Values and range objects (``{"min": ..., "max": ...}``) alike.

At request time the service runs :func:`validate_conditions` on the metadata the worker
stored for the trained model (``model.table_metadata_`` through a JSON column); the worker's
``model.sample(conditions=...)`` checks the same conditions on the loaded model. These tests
draw conditions from the shared datasets' own cells, their text variants and values no
column holds, and require the two to agree, down to the column they blame.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import synthgen_core as sg
from synthgen_core.errors import ConditionError
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from synthgen_core.models.base import Synthesizer
from synthgen_core.sampling.conditions import validate_conditions
from tests.shared_data import DATASETS

ROWS = 300
FILES = (
    "adult.csv",
    "census.csv.gz",
    "covertype.csv.gz",
    "credit_default.csv",
    "intrusion.csv.gz",
    "taxis.csv",
)


@cache
def trained(file: str) -> tuple[pd.DataFrame, Synthesizer, dict[str, Any]]:
    """A Gaussian copula on the file's first rows and the metadata the worker would store."""
    table = pd.read_csv(DATASETS / file, nrows=ROWS)
    model = sg.create("gaussian_copula", seed=0).fit(table)
    stored = json.loads(json.dumps(model.table_metadata_.to_dict()))  # as the worker stores it
    return table, model, stored


def _json(value: Any) -> Any:
    """A cell as a JSON request would carry it."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


@st.composite
def near_values(draw: st.DrawFn, spec: ColumnSpec, cells: pd.Series) -> Any:
    """Values a user might type for the column: real cells, their text, and misses."""
    present = cells.dropna()
    real = _json(draw(st.sampled_from(list(present)))) if len(present) else "x"
    text = str(real)
    typed = [real, text, text.strip().lower(), f"  {text.upper()} "]
    unlikely: list[Any] = [
        draw(st.text(max_size=6)),
        None,
        [real],
        draw(st.booleans()),
        draw(st.integers(-(10**6), 10**6)),
        10**400,  # JSON integers have no bound; no float holds this one
        draw(st.floats(allow_nan=False, allow_infinity=False, width=32)),
    ]
    if spec.min_value is not None and spec.max_value is not None:
        span = max(spec.max_value - spec.min_value, 1.0)
        unlikely += [spec.max_value + span, str(spec.min_value), spec.min_value - 0.5]
    if spec.kind == ColumnKind.DATETIME:
        stamp = pd.Timestamp(real)
        unlikely += [str(stamp - pd.Timedelta(days=3650)), str(stamp.date())]
    other = _json(draw(st.sampled_from(list(present)))) if len(present) else "y"
    ranged = [  # range conditions as JSON carries them: objects with min and/or max
        {"min": real},
        {"max": text},
        {"min": real, "max": other},
        {"min": other, "max": real},
        {"min": real, "step": 1},
        {},
    ]
    return draw(
        st.one_of(st.sampled_from(typed), st.sampled_from(unlikely), st.sampled_from(ranged))
    )


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A dataset and the JSON-decoded ``conditions`` of one generate request on it."""
    file = draw(st.sampled_from(FILES))
    table, model, _ = trained(file)
    specs = draw(st.lists(st.sampled_from(model.table_metadata_.columns), min_size=1, max_size=2))
    conditions = {spec.name: draw(near_values(spec, table[spec.name])) for spec in specs}
    if draw(st.integers(0, 9)) == 0:
        conditions["no such column"] = 1
    return file, msgspec.json.decode(msgspec.json.encode(conditions))


def refused_column(check: Any) -> str | None:
    """The column a refusal names, or ``None`` when the conditions were accepted."""
    try:
        check()
    except ConditionError as error:
        return error.column or f"no column named: {error}"
    return None


@settings(max_examples=150, deadline=None)
@given(requests())
def test_the_api_accepts_exactly_what_the_model_samples(
    request: tuple[str, dict[str, Any]],
) -> None:
    file, conditions = request
    _, model, stored = trained(file)
    api = refused_column(lambda: validate_conditions(Metadata.from_dict(stored), conditions))
    library = refused_column(lambda: model.sample(3, seed=0, conditions=conditions))
    event("refused" if api else "accepted")  # both outcomes must be drawn often
    assert api == library, (file, conditions)
    assert api is None or api in conditions  # the refusal names a column that was asked for


def test_text_a_user_types_finds_the_value_the_column_stores() -> None:
    _, model, stored = trained("adult.csv")
    conditions = {"sex": "female", "age": "30"}  # adult stores " Female" and integers

    assert validate_conditions(Metadata.from_dict(stored), conditions) == {
        "sex": " Female",
        "age": 30,
    }
    frame = model.sample(20, seed=0, conditions=conditions)
    assert (frame["sex"] == " Female").all()
    assert (frame["age"] == 30).all()


def test_a_datetime_outside_the_learned_range_is_refused() -> None:
    _, _, stored = trained("taxis.csv")
    with pytest.raises(ConditionError, match="outside the range") as caught:
        validate_conditions(Metadata.from_dict(stored), {"pickup": "1990-01-01 00:00:00"})
    assert caught.value.column == "pickup"
