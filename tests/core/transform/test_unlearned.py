"""Ids numbered by their row's position in the whole output, whatever the pieces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgen_core.metadata import ColumnKind, Metadata
from synthgen_core.transform.unlearned import complete_ids, number_ids

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@pytest.fixture
def source() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": np.arange(100, 120),
            "key": [f"K{i:03d}" for i in range(20)],
            "customer_id": [f"cust-{i}" for i in range(20)],
            "token": [f"{i:08x}-aaaa-4bbb-8ccc-{i:012x}" for i in range(20)],
            "score": np.linspace(0.0, 1.0, 20),
        }
    )


def drawn(source: pd.DataFrame, n_rows: int) -> pd.DataFrame:
    """What a model hands back before numbering: ids restarting at every piece."""
    return source.head(1).loc[[0] * n_rows].reset_index(drop=True)


def in_pieces(source: pd.DataFrame, sizes: list[int], seed: int) -> pd.DataFrame:
    meta = Metadata.detect(source)
    pieces, first_row = [], 0
    for size in sizes:
        rng = np.random.default_rng(seed + first_row)
        pieces.append(number_ids(drawn(source, size), meta, first_row, rng))
        first_row += size
    return pd.concat(pieces, ignore_index=True)


def test_pieces_get_the_ids_of_one_draw(source: pd.DataFrame) -> None:
    whole = in_pieces(source, [50], seed=0)
    pieces = in_pieces(source, [7, 7, 7, 7, 7, 7, 7, 1], seed=0)
    for name in ("user_id", "key", "customer_id"):
        pd.testing.assert_series_equal(pieces[name], whole[name])
    assert whole["user_id"].tolist() == list(range(100, 150))
    assert whole["key"].tolist() == [f"K{i:03d}" for i in range(1, 51)]
    assert whole["customer_id"].tolist() == [f"cust-{i}" for i in range(1, 51)]
    assert pieces["token"].str.fullmatch(UUID).all() and pieces["token"].is_unique
    assert pieces["user_id"].dtype == source["user_id"].dtype


def test_uuids_differ_between_pieces_drawn_with_one_seed(source: pd.DataFrame) -> None:
    meta = Metadata.detect(source)
    first = number_ids(drawn(source, 30), meta, 0, np.random.default_rng(5))
    second = number_ids(drawn(source, 30), meta, 30, np.random.default_rng(5))
    assert not set(first["token"]) & set(second["token"])


def test_missing_ids_stay_missing_as_the_source_wrote_them() -> None:
    source = pd.DataFrame({"ref": [f"R{i}" for i in range(9)] + [" ?"]})
    meta = Metadata.detect(source).update_column("ref", kind="id")
    frame = pd.DataFrame({"ref": ["R1", " ?", None, "R4"]})
    out = number_ids(frame, complete_ids(meta, source), 10, np.random.default_rng(0))
    assert out["ref"].tolist()[0] == "R11" and out["ref"].tolist()[3] == "R14"
    assert out["ref"].tolist()[1] == " ?" and out["ref"].isna().tolist()[2]


def test_an_id_override_learns_its_style_from_the_data() -> None:
    source = pd.DataFrame({"n": np.arange(500, 520), "v": np.arange(20) % 3})
    meta = Metadata.detect(source).update_column("n", kind="id")
    assert meta.column("n").id_style is None
    completed = complete_ids(meta, source).column("n")
    assert (completed.kind, completed.id_style, completed.min_value) == (
        ColumnKind.ID,
        "integer",
        500.0,
    )
    assert complete_ids(complete_ids(meta, source), source) == complete_ids(meta, source)


def test_frames_without_ids_are_returned_as_they_are() -> None:
    source = pd.DataFrame({"v": [1.5, 2.5, 3.5]})
    assert number_ids(source, Metadata.detect(source), 99, np.random.default_rng(0)) is source
