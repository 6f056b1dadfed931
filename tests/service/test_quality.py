"""The upload's data-quality summary: each kind's note, and the blend behind the score."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthgen_core.metadata import Metadata
from synthgen_service.quality import summarize


def test_each_kind_adds_its_note_and_unusable_columns_lower_the_score() -> None:
    n = 40
    frame = pd.DataFrame(
        {
            "user_id": np.arange(n),
            "country": ["CH"] * n,
            "age": np.where(np.arange(n) < 30, np.nan, 41.0),  # 75% missing
            "sex": ["F", "M"] * (n // 2),
            "notes": [None] * n,
        }
    )
    quality = summarize(frame, Metadata.detect(frame))
    found = [(issue.kind, issue.column) for issue in quality.issues]
    assert found == [
        ("high_cardinality", "user_id"),
        ("constant", "country"),
        ("mostly_missing", "age"),
        ("all_missing", "notes"),
    ]
    assert "regenerated, not learned" in quality.issues[0].message
    completeness = 1 - (0.75 + 1.0) / 5
    usable = 1 - 2 / 5  # the constant and the empty column
    assert quality.overall_score == round(100 * (0.4 * completeness + 0.4 * usable + 0.2), 1)


def test_a_constant_column_with_gaps_is_constant_not_mostly_missing() -> None:
    frame = pd.DataFrame({"flag": ["Y"] + [None] * 9, "x": np.arange(10.0)})
    meta = Metadata.detect(frame).update_column("flag", kind="constant")
    quality = summarize(frame, meta)
    assert [(i.kind, i.column) for i in quality.issues] == [("constant", "flag")]


def test_personal_data_is_named_in_the_summary_and_stays_usable() -> None:
    n = 40
    frame = pd.DataFrame(
        {
            "email": [f"user{i}@example.com" for i in range(n)],
            "spend": np.linspace(1.0, 2.0, n),
        }
    )
    quality = summarize(frame, Metadata.detect(frame))
    assert [(issue.kind, issue.column) for issue in quality.issues] == [("pii", "email")]
    assert "fake" in quality.issues[0].message
    assert quality.overall_score == 100.0
