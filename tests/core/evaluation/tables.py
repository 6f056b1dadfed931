"""Shared inputs: real tables from /work/shared/datasets (subsampled for speed), synthetic
stand-ins made by simple perturbations, and SDMetrics run as the independent reference."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import UNLEARNED_KINDS
from tests.shared_data import DATASETS


def load(name: str, rows: int, seed: int = 0) -> pd.DataFrame:
    """A row sample of a shared dataset, read as its README says."""
    path = DATASETS / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    dates = ["pickup", "dropoff"] if name == "taxis.csv" else False
    table = pd.read_csv(path, parse_dates=dates)
    return table.sample(n=min(rows, len(table)), random_state=seed).reset_index(drop=True)


def resampled(real: pd.DataFrame, rows: int, seed: int = 1) -> pd.DataFrame:
    """Every column drawn independently from the real one: marginals kept, trends broken."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: real[c].to_numpy()[rng.integers(0, len(real), rows)] for c in real})


def distorted(real: pd.DataFrame, seed: int = 2) -> pd.DataFrame:
    """Real rows with shifted numbers, swapped categories, new values and extra missing cells,
    so every metric has something to measure."""
    rng = np.random.default_rng(seed)
    out = real.sample(frac=1.0, replace=True, random_state=seed).reset_index(drop=True)
    for name in out.columns:
        column = out[name]
        hit = rng.random(len(out)) < 0.2
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.where(~hit, column + pd.Timedelta(days=40))
        elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            spread = float(column.std()) if column.min() < column.max() else 1.0
            out[name] = column.astype(float) + hit * rng.normal(0.5, 1.0, len(out)) * spread
        else:
            out[name] = column.astype(object).where(~hit, np.roll(column.to_numpy(), 7))
            out.loc[rng.random(len(out)) < 0.01, name] = "never-seen"
        out.loc[rng.random(len(out)) < 0.03, name] = np.nan
    return out


def sdmetrics_metadata(metadata: Metadata) -> dict[str, dict[str, dict[str, str]]]:
    return {
        "columns": {
            spec.name: {"sdtype": spec.kind.value}
            for spec in metadata.columns
            if spec.kind not in UNLEARNED_KINDS
        }
    }


def known(value: float | None) -> float:
    """A score the test expects to be defined."""
    assert value is not None
    return value


def sdmetrics_quality(
    real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata, thresholded: bool
) -> Any:
    """SDMetrics' single-table QualityReport, thresholds on (new) or off (old behaviour)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import QualityReport

        report = QualityReport()
        if not thresholded:
            report.real_correlation_threshold = 0
            report.real_association_threshold = 0
        report.num_rows_subsample = None  # SDMetrics subsamples pairs randomly above 50k rows
        sd_meta = sdmetrics_metadata(metadata)
        names = list(sd_meta["columns"])
        report.generate(real[names], synthetic[names], sd_meta, verbose=False)
    return report
