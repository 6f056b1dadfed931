"""How a small table's bins are chosen: each choice fitted, the most real-looking one kept."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.errors import ConfigError
from synthgen_core.io.model_file import read_model_file, write_model_file
from synthgen_core.models.autoregressive.bin_choice import (
    ChoiceProgress,
    Realism,
    realism,
    simplest_real_enough,
)
from synthgen_core.models.autoregressive.model import Autoregressive
from synthgen_core.models.config import CHOOSE_BINS_BELOW_ROWS, COARSE_BIN_ROWS
from synthgen_core.nn.training import TrainingProgress
from synthgen_core.transform.bins import MIN_BIN_ROWS

FAST: dict[str, Any] = {"width": 32, "depth": 1, "heads": 2, "device": "cpu", "max_epochs": 30}


def _one_factor(rows: int = 200, seed: int = 0) -> pd.DataFrame:
    """Five amounts moved by one hidden factor: every choice of bins can serve."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=rows)
    return pd.DataFrame(
        {
            f"amount_{k}": (10 * (0.9 * factor + 0.45 * rng.normal(size=rows)) + 50 * k).round(2)
            for k in range(5)
        }
    )


def _firm_levels(rows: int = 240, seed: int = 0) -> pd.DataFrame:
    """Each firm's amounts sit in a narrow band of their own: a copula cannot carry that."""
    rng = np.random.default_rng(seed)
    firm = rng.integers(0, 8, rows)
    level = np.exp(np.linspace(2.0, 7.0, 8))[firm]
    capital = level * np.exp(rng.normal(0.0, 0.05, rows))
    invest = 0.1 * capital * np.exp(rng.normal(0.0, 0.05, rows))
    names = np.array([f"firm {k}" for k in range(8)])[firm]
    return pd.DataFrame({"firm": names, "capital": capital.round(2), "invest": invest.round(3)})


def test_the_choices_are_finest_first_and_one_bin_a_column_last():
    config = Autoregressive().config
    assert config.bin_row_choices(300) == [MIN_BIN_ROWS, COARSE_BIN_ROWS, 300]
    assert config.bin_row_choices(CHOOSE_BINS_BELOW_ROWS) == [MIN_BIN_ROWS]
    assert Autoregressive(bin_rows=5).config.bin_row_choices(300) == [5]


def test_bin_rows_must_be_positive():
    with pytest.raises(ConfigError, match="bin_rows"):
        Autoregressive(bin_rows=0).fit(_one_factor())


