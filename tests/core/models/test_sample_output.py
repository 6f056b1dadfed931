"""What ``sample`` writes for every model type: ids unique across an output drawn in pieces,
ordered categories back with their order. Neural models train one tiny epoch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.errors import DataError
from synthgen_core.models.base import Synthesizer
from synthgen_core.transform.unlearned import MAX_FIRST_ROW
from tests.core.models.test_contract import MODEL_TYPES, _options

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
SIZES = pd.CategoricalDtype(["small", "medium", "large"], ordered=True)
#: Numbered ids: equal, cell for cell, however the output is cut.
NUMBERED = ["customer_id", "order_id", "n"]


def source_table(rows: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "customer_id": [f"cust-{i}" for i in range(rows)],
            "order_id": np.arange(1000, 1000 + rows),
            "token": [f"{i:08x}-aaaa-4bbb-8ccc-{i:012x}" for i in range(rows)],
            "n": np.arange(500, 500 + rows),  # numbers, declared an id below
            "size": pd.Categorical(rng.choice(SIZES.categories, rows), dtype=SIZES),
            "plan": rng.choice(["basic", "pro"], rows),
            "amount": rng.normal(100.0, 15.0, rows).round(2),
        }
    )


@pytest.fixture(scope="module", params=MODEL_TYPES)
def fitted(request: pytest.FixtureRequest) -> Synthesizer:
    real = source_table()
    meta = sg.Metadata.detect(real).update_column("n", kind="id")
    model_type = str(request.param)
    return sg.create(model_type, **_options(model_type, seed=0)).fit(real, meta)


def in_pieces(model: Synthesizer, sizes: list[int]) -> pd.DataFrame:
    pieces, first_row = [], 0
    for index, size in enumerate(sizes):
        pieces.append(model.sample(size, seed=100 + index, first_row=first_row))
        first_row += size
    return pd.concat(pieces, ignore_index=True)


def test_an_output_drawn_in_pieces_has_the_ids_of_one_draw(fitted: Synthesizer) -> None:
    whole = fitted.sample(50, seed=3)
    pieces = in_pieces(fitted, [7] * 7 + [1])
    for name in NUMBERED:
        pd.testing.assert_series_equal(pieces[name], whole[name])
        assert pieces[name].is_unique
    assert pieces["customer_id"].tolist() == [f"cust-{i}" for i in range(1, 51)]
    assert pieces["order_id"].tolist() == list(range(1000, 1050))
    assert pieces["n"].tolist() == list(range(500, 550))
    assert pieces["token"].is_unique and pieces["token"].str.fullmatch(UUID).all()
    assert (pieces.dtypes == whole.dtypes).all()


def test_pieces_drawn_with_one_seed_still_get_distinct_ids(fitted: Synthesizer) -> None:
    first = fitted.sample(20, seed=1)
    second = fitted.sample(20, seed=1, first_row=20)
    for name in [*NUMBERED, "token"]:
        assert not set(first[name]) & set(second[name])


def test_ids_are_unique_when_conditions_draw_in_batches(fitted: Synthesizer) -> None:
    # Two conditions: every neural model rejection-samples at least one, in several batches.
    frame = fitted.sample(60, seed=0, conditions={"plan": "pro", "size": "small"})
    assert (frame["plan"] == "pro").all() and (frame["size"] == "small").all()
    assert frame["order_id"].tolist() == list(range(1000, 1060))
    assert frame["customer_id"].is_unique and frame["token"].is_unique


def test_ordered_categories_come_back_ordered(fitted: Synthesizer, tmp_path: Path) -> None:
    frame = fitted.sample(40, seed=2)
    assert frame["size"].dtype == SIZES
    assert list(frame["size"].cat.categories) == ["small", "medium", "large"]
    assert frame["size"].cat.ordered
    assert ((frame["size"] <= "medium") == frame["size"].isin(["small", "medium"])).all()
    fitted.save(tmp_path / "model.sgm")
    loaded = sg.load(tmp_path / "model.sgm")
    assert loaded.sample(10, seed=2)["size"].dtype == SIZES
    assert loaded.metadata_.column("size").ordered


def test_a_loaded_model_continues_the_numbering(fitted: Synthesizer, tmp_path: Path) -> None:
    fitted.save(tmp_path / "model.sgm")
    frame = sg.load(tmp_path / "model.sgm").sample(5, seed=4, first_row=10)
    assert frame["order_id"].tolist() == list(range(1010, 1015))
    assert frame["customer_id"].tolist() == [f"cust-{i}" for i in range(11, 16)]


@pytest.mark.parametrize("first_row", [-1, True, 2.0, "10", MAX_FIRST_ROW + 1])
def test_a_bad_first_row_is_refused(first_row: object) -> None:
    model = sg.create("gaussian_copula", seed=0).fit(source_table(30))
    with pytest.raises(DataError, match="first_row must be"):
        model.sample(5, first_row=first_row)  # type: ignore[arg-type]