def test_the_fit_kept_is_the_coarsest_within_one_standard_error_of_the_best():
    table = _one_factor()
    model = Autoregressive(seed=0, **FAST).fit(table)
    found = model.bin_scores_
    assert list(found) == [MIN_BIN_ROWS, COARSE_BIN_ROWS, len(table)]
    assert all(0.0 <= f.score <= 1.0 and 0.0 <= f.error < 0.5 for f in found.values())
    best = max(found.values(), key=lambda f: f.score)
    kept = found[model.bin_rows_]
    assert best.score - kept.score <= np.hypot(best.error, kept.error)
    coarser = [f for rows, f in found.items() if rows > model.bin_rows_]
    assert all(best.score - f.score > np.hypot(best.error, f.error) for f in coarser)
    widest = max(len(bins.grid) for bins in model.tokenizer_.bins_.values())
    assert widest == max(1, len(table) // model.bin_rows_)


def test_amounts_that_follow_a_category_keep_fine_bins():
    table = _firm_levels()
    model = Autoregressive(seed=0, **FAST).fit(table)
    assert model.bin_rows_ == MIN_BIN_ROWS
    assert model.bin_scores_[len(table)].score < 0.5  # one bin a column loses each level
    rows = model.sample(2_000, seed=1)
    medians = rows.groupby("firm")["capital"].median()
    real = table.groupby("firm")["capital"].median()
    assert np.allclose(np.log(medians[real.index]), np.log(real), atol=0.3)


def test_the_chosen_fit_is_the_fit_of_that_choice_alone():
    table = _one_factor()
    chosen = Autoregressive(seed=3, **FAST).fit(table)
    alone = Autoregressive(seed=3, bin_rows=chosen.bin_rows_, **FAST).fit(table)
    assert alone.bin_rows_ == chosen.bin_rows_
    assert chosen.loss_history == alone.loss_history
    pd.testing.assert_frame_equal(chosen.sample(300, seed=2), alone.sample(300, seed=2))


def test_large_tables_and_set_bin_rows_fit_once():
    seen: list[TrainingProgress] = []
    table = _one_factor(rows=CHOOSE_BINS_BELOW_ROWS)
    model = Autoregressive(seed=0, **{**FAST, "max_epochs": 2})
    model.fit(table, callback=seen.append)
    assert model.bin_rows_ == MIN_BIN_ROWS
    assert [p.epoch for p in seen] == [1, 2] and seen[0].total_epochs == 2
    small = Autoregressive(seed=0, bin_rows=COARSE_BIN_ROWS, **{**FAST, "max_epochs": 2})
    small.fit(_one_factor(), callback=seen.append)
    assert small.bin_rows_ == COARSE_BIN_ROWS and len(seen) == 4
    assert model.bin_scores_ == small.bin_scores_ == {}  # nothing compared


def test_choices_that_bin_alike_are_fitted_once():
    categories = pd.DataFrame({"a": list("xyz") * 40, "b": list("pq") * 60})
    seen: list[TrainingProgress] = []
    model = Autoregressive(seed=0, **{**FAST, "max_epochs": 3, "validation_fraction": 0.0})
    model.fit(categories, callback=seen.append)
    assert model.bin_rows_ == MIN_BIN_ROWS
    assert [p.epoch for p in seen] == [1, 2, 3]


def test_progress_counts_on_across_the_choices_and_a_stop_ends_them_all():
    seen: list[TrainingProgress] = []
    options = {**FAST, "max_epochs": 4, "validation_fraction": 0.0}
    Autoregressive(seed=0, **options).fit(_one_factor(), callback=seen.append)
    assert [p.epoch for p in seen] == list(range(1, 13))
    assert {p.total_epochs for p in seen} == {12}
    assert all(b.elapsed >= a.elapsed for a, b in itertools.pairwise(seen))

    stops: list[TrainingProgress] = []

    def stop_at_6(progress: TrainingProgress) -> bool:
        stops.append(progress)
        return progress.epoch == 6

    model = Autoregressive(seed=0, **options)
    model.fit(_one_factor(), callback=stop_at_6)
    assert [p.epoch for p in stops] == list(range(1, 7))  # the third choice never starts
    assert model.bin_rows_ in (MIN_BIN_ROWS, COARSE_BIN_ROWS)


def test_choice_progress_reports_nothing_without_a_callback():
    progress = ChoiceProgress(None, choices=3, max_epochs=5)
    shown = TrainingProgress(epoch=1, total_epochs=5, losses={}, elapsed=2.0)
    assert progress(shown) is False
    progress.start(1)
    assert progress.spent == 2.0 and progress.fitting == 1


def test_the_score_is_high_for_real_rows_and_low_for_rows_without_their_relation():
    table = _one_factor(rows=400)
    metadata = sg.Metadata.detect(table)
    rng = np.random.default_rng(0)

    def real_rows(n: int, draw: np.random.Generator) -> pd.DataFrame:
        return _one_factor(rows=n, seed=int(draw.integers(1_000)))

    def independent(n: int, draw: np.random.Generator) -> pd.DataFrame:
        rows = real_rows(n, draw)  # every column shuffled on its own: the factor is gone
        return rows.apply(lambda column: draw.permutation(column.to_numpy()))

    real, apart = (
        realism(real_rows, table, metadata, rng),
        realism(independent, table, metadata, rng),
    )
    assert real.score > 0.8 and apart.score < 0.3
    assert 0.0 < real.error < 0.1 and apart.error < 0.1


@pytest.mark.parametrize(
    ("found", "kept"),
    [
        ([(0.9, 0.01), (0.5, 0.01), (0.5, 0.01)], 0),  # clearly best: the finest bins
        ([(0.9, 0.01), (0.95, 0.01), (0.5, 0.01)], 1),
        ([(0.9, 0.03), (0.88, 0.03), (0.5, 0.01)], 1),  # within the noise: fewer bins
        ([(0.9, 0.03), (0.88, 0.03), (0.89, 0.01)], 2),
        ([(0.7, 0.0), (0.7, 0.0)], 1),
    ],
)
def test_the_coarsest_choice_within_one_standard_error_of_the_best_is_kept(found, kept):
    assert simplest_real_enough([Realism(score, error) for score, error in found]) == kept


@pytest.mark.parametrize("bin_rows", [None, COARSE_BIN_ROWS])
def test_the_model_file_records_the_choice_and_older_files_load(bin_rows, tmp_path: Path):
    options = {**FAST, "max_epochs": 2, "bin_rows": bin_rows}
    model = Autoregressive(seed=0, **options).fit(_one_factor())
    model.save(tmp_path / "new.sgm")
    loaded = sg.load(tmp_path / "new.sgm")
    assert isinstance(loaded, Autoregressive)
    assert (loaded.bin_rows_, loaded.bin_scores_) == (model.bin_rows_, model.bin_scores_)
    header, arrays = read_model_file(tmp_path / "new.sgm")
    del header.state["bin_rows"], header.state["bin_scores"]  # written before bins were chosen
    write_model_file(tmp_path / "old.sgm", header, arrays)
    old = sg.load(tmp_path / "old.sgm")
    assert isinstance(old, Autoregressive) and old.bin_rows_ is None and old.bin_scores_ == {}
    pd.testing.assert_frame_equal(old.sample(50, seed=1), model.sample(50, seed=1))
